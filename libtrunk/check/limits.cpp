// The limits rule: a trunk's limits.total below its limits.inbound or
// limits.outbound is warned (limits-total), since the larger can never be
// reached. The loader has checked each limit on its own.
#include <string>

#include "check/rules.hpp"

namespace trunk::check {

void rule_limits(const site::Site& site, const Index&, diag::Sink& sink) {
  for (const auto& t : site.trunks) {
    const site::Limits& l = t.limits;
    if (!l.total.present) continue;
    for (const auto* part : {&l.inbound, &l.outbound}) {
      if (!part->present || l.total.value >= part->value) continue;
      auto& d = sink.warning("limits-total",
                             "limits.total " + std::to_string(l.total.value) + " of trunk " +
                                 q(t.name.value) + " is below limits." +
                                 (part == &l.inbound ? "inbound" : "outbound") + " " +
                                 std::to_string(part->value),
                             l.total.where);
      diag::with_related(d, part->where, "the larger limit");
      diag::with_hint(d, "the total caps both directions; raise it or lower the other");
    }
  }
}

}  // namespace trunk::check
