// The tables file back as readable text (`dialplan-compile --dump`): header,
// tenants, trunks, routes in site order and inbound rules, plus the sizes of
// the automata. Deterministic, so two dumps can be diffed.
#pragma once

#include <string>

#include "tables/reader.hpp"

namespace trunk::tables {

std::string dump_text(const Tables& t);

}  // namespace trunk::tables
