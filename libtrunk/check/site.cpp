// Every rule over a site: site::check, then the compiler on a site it passes.
#include "route/check_site.hpp"

#include "site/check.hpp"

namespace trunk::route {

bool check_site_with(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink,
                     const SiteCheckResults& results) {
  const std::size_t errors_before = sink.errors();
  site::check(site, sources, sink, results.pool_stats);
  // The compiler trusts what the site rules check (names resolve, pools
  // parse), so it runs only when they found nothing.
  if (sink.errors() != errors_before) return false;
  tables::Plan scratch;
  return compile(site, sources, sink, results.plan ? *results.plan : scratch,
                 results.compile_stats);
}

bool check_site(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink) {
  return check_site_with(site, sources, sink, {});
}

}  // namespace trunk::route
