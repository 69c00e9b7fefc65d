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

}  // namespace bench
