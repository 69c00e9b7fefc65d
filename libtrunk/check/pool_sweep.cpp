// The sweep over each provider's pool ranges (see pool_sweep.hpp).
#include "check/pool_sweep.hpp"

#include <algorithm>

namespace trunk::check {

void sweep_provider(std::vector<Span>& spans, std::vector<SharedNumbers>& shared,
                    std::unordered_map<std::uint64_t, std::size_t>& pair_index,
                    std::vector<std::pair<Key, Key>>& covered) {
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.first < b.first; });
  auto ends_first = [](const Span& a, const Span& b) { return a.last > b.last; };
  std::vector<Span> active;
  bool open = false;
  Key run_first = 0, run_last = 0;
  for (const Span& s : spans) {
    while (!active.empty() && active.front().last < s.first) {
      std::pop_heap(active.begin(), active.end(), ends_first);
      active.pop_back();
    }
    for (const Span& a : active) {
      if (a.tenant == s.tenant) continue;
      std::uint32_t lo = std::min(a.pool, s.pool), hi = std::max(a.pool, s.pool);
      std::uint64_t pair = (std::uint64_t{lo} << 32) | hi;
      auto [it, fresh] = pair_index.emplace(pair, shared.size());
      if (fresh) shared.push_back({lo, hi, {}});
      shared[it->second].pieces.push_back(
          {number_of(s.first), number_of(std::min(a.last, s.last))});
    }
    active.push_back(s);
    std::push_heap(active.begin(), active.end(), ends_first);

    // One length's numbers are consecutive keys, so +1 never crosses lengths
    // where it matters: the next length's first key is far above.
    if (open && s.first <= run_last + 1) {
      run_last = std::max(run_last, s.last);
    } else {
      if (open) covered.emplace_back(run_first, run_last);
      run_first = s.first;
      run_last = s.last;
      open = true;
    }
  }
  if (open) covered.emplace_back(run_first, run_last);
}

// How many numbers the providers' unions cover together. `covered` holds
// one sorted run per provider, starting at `runs`; merging them pairwise
// costs O(n log providers), well below sorting the whole.
std::uint64_t count_covered(std::vector<std::pair<Key, Key>>& covered,
                            std::vector<std::size_t> runs) {
  // Run j is [runs[j], runs[j + 1]); merge neighbours until one is left.
  runs.push_back(covered.size());
  while (runs.size() > 2) {
    std::vector<std::size_t> next;
    std::size_t j = 0;
    for (; j + 2 < runs.size(); j += 2) {
      std::inplace_merge(covered.begin() + runs[j], covered.begin() + runs[j + 1],
                         covered.begin() + runs[j + 2]);
      next.push_back(runs[j]);
    }
    if (j + 1 < runs.size()) next.push_back(runs[j]);  // an odd run left over
    next.push_back(runs.back());
    runs = std::move(next);
  }
  std::uint64_t n = 0;
  Key end = 0;  // one past the last number counted, in keys
  for (const auto& [first, last] : covered) {
    if (last < end) continue;
    n += last - std::max(first, end) + 1;
    end = last + 1;
  }
  return n;
}

}  // namespace trunk::check
