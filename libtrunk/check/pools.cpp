// The DID pool rules over a whole site (spec: "DID pools"): every pool and
// inbound `did` parsed at its place in the files (the did-* entry rules of
// did/pool.hpp, at the entry's characters inside the string); no number
// shared by two tenants on one provider (did-overlap: one per pair of
// pools, at the later pool's entry holding the first shared number, the
// other pool as the related place); every inbound rule inside its tenant's
// pool on its trunk (inbound-outside-pool). Pools of one tenant may share
// numbers (a primary and a backup trunk carry the same pool), and pools on
// different providers may overlap. Number sets and pool parsing are did/'s;
// the range sweep is pool_sweep.cpp's. Message text is part of the
// interface (tests/check/pools_test.cpp asserts it); each message is built
// in one function below.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "check/pool_sweep.hpp"
#include "check/rules.hpp"
#include "did/pool.hpp"
#include "grammar/did_pool/ast.hpp"
#include "parallel/parallel_for.hpp"
#include "site/place.hpp"
#include "text/ascii.hpp"

namespace trunk::check {
namespace {

// Shared or outside numbers listed in one message; the rest are counted.
constexpr std::size_t kMaxListedRanges = 8;
// Pools parsed per task: small enough to spread a site over the cores,
// large enough that taking a task costs nothing next to parsing it.
constexpr std::size_t kParsesPerTask = 64;


// One pool string of the site (a did_pool, or an inbound rule's did) and
// what parsing it gave. Each has its own sink so that parsing can run on
// every core; the sinks are appended in site order afterwards.
struct Parsed {
  const site::Field<std::string>* field = nullptr;
  std::string what;  // names it in messages: did_pool of tenant "a" on trunk "T"
  diag::StringPlace place;
  std::optional<did::DidSet> set;
  diag::Sink sink;
};

void parse_all(std::vector<Parsed>& items, const diag::SourceText& sources) {
  parallel::parallel_for(items.size(), kParsesPerTask, [&](std::size_t i) {
    Parsed& p = items[i];
    p.place = site::place_of(*p.field, sources);
    p.set = did::parse_pool(p.field->value, p.place, p.what, p.sink);
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
      auto first = did::parse_number(e.first);
      auto last = e.last.empty() ? first : did::parse_number(e.last);
      if (first && last) entries_.push_back({key_of(*first), key_of(*last), e.column, e.length});
    }
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.first < b.first; });
    Key reach = 0;
    for (const Entry& e : entries_) max_last_.push_back(reach = std::max(reach, e.last));
  }

  // The characters of an entry holding `n`; the whole value if none does.
  diag::SourceRegion holding(did::DidNumber n) const {
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
// without case, as hosts.cpp's peer-per-provider does).
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


std::string pool_name(const PoolOwner& o) {
  return "did_pool of tenant " + q(o.assignment->tenant.value) + " on trunk " +
         q(o.trunk->name.value);
}

void report_overlap(const SharedNumbers& s, const std::vector<PoolOwner>& owners,
                    EntryIndexes& entries, diag::Sink& sink) {
  did::DidSet common(s.pieces);
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
  did::DidNumber first_shared = common.ranges().front().first;
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
                    const did::DidSet& outside, const diag::SourceRegion& where,
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

// Every did_pool of the site and who holds it, in site order.
struct SitePools {
  std::vector<Parsed> items;
  std::vector<PoolOwner> owners;  // owners[i] holds items[i]
  std::size_t providers = 0;      // distinct providers (ids 0..providers-1)
};

SitePools collect_pools(const site::Site& site) {
  SitePools out;
  Ids providers, tenants;
  for (const auto& t : site.trunks) {
    for (const auto& a : t.tenants) {
      if (!a.did_pool.present) continue;
      Parsed& p = out.items.emplace_back();
      p.field = &a.did_pool;
      out.owners.push_back({&t, &a, providers.of(text::ascii_lower(t.provider.value)),
                            tenants.of(a.tenant.value)});
      p.what = pool_name(out.owners.back());
    }
  }
  out.providers = providers.size();
  return out;
}

// Every inbound rule's did, indexed like site.inbound.
std::vector<Parsed> collect_dids(const site::Site& site) {
  std::vector<Parsed> dids(site.inbound.size());
  for (std::size_t i = 0; i < site.inbound.size(); ++i) {
    const auto& in = site.inbound[i];
    dids[i].field = &in.did;
    dids[i].what = "did of inbound rule for tenant " + q(in.tenant.value) + " on trunk " +
                   q(in.trunk.value);
  }
  return dids;
}

// What the overlap rule saw, for PoolStats.
struct OverlapFigures {
  std::size_t entries = 0;    // ranges in the valid pools
  std::size_t providers = 0;  // providers swept
  std::size_t overlaps = 0;   // did-overlap errors reported
  std::uint64_t numbers = 0;  // distinct numbers, counted only when asked
};

// did-overlap: each provider's ranges, swept once; reported by later pool.
OverlapFigures check_overlaps(const SitePools& pools, bool count_numbers, diag::Sink& sink) {
  const auto& items = pools.items;
  const auto& owners = pools.owners;
  std::vector<std::vector<Span>> by_provider(pools.providers);
  std::vector<std::size_t> sizes(pools.providers, 0);
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].set) sizes[owners[i].provider] += items[i].set->ranges().size();
  for (std::size_t p = 0; p < sizes.size(); ++p) by_provider[p].reserve(sizes[p]);
  OverlapFigures figures;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].set) continue;
    auto& spans = by_provider[owners[i].provider];
    for (const did::DidRange& r : items[i].set->ranges())
      spans.push_back({key_of(r.first), key_of(r.last), static_cast<std::uint32_t>(i),
                       owners[i].tenant});
    figures.entries += items[i].set->ranges().size();
  }
  std::vector<SharedNumbers> shared;
  std::unordered_map<std::uint64_t, std::size_t> pair_index;
  std::vector<std::pair<Key, Key>> covered;
  std::vector<std::size_t> covered_runs;
  for (auto& spans : by_provider) {
    if (spans.empty()) continue;
    ++figures.providers;
    covered_runs.push_back(covered.size());
    sweep_provider(spans, shared, pair_index, covered);
    std::vector<Span>().swap(spans);
  }
  std::sort(shared.begin(), shared.end(), [](const SharedNumbers& a, const SharedNumbers& b) {
    return std::pair(a.later, a.earlier) < std::pair(b.later, b.earlier);
  });
  EntryIndexes pool_entries(items);
  for (const auto& s : shared) report_overlap(s, owners, pool_entries, sink);
  figures.overlaps = shared.size();
  if (count_numbers) figures.numbers = count_covered(covered, std::move(covered_runs));
  return figures;
}

using Assignments = std::unordered_map<TrunkTenantKey, Assignment, TrunkTenantHash>;

// Each (trunk, tenant) assignment: its first [[trunk.tenant]] and its pools.
Assignments assignments_of(const site::Site& site, const SitePools& pools) {
  Assignments assigned;
  for (const auto& t : site.trunks)
    for (const auto& a : t.tenants) {
      Assignment& slot = assigned[{&t, a.tenant.value}];
      if (!slot.first) slot.first = &a;
    }
  for (std::uint32_t i = 0; i < pools.items.size(); ++i)
    assigned[{pools.owners[i].trunk, pools.owners[i].assignment->tenant.value}].pools.push_back(i);
  return assigned;
}

// inbound-outside-pool: each rule against the union of its tenant's pools
// on its trunk. Appends each did's own findings first, in site order.
// Returns how many rules were checked.
std::size_t check_inbound(const site::Site& site, const Index& index, const SitePools& pools,
                          std::vector<Parsed>& dids, diag::Sink& sink) {
  const Assignments assigned = assignments_of(site, pools);
  EntryIndexes did_entries(dids);
  std::size_t checked = 0;
  for (std::size_t i = 0; i < site.inbound.size(); ++i) {
    const auto& in = site.inbound[i];
    sink.append(dids[i].sink);
    if (!dids[i].set || !in.trunk.present || !in.tenant.present) continue;
    const site::Trunk* trunk = index.trunk(in.trunk.value);
    if (!trunk || !index.tenant(in.tenant.value)) continue;  // references.cpp's
    auto a = assigned.find({trunk, in.tenant.value});
    const Assignment* assignment = a == assigned.end() ? nullptr : &a->second;
    did::DidSet allowed;
    bool usable = true;
    if (assignment)
      for (std::uint32_t p : assignment->pools) {
        if (!pools.items[p].set) usable = false;
        else allowed = did::set_union(allowed, *pools.items[p].set);
      }
    if (!usable) continue;  // the pool's own error says what to fix first
    ++checked;
    did::DidSet outside = did::set_difference(*dids[i].set, allowed);
    if (outside.empty()) continue;
    const auto where = did_entries.of(static_cast<std::uint32_t>(i))
                           .holding(outside.ranges().front().first);
    report_outside(in, *trunk, assignment, outside, where, pools.items, sink);
  }
  return checked;
}

}  // namespace

void rule_pools(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink,
                PoolStats* stats) {
  // Every did_pool and every inbound did, parsed on all cores.
  SitePools pools = collect_pools(site);
  std::vector<Parsed> dids = collect_dids(site);
  parse_all(pools.items, sources);
  parse_all(dids, sources);
  for (auto& p : pools.items) sink.append(p.sink);

  const OverlapFigures overlaps = check_overlaps(pools, stats != nullptr, sink);
  const std::size_t inbound_checked = check_inbound(site, Index(site), pools, dids, sink);

  if (stats) {
    *stats = PoolStats{};
    stats->pools = pools.items.size();
    stats->entries = overlaps.entries;
    stats->providers = overlaps.providers;
    stats->numbers = overlaps.numbers;
    stats->overlaps = overlaps.overlaps;
    stats->inbound_rules = inbound_checked;
  }
}

}  // namespace trunk::check
