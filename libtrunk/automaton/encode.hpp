// Writing the nodes of an automaton (automaton/layout.hpp): the bits word
// of a node, its size before it is written (a node's words name its
// children's offsets, so a layout places every node first), and the words
// themselves, appended to a vector. Used by the compiler's layout
// (route/compile_layout.cpp), which owns the node order and chooses
// defaults and chains; this file owns only how a node is spelled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "automaton/layout.hpp"

namespace trunk::automaton {

// The bits of a tail node.
constexpr std::uint32_t tail_bits() { return kTailBit; }
// The bits of a plain node listing the symbols in `listed` (bit s: symbol
// s has a child of its own), with a default child or not.
constexpr std::uint32_t plain_bits(std::uint32_t listed, bool has_default) {
  return (has_default ? kDefaultBit : 0) | (listed & kSymbolBits);
}
// The bits of a chain node of `length` symbols (2-255).
constexpr std::uint32_t chain_bits(std::size_t length, bool has_default) {
  return kChainBit | (has_default ? kDefaultBit : 0) | static_cast<std::uint32_t>(length);
}
// Node sizes before writing: node_words(bits) (layout.hpp).

// A tail node: `accept`, then its bits.
void append_tail(std::vector<std::uint32_t>& out, std::uint32_t accept);

// A plain node of `bits` (plain_bits): `accept`, bits, the default child
// (if bits has one), then child[s] for each listed symbol s in order.
// `child` is read for listed symbols only.
void append_plain(std::vector<std::uint32_t>& out, std::uint32_t accept, std::uint32_t bits,
                  std::uint32_t default_child, std::span<const std::uint32_t, kSymbols> child);

// A chain node reading `symbols` (2-255 dial symbol indexes) to `next`:
// `accept`, its bits, the default node (if has_default), the packed
// symbols, then next.
void append_chain(std::vector<std::uint32_t>& out, std::uint32_t accept, bool has_default,
                  std::uint32_t default_child, std::span<const std::uint8_t> symbols,
                  std::uint32_t next);

}  // namespace trunk::automaton
