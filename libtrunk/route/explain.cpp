// Explanations of routing decisions.
#include "route/explain.hpp"

#include <algorithm>

#include "pattern/dial_pattern.hpp"

namespace trunk::route {

OutboundExplanation explain_outbound(const Router& router, std::string_view tenant,
                                     std::string_view number) {
  OutboundExplanation out;
  out.answer = ask_outbound(router, tenant, number);
  if (!out.answer.ok) return out;
  const tables::Tables& t = router.tables();
  std::uint32_t ti = t.find_tenant(tenant);
  struct Parsed {
    Candidate c;
    pattern::DialPattern p;
  };
  std::vector<Parsed> matching;
  for (const auto& r : t.routes()) {
    if (r.tenant != ti) continue;
    diag::Sink sink;
    auto p = pattern::parse_pattern(t.str(r.pattern), {}, "match", sink);
    if (!p || !p->matches(number)) continue;
    Parsed m;
    m.c.name = std::string(t.str(r.name));
    m.c.pattern = std::string(t.str(r.pattern));
    m.c.priority = r.priority;
    m.c.winner = m.c.name == out.answer.route;
    m.p = std::move(*p);
    matching.push_back(std::move(m));
  }
  const Parsed* win = nullptr;
  for (const auto& m : matching)
    if (m.c.winner) win = &m;
  for (auto& m : matching) {
    if (m.c.winner || !win) continue;
    if (win->c.priority > m.c.priority)
      m.c.why = "priority " + std::to_string(m.c.priority) + " is below the winner's " +
                std::to_string(win->c.priority);
    else
      m.c.why = "the winner's pattern " + win->c.pattern + " matches fewer numbers than " +
                m.c.pattern + " (a strict subset)";
  }
  std::stable_sort(matching.begin(), matching.end(),
                   [](const Parsed& a, const Parsed& b) { return a.c.winner > b.c.winner; });
  for (auto& m : matching) out.matching.push_back(std::move(m.c));
  return out;
}

}  // namespace trunk::route
