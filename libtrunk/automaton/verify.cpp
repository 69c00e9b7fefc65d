// The automaton verifier: proves the invariants listed in
// automaton/verify.hpp, reading the nodes through the decoder only after
// each bound it relies on is checked. The messages are part of what
// tables::verify reports (tests and operators read them).
#include "automaton/verify.hpp"

#include <utility>

#include "automaton/decode.hpp"

namespace trunk::automaton {

namespace {

// The one way a check refuses the words: says what is wrong, and returns
// false for the caller to pass up.
bool fail(std::string& error, std::string message) {
  error = std::move(message);
  return false;
}

std::string at_word(const char* what, std::size_t k) {
  return std::string(what) + ": node at word " + std::to_string(k);
}

// Invariant c.
bool known_bits(std::uint32_t b) {
  if (is_tail(b)) return (b & ~kTailBit) == 0;
  if (is_chain(b))
    return (b & ~(kChainBit | kDefaultBit | kChainLength)) == 0 && chain_length(b) >= 2;
  return (b & ~(kSymbolBits | kDefaultBit)) == 0;
}

// Pass 1 for the node at word `k`: it fits (b), has known bits (c), a
// valid accept (f) and, for a chain, dial symbols and zero padding (d).
bool verify_node(Words w, std::uint32_t k, std::uint32_t items, const char* what,
                 std::string& error) {
  if (w.size() - k < 2) return fail(error, at_word(what, k) + " is cut short");
  const std::uint32_t b = bits(w, k);
  if (accept(w, k) > items)
    return fail(error, at_word(what, k) + " accepts item " + std::to_string(accept(w, k) - 1) +
                           " of " + std::to_string(items));
  if (!known_bits(b)) return fail(error, at_word(what, k) + " has unknown bits");
  if (w.size() - k < node_words(b)) return fail(error, at_word(what, k) + " is cut short");
  if (!is_chain(b)) return true;
  const std::uint32_t len = chain_length(b);
  for (std::uint32_t j = 0; j < chain_symbol_words(len) * kChainSymbolsPerWord; ++j) {
    const std::uint32_t sym = chain_symbol(w, k, b, j);
    if (j < len ? sym >= kSymbols : sym != 0)
      return fail(error, std::string(what) + ": chain at word " + std::to_string(k) +
                             " holds a symbol that is not a dial symbol");
  }
  return true;
}

}  // namespace

bool verify(std::span<const std::uint32_t> w, std::uint32_t items, const char* what,
            std::string& error, std::vector<bool>& starts) {
  // Child words and the decoder's offsets are 32 bits (a tables file of
  // at most kMaxFileSize never comes near).
  if (w.size() > 0xffffffffu) return fail(error, std::string(what) + " is too large");
  // Invariant a.
  if (w.size() < 2 || w[0] != 0 || w[1] != 0)
    return fail(error, std::string(what) + ": missing the dead node");
  // Pass 1: b, c, d, f for every node.
  starts.assign(w.size(), false);
  for (std::uint32_t k = 0; k < w.size(); k += static_cast<std::uint32_t>(node_words(bits(w, k)))) {
    if (!verify_node(w, k, items, what, error)) return false;
    starts[k] = true;
  }
  // Pass 2: e, every child word names a node.
  for (std::uint32_t k = 0; k < w.size(); k += static_cast<std::uint32_t>(node_words(bits(w, k)))) {
    const std::uint32_t b = bits(w, k);
    for (std::size_t c = k + 2; c < k + node_words(b); ++c) {
      if (!is_child_word(b, c - k)) continue;
      if (w[c] >= w.size() || !starts[w[c]])
        return fail(error, std::string(what) + ": word " + std::to_string(c) + " points to " +
                               std::to_string(w[c]) + ", which is not a node");
    }
  }
  return true;
}

}  // namespace trunk::automaton
