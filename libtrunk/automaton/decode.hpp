// Reading a node of an automaton (automaton/layout.hpp): inline accessors
// over the words and a node's word offset `k` (32 bits, as the child words
// hold it), for the router's walk (a hot
// path: these compile to the loads they name), the verifier and tests.
// They check nothing: the words must have passed automaton::verify, whose
// invariants (automaton/verify.hpp) make every read here fall inside `w`.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include "automaton/layout.hpp"

namespace trunk::automaton {

using Words = std::span<const std::uint32_t>;

// The node's accept word: 0, or item index + 1.
inline std::uint32_t accept(Words w, std::uint32_t k) { return w[k]; }
inline std::uint32_t bits(Words w, std::uint32_t k) { return w[k + 1]; }

inline bool is_tail(std::uint32_t bits) { return bits & kTailBit; }
inline bool is_chain(std::uint32_t bits) { return bits & kChainBit; }
inline bool has_default(std::uint32_t bits) { return bits & kDefaultBit; }
// The words a default child takes: 1 or 0 (a shift, not a branch).
inline std::uint32_t default_words(std::uint32_t bits) { return (bits / kDefaultBit) & 1u; }
// A plain node: whether symbol s has a child of its own.
inline bool is_listed(std::uint32_t bits, int s) { return (bits >> s) & 1u; }
// A chain node: how many symbols it holds (2-255).
inline std::uint32_t chain_length(std::uint32_t bits) { return bits & kChainLength; }

// The default child's offset; only when has_default.
inline std::uint32_t default_child(Words w, std::uint32_t k) { return w[k + 2]; }

// A plain node: the child of listed symbol s (is_listed).
inline std::uint32_t listed_child(Words w, std::uint32_t k, std::uint32_t bits, int s) {
  return w[k + 2 + default_words(bits) + std::popcount(bits & ((1u << s) - 1))];
}

// A plain, non-tail node: where symbol s leads (0, the dead node, for
// nowhere).
inline std::uint32_t child(Words w, std::uint32_t k, int s) {
  const std::uint32_t b = bits(w, k);
  if (is_listed(b, s)) return listed_child(w, k, b, s);
  return has_default(b) ? default_child(w, k) : 0;
}

// A chain node: symbol j of its packed symbols. j may run up to the end of
// the last packed word (chain_symbol_words * 8), where padding reads as 0.
inline std::uint32_t chain_symbol(Words w, std::uint32_t k, std::uint32_t bits, std::uint32_t j) {
  const std::uint32_t packed = k + 2 + default_words(bits);
  return (w[packed + j / kChainSymbolsPerWord] >> (4 * (j % kChainSymbolsPerWord))) & 15u;
}

// A chain node: the node reached after reading all its symbols.
inline std::uint32_t chain_next(Words w, std::uint32_t k, std::uint32_t bits) {
  return w[k + 2 + default_words(bits) + static_cast<std::uint32_t>(chain_symbol_words(chain_length(bits)))];
}

}  // namespace trunk::automaton
