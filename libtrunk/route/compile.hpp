// The dial-plan compiler: a checked site in, a Plan (tables/plan.hpp) out.
//
// It parses every route's dial pattern, checks the routing rules that need
// patterns and DID sets (duplicate names, ambiguous and shadowed routes,
// overlapping inbound rules; which trunks a route may use is a site rule,
// check/references.cpp), and builds one automaton per tenant (outbound)
// and two per trunk (pools, inbound rules).
// Which route wins is decided as the spec says: the higher priority, then
// the strictly smaller set of numbers; a number with no single winner is an
// error that shows it. Every problem goes to the sink; the plan is complete
// only when no error was reported. Tools reach it through check::check_site
// (check/site.hpp), which runs the site rules first.
#pragma once

#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "diag/render.hpp"
#include "pattern/dial_pattern.hpp"
#include "site/model.hpp"
#include "tables/plan.hpp"

namespace trunk::route {

struct CompileStats {
  std::size_t routes = 0, tenants = 0, trunks = 0, inbound = 0;
  std::size_t outbound_words = 0, inbound_words = 0, pool_words = 0;
};

// Returns true when the plan is complete (no errors were reported).
bool compile(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink,
             tables::Plan& plan, CompileStats* stats = nullptr);

// The SHA-256 over a site's files: for each, in load order, its file name
// (without directories), a NUL, its length in decimal, a NUL, its content.
std::array<std::uint8_t, 32> site_digest(const site::Site& site,
                                         const diag::SourceText& sources);

// Decomposes the numbers first..last (same length, digits only, first <=
// last) into at most 2 x length patterns of digit classes.
std::vector<pattern::DialPattern> range_patterns(std::string_view first, std::string_view last);

}  // namespace trunk::route
