// The sweep behind did-overlap and didpool-check's number count: each
// provider's pool ranges sorted once and swept, so pools are never compared
// pairwise and no range is expanded into numbers. Internal to check/pools.cpp
// (split out to keep each file one job); reports nothing itself: it returns
// what two tenants' pools share, and pools.cpp words the diagnostics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

#include "did/number_set.hpp"

namespace trunk::check {

// A number as one integer ordered like DidNumber (length, then value), so
// the sweep sorts and compares plain integers: 10^15 < 2^50.
using Key = std::uint64_t;
constexpr int kValueBits = 50;
inline Key key_of(did::DidNumber n) { return (Key{n.length} << kValueBits) | n.value; }
inline did::DidNumber number_of(Key k) {
  return {static_cast<std::uint8_t>(k >> kValueBits), k & ((Key{1} << kValueBits) - 1)};
}

// One range of one pool, as the sweep sees it.
struct Span {
  Key first, last;
  std::uint32_t pool, tenant;
};

// The numbers two pools share, gathered piece by piece during the sweep.
struct SharedNumbers {
  std::uint32_t earlier, later;  // pool indexes, earlier < later (site order)
  std::vector<did::DidRange> pieces;
};

// Sweeps one provider's ranges, sorted by first number here: the active
// ranges are those not yet ended, in a min-heap by last number; each range
// meets exactly the active ranges that remain after the ended ones are
// dropped. Appends to `shared` what pools of different tenants share (each
// piece once; `pair_index` maps a pool pair to its entry), and to `covered`
// the union of the ranges, merged and in order. O(n log n + k).
void sweep_provider(std::vector<Span>& spans, std::vector<SharedNumbers>& shared,
                    std::unordered_map<std::uint64_t, std::size_t>& pair_index,
                    std::vector<std::pair<Key, Key>>& covered);

// How many numbers the providers' unions cover together. `covered` holds
// one sorted run per provider, starting at `runs`; merging them pairwise
// costs O(n log providers), well below sorting the whole. Reorders `covered`.
std::uint64_t count_covered(std::vector<std::pair<Key, Key>>& covered,
                            std::vector<std::size_t> runs);

}  // namespace trunk::check
