// Compiling routes and inbound rules into automata.
#include "route/compile.hpp"

#include <algorithm>
#include <filesystem>
#include <bit>
#include <cstring>
#include <map>
#include <set>
#include <atomic>
#include <optional>
#include <future>
#include <unordered_map>
#include <unordered_set>

#include <arpa/inet.h>

#include "did/pool.hpp"
#include "route/automaton.hpp"
#include "route/router.hpp"
#include "parallel/parallel_for.hpp"
#include "site/ip_block.hpp"
#include "site/place.hpp"
#include "tables/format.hpp"
#include "tables/sha256.hpp"

namespace trunk::route {

using pattern::DialPattern;

namespace {

std::string q(std::string_view s) { return diag::quoted(s); }

// The child a node lists nothing for: its most frequent child, dead
// included (ties go to the lowest symbol), if it stands for two or more
// symbols; otherwise none (kDead).
NodeId default_child(const AutomatonBuilder::Node& n) {
  int best = 0;
  NodeId fallback = kDead;
  for (int s = 0; s < pattern::kDialSymbols; ++s) {
    int count = 0;
    for (NodeId c : n.child) count += c == n.child[s];
    if (count > best) {
      best = count;
      fallback = n.child[s];
    }
  }
  return best < 2 ? kDead : fallback;
}

// Lays out the automaton reachable from `root` after the words already in
// `out` (which starts with the dead node) and returns the root's offset.
// Depth-first preorder, so a lookup walking down a path mostly stays in the
// cache lines it already has. Each node's most frequent child becomes its
// default and only the other symbols are listed (format.hpp).
template <class AcceptOf>
std::uint32_t emit(const AutomatonBuilder& b, NodeId root, std::vector<std::uint32_t>& out,
                   AcceptOf&& accept_of) {
  if (root == kDead) return 0;
  struct Layout {
    NodeId fallback = kDead;  // the default child
    std::uint32_t bits = 0;   // symbols listed explicitly
  };
  auto layout_of = [&](NodeId id) {
    const auto& n = b.node(id);
    Layout l;
    if (n.tail) {
      l.bits = tables::kTailBit;
      return l;
    }
    l.fallback = default_child(n);
    for (int s = 0; s < pattern::kDialSymbols; ++s)
      if (n.child[s] != l.fallback) l.bits |= 1u << s;
    if (l.fallback != kDead) l.bits |= tables::kDefaultBit;
    return l;
  };
  // Pass 1: offsets in preorder.
  constexpr std::uint32_t kUnplaced = 0xffffffffu;
  std::vector<std::uint32_t> offset(b.node_count(), kUnplaced);
  offset[kDead] = 0;
  std::vector<NodeId> order, stack{root};
  std::size_t at = out.size();
  while (!stack.empty()) {
    NodeId id = stack.back();
    stack.pop_back();
    if (offset[id] != kUnplaced) continue;
    offset[id] = static_cast<std::uint32_t>(at);
    order.push_back(id);
    Layout l = layout_of(id);
    at += 2 + ((l.bits & tables::kDefaultBit) != 0) + std::popcount(l.bits & tables::kSymbolBits);
    if (b.node(id).tail) continue;
    for (int s = pattern::kDialSymbols - 1; s >= 0; --s) {
      NodeId c = b.node(id).child[s];
      if (c != kDead && offset[c] == kUnplaced) stack.push_back(c);
    }
  }
  // Pass 2: the words.
  for (NodeId id : order) {
    const auto& n = b.node(id);
    Layout l = layout_of(id);
    out.push_back(accept_of(n.accept));
    out.push_back(l.bits);
    if (l.bits & tables::kDefaultBit) out.push_back(offset[l.fallback]);
    for (int s = 0; s < pattern::kDialSymbols; ++s)
      if (l.bits & (1u << s)) out.push_back(offset[n.child[s]]);
  }
  return offset[root];
}

// A tenant's automaton in two parts: the nodes within kHotDepth symbols of
// the root, breadth first (`hot`), and the rest, depth first under them
// (`cold`). Joined across tenants, all hot parts come first: the top of
// every tenant's automaton is then a small block that stays in the cache
// under any traffic. The outbound index leads a lookup past the hot part
// to a node after two symbols, and depth-first order puts that node's
// whole subtree right after it, in a few cache lines that the router asks
// for at once: a lookup pays memory latency about once.
// `hot` starts with a local dead node; child words that point into `cold`
// carry kColdRef. append_split() turns both into global offsets.
constexpr std::size_t kHotDepth = 2;
constexpr std::uint32_t kColdRef = 0x80000000u;

template <class AcceptOf>
std::uint32_t emit_split(const AutomatonBuilder& b, NodeId root, std::vector<std::uint32_t>& hot,
                         std::vector<std::uint32_t>& cold, AcceptOf&& accept_of) {
  if (root == kDead) return 0;
  const auto reached = b.reachable(root);  // breadth first: depths never decrease
  std::vector<std::uint8_t> depth(reached.size(), 0);
  std::vector<std::uint32_t> where(b.node_count(), 0xffffffffu);  // offset, kColdRef if cold
  where[kDead] = 0;
  std::vector<NodeId> hot_order;
  // A cold node, or a chain from it: `chain` symbols lead to `next`, passing
  // through nodes that accept nothing and have one child (format.hpp).
  struct Cold {
    NodeId id;
    std::vector<std::uint8_t> chain;
    NodeId next = kDead;
    NodeId fallback = kDead;  // the chain's default node
  };
  std::vector<Cold> cold_order;
  // The one child a node lists besides its default (see default_child),
  // or kDead when it lists none or several.
  auto one_listed = [&](NodeId id, NodeId fallback, int& symbol) -> NodeId {
    const auto& n = b.node(id);
    if (n.tail || default_child(n) != fallback) return kDead;
    NodeId only = kDead;
    int count = 0;
    for (int s = 0; s < pattern::kDialSymbols; ++s) {
      if (n.child[s] == fallback) continue;
      ++count;
      only = n.child[s];
      symbol = s;
    }
    return count == 1 ? only : kDead;
  };
  std::size_t hot_at = hot.size(), cold_at = cold.size();
  auto size_of = [&](NodeId id) -> std::size_t {
    const auto& n = b.node(id);
    if (n.tail) return 2;
    NodeId fallback = default_child(n);
    std::size_t listed = 0;
    for (NodeId c : n.child) listed += c != fallback;
    return 2 + (fallback != kDead) + listed;
  };
  for (std::size_t k = 0; k < reached.size(); ++k) {
    if (k > 0) depth[k] = static_cast<std::uint8_t>(std::min<int>(depth[reached[k].parent] + 1, 255));
    if (depth[k] >= kHotDepth) break;
    NodeId id = reached[k].id;
    where[id] = static_cast<std::uint32_t>(hot_at);
    hot_order.push_back(id);
    hot_at += size_of(id);
  }
  for (NodeId h : hot_order) {
    if (b.node(h).tail) continue;
    for (int s = 0; s < pattern::kDialSymbols; ++s) {
      std::vector<NodeId> stack{b.node(h).child[s]};
      while (!stack.empty()) {
        NodeId id = stack.back();
        stack.pop_back();
        if (where[id] != 0xffffffffu) continue;
        where[id] = static_cast<std::uint32_t>(cold_at) | kColdRef;
        Cold cn{id, {}, kDead, kDead};
        if (!b.node(id).tail) cn.fallback = default_child(b.node(id));
        const SetId fallback_accept = b.node(cn.fallback).accept;
        int symbol = 0;
        NodeId c = b.node(id).tail ? kDead : one_listed(id, cn.fallback, symbol);
        // Absorb a run of nodes that list one symbol, share the default and
        // accept what the default accepts (nothing, without one) into one
        // chain node: under a wildcard route most nodes look like that.
        while (c != kDead && where[c] == 0xffffffffu && !b.node(c).tail &&
               b.node(c).accept == fallback_accept &&
               cn.chain.size() < tables::kChainLength - 1) {
          int after = 0;
          NodeId c2 = one_listed(c, cn.fallback, after);
          if (c2 == kDead) break;
          cn.chain.push_back(static_cast<std::uint8_t>(symbol));
          symbol = after;
          c = c2;
        }
        if (!cn.chain.empty()) {
          cn.chain.push_back(static_cast<std::uint8_t>(symbol));
          cn.next = c;
          cold_at += 2 + (cn.fallback != kDead) + (cn.chain.size() + 7) / 8 + 1;
          if (where[c] == 0xffffffffu) stack.push_back(c);
          if (where[cn.fallback] == 0xffffffffu) stack.push_back(cn.fallback);
          cold_order.push_back(std::move(cn));
          continue;
        }
        cold_order.push_back(std::move(cn));
        cold_at += size_of(id);
        if (b.node(id).tail) continue;
        for (int t = pattern::kDialSymbols - 1; t >= 0; --t)
          if (where[b.node(id).child[t]] == 0xffffffffu) stack.push_back(b.node(id).child[t]);
      }
    }
  }
  auto put = [&](std::vector<std::uint32_t>& out, NodeId id) {
    const auto& n = b.node(id);
    out.push_back(accept_of(n.accept));
    if (n.tail) {
      out.push_back(tables::kTailBit);
      return;
    }
    NodeId fallback = default_child(n);
    std::uint32_t bits = fallback != kDead ? tables::kDefaultBit : 0;
    for (int s = 0; s < pattern::kDialSymbols; ++s)
      if (n.child[s] != fallback) bits |= 1u << s;
    out.push_back(bits);
    if (fallback != kDead) out.push_back(where[fallback]);
    for (int s = 0; s < pattern::kDialSymbols; ++s)
      if (n.child[s] != fallback) out.push_back(where[n.child[s]]);
  };
  for (NodeId id : hot_order) put(hot, id);
  for (const Cold& cn : cold_order) {
    if (cn.chain.empty()) {
      put(cold, cn.id);
      continue;
    }
    cold.push_back(accept_of(b.node(cn.id).accept));
    cold.push_back(tables::kChainBit | (cn.fallback != kDead ? tables::kDefaultBit : 0) |
                   static_cast<std::uint32_t>(cn.chain.size()));
    if (cn.fallback != kDead) cold.push_back(where[cn.fallback]);
    for (std::size_t j = 0; j < cn.chain.size(); j += 8) {
      std::uint32_t packed = 0;
      for (std::size_t q = j; q < std::min(j + 8, cn.chain.size()); ++q)
        packed |= std::uint32_t(cn.chain[q]) << (4 * (q - j));
      cold.push_back(packed);
    }
    cold.push_back(where[cn.next]);
  }
  return where[root];
}

// An address or block as the site parser reads it (site/ip_block.hpp); a
// trunk host may be a bracketed IPv6 address.
bool ip_literal(std::string_view text, tables::Plan::Address& a) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  auto block = site::parse_ip_block(text);
  if (!block) return false;
  a.address = block->address;
  a.prefix = block->prefix;
  return true;
}

// Joins tenants' split automata (emit_split): all hot parts, then all cold
// parts, every child word moved to its global offset.
void append_split(std::vector<std::uint32_t>& out, std::vector<std::uint32_t*>& roots,
                  std::vector<std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>>& parts) {
  std::vector<std::uint32_t> hot_base(parts.size()), cold_base(parts.size());
  std::size_t at = out.size();
  for (std::size_t t = 0; t < parts.size(); ++t) {
    hot_base[t] = static_cast<std::uint32_t>(at);
    at += parts[t].first.size() - 2;
  }
  for (std::size_t t = 0; t < parts.size(); ++t) {
    cold_base[t] = static_cast<std::uint32_t>(at);
    at += parts[t].second.size();
  }
  auto move = [&](std::size_t t, std::uint32_t ref) -> std::uint32_t {
    if (ref == 0) return 0;
    if (ref & kColdRef) return (ref & ~kColdRef) + cold_base[t];
    return ref - 2 + hot_base[t];
  };
  out.reserve(at);
  auto copy = [&](std::size_t t, const std::vector<std::uint32_t>& w, std::size_t from) {
    for (std::size_t k = from; k < w.size();) {
      std::uint32_t bits = w[k + 1];
      std::size_t size = tables::node_words(bits);
      for (std::size_t c = k; c < k + size; ++c)
        out.push_back(tables::is_child_word(bits, c - k) ? move(t, w[c]) : w[c]);
      k += size;
    }
  };
  for (std::size_t t = 0; t < parts.size(); ++t) copy(t, parts[t].first, 2);
  for (std::size_t t = 0; t < parts.size(); ++t) copy(t, parts[t].second, 0);
  for (std::size_t t = 0; t < parts.size(); ++t) *roots[t] = move(t, *roots[t]);
}

struct CompiledRoute {
  const site::Route* source;
  std::uint32_t index;  // in plan.routes and site.routes
  DialPattern pattern;
};

// Route a beats route b for a number both match.
bool beats(const CompiledRoute& a, const CompiledRoute& b) {
  if (a.source->priority.value != b.source->priority.value)
    return a.source->priority.value > b.source->priority.value;
  return pattern::is_subset(a.pattern, b.pattern) && !pattern::is_subset(b.pattern, a.pattern);
}

// Routes of one tenant that match the same numbers. Only the members of the
// highest priority can ever win, and they win or lose together, so they
// enter the automaton as one item: N equal routes cost one insertion, and a
// conflict among them is reported once with its count, not once per pair.
struct PatternGroup {
  // Local indexes: the highest priority first, file order within a priority.
  std::vector<std::uint32_t> members;
  std::uint32_t top = 0;  // members[0..top) share the highest priority
  std::uint32_t first() const { return members.front(); }
};

// Groups routes by the set of numbers they match (canonical pattern), the
// groups ordered by their first member, so that item order is file order.
std::vector<PatternGroup> group_routes(const std::vector<CompiledRoute>& routes) {
  std::vector<DialPattern> key(routes.size());
  std::vector<std::uint32_t> order(routes.size());
  for (std::uint32_t i = 0; i < routes.size(); ++i) {
    key[i] = pattern::canonical(routes[i].pattern);
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (auto c = key[a] <=> key[b]; c != 0) return c < 0;
    if (routes[a].source->priority.value != routes[b].source->priority.value)
      return routes[a].source->priority.value > routes[b].source->priority.value;
    return a < b;
  });
  std::vector<PatternGroup> groups;
  for (std::size_t k = 0; k < order.size(); ++k) {
    std::uint32_t i = order[k];
    if (k == 0 || key[i] != key[order[k - 1]]) groups.emplace_back();
    PatternGroup& g = groups.back();
    if (g.members.empty() ||
        routes[i].source->priority.value == routes[g.first()].source->priority.value)
      ++g.top;
    g.members.push_back(i);
  }
  std::sort(groups.begin(), groups.end(),
            [](const PatternGroup& a, const PatternGroup& b) { return a.first() < b.first(); });
  return groups;
}

// At most this many route-ambiguous pairs name any one group: a pair of two
// groups already named this often is counted, not shown. Routes that all
// cross each other then give a bounded report, not one line per pair.
constexpr std::uint32_t kPairsPerGroup = 5;
// A route-shadowed warning names at most this many of the winning routes.
constexpr std::size_t kTakersNamed = 5;

// Builds one tenant's outbound automaton; reports ambiguous and shadowed routes.
void compile_tenant(const std::string& tenant, std::vector<CompiledRoute>& routes,
                    diag::Sink& sink, std::vector<std::uint32_t>& hot,
                    std::vector<std::uint32_t>& cold, std::uint32_t& root_out) {
  // The builder's items are group indexes; a group stands for its first member.
  const std::vector<PatternGroup> groups = group_routes(routes);
  auto rep = [&](std::uint32_t g) -> const CompiledRoute& { return routes[groups[g].first()]; };
  auto combine = [&](const std::vector<std::uint32_t>& set, std::uint32_t item) {
    // Keep the groups no other group here beats: the winners for the number.
    std::vector<std::uint32_t> out;
    const CompiledRoute& r = rep(item);
    bool r_loses = false;
    for (std::uint32_t x : set) {
      if (beats(r, rep(x))) continue;
      if (beats(rep(x), r)) r_loses = true;
      out.push_back(x);
    }
    if (!r_loses) out.push_back(item);
    std::sort(out.begin(), out.end());
    return out;
  };
  AutomatonBuilder builder(combine);
  // Insert the broad patterns first: the later, narrower ones then only copy
  // their own paths. The order changes the work, not the result.
  std::vector<std::uint32_t> order(groups.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const DialPattern &pa = rep(a).pattern, &pb = rep(b).pattern;
    if (pa.bounded() != pb.bounded()) return !pa.bounded();
    return pa.classes.size() < pb.classes.size();
  });
  NodeId root = kDead;
  for (std::uint32_t g : order) root = builder.insert(root, rep(g).pattern, g);

  // Conflicts, in the order of their shortest numbers: a group whose equal
  // routes win together (a == b), or two groups that win together.
  struct Conflict {
    std::uint32_t a, b;
    std::size_t node;
  };
  std::vector<Conflict> conflicts;
  std::vector<bool> reached(groups.size(), false);
  std::unordered_set<std::uint64_t> paired;
  const auto nodes = builder.reachable(root);
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const auto& set = builder.set(builder.node(nodes[k].id).accept);
    for (auto x : set) {
      if (!reached[x] && groups[x].top > 1) conflicts.push_back({x, x, k});
      reached[x] = true;
    }
    for (std::size_t i = 0; i < set.size(); ++i)
      for (std::size_t j = i + 1; j < set.size(); ++j)
        if (paired.insert(std::uint64_t(set[i]) << 32 | set[j]).second)
          conflicts.push_back({set[i], set[j], k});
  }
  // The first two routes of a conflict, in file order; the others are counted.
  auto routes_of = [&](const Conflict& c) -> std::pair<const CompiledRoute*, const CompiledRoute*> {
    const CompiledRoute* a = &routes[groups[c.a].first()];
    const CompiledRoute* b = &routes[c.a == c.b ? groups[c.a].members[1] : groups[c.b].first()];
    return a->index < b->index ? std::pair{a, b} : std::pair{b, a};
  };
  // Which conflicts are shown: all but pairs of two groups that are each
  // named kPairsPerGroup times already. The one shown last (in file order,
  // as the tools print) counts the rest.
  std::vector<std::uint32_t> named(groups.size(), 0);
  std::vector<bool> shown(conflicts.size(), false);
  std::size_t omitted = 0, last_shown = 0;
  for (std::size_t k = 0; k < conflicts.size(); ++k) {
    const Conflict& c = conflicts[k];
    if (c.a != c.b && named[c.a] >= kPairsPerGroup && named[c.b] >= kPairsPerGroup) {
      ++omitted;
      continue;
    }
    ++named[c.a];
    if (c.b != c.a) ++named[c.b];
    shown[k] = true;
    if (routes_of(c).second->index >= routes_of(conflicts[last_shown]).second->index)
      last_shown = k;
  }
  for (std::size_t k = 0; k < conflicts.size(); ++k) {
    if (!shown[k]) continue;
    const Conflict& c = conflicts[k];
    auto [first, second] = routes_of(c);
    const CompiledRoute &earlier = *first, &later = *second;
    std::size_t more = groups[c.a].top + (c.a == c.b ? 0 : groups[c.b].top) - 2;
    std::string message =
        "routes " + q(earlier.source->name.value) + " and " + q(later.source->name.value) +
        " of tenant " + q(tenant) + " both match " + AutomatonBuilder::number_of(nodes, c.node) +
        " with priority " + std::to_string(earlier.source->priority.value) +
        (pattern::is_subset(earlier.pattern, later.pattern)
             ? ", and they match the same numbers"
             : ", and neither matches all the numbers of the other");
    if (more > 0)
      message += "; " + std::to_string(more) + " more route" + (more == 1 ? " has" : "s have") +
                 (c.a == c.b ? " this pattern" : " one of these patterns") + " and priority";
    auto& d = sink.error("route-ambiguous", std::move(message), later.source->match.where);
    diag::with_related(d, earlier.source->match.where, "the other route");
    diag::with_hint(d, "give one of them a higher priority, or narrow a pattern so that "
                       "one lies inside the other");
    if (k == last_shown && omitted > 0)
      diag::with_hint(d, std::to_string(omitted) + " more ambiguous pair" +
                             (omitted == 1 ? "" : "s") + " of patterns of tenant " + q(tenant) +
                             " not shown: each pattern is named in at most " +
                             std::to_string(kPairsPerGroup));
  }

  // Shadowed routes, one warning per group: all its routes if the group
  // never wins, else those below its highest priority. They are named with
  // the groups that win the group's numbers, found by walking its pattern
  // through the automaton (shortest numbers first), not by comparing it
  // with every other route.
  for (std::uint32_t g = 0; g < groups.size(); ++g) {
    const PatternGroup& group = groups[g];
    std::vector<std::uint32_t> unused(group.members.begin() + (reached[g] ? group.top : 0),
                                      group.members.end());
    if (unused.empty()) continue;
    std::sort(unused.begin(), unused.end());
    std::vector<std::uint32_t> takers;
    bool others = false;
    builder.for_each_match(root, rep(g).pattern, [&](SetId s) {
      for (std::uint32_t w : builder.set(s)) {
        if (w == g || std::find(takers.begin(), takers.end(), w) != takers.end()) continue;
        // An unused group is taken from by the winners that beat it; the
        // routes below a group's top lose to every winner of its numbers.
        if (!reached[g] && !beats(rep(w), rep(g))) continue;
        if (takers.size() == kTakersNamed) {
          others = true;
          return false;
        }
        takers.push_back(w);
      }
      return true;
    });
    if (reached[g]) takers.insert(takers.begin(), g);
    if (takers.size() > kTakersNamed) {
      takers.resize(kTakersNamed);
      others = true;
    }
    std::string names;
    for (std::uint32_t w : takers) names += (names.empty() ? "" : ", ") + q(rep(w).source->name.value);
    if (others) names += " and others";
    if (names.empty()) names = "another route";
    const CompiledRoute& first = routes[unused[0]];
    std::string message;
    if (unused.size() == 1) {
      message = "route " + q(first.source->name.value) + " of tenant " + q(tenant) +
                " is never used: every number it matches goes to " + names;
    } else {
      const CompiledRoute& second = routes[unused[1]];
      message = "routes " + q(first.source->name.value) + " and " + q(second.source->name.value) +
                " of tenant " + q(tenant);
      if (unused.size() > 2)
        message += " and " + std::to_string(unused.size() - 2) + " more with the same pattern";
      message += " are never used: every number they match goes to " + names;
    }
    auto& d = sink.warning("route-shadowed", std::move(message), first.source->match.where);
    if (unused.size() > 1)
      diag::with_related(d, routes[unused[1]].source->match.where, "also never used");
    diag::with_hint(d, unused.size() == 1 ? "remove the route, or raise its priority"
                                          : "remove the routes, or raise their priorities");
  }
  root_out = emit_split(builder, root, hot, cold, [&](SetId s) -> std::uint32_t {
    const auto& set = builder.set(s);
    return set.empty() ? 0 : rep(set.front()).index + 1;
  });
}

// The trusted proxies, each with its blocks. A site that lists none
// trusts loopback only: one proxy "loopback" with 127.0.0.1 and ::1, so
// that a proxy beside trunkd on the same host works with no setting and
// nothing else can speak for another address.
void compile_proxies(const site::Site& site, tables::Plan& plan) {
  auto add = [&](const std::string& name, const std::vector<std::string>& blocks) {
    tables::Plan::Proxy p;
    p.name = name;
    p.address_first = static_cast<std::uint32_t>(plan.proxy_addresses.size());
    const std::uint32_t self = static_cast<std::uint32_t>(plan.proxies.size());
    for (const auto& b : blocks) {
      tables::Plan::Address a;
      if (!ip_literal(b, a)) continue;
      a.trunk = self;
      plan.proxy_addresses.push_back(a);
    }
    p.address_count = static_cast<std::uint32_t>(plan.proxy_addresses.size()) - p.address_first;
    plan.proxies.push_back(std::move(p));
  };
  if (site.proxies.empty()) {
    add(std::string(tables::kLoopbackProxy), {"127.0.0.1", "::1"});
    return;
  }
  for (const auto& proxy : site.proxies) {
    std::vector<std::string> blocks;
    for (const auto& b : proxy.addresses.value) blocks.push_back(b.value);
    add(proxy.name.value, blocks);
  }
}

}  // namespace

std::vector<DialPattern> range_patterns(std::string_view first, std::string_view last) {
  std::vector<DialPattern> out;
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

std::array<std::uint8_t, 32> site_digest(const site::Site& site,
                                         const diag::SourceText& sources) {
  tables::Sha256 h;
  for (const auto& f : site.files) {
    std::string_view text = sources.text(f);
    // The file's name, not its path: the same site gives the same digest
    // whether it is given as examples/site, ./examples/site or /abs/path.
    h.update(std::filesystem::path(f).filename().string());
    h.update(std::string(1, '\0'));
    h.update(std::to_string(text.size()));
    h.update(std::string(1, '\0'));
    h.update(text);
  }
  return h.finish();
}

bool compile(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink,
             tables::Plan& plan, CompileStats* stats) {
  const std::size_t errors_before = sink.errors();
  plan = tables::Plan{};
  plan.outbound_nodes = {0, 0};
  plan.inbound_nodes = {0, 0};
  plan.pool_nodes = {0, 0};
  // The digest reads every file once; it runs beside the compiler (a
  // future carries its exception, if any, to the get() below).
  auto digest = std::async(std::launch::async, [&] { return site_digest(site, sources); });

  std::map<std::string, std::uint32_t> tenant_index, trunk_index;
  for (const auto& t : site.tenants) {
    tenant_index.emplace(t.name.value, static_cast<std::uint32_t>(plan.tenants.size()));
    plan.tenants.push_back({t.name.value, t.sip_domain.value,
                            t.caller_id.present ? t.caller_id.value : "", 0});
  }
  for (const auto& t : site.trunks)
    trunk_index.emplace(t.name.value, static_cast<std::uint32_t>(trunk_index.size()));
  auto tenant_of = [&](const std::string& n) {
    auto it = tenant_index.find(n);
    return it == tenant_index.end() ? tables::kNone : it->second;
  };
  auto trunk_of = [&](const std::string& n) {
    auto it = trunk_index.find(n);
    return it == trunk_index.end() ? tables::kNone : it->second;
  };

  for (const auto& t : site.trunks) {
    tables::Plan::Trunk p;
    p.name = t.name.value;
    p.host = t.host.value;
    p.provider = t.provider.value;
    p.request_uri_params = t.request_uri_params.value;
    p.caller_id = t.caller_id.value;
    p.match_from_host = t.match_from_host.value;
    p.outbound_proxy = t.outbound_proxy.value;
    p.port = static_cast<std::uint16_t>(t.port.value);
    p.outbound_proxy_port = static_cast<std::uint16_t>(t.outbound_proxy_port.value);
    p.transport = static_cast<std::uint8_t>(t.transport.value);
    p.type = static_cast<std::uint8_t>(t.type.value);
    using namespace tables;
    p.flags = (t.verify_port.value ? kVerifyPort : 0) | (t.single_via.value ? kSingleVia : 0) |
              (t.tel_uri_request_line.value ? kTelUriRequestLine : 0) |
              (t.tel_uri_to.value ? kTelUriTo : 0) | (t.strip_plus.value ? kStripPlus : 0) |
              (t.stir_shaken.value ? kStirShaken : 0) |
              (t.direction.value != site::Direction::inbound ? kOutboundAllowed : 0) |
              (t.direction.value != site::Direction::outbound ? kInboundAllowed : 0);
    p.owner = t.owned_by_system() ? kNone : tenant_of(t.owner.value);
    p.failover = t.failover.present ? trunk_of(t.failover.value) : kNone;
    std::vector<std::int64_t> codes;
    for (const auto& c : t.failover_on.value) codes.push_back(c.value);
    std::sort(codes.begin(), codes.end());
    codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
    for (std::int64_t c : codes)
      p.failover_on += (p.failover_on.empty() ? "" : ",") + std::to_string(c);
    auto limit = [](const site::Field<std::int64_t>& f) {
      if (!f.present || f.value < 0) return kNone;
      return static_cast<std::uint32_t>(std::min<std::int64_t>(f.value, kNone - 1));
    };
    p.limit_inbound = limit(t.limits.inbound);
    p.limit_outbound = limit(t.limits.outbound);
    p.limit_total = limit(t.limits.total);
    const std::uint32_t self = static_cast<std::uint32_t>(plan.trunks.size());
    p.address_first = static_cast<std::uint32_t>(plan.addresses.size());
    tables::Plan::Address a;
    if (ip_literal(t.host.value, a)) {
      a.trunk = self;
      plan.addresses.push_back(a);
    }
    for (const auto& ip : t.associated_ips.value) {
      if (!ip_literal(ip.value, a)) continue;
      a.trunk = self;
      plan.addresses.push_back(a);
    }
    p.address_count = static_cast<std::uint32_t>(plan.addresses.size()) - p.address_first;
    plan.trunks.push_back(std::move(p));
  }
  compile_proxies(site, plan);

  // Routes, grouped by tenant. Tenants are independent: their routes are
  // checked and their automata built on every core, each into its own
  // words and diagnostics, then joined in tenant order so the output does
  // not depend on the scheduling.
  std::vector<std::vector<std::uint32_t>> tenant_routes(plan.tenants.size());
  std::vector<std::uint32_t> route_tenant(site.routes.size());
  for (std::uint32_t i = 0; i < site.routes.size(); ++i) {
    route_tenant[i] = tenant_of(site.routes[i].tenant.value);
    if (route_tenant[i] != tables::kNone) tenant_routes[route_tenant[i]].push_back(i);
  }
  plan.routes.resize(site.routes.size());
  auto check_route = [&](std::uint32_t i, diag::Sink& out) -> std::optional<DialPattern> {
    const site::Route& r = site.routes[i];
    std::uint32_t tenant = route_tenant[i];
    std::string what = "match of route " + q(r.name.value);
    auto pat = pattern::parse_pattern(r.match.value, site::place_of(r.match, sources), what, out);
    if (r.prepend.present && !pattern::is_dial_number(r.prepend.value))
      diag::with_hint(out.error("invalid-value",
                                "prepend " + q(r.prepend.value) + " of route " +
                                    q(r.name.value) + " has characters that are not dial "
                                                      "symbols",
                                r.prepend.where),
                      "prepend holds digits, *, # and + only");
    tables::Plan::Route& pr = plan.routes[i];
    pr.tenant = tenant;
    pr.priority = static_cast<std::int32_t>(r.priority.value);
    pr.name = r.name.value;
    pr.pattern = r.match.value;
    pr.prepend = r.prepend.value;
    pr.caller_id = r.caller_id.value;
    pr.strip = static_cast<std::uint32_t>(r.strip.value);
    // Whether each trunk may carry the route (assignment, direction) is a
    // site rule (site/validate.cpp), checked before the compiler runs.
    for (const auto& tf : r.trunks.value) {
      std::uint32_t ti = trunk_of(tf.value);
      if (ti == tables::kNone) continue;  // unknown-trunk: reported by the validator
      pr.trunks.push_back(ti);
    }
    return pat;
  };
  for (std::uint32_t i = 0; i < site.routes.size(); ++i)
    if (route_tenant[i] == tables::kNone) check_route(i, sink);  // unknown-tenant: validator

  struct TenantResult {
    diag::Sink sink;
    std::vector<std::uint32_t> hot{0, 0};  // a local dead node, then the top of the automaton
    std::vector<std::uint32_t> cold;
    std::uint32_t root = 0;
    std::uint32_t dial_symbols = 0;  // '*' and '#' the routes name
  };
  std::vector<TenantResult> results(plan.tenants.size());
  parallel::parallel_for(plan.tenants.size(), 1, [&](std::size_t t) {
    {
      TenantResult& res = results[t];
      std::vector<CompiledRoute> routes;
      std::unordered_map<std::string_view, const site::Route*> names;
      for (std::uint32_t i : tenant_routes[t]) {
        const site::Route& r = site.routes[i];
        auto pat = check_route(i, res.sink);
        auto [it, fresh] = names.emplace(r.name.value, &r);
        if (!fresh)
          diag::with_related(res.sink.error("duplicate-route",
                                            "tenant " + q(r.tenant.value) +
                                                " has two routes named " + q(r.name.value),
                                            r.name.where),
                             it->second->name.where, "first defined here");
        if (!pat) continue;
        for (std::uint16_t set : pat->classes) res.dial_symbols |= set & tables::kPlanSymbols;
        routes.push_back({&r, i, std::move(*pat)});
      }
      if (res.sink.errors() == 0)
        compile_tenant(plan.tenants[t].name, routes, res.sink, res.hot, res.cold, res.root);
    }
  });
  bool route_errors = sink.errors() != errors_before;
  for (const auto& res : results) route_errors = route_errors || res.sink.errors() > 0;
  std::vector<std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>> parts;
  std::vector<std::uint32_t*> roots;
  for (std::uint32_t t = 0; t < plan.tenants.size(); ++t) {
    TenantResult& res = results[t];
    sink.append(res.sink);
    plan.tenants[t].outbound_root = res.root;
    plan.tenants[t].dial_symbols = res.dial_symbols;
    roots.push_back(&plan.tenants[t].outbound_root);
    parts.emplace_back(std::move(res.hot), std::move(res.cold));
    res = TenantResult{};
  }
  if (!route_errors) append_split(plan.outbound_nodes, roots, parts);
  // The index of every tenant's first two levels (format.hpp); only over
  // automata that were laid out.
  plan.outbound_index.assign(plan.tenants.size() * tables::kPairs, 0);
  for (std::uint32_t t = 0; t < plan.tenants.size() && !route_errors; ++t) {
    for (int s0 = 0; s0 < pattern::kDialSymbols; ++s0) {
      for (int s1 = 0; s1 < pattern::kDialSymbols; ++s1) {
        const char two[2] = {grammar::dial_symbol_char(s0), grammar::dial_symbol_char(s1)};
        plan.outbound_index[t * tables::kPairs + static_cast<std::uint32_t>(s0 * 13 + s1)] =
            position_after(plan.outbound_nodes, plan.tenants[t].outbound_root, {two, 2});
      }
    }
  }

  // Pools and inbound rules, per trunk.
  struct TrunkDids {
    std::vector<std::pair<std::uint32_t, DialPattern>> pools;    // tenant, pattern
    std::vector<std::pair<std::uint32_t, DialPattern>> inbound;  // rule, pattern
  };
  std::vector<TrunkDids> dids(plan.trunks.size());
  for (std::uint32_t ti = 0; ti < site.trunks.size(); ++ti) {
    for (const auto& a : site.trunks[ti].tenants) {
      std::uint32_t tenant = tenant_of(a.tenant.value);
      if (!a.did_pool.present || tenant == tables::kNone) continue;
      diag::Sink quiet;  // pool syntax is reported by the DID checks
      auto set = did::parse_pool(a.did_pool.value, site::place_of(a.did_pool, sources), "did_pool",
                                 quiet);
      if (!set) continue;
      for (const auto& range : set->ranges())
        for (auto& p : range_patterns(did::to_string(range.first), did::to_string(range.last)))
          dids[ti].pools.push_back({tenant, std::move(p)});
    }
  }
  std::vector<const site::Inbound*> inbound_source;  // parallel to plan.inbound
  for (const auto& in : site.inbound) {
    std::uint32_t ti = trunk_of(in.trunk.value), tenant = tenant_of(in.tenant.value);
    if (ti == tables::kNone || tenant == tables::kNone) continue;
    // inbound-trunk-direction is a site rule (site/validate.cpp).
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
    if (!set) continue;
    for (const auto& range : set->ranges())
      for (auto& p : range_patterns(did::to_string(range.first), did::to_string(range.last)))
        dids[ti].inbound.push_back({rule, std::move(p)});
  }
  auto set_union = [](const std::vector<std::uint32_t>& set, std::uint32_t item) {
    std::vector<std::uint32_t> out = set;
    if (!std::binary_search(out.begin(), out.end(), item))
      out.insert(std::upper_bound(out.begin(), out.end(), item), item);
    return out;
  };
  for (std::uint32_t ti = 0; ti < plan.trunks.size(); ++ti) {
    {
      AutomatonBuilder b(set_union);
      NodeId root = kDead;
      for (const auto& [tenant, p] : dids[ti].pools) root = b.insert(root, p, tenant);
      // Two tenants' pools on one trunk are did-overlap errors (DID checks);
      // the first tenant is kept so the plan stays well-formed.
      plan.trunks[ti].pool_root = emit(b, root, plan.pool_nodes, [&](SetId s) -> std::uint32_t {
        const auto& set = b.set(s);
        return set.empty() ? 0 : set.front() + 1;
      });
    }
    AutomatonBuilder b(set_union);
    NodeId root = kDead;
    for (const auto& [rule, p] : dids[ti].inbound) root = b.insert(root, p, rule);
    std::set<std::pair<std::uint32_t, std::uint32_t>> reported;
    const auto nodes = b.reachable(root);
    for (std::size_t k = 0; k < nodes.size(); ++k) {
      const auto& set = b.set(b.node(nodes[k].id).accept);
      if (set.size() < 2 || !reported.insert({set[0], set[1]}).second) continue;
      const site::Inbound& first = *inbound_source[set[0]];
      const site::Inbound& second = *inbound_source[set[1]];
      auto& d = sink.error("inbound-overlap",
                           "inbound rules " + q(first.did.value) + " and " + q(second.did.value) +
                               " on trunk " + q(site.trunks[ti].name.value) + " share DID " +
                               AutomatonBuilder::number_of(nodes, k),
                           second.did.where);
      diag::with_related(d, first.did.where, "the other rule");
      diag::with_hint(d, "a DID arriving on a trunk goes to one destination; split the ranges");
    }
    plan.trunks[ti].inbound_root =
        emit(b, root, plan.inbound_nodes, [&](SetId s) -> std::uint32_t {
          const auto& set = b.set(s);
          return set.empty() ? 0 : set.front() + 1;
        });
  }
  if (stats) {
    stats->routes = plan.routes.size();
    stats->tenants = plan.tenants.size();
    stats->trunks = plan.trunks.size();
    stats->inbound = plan.inbound.size();
    stats->outbound_words = plan.outbound_nodes.size();
    stats->inbound_words = plan.inbound_nodes.size();
    stats->pool_words = plan.pool_nodes.size();
  }
  plan.site_digest = digest.get();
  return sink.errors() == errors_before;
}

}  // namespace trunk::route
