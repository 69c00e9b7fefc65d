// Laying a built automaton out as table words (automaton/layout.hpp).
//
// The compiler's steps build automata (route/automaton.hpp); this file turns
// one into the words the router walks: emit() for the per-trunk pool and
// inbound automata, emit_split() and append_split() for the tenants'
// outbound automata, whose top levels are gathered in one hot block. It owns
// the node order and encoding choices (default child, chains), not what an
// automaton accepts: the caller gives the accept word of every set. How a
// node is spelled in words is automaton/encode.hpp's.
#include <algorithm>
#include <array>

#include "automaton/encode.hpp"
#include "route/compile_steps.hpp"

namespace trunk::route::compile_steps {

static_assert(automaton::kSymbols == pattern::kDialSymbols,
              "a node word lists one bit per dial symbol");

namespace {

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

// The bits word of node n: a tail, or a plain node whose default child is
// `fallback` (default_child(n)) and which lists every other symbol.
std::uint32_t bits_of(const AutomatonBuilder::Node& n, NodeId fallback) {
  if (n.tail) return automaton::tail_bits();
  std::uint32_t listed = 0;
  for (int s = 0; s < pattern::kDialSymbols; ++s)
    if (n.child[s] != fallback) listed |= 1u << s;
  return automaton::plain_bits(listed, fallback != kDead);
}

// The words of node n (a tail or plain node), each child at where[child].
void put_node(std::vector<std::uint32_t>& out, const AutomatonBuilder::Node& n,
              std::uint32_t accept, const std::vector<std::uint32_t>& where) {
  if (n.tail) return automaton::append_tail(out, accept);
  const NodeId fallback = default_child(n);
  std::array<std::uint32_t, automaton::kSymbols> child;
  for (int s = 0; s < pattern::kDialSymbols; ++s) child[s] = where[n.child[s]];
  automaton::append_plain(out, accept, bits_of(n, fallback), where[fallback], child);
}

}  // namespace

// Depth-first preorder, so a lookup walking down a path mostly stays in the
// cache lines it already has. Each node's most frequent child becomes its
// default and only the other symbols are listed (automaton/layout.hpp).
std::uint32_t emit(const AutomatonBuilder& b, NodeId root, std::vector<std::uint32_t>& out,
                   const AcceptOf& accept_of) {
  if (root == kDead) return 0;
  auto size_of = [&](const AutomatonBuilder::Node& n) {
    return automaton::node_words(bits_of(n, n.tail ? kDead : default_child(n)));
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
    at += size_of(b.node(id));
    if (b.node(id).tail) continue;
    for (int s = pattern::kDialSymbols - 1; s >= 0; --s) {
      NodeId c = b.node(id).child[s];
      if (c != kDead && offset[c] == kUnplaced) stack.push_back(c);
    }
  }
  // Pass 2: the words.
  for (NodeId id : order) put_node(out, b.node(id), accept_of(b.node(id).accept), offset);
  return offset[root];
}

namespace {

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
constexpr std::uint32_t kUnplaced = 0xffffffffu;

// Where each node of one split automaton goes, worked out before any word
// is written, since a node's words name its children's offsets.
class SplitLayout {
 public:
  SplitLayout(const AutomatonBuilder& b, std::size_t hot_at, std::size_t cold_at)
      : b_(b), where_(b.node_count(), kUnplaced), hot_at_(hot_at), cold_at_(cold_at) {
    where_[kDead] = 0;
  }
  void place_hot(NodeId root);
  void place_cold();
  void write(std::vector<std::uint32_t>& hot, std::vector<std::uint32_t>& cold,
             const AcceptOf& accept_of) const;
  std::uint32_t where(NodeId id) const { return where_[id]; }

 private:
  // A cold node, or a chain from it: `chain` symbols lead to `next`, passing
  // through nodes that accept nothing and have one child (automaton/layout.hpp).
  struct Cold {
    NodeId id;
    std::vector<std::uint8_t> chain;
    NodeId next = kDead;
    NodeId fallback = kDead;  // the chain's default node
  };
  NodeId one_listed(NodeId id, NodeId fallback, int& symbol) const;
  std::size_t size_of(NodeId id) const;
  void place_cold_node(NodeId id, std::vector<NodeId>& stack);

  const AutomatonBuilder& b_;
  std::vector<std::uint32_t> where_;  // offset, kColdRef if cold; kUnplaced
  std::vector<NodeId> hot_order_;
  std::vector<Cold> cold_order_;
  std::size_t hot_at_, cold_at_;
};

// The one child a node lists besides its default (see default_child),
// or kDead when it lists none or several.
NodeId SplitLayout::one_listed(NodeId id, NodeId fallback, int& symbol) const {
  const auto& n = b_.node(id);
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
}

std::size_t SplitLayout::size_of(NodeId id) const {
  const auto& n = b_.node(id);
  return automaton::node_words(bits_of(n, n.tail ? kDead : default_child(n)));
}

// The nodes within kHotDepth symbols of the root, breadth first.
void SplitLayout::place_hot(NodeId root) {
  const auto reached = b_.reachable(root);  // breadth first: depths never decrease
  std::vector<std::uint8_t> depth(reached.size(), 0);
  for (std::size_t k = 0; k < reached.size(); ++k) {
    if (k > 0) depth[k] = static_cast<std::uint8_t>(std::min<int>(depth[reached[k].parent] + 1, 255));
    if (depth[k] >= kHotDepth) break;
    NodeId id = reached[k].id;
    where_[id] = static_cast<std::uint32_t>(hot_at_);
    hot_order_.push_back(id);
    hot_at_ += size_of(id);
  }
}

// The rest, depth first under each hot node's children in symbol order.
void SplitLayout::place_cold() {
  for (NodeId h : hot_order_) {
    if (b_.node(h).tail) continue;
    for (int s = 0; s < pattern::kDialSymbols; ++s) {
      std::vector<NodeId> stack{b_.node(h).child[s]};
      while (!stack.empty()) {
        NodeId id = stack.back();
        stack.pop_back();
        if (where_[id] != kUnplaced) continue;
        place_cold_node(id, stack);
      }
    }
  }
}

// Places one cold node, or a chain starting at it, and pushes what it leads
// to that has no place yet.
void SplitLayout::place_cold_node(NodeId id, std::vector<NodeId>& stack) {
  where_[id] = static_cast<std::uint32_t>(cold_at_) | kColdRef;
  Cold cn{id, {}, kDead, kDead};
  if (!b_.node(id).tail) cn.fallback = default_child(b_.node(id));
  const SetId fallback_accept = b_.node(cn.fallback).accept;
  int symbol = 0;
  NodeId c = b_.node(id).tail ? kDead : one_listed(id, cn.fallback, symbol);
  // Absorb a run of nodes that list one symbol, share the default and
  // accept what the default accepts (nothing, without one) into one
  // chain node: under a wildcard route most nodes look like that.
  while (c != kDead && where_[c] == kUnplaced && !b_.node(c).tail &&
         b_.node(c).accept == fallback_accept && cn.chain.size() < automaton::kChainLength - 1) {
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
    cold_at_ += automaton::node_words(automaton::chain_bits(cn.chain.size(), cn.fallback != kDead));
    if (where_[c] == kUnplaced) stack.push_back(c);
    if (where_[cn.fallback] == kUnplaced) stack.push_back(cn.fallback);
    cold_order_.push_back(std::move(cn));
    return;
  }
  cold_order_.push_back(std::move(cn));
  cold_at_ += size_of(id);
  if (b_.node(id).tail) return;
  for (int t = pattern::kDialSymbols - 1; t >= 0; --t)
    if (where_[b_.node(id).child[t]] == kUnplaced) stack.push_back(b_.node(id).child[t]);
}

void SplitLayout::write(std::vector<std::uint32_t>& hot, std::vector<std::uint32_t>& cold,
                        const AcceptOf& accept_of) const {
  for (NodeId id : hot_order_) put_node(hot, b_.node(id), accept_of(b_.node(id).accept), where_);
  for (const Cold& cn : cold_order_) {
    const std::uint32_t accept = accept_of(b_.node(cn.id).accept);
    if (cn.chain.empty())
      put_node(cold, b_.node(cn.id), accept, where_);
    else
      automaton::append_chain(cold, accept, cn.fallback != kDead, where_[cn.fallback], cn.chain,
                              where_[cn.next]);
  }
}

}  // namespace

std::uint32_t emit_split(const AutomatonBuilder& b, NodeId root, std::vector<std::uint32_t>& hot,
                         std::vector<std::uint32_t>& cold, const AcceptOf& accept_of) {
  if (root == kDead) return 0;
  SplitLayout layout(b, hot.size(), cold.size());
  layout.place_hot(root);
  layout.place_cold();
  layout.write(hot, cold, accept_of);
  return layout.where(root);
}

void append_split(std::vector<std::uint32_t>& out, std::vector<std::uint32_t*>& roots,
                  std::vector<SplitParts>& parts) {
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
      std::size_t size = automaton::node_words(bits);
      for (std::size_t c = k; c < k + size; ++c)
        out.push_back(automaton::is_child_word(bits, c - k) ? move(t, w[c]) : w[c]);
      k += size;
    }
  };
  for (std::size_t t = 0; t < parts.size(); ++t) copy(t, parts[t].first, 2);
  for (std::size_t t = 0; t < parts.size(); ++t) copy(t, parts[t].second, 0);
  for (std::size_t t = 0; t < parts.size(); ++t) *roots[t] = move(t, *roots[t]);
}

}  // namespace trunk::route::compile_steps
