// The one entry point for "is this site valid": every rule over a site, run
// the same way by every tool. The site rules run first, one family per file
// of check/, in the order check/rules.hpp lists them, the DID pool rules
// (check/pools.cpp) last. On a site without errors the dial-plan compiler
// (route/compile.hpp) then runs the rules that need parsed patterns and
// automata (route-ambiguous, duplicate-route, pattern-*, inbound-overlap,
// ...). trunkctl validate and its reading commands, provisioning
// (site::plan_change is handed check_site), didpool-check, sip-trace-match
// and dialplan-compile all call it, so a site is valid for one exactly
// when it is valid for all.
//
// check/ sits above site/, did/ and route/: the rules of every family live
// here (the route rules excepted, which need the compiler's state), so that
// none of those folders has to include another's rules.
// It prints nothing and writes nothing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "diag/diagnostic.hpp"
#include "diag/render.hpp"
#include "route/compile.hpp"
#include "site/model.hpp"
#include "tables/plan.hpp"

namespace trunk::check {

// What the DID pool rules looked at, for a tool's summary line
// (didpool-check).
struct PoolStats {
  std::size_t pools = 0;          // did_pool values read (valid or not)
  std::size_t entries = 0;        // ranges in the valid pools, after merging
  std::size_t providers = 0;      // providers with at least one valid pool
  std::uint64_t numbers = 0;      // distinct numbers over all valid pools
  std::size_t overlaps = 0;       // did-overlap errors reported
  std::size_t inbound_rules = 0;  // [[inbound]] dids checked against a pool
};

// What a caller may want back from the pass; each pointer may be null.
struct SiteCheckResults {
  PoolStats* pool_stats = nullptr;               // the DID pool figures (didpool-check)
  tables::Plan* plan = nullptr;                  // the compiled plan, complete when no error
  route::CompileStats* compile_stats = nullptr;  // the compiler's figures (dialplan-compile)
};

// The site rules only (check/rules.hpp, DID pools last), without the
// compiler.
// `sources` holds the files' text, used to place diagnostics at the exact
// character inside pool strings.
void site_rules(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink,
                PoolStats* pool_stats = nullptr);

// Runs every rule over `site` into `sink`; `sources` holds the files' text
// (diagnostics point inside pool and pattern strings). Returns true when no
// error was reported. The compiler runs only on a site the site rules pass;
// its plan goes to `results.plan` when given, else is dropped.
bool check_site_with(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink,
                     const SiteCheckResults& results);

// check_site_with without results: the form site::plan_change is given.
bool check_site(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink);

}  // namespace trunk::check
