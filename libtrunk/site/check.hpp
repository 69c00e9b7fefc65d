// The site model's checks: the validator's rules (validate.hpp) and the DID
// pool rules (did/site_checks.hpp). Not the whole rule set: tools call
// route::check_site (route/check_site.hpp), which runs this and then the
// dial-plan compiler's rules, so that every tool agrees on what a valid
// site is.
#pragma once

#include "diag/diagnostic.hpp"
#include "diag/render.hpp"
#include "did/site_checks.hpp"
#include "site/model.hpp"

namespace trunk::site {

// `sources` holds the files' text, used to place diagnostics at the exact
// character inside pool strings. `pool_stats`, when given, receives the
// DID pool figures (didpool-check prints them).
void check(const Site& site, const diag::SourceText& sources, diag::Sink& sink,
           did::PoolStats* pool_stats = nullptr);

}  // namespace trunk::site
