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
  const std::uint32_t ti = t.find_tenant(tenant);
  // A number that is no dial string has no route and no candidates.
  if (!router.check_number(ti, number).ok()) return out;
  const std::uint32_t winner = router.outbound(ti, number);
  std::vector<Candidate>& matching = out.matching;
  for (std::uint32_t i = 0; i < t.routes().size(); ++i) {
    const tables::RouteRecord& r = t.routes()[i];
    // The winner is the router's, always listed: the automaton decides,
    // and in tables whose patterns were changed after compiling (they can
    // verify: the verifier does not prove the two agree) its pattern may
    // not even match.
    if (i != winner) {
      if (r.tenant != ti) continue;
      diag::Sink sink;
      auto p = pattern::parse_pattern(t.str(r.pattern), {}, "match", sink);
      if (!p || !p->matches(number)) continue;
    }
    Candidate c;
    c.name = std::string(t.str(r.name));
    c.pattern = std::string(t.str(r.pattern));
    c.priority = r.priority;
    c.winner = i == winner;
    matching.push_back(std::move(c));
  }
  std::stable_sort(matching.begin(), matching.end(),
                   [](const Candidate& a, const Candidate& b) { return a.winner > b.winner; });
  if (matching.empty() || !matching.front().winner) return out;
  const Candidate& win = matching.front();
  for (auto& m : matching) {
    if (m.winner) continue;
    if (win.priority > m.priority)
      m.why = "priority " + std::to_string(m.priority) + " is below the winner's " +
              std::to_string(win.priority);
    else
      m.why = "the winner's pattern " + win.pattern + " matches fewer numbers than " +
              m.pattern + " (a strict subset)";
  }
  return out;
}

}  // namespace trunk::route
