// The compiler's DID step: each trunk's pool and inbound-rule automata.
//
// A call arriving on a trunk is placed by its DID: the pool automaton says
// which tenant owns the number (the trunk's did_pool assignments), the
// inbound automaton which rule sends it where. Both are built from DID
// ranges decomposed into dial patterns (range_patterns). This step reports
// bad inbound destinations (inbound-to) and DIDs two rules on one trunk
// share (inbound-overlap); pool syntax and pool overlaps are the DID
// rules' (check/pools.cpp), so pools are parsed quietly here.
#include <algorithm>
#include <set>

#include "did/pool.hpp"
#include "route/compile.hpp"
#include "route/compile_steps.hpp"
#include "site/place.hpp"
#include "tables/format.hpp"

namespace trunk::route {

std::vector<pattern::DialPattern> range_patterns(std::string_view first, std::string_view last) {
  std::vector<pattern::DialPattern> out;
  auto digit = [](char c) { return std::uint16_t(1u << (c - '0')); };
  auto all = [](std::string_view s, char c) {
    return s.find_first_not_of(c) == std::string_view::npos;
  };
  // prefix + the numbers lo..hi of equal length. A branch whose rest spans
  // every number (lo's rest all 0s, hi's rest all 9s) joins the middle
  // class, so each side adds at most one pattern per digit.
  auto go = [&](auto& self, std::vector<std::uint16_t> prefix, std::string_view lo,
                std::string_view hi) -> void {
    if (lo.empty()) {
      out.push_back({prefix, pattern::Tail::none});
      return;
    }
    if (lo[0] == hi[0]) {
      prefix.push_back(digit(lo[0]));
      self(self, prefix, lo.substr(1), hi.substr(1));
      return;
    }
    std::string_view lo_rest = lo.substr(1), hi_rest = hi.substr(1);
    bool lo_full = all(lo_rest, '0'), hi_full = all(hi_rest, '9');
    std::string nines(lo_rest.size(), '9'), zeros(lo_rest.size(), '0');
    if (!lo_full) {
      auto p = prefix;
      p.push_back(digit(lo[0]));
      self(self, p, lo_rest, nines);
    }
    char from = lo_full ? lo[0] : char(lo[0] + 1), to = hi_full ? hi[0] : char(hi[0] - 1);
    if (from <= to) {
      std::uint16_t mid = 0;
      for (char c = from; c <= to; ++c) mid |= digit(c);
      auto p = prefix;
      p.push_back(mid);
      p.insert(p.end(), lo_rest.size(), 0x3ff);
      out.push_back({p, pattern::Tail::none});
    }
    if (!hi_full) {
      auto p = prefix;
      p.push_back(digit(hi[0]));
      self(self, p, zeros, hi_rest);
    }
  };
  go(go, {}, first, last);
  return out;
}

namespace compile_steps {

namespace {

using pattern::DialPattern;

std::string q(std::string_view s) { return diag::quoted(s); }

// One trunk's DIDs as patterns, each with the item it stands for.
struct TrunkDids {
  std::vector<std::pair<std::uint32_t, DialPattern>> pools;    // tenant, pattern
  std::vector<std::pair<std::uint32_t, DialPattern>> inbound;  // rule, pattern
};

// Adds the patterns of every range of `set` to `out`, for `item`.
void add_ranges(const did::DidSet& set, std::uint32_t item,
                std::vector<std::pair<std::uint32_t, DialPattern>>& out) {
  for (const auto& range : set.ranges())
    for (auto& p : range_patterns(did::to_string(range.first), did::to_string(range.last)))
      out.push_back({item, std::move(p)});
}

void collect_pools(const site::Site& site, const diag::SourceText& sources, const Names& names,
                   std::vector<TrunkDids>& dids) {
  for (std::uint32_t ti = 0; ti < site.trunks.size(); ++ti) {
    for (const auto& a : site.trunks[ti].tenants) {
      std::uint32_t tenant = names.tenant(a.tenant.value);
      if (!a.did_pool.present || tenant == tables::kNone) continue;
      diag::Sink quiet;  // pool syntax is reported by the DID checks
      auto set = did::parse_pool(a.did_pool.value, site::place_of(a.did_pool, sources), "did_pool",
                                 quiet);
      if (set) add_ranges(*set, tenant, dids[ti].pools);
    }
  }
}

// Fills plan.inbound; returns the site rule of each, parallel to it.
std::vector<const site::Inbound*> collect_inbound(const site::Site& site,
                                                  const diag::SourceText& sources,
                                                  const Names& names, diag::Sink& sink,
                                                  tables::Plan& plan, std::vector<TrunkDids>& dids) {
  std::vector<const site::Inbound*> inbound_source;
  for (const auto& in : site.inbound) {
    std::uint32_t ti = names.trunk(in.trunk.value), tenant = names.tenant(in.tenant.value);
    if (ti == tables::kNone || tenant == tables::kNone) continue;
    // inbound-trunk-direction is a site rule (check/references.cpp).
    if (in.to.present && in.to.value.rfind("sip:", 0) != 0 && in.to.value.rfind("sips:", 0) != 0 &&
        in.to.value.rfind("tel:", 0) != 0)
      diag::with_hint(sink.error("inbound-to",
                                 "destination " + q(in.to.value) +
                                     " is not a sip:, sips: or tel: URI",
                                 in.to.where),
                      "write for example \"sip:{did}@tenant.pbx.example\"");
    std::uint32_t rule = static_cast<std::uint32_t>(plan.inbound.size());
    plan.inbound.push_back({tenant, ti, in.did.value, in.to.value});
    inbound_source.push_back(&in);
    auto set = did::parse_pool(in.did.value, site::place_of(in.did, sources), "did", sink);
    if (set) add_ranges(*set, rule, dids[ti].inbound);
  }
  return inbound_source;
}

// An automaton whose accept sets keep every item, so that overlaps show.
std::vector<std::uint32_t> set_union(const std::vector<std::uint32_t>& set, std::uint32_t item) {
  std::vector<std::uint32_t> out = set;
  if (!std::binary_search(out.begin(), out.end(), item))
    out.insert(std::upper_bound(out.begin(), out.end(), item), item);
  return out;
}

// Lays out an automaton whose accept word is its first item plus one.
std::uint32_t emit_first_item(const AutomatonBuilder& b, NodeId root,
                              std::vector<std::uint32_t>& out) {
  return emit(b, root, out, [&](SetId s) -> std::uint32_t {
    const auto& set = b.set(s);
    return set.empty() ? 0 : set.front() + 1;
  });
}

// Reports each pair of inbound rules that share a DID on trunk ti, once,
// with the shortest such DID.
void report_overlaps(const AutomatonBuilder& b, NodeId root, const site::Trunk& trunk,
                     const std::vector<const site::Inbound*>& inbound_source, diag::Sink& sink) {
  std::set<std::pair<std::uint32_t, std::uint32_t>> reported;
  const auto nodes = b.reachable(root);
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const auto& set = b.set(b.node(nodes[k].id).accept);
    if (set.size() < 2 || !reported.insert({set[0], set[1]}).second) continue;
    const site::Inbound& first = *inbound_source[set[0]];
    const site::Inbound& second = *inbound_source[set[1]];
    auto& d = sink.error("inbound-overlap",
                         "inbound rules " + q(first.did.value) + " and " + q(second.did.value) +
                             " on trunk " + q(trunk.name.value) + " share DID " +
                             AutomatonBuilder::number_of(nodes, k),
                         second.did.where);
    diag::with_related(d, first.did.where, "the other rule");
    diag::with_hint(d, "a DID arriving on a trunk goes to one destination; split the ranges");
  }
}

}  // namespace

void plan_inbound(const site::Site& site, const diag::SourceText& sources, const Names& names,
                  diag::Sink& sink, tables::Plan& plan) {
  std::vector<TrunkDids> dids(plan.trunks.size());
  collect_pools(site, sources, names, dids);
  const auto inbound_source = collect_inbound(site, sources, names, sink, plan, dids);
  for (std::uint32_t ti = 0; ti < plan.trunks.size(); ++ti) {
    {
      AutomatonBuilder b(set_union);
      NodeId root = kDead;
      for (const auto& [tenant, p] : dids[ti].pools) root = b.insert(root, p, tenant);
      // Two tenants' pools on one trunk are did-overlap errors (DID checks);
      // the first tenant is kept so the plan stays well-formed.
      plan.trunks[ti].pool_root = emit_first_item(b, root, plan.pool_nodes);
    }
    AutomatonBuilder b(set_union);
    NodeId root = kDead;
    for (const auto& [rule, p] : dids[ti].inbound) root = b.insert(root, p, rule);
    report_overlaps(b, root, site.trunks[ti], inbound_source, sink);
    plan.trunks[ti].inbound_root = emit_first_item(b, root, plan.inbound_nodes);
  }
}

}  // namespace compile_steps

}  // namespace trunk::route
