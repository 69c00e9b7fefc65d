// Every rule over a site: the site rules, then the compiler on a site they pass.
#include "check/site.hpp"

#include "check/rules.hpp"

namespace trunk::check {

void site_rules(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink,
                PoolStats* pool_stats) {
  const Index index(site);
  for (SiteRule rule : kSiteRules) rule(site, index, sink);
  rule_pools(site, sources, sink, pool_stats);
}

bool check_site_with(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink,
                     const SiteCheckResults& results) {
  const std::size_t errors_before = sink.errors();
  site_rules(site, sources, sink, results.pool_stats);
  // The compiler trusts what the site rules check (names resolve, pools
  // parse), so it runs only when they found nothing.
  if (sink.errors() != errors_before) return false;
  tables::Plan scratch;
  return route::compile(site, sources, sink, results.plan ? *results.plan : scratch,
                        results.compile_stats);
}

bool check_site(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink) {
  return check_site_with(site, sources, sink, {});
}

}  // namespace trunk::check
