// The node-word layout of the tables' automata, defined once: the bits of
// a node's words and the size of a node. The compiler writes nodes through
// automaton/encode.hpp, the verifier checks them through
// automaton/verify.hpp, the router reads them through automaton/decode.hpp;
// all three take the layout from here and nowhere else. It holds no
// automaton (route/automaton.hpp builds one, tables/ stores the words) and
// depends on no other folder.
//
// An automaton is a sequence of 32-bit words: a node is `accept` (0, or
// item index + 1), then `bits`: bit 31 marks a tail node, whose every
// symbol leads back to itself (nothing follows); bit 30 says a default
// child follows; bits 0-12 list the symbols with a child of their own.
// Then the default child's word offset (if bit 30), then one word offset
// per listed symbol, lowest symbol first. A symbol neither listed nor
// defaulted leads nowhere. Bit 29 marks a chain node instead: bits 0-7
// give a length L (2-255); then, if bit 30, the word offset of a default
// node D; then ceil(L/8) words hold L symbols, four bits each, lowest
// nibble first (unused nibbles 0); then one word: the node reached after
// reading exactly those symbols. A number whose symbol differs at some
// place continues from D with that symbol read (or is accepted nowhere
// without D); a number that ends inside the chain (after its first symbol)
// gets D's accept (or none). Node 0 is the dead node (accept 0, bits 0).
// Symbols are dial symbol indexes (grammar::dial_symbol_index): 0-9, then
// 10 '*', 11 '#', 12 '+'.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace trunk::automaton {

// The dial symbols a node can list (pattern::kDialSymbols, checked where
// both are seen: route/compile_layout.cpp).
constexpr int kSymbols = 13;
constexpr std::uint32_t kTailBit = 0x80000000u;
constexpr std::uint32_t kSymbolBits = 0x1fffu;
constexpr std::uint32_t kDefaultBit = 0x40000000u;
constexpr std::uint32_t kChainBit = 0x20000000u;
constexpr std::uint32_t kChainLength = 0xffu;
// The symbols one packed chain word holds.
constexpr std::uint32_t kChainSymbolsPerWord = 8;
static_assert(kSymbolBits == (1u << kSymbols) - 1);

// The words that hold a chain of `length` symbols.
constexpr std::size_t chain_symbol_words(std::uint32_t length) {
  return (length + kChainSymbolsPerWord - 1) / kChainSymbolsPerWord;
}

// The number of words of the node whose `bits` word is given. For bits
// that pass automaton::verify; other bits give some size, never a read.
constexpr std::size_t node_words(std::uint32_t bits) {
  if (bits & kTailBit) return 2;
  if (bits & kChainBit)
    return 2 + ((bits & kDefaultBit) != 0) + chain_symbol_words(bits & kChainLength) + 1;
  return 2 + ((bits & kDefaultBit) != 0) + std::popcount(bits & kSymbolBits);
}

// Whether word `at` of the node (counted from its start) holds a child's
// offset: every word after `bits`, but for a chain only its default and
// its last word (the packed symbols are not offsets).
constexpr bool is_child_word(std::uint32_t bits, std::size_t at) {
  if (at < 2) return false;
  if (!(bits & kChainBit)) return true;
  return (at == 2 && (bits & kDefaultBit)) || at == node_words(bits) - 1;
}

}  // namespace trunk::automaton
