// Building the deterministic automata that route numbers.
//
// An automaton maps every dialled number to an *accept set*: the items
// (routes, inbound rules, tenants) that the number ends on. It is built by
// inserting dial patterns one at a time into a hash-consed DAG of nodes:
// equal nodes are stored once, so shared futures ("_1NXXNXXXXXX" under
// every area code) cost one node, and the result is close to minimal.
// Wildcard tails are *tail nodes*: a node whose every symbol leads back to
// itself, so "_9." costs two nodes whatever the number length.
//
// What an accept set holds after an insertion is the client's policy
// (`Combine`): the router keeps the routes that win (priority, then set
// inclusion), the inbound side keeps every rule so that overlaps show.
// Building allocates freely; lookups happen on the serialized tables
// (tables/), never here. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pattern/dial_pattern.hpp"

namespace trunk::route {

using NodeId = std::uint32_t;
using SetId = std::uint32_t;  // an interned accept set; 0 = empty
constexpr NodeId kDead = 0;   // no number through here is accepted

class AutomatonBuilder {
 public:
  // Returns the accept set after adding `item` to `set` (sorted, unique).
  using Combine = std::function<std::vector<std::uint32_t>(const std::vector<std::uint32_t>& set,
                                                           std::uint32_t item)>;

  explicit AutomatonBuilder(Combine combine);

  // Adds `item` at every number `p` matches; `root` is the automaton so far
  // (kDead for an empty one). Returns the new root; old roots stay valid.
  NodeId insert(NodeId root, const pattern::DialPattern& p, std::uint32_t item);

  struct Node {
    SetId accept = 0;
    bool tail = false;  // every symbol leads back to this node
    NodeId child[pattern::kDialSymbols] = {};
    friend bool operator==(const Node&, const Node&) = default;
  };
  const Node& node(NodeId id) const { return nodes_[id]; }
  NodeId child(NodeId id, int symbol) const {
    const Node& n = nodes_[id];
    return n.tail ? id : n.child[symbol];
  }
  const std::vector<std::uint32_t>& set(SetId id) const { return sets_[id]; }
  std::size_t node_count() const { return nodes_.size(); }

  // Nodes reachable from `root` in breadth-first order (root first), each
  // with the way it was first reached, so that the shortest number reaching
  // it (the witness for what it accepts) can be spelled by number_of().
  struct Reached {
    NodeId id;
    std::uint32_t parent;  // index in the list; the root's is itself
    std::uint8_t symbol;   // the symbol from the parent
  };
  std::vector<Reached> reachable(NodeId root) const;
  static std::string number_of(const std::vector<Reached>& list, std::size_t k);

  // Calls visit(accept set) for every node below `root` that a number `p`
  // matches ends on, breadth first (shorter numbers first), each node once
  // per position in `p`, until visit returns false. This answers "where do
  // the numbers of p go" in time bounded by the part of the automaton p
  // covers, not by the number of items inserted.
  void for_each_match(NodeId root, const pattern::DialPattern& p,
                      const std::function<bool(SetId)>& visit) const;

 private:
  // The node index holds ids and hashes the nodes they name, so a node is
  // stored once (in nodes_), not twice.
  struct NodeHash {
    const std::vector<Node>* nodes;
    std::size_t operator()(NodeId id) const;
  };
  struct NodeEq {
    const std::vector<Node>* nodes;
    bool operator()(NodeId a, NodeId b) const { return (*nodes)[a] == (*nodes)[b]; }
  };
  struct VecHash {
    std::size_t operator()(const std::vector<std::uint32_t>& v) const;
  };

  NodeId make(const Node& n);
  SetId intern(std::vector<std::uint32_t> set);
  SetId combine(SetId set, std::uint32_t item);
  NodeId add_at(NodeId u, std::size_t i);
  NodeId add_tail(NodeId u);
  NodeId tail_of(SetId accept);

  Combine combine_fn_;
  std::vector<Node> nodes_;
  std::unordered_set<NodeId, NodeHash, NodeEq> node_index_;
  std::vector<std::vector<std::uint32_t>> sets_;
  std::unordered_map<std::vector<std::uint32_t>, SetId, VecHash> set_index_;

  // A map from 64-bit keys to 32-bit values that forgets everything in O(1)
  // (a generation stamp): the memos below are emptied a million times.
  class Memo {
   public:
    bool find(std::uint64_t key, std::uint32_t& value) const;
    void put(std::uint64_t key, std::uint32_t value);
    void clear() { ++generation_; count_ = 0; }

   private:
    struct Slot {
      std::uint64_t key = 0;
      std::uint32_t value = 0;
      std::uint32_t generation = 0;
    };
    void grow();
    std::vector<Slot> slots_ = std::vector<Slot>(64);
    std::uint32_t generation_ = 1;
    std::size_t count_ = 0;
  };

  // State of the insertion under way.
  const pattern::DialPattern* pattern_ = nullptr;
  std::uint32_t item_ = 0;
  Memo memo_at_, memo_tail_, memo_combine_;
};

}  // namespace trunk::route
