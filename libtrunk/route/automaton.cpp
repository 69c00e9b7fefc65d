// Hash-consed automaton construction.
#include "route/automaton.hpp"

#include <algorithm>
#include <iterator>

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
  // A node that accepts what its one child accepts, where that child is a
  // tail, is that tail: every number from here on accepts the same set.
  // Without this, inserting a route that loses everywhere under a wildcard
  // (a shadowed "14155550100" under a higher "_X.") would copy its path of
  // expanded tail nodes, and N such routes would cost N paths, not nothing.
  // (The children are compared first: that needs no other node's memory.)
  if (!n.tail && n.child[0] != kDead &&
      std::all_of(std::begin(n.child), std::end(n.child),
                  [&](NodeId c) { return c == n.child[0]; }) &&
      nodes_[n.child[0]].tail && nodes_[n.child[0]].accept == n.accept)
    return n.child[0];
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

bool AutomatonBuilder::Memo::find(std::uint64_t key, std::uint32_t& value) const {
  std::size_t mask = slots_.size() - 1;
  for (std::size_t h = (key * 0x9e3779b97f4a7c15ull) >> 20 & mask;; h = (h + 1) & mask) {
    const Slot& s = slots_[h];
    if (s.generation != generation_) return false;
    if (s.key == key) {
      value = s.value;
      return true;
    }
  }
}

void AutomatonBuilder::Memo::put(std::uint64_t key, std::uint32_t value) {
  if ((count_ + 1) * 2 > slots_.size()) grow();
  std::size_t mask = slots_.size() - 1;
  for (std::size_t h = (key * 0x9e3779b97f4a7c15ull) >> 20 & mask;; h = (h + 1) & mask) {
    Slot& s = slots_[h];
    if (s.generation != generation_) {
      s = {key, value, generation_};
      ++count_;
      return;
    }
    if (s.key == key) {
      s.value = value;
      return;
    }
  }
}

void AutomatonBuilder::Memo::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  std::uint32_t gen = generation_;
  count_ = 0;
  for (const Slot& s : old)
    if (s.generation == gen) put(s.key, s.value);
}

SetId AutomatonBuilder::combine(SetId set, std::uint32_t item) {
  std::uint32_t out;
  if (memo_combine_.find(set, out)) return out;
  out = intern(combine_fn_(sets_[set], item));
  memo_combine_.put(set, out);
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
  NodeId out;
  if (memo_tail_.find(u, out)) return out;
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
  memo_tail_.put(u, out);
  return out;
}

// The pattern from position i on, inserted below u.
NodeId AutomatonBuilder::add_at(NodeId u, std::size_t i) {
  std::uint64_t key = (std::uint64_t(u) << 8) | i;
  NodeId memo;
  if (memo_at_.find(key, memo)) return memo;
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
  memo_at_.put(key, out);
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
  std::vector<bool> seen(nodes_.size(), false);
  out.push_back({root, 0, 0});
  seen[root] = true;
  for (std::size_t k = 0; k < out.size(); ++k) {
    NodeId id = out[k].id;
    for (int s = 0; s < kDialSymbols; ++s) {
      NodeId c = child(id, s);
      if (c == kDead || seen[c]) continue;
      seen[c] = true;
      out.push_back({c, static_cast<std::uint32_t>(k), static_cast<std::uint8_t>(s)});
    }
  }
  return out;
}

void AutomatonBuilder::for_each_match(NodeId root, const pattern::DialPattern& p,
                                      const std::function<bool(SetId)>& visit) const {
  // A state is a node and how much of p the number so far has used: 0..n
  // classes, or kRest once p's wildcard takes every symbol that follows.
  const std::uint64_t n = p.classes.size(), kRest = n + 1;
  std::vector<std::uint64_t> queue;
  std::unordered_set<std::uint64_t> seen;
  auto push = [&](NodeId id, std::uint64_t at) {
    if (id == kDead) return;
    std::uint64_t key = std::uint64_t(id) << 8 | at;
    if (seen.insert(key).second) queue.push_back(key);
  };
  push(root, n == 0 && p.tail == Tail::zero_or_more ? kRest : 0);
  for (std::size_t k = 0; k < queue.size(); ++k) {
    NodeId id = static_cast<NodeId>(queue[k] >> 8);
    std::uint64_t at = queue[k] & 0xff;
    if (at < n) {
      for (int s = 0; s < kDialSymbols; ++s)
        if (p.classes[at] & (1u << s)) {
          std::uint64_t next = at + 1;
          if (next == n && p.tail == Tail::zero_or_more) next = kRest;
          push(child(id, s), next);
        }
      continue;
    }
    if (at == kRest || p.tail == Tail::none)
      if (!visit(nodes_[id].accept)) return;
    if (at == n && p.tail == Tail::none) continue;
    for (int s = 0; s < kDialSymbols; ++s) push(child(id, s), kRest);
  }
}

std::string AutomatonBuilder::number_of(const std::vector<Reached>& list, std::size_t k) {
  std::string reversed;
  while (k != 0) {
    reversed += grammar::dial_symbol_char(list[k].symbol);
    k = list[k].parent;
  }
  return {reversed.rbegin(), reversed.rend()};
}

}  // namespace trunk::route
