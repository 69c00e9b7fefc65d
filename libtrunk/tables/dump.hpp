// The tables file back as readable text (`dialplan-compile --dump`): header,
// tenants, trunks, routes in site order, inbound rules and trusted proxies, plus the sizes of
// the automata. Deterministic, so two dumps can be diffed.
#pragma once

#include <string>

#include "tables/reader.hpp"

namespace trunk::tables {

std::string dump_text(const Tables& t);
// An address block as written in a site: "203.0.113.0/24", "::1".
std::string block_text(const AddressRecord& a);

}  // namespace trunk::tables
