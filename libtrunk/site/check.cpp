// The full site check: validator rules, then DID pools.
#include "site/check.hpp"

#include "site/validate.hpp"

namespace trunk::site {

void check(const Site& site, const diag::SourceText& sources, diag::Sink& sink) {
  (void)sources;
  validate(site, sink);
}

}  // namespace trunk::site
