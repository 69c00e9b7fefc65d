// Hash-consed automaton construction.
#include "route/automaton.hpp"

#include <algorithm>
#include <deque>

namespace trunk::route {

using pattern::kDialSymbols;
using pattern::Tail;

namespace {
inline std::size_t mix(std::size_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}
}  // namespace

std::size_t AutomatonBuilder::NodeHash::operator()(NodeId id) const {
  const Node& n = (*nodes)[id];
  std::size_t h = mix(n.accept, n.tail);
  for (NodeId c : n.child) h = mix(h, c);
  return h;
}

std::size_t AutomatonBuilder::VecHash::operator()(const std::vector<std::uint32_t>& v) const {
  std::size_t h = v.size();
  for (auto x : v) h = mix(h, x);
  return h;
}

AutomatonBuilder::AutomatonBuilder(Combine combine)
    : combine_fn_(std::move(combine)),
      node_index_(1024, NodeHash{&nodes_}, NodeEq{&nodes_}) {
  nodes_.push_back(Node{});  // kDead: accepts nothing, leads nowhere
  node_index_.insert(kDead);
  sets_.emplace_back();  // SetId 0: the empty set
  set_index_.emplace(std::vector<std::uint32_t>{}, 0);
}

NodeId AutomatonBuilder::make(const Node& n) {
  // Store the candidate, then look it up by id; drop it again if it exists.
  nodes_.push_back(n);
  auto [it, fresh] = node_index_.insert(static_cast<NodeId>(nodes_.size() - 1));
  if (!fresh) nodes_.pop_back();
  return *it;
}

SetId AutomatonBuilder::intern(std::vector<std::uint32_t> set) {
  auto [it, fresh] = set_index_.emplace(set, static_cast<SetId>(sets_.size()));
  if (fresh) sets_.push_back(std::move(set));
  return it->second;
}

SetId AutomatonBuilder::combine(SetId set, std::uint32_t item) {
  auto it = memo_combine_.find(set);
  if (it != memo_combine_.end()) return it->second;
  SetId out = intern(combine_fn_(sets_[set], item));
  memo_combine_.emplace(set, out);
  return out;
}

NodeId AutomatonBuilder::tail_of(SetId accept) {
  Node n;
  n.accept = accept;
  n.tail = true;
  return make(n);
}

// Every number from u on (u itself included) also accepts the item.
NodeId AutomatonBuilder::add_tail(NodeId u) {
  if (auto it = memo_tail_.find(u); it != memo_tail_.end()) return it->second;
  NodeId out;
  if (u == kDead) {
    out = tail_of(combine(0, item_));
  } else if (nodes_[u].tail) {
    out = tail_of(combine(nodes_[u].accept, item_));
  } else {
    Node n = nodes_[u];
    n.accept = combine(n.accept, item_);
    for (int s = 0; s < kDialSymbols; ++s) n.child[s] = add_tail(n.child[s]);
    out = make(n);
  }
  memo_tail_.emplace(u, out);
  return out;
}

// The pattern from position i on, inserted below u.
NodeId AutomatonBuilder::add_at(NodeId u, std::size_t i) {
  std::uint64_t key = (std::uint64_t(u) << 8) | i;
  if (auto it = memo_at_.find(key); it != memo_at_.end()) return it->second;
  const pattern::DialPattern& p = *pattern_;
  // Expand a tail node into an ordinary one whose children are the tail.
  Node n = nodes_[u];
  if (n.tail) {
    n.tail = false;
    for (auto& c : n.child) c = u;
  }
  NodeId out;
  if (i == p.classes.size()) {
    switch (p.tail) {
      case Tail::none:
        n.accept = combine(n.accept, item_);
        out = make(n);
        break;
      case Tail::zero_or_more:
        out = add_tail(u);
        break;
      case Tail::one_or_more:
      default:
        for (int s = 0; s < kDialSymbols; ++s) n.child[s] = add_tail(n.child[s]);
        out = make(n);
        break;
    }
  } else {
    std::uint16_t cls = p.classes[i];
    for (int s = 0; s < kDialSymbols; ++s)
      if (cls & (1u << s)) n.child[s] = add_at(n.child[s], i + 1);
    out = make(n);
  }
  memo_at_.emplace(key, out);
  return out;
}

NodeId AutomatonBuilder::insert(NodeId root, const pattern::DialPattern& p, std::uint32_t item) {
  pattern_ = &p;
  item_ = item;
  memo_at_.clear();
  memo_tail_.clear();
  memo_combine_.clear();
  NodeId out = add_at(root, 0);
  pattern_ = nullptr;
  return out;
}

std::vector<AutomatonBuilder::Reached> AutomatonBuilder::reachable(NodeId root) const {
  std::vector<Reached> out;
  if (root == kDead) return out;
  std::unordered_map<NodeId, std::size_t> seen;
  out.push_back({root, {}});
  seen.emplace(root, 0);
  for (std::size_t k = 0; k < out.size(); ++k) {
    NodeId id = out[k].id;
    for (int s = 0; s < kDialSymbols; ++s) {
      NodeId c = child(id, s);
      if (c == kDead || seen.count(c)) continue;
      seen.emplace(c, out.size());
      out.push_back({c, out[k].number + grammar::dial_symbol_char(s)});
    }
  }
  return out;
}

}  // namespace trunk::route
