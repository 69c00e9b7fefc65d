// The full site check: validator rules, then DID pools.
#include "site/check.hpp"

#include "did/site_checks.hpp"
#include "site/validate.hpp"

namespace trunk::site {

void check(const Site& site, const diag::SourceText& sources, diag::Sink& sink,
           did::PoolStats* pool_stats) {
  validate(site, sink);
  did::check_site_pools(site, sources, sink, pool_stats);
}

}  // namespace trunk::site
