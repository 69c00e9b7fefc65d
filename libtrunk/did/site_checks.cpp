// The DID pool rules over a whole site: parse, sweep each provider's ranges
// for overlaps between tenants, check inbound rules against their pools.
// Message text is part of the interface (tests/did/site_checks_test.cpp
// asserts it); each message is built in one function below.
#include "did/site_checks.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "did/pool.hpp"
#include "grammar/did_pool/ast.hpp"
#include "site/place.hpp"
#include "parallel/parallel_for.hpp"
#include "text/ascii.hpp"

namespace trunk::did {

namespace {

// Shared or outside numbers listed in one message; the rest are counted.
constexpr std::size_t kMaxListedRanges = 8;
// Pools parsed per task: small enough to spread a site over the cores,
// large enough that taking a task costs nothing next to parsing it.
constexpr std::size_t kParsesPerTask = 64;

// Built by appending: GCC 12 warns falsely (-Wrestrict) on "\"" + std::string.
std::string q(std::string_view s) { return diag::quoted(s); }

// A number as one integer ordered like DidNumber (length, then value), so
// the sweep sorts and compares plain integers: 10^15 < 2^50.
using Key = std::uint64_t;
constexpr int kValueBits = 50;
Key key_of(DidNumber n) { return (Key{n.length} << kValueBits) | n.value; }
DidNumber number_of(Key k) {
  return {static_cast<std::uint8_t>(k >> kValueBits), k & ((Key{1} << kValueBits) - 1)};
}

// One pool string of the site (a did_pool, or an inbound rule's did) and
// what parsing it gave. Each has its own sink so that parsing can run on
// every core; the sinks are appended in site order afterwards.
struct Parsed {
  const site::Field<std::string>* field = nullptr;
  std::string what;  // names it in messages: did_pool of tenant "a" on trunk "T"
  diag::StringPlace place;
  std::optional<DidSet> set;
  diag::Sink sink;
};

void parse_all(std::vector<Parsed>& items, const diag::SourceText& sources) {
  parallel::parallel_for(items.size(), kParsesPerTask, [&](std::size_t i) {
    Parsed& p = items[i];
    p.place = site::place_of(*p.field, sources);
    p.set = parse_pool(p.field->value, p.place, p.what, p.sink);
  });
}

// The entries of one valid pool string, to point a message at the entry
// holding a number rather than at the whole string. Built only for strings
// a message is about.
class EntryIndex {
 public:
  EntryIndex(const Parsed& p) : place_(p.place), whole_(p.field->where) {
    std::vector<grammar::PoolEntry> entries;
    grammar::PoolSyntaxError err;
    if (!grammar::parse_did_pool(p.field->value, entries, err)) return;
    for (const auto& e : entries) {
      auto first = parse_number(e.first);
      auto last = e.last.empty() ? first : parse_number(e.last);
      if (first && last) entries_.push_back({key_of(*first), key_of(*last), e.column, e.length});
    }
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.first < b.first; });
    Key reach = 0;
    for (const Entry& e : entries_) max_last_.push_back(reach = std::max(reach, e.last));
  }

  // The characters of an entry holding `n`; the whole value if none does.
  diag::SourceRegion holding(DidNumber n) const {
    Key k = key_of(n);
    auto it = std::upper_bound(entries_.begin(), entries_.end(), k,
                               [](Key v, const Entry& e) { return v < e.first; });
    // Entries may overlap (did-duplicate): walk back while one could reach n.
    for (std::size_t i = static_cast<std::size_t>(it - entries_.begin()); i-- > 0;) {
      if (max_last_[i] < k) break;
      if (entries_[i].last >= k) return place_.at(entries_[i].column, entries_[i].length);
    }
    return whole_;
  }

 private:
  struct Entry {
    Key first, last;
    std::uint32_t column, length;
  };
  diag::StringPlace place_;
  diag::SourceRegion whole_;
  std::vector<Entry> entries_;
  std::vector<Key> max_last_;  // max_last_[i]: the largest `last` of entries 0..i
};

// Builds EntryIndexes on first use: one pool may be in many messages.
class EntryIndexes {
 public:
  explicit EntryIndexes(const std::vector<Parsed>& items) : items_(items) {}
  const EntryIndex& of(std::uint32_t i) {
    auto it = built_.find(i);
    if (it == built_.end()) it = built_.emplace(i, EntryIndex(items_[i])).first;
    return it->second;
  }

 private:
  const std::vector<Parsed>& items_;
  std::unordered_map<std::uint32_t, EntryIndex> built_;
};

// A pool and who holds it; indexes match the did_pool Parsed items.
struct PoolOwner {
  const site::Trunk* trunk;
  const site::TrunkTenant* assignment;
  std::uint32_t provider, tenant;
};

// Interns strings (providers, tenants) as dense ids. Keys are owned: a
// provider is interned by its lower-case form (provider names compare
// without case, as the validator's peer-per-provider does).
class Ids {
 public:
  std::uint32_t of(std::string_view s) {
    std::string key(s);
    auto it = ids_.find(key);
    if (it != ids_.end()) return it->second;
    return ids_.emplace(std::move(key), static_cast<std::uint32_t>(ids_.size())).first->second;
  }
  std::size_t size() const { return ids_.size(); }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
};

// One range of one pool, as the sweep sees it.
struct Span {
  Key first, last;
  std::uint32_t pool, tenant;
};

// The numbers two pools share, gathered piece by piece during the sweep.
struct SharedNumbers {
  std::uint32_t earlier, later;  // pool indexes, earlier < later (site order)
  std::vector<DidRange> pieces;
};

// Sweeps one provider's ranges, sorted by first number: the active ranges
// are those not yet ended, in a min-heap by last number; each range meets
// exactly the active ranges that remain after the ended ones are dropped.
// Appends to `shared` what pools of different tenants share (each piece
// once), and to `covered` the union of the ranges, merged and in order.
// O(n log n + k).
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

std::string pool_name(const PoolOwner& o) {
  return "did_pool of tenant " + q(o.assignment->tenant.value) + " on trunk " +
         q(o.trunk->name.value);
}

void report_overlap(const SharedNumbers& s, const std::vector<PoolOwner>& owners,
                    EntryIndexes& entries, diag::Sink& sink) {
  DidSet common(s.pieces);
  const PoolOwner& here = owners[s.later];
  const PoolOwner& other = owners[s.earlier];
  const std::string& provider = here.trunk->provider.value;
  std::string message = pool_name(here) + " shares " + diag::count(common.count(), "number") +
                        " with the did_pool of tenant " + q(other.assignment->tenant.value);
  if (here.trunk == other.trunk)
    message += " on the same trunk (provider " + q(provider) + ")";
  else
    message += " on trunk " + q(other.trunk->name.value) + " (both trunks of provider " +
               q(provider) + ")";
  message += ": " + common.to_string(kMaxListedRanges);
  DidNumber first_shared = common.ranges().front().first;
  auto& d = sink.error("did-overlap", message, entries.of(s.later).holding(first_shared));
  diag::with_related(d, entries.of(s.earlier).holding(first_shared), "the " + pool_name(other));
  diag::with_hint(d, "a number of provider " + q(provider) +
                         " reaches one tenant: remove the shared numbers from one of the "
                         "two pools");
}

// Where an inbound rule's tenant stands on its trunk.
struct Assignment {
  const site::TrunkTenant* first = nullptr;  // the first [[trunk.tenant]] for the tenant
  std::vector<std::uint32_t> pools;          // its did_pool Parsed indexes
};

struct TrunkTenantKey {
  const site::Trunk* trunk;
  std::string_view tenant;
  friend bool operator==(const TrunkTenantKey&, const TrunkTenantKey&) = default;
};
struct TrunkTenantHash {
  std::size_t operator()(const TrunkTenantKey& k) const {
    return std::hash<const void*>()(k.trunk) * 31 + std::hash<std::string_view>()(k.tenant);
  }
};

void report_outside(const site::Inbound& in, const site::Trunk& trunk, const Assignment* a,
                    const DidSet& outside, const diag::SourceRegion& where,
                    const std::vector<Parsed>& pools, diag::Sink& sink) {
  const std::string rule = "inbound rule for tenant " + q(in.tenant.value) + " on trunk " +
                           q(in.trunk.value);
  const std::string numbers = outside.to_string(kMaxListedRanges);
  const std::string how_many = diag::count(outside.count(), "number");
  if (a && !a->pools.empty()) {
    auto& d = sink.error("inbound-outside-pool",
                         rule + " takes " + how_many +
                             " outside the tenant's did_pool on that trunk: " + numbers,
                         where);
    diag::with_related(d, pools[a->pools.front()].field->where,
                       "the did_pool of tenant " + q(in.tenant.value) + " on trunk " +
                           q(in.trunk.value));
    diag::with_hint(d, "add the numbers to that did_pool, or remove them from the rule");
    return;
  }
  auto& d = sink.error("inbound-outside-pool",
                       rule + " takes " + how_many +
                           ", but the tenant has no did_pool on that trunk: " + numbers,
                       where);
  if (a) {
    diag::with_related(d, a->first->where, "the tenant's [[trunk.tenant]], without did_pool");
    diag::with_hint(d, "add did_pool = " + q(numbers) + " there, or remove the rule");
  } else {
    diag::with_related(d, trunk.where, "trunk " + q(trunk.name.value) + " is defined here");
    diag::with_hint(d, "assign the tenant to the trunk: [[trunk.tenant]] with tenant = " +
                           q(in.tenant.value) + " and did_pool = " + q(numbers));
  }
}

}  // namespace

void check_site_pools(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink,
                      PoolStats* stats) {
  // Every did_pool and every inbound did, parsed on all cores.
  std::vector<Parsed> pools;
  std::vector<PoolOwner> owners;
  Ids providers, tenants;
  for (const auto& t : site.trunks) {
    for (const auto& a : t.tenants) {
      if (!a.did_pool.present) continue;
      Parsed& p = pools.emplace_back();
      p.field = &a.did_pool;
      owners.push_back({&t, &a, providers.of(text::ascii_lower(t.provider.value)), tenants.of(a.tenant.value)});
      p.what = pool_name(owners.back());
    }
  }
  std::vector<Parsed> dids(site.inbound.size());
  for (std::size_t i = 0; i < site.inbound.size(); ++i) {
    const auto& in = site.inbound[i];
    dids[i].field = &in.did;
    dids[i].what = "did of inbound rule for tenant " + q(in.tenant.value) + " on trunk " +
                   q(in.trunk.value);
  }
  parse_all(pools, sources);
  parse_all(dids, sources);
  for (auto& p : pools) sink.append(p.sink);

  // did-overlap: each provider's ranges, swept once.
  std::vector<std::vector<Span>> by_provider(providers.size());
  std::vector<std::size_t> sizes(providers.size(), 0);
  for (std::size_t i = 0; i < pools.size(); ++i)
    if (pools[i].set) sizes[owners[i].provider] += pools[i].set->ranges().size();
  for (std::size_t p = 0; p < sizes.size(); ++p) by_provider[p].reserve(sizes[p]);
  std::size_t entries = 0;
  for (std::size_t i = 0; i < pools.size(); ++i) {
    if (!pools[i].set) continue;
    auto& spans = by_provider[owners[i].provider];
    for (const DidRange& r : pools[i].set->ranges())
      spans.push_back({key_of(r.first), key_of(r.last), static_cast<std::uint32_t>(i),
                       owners[i].tenant});
    entries += pools[i].set->ranges().size();
  }
  std::vector<SharedNumbers> shared;
  std::unordered_map<std::uint64_t, std::size_t> pair_index;
  std::vector<std::pair<Key, Key>> covered;
  std::vector<std::size_t> covered_runs;
  std::size_t swept = 0;
  for (auto& spans : by_provider) {
    if (spans.empty()) continue;
    ++swept;
    covered_runs.push_back(covered.size());
    sweep_provider(spans, shared, pair_index, covered);
    std::vector<Span>().swap(spans);
  }
  std::sort(shared.begin(), shared.end(), [](const SharedNumbers& a, const SharedNumbers& b) {
    return std::pair(a.later, a.earlier) < std::pair(b.later, b.earlier);
  });
  EntryIndexes pool_entries(pools);
  for (const auto& s : shared) report_overlap(s, owners, pool_entries, sink);

  // inbound-outside-pool: each rule against the union of its tenant's pools
  // on its trunk.
  std::unordered_map<std::string_view, const site::Trunk*> trunks;
  for (const auto& t : site.trunks) trunks.emplace(t.name.value, &t);
  std::unordered_map<std::string_view, bool> tenant_defined;
  for (const auto& t : site.tenants) tenant_defined.emplace(t.name.value, true);
  std::unordered_map<TrunkTenantKey, Assignment, TrunkTenantHash> assigned;
  for (const auto& t : site.trunks)
    for (const auto& a : t.tenants) {
      Assignment& slot = assigned[{&t, a.tenant.value}];
      if (!slot.first) slot.first = &a;
    }
  for (std::uint32_t i = 0; i < pools.size(); ++i)
    assigned[{owners[i].trunk, owners[i].assignment->tenant.value}].pools.push_back(i);
  EntryIndexes did_entries(dids);
  std::size_t inbound_checked = 0;
  for (std::size_t i = 0; i < site.inbound.size(); ++i) {
    const auto& in = site.inbound[i];
    sink.append(dids[i].sink);
    if (!dids[i].set || !in.trunk.present || !in.tenant.present) continue;
    auto t = trunks.find(in.trunk.value);
    if (t == trunks.end() || !tenant_defined.count(in.tenant.value)) continue;  // the validator's
    auto a = assigned.find({t->second, in.tenant.value});
    const Assignment* assignment = a == assigned.end() ? nullptr : &a->second;
    DidSet allowed;
    bool usable = true;
    if (assignment)
      for (std::uint32_t p : assignment->pools) {
        if (!pools[p].set) usable = false;
        else allowed = set_union(allowed, *pools[p].set);
      }
    if (!usable) continue;  // the pool's own error says what to fix first
    ++inbound_checked;
    DidSet outside = set_difference(*dids[i].set, allowed);
    if (outside.empty()) continue;
    report_outside(in, *t->second, assignment, outside,
                   did_entries.of(static_cast<std::uint32_t>(i)).holding(outside.ranges().front().first),
                   pools, sink);
  }

  if (stats) {
    *stats = PoolStats{};
    stats->pools = pools.size();
    stats->entries = entries;
    stats->providers = swept;
    stats->numbers = count_covered(covered, std::move(covered_runs));
    stats->overlaps = shared.size();
    stats->inbound_rules = inbound_checked;
  }
}

}  // namespace trunk::did
