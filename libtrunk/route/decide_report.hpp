// A Decision (decide.hpp) for people and for scripts: the lines `trunkctl
// route` and sip-trace-match print, and the JSON fields both give. The
// Contacts appear as the very header values trunkd sends, so what an
// operator reads is what the proxy receives.
#pragma once

#include <string>

#include "diag/json.hpp"
#include "route/decide.hpp"

namespace trunk::route {

// "  origin     ...\n  answer     302 Moved Temporarily\n  contact 1  ...":
// the origin (when `with_origin`; a decision for a named tenant or trunk
// has none), how the trunk and tenant were found (likewise), the answer,
// each Contact with its caller ID and failover, and what was left out.
std::string describe_decision(const Decision& d, const tables::Tables& t, bool with_origin);

// The same as JSON fields of the object `w` is writing: origin, trunk,
// tenant, direction, route, send, code, reason, contacts, left_out.
void write_decision(const Decision& d, const tables::Tables& t, bool with_origin,
                    diag::JsonWriter& w);

}  // namespace trunk::route
