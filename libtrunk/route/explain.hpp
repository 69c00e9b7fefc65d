// Why a number routes the way it does: the router's answer plus every
// route of the tenant that matches the number, and why the winner beat
// each of them (priority, or a strictly smaller set of numbers). Built
// for people (trunkctl route); it scans the tenant's routes, so it is not
// for the per-request path, which is Router.
#pragma once

#include <string>
#include <vector>

#include "route/expect.hpp"
#include "route/router.hpp"

namespace trunk::route {

struct Candidate {
  std::string name, pattern;
  std::int32_t priority = 0;
  bool winner = false;
  std::string why;  // why it lost (empty for the winner)
};

struct OutboundExplanation {
  Answer answer;                     // route, send, trunks, caller ID
  // Every matching route, the winner first; when there is a route, the
  // winner is always here, even if its pattern text does not match.
  std::vector<Candidate> matching;
};

OutboundExplanation explain_outbound(const Router& router, std::string_view tenant,
                                     std::string_view number);

}  // namespace trunk::route
