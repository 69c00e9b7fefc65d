// The DID pool rules of a site (spec: "DID pools"): every pool and inbound
// `did` parsed at its place in the files, no number shared by two tenants on
// one provider, and every inbound rule inside its tenant's pool on its trunk.
//
//   did-*                 the entry rules of did/pool.hpp, at the entry's
//                         characters inside the did_pool or did string
//   did-overlap           error  two tenants' pools on trunks of one provider
//                                share numbers; one per pair of pools, at the
//                                later pool's entry holding the first shared
//                                number, the other pool as the related place
//   inbound-outside-pool  error  an [[inbound]] did lists numbers that are not
//                                in its tenant's did_pool on its trunk
//
// Pools of one tenant may share numbers (a primary and a backup trunk carry
// the same pool), and pools on different providers may overlap. Names that
// do not resolve (unknown tenants and trunks) are the validator's to report;
// these rules skip what they reference. Nothing here reads files or prints.
#pragma once

#include <cstddef>
#include <cstdint>

#include "diag/diagnostic.hpp"
#include "diag/render.hpp"
#include "site/model.hpp"

namespace trunk::did {

// What check_site_pools looked at, for a tool's summary line.
struct PoolStats {
  std::size_t pools = 0;          // did_pool values read (valid or not)
  std::size_t entries = 0;        // ranges in the valid pools, after merging
  std::size_t providers = 0;      // providers with at least one valid pool
  std::uint64_t numbers = 0;      // distinct numbers over all valid pools
  std::size_t overlaps = 0;       // did-overlap errors reported
  std::size_t inbound_rules = 0;  // [[inbound]] dids checked against a pool
};

// Reports every DID pool finding of `site` to `sink`. `sources` holds the
// site's text, to place diagnostics at the character inside a pool string
// (see site::place_of); a value it cannot map exactly is reported at its
// opening quote. When `stats` is given it is overwritten with the figures.
//
// Cost: parsing is linear in the text (spread over the cores); the overlap
// rule sorts each provider's ranges once and sweeps them, O(n log n + k) for
// n ranges and k overlapping range pairs, never comparing pools pairwise and
// never expanding a range into numbers, so a site of a million entries takes
// a fraction of a second. Never throws on bad input (only std::bad_alloc).
void check_site_pools(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink,
                      PoolStats* stats = nullptr);

}  // namespace trunk::did
