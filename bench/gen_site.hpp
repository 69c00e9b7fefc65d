// Generators of large sites for the benchmarks: deterministic (seeded), so
// every run measures the same input. Each writes a site directory with one
// fragment per tenant, as an operator with many tenants would keep it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace bench {

struct RouteSiteShape {
  int tenants = 1000;
  int routes = 1'000'000;   // in all, spread evenly over the tenants
  std::uint64_t seed = 1;
};

// Writes DIR/00-site.toml (tenants and one trunk per tenant) and
// DIR/t<N>.toml (that tenant's routes). Patterns are 1 to 12 digits, some
// with a class or an X, one in eight with a trailing wildcard, all at one
// priority; a candidate that would make two routes ambiguous (overlapping,
// neither inside the other) is drawn again, so the plan compiles.
void write_route_site(const std::filesystem::path& dir, const RouteSiteShape& shape);

struct PoolSiteShape {
  int tenants = 10'000;
  int providers = 50;
  int entries = 1'000'000;  // pool entries in all, spread evenly over the pools
  int planted = 100;        // pairs of pools made to share one number
  std::uint64_t seed = 1;
};

// Writes a site for the DID pool checks: DIR/00-site.toml, DIR/10-tenants-
// <k>.toml (1000 tenants each), DIR/20-provider-<p>.toml (the provider's one
// peer trunk and its [[trunk.tenant]] pools) and DIR/30-inbound-<k>.toml
// (one inbound rule per tenant, inside its pool). Each tenant has a pool on
// two providers; a provider's pools hold disjoint 10-digit blocks, which the
// same slot on other providers reuses (different providers may overlap).
// `planted` pairs of pools of different tenants on one provider then share
// one number each, no pool in more than one pair. Returns the number of
// did-overlap errors the site must give: `planted` when the shape allows it
// (at most a provider's pools / 2 per provider), fewer otherwise.
int write_pool_site(const std::filesystem::path& dir, const PoolSiteShape& shape);

}  // namespace bench
