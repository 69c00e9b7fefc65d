// Checking the words of an automaton before anything walks them: the
// invariants the router (route/router.cpp's walk) and every other reader
// of nodes rely on, listed here once and proven by automaton::verify.
// tables::Tables::verify calls it for each automaton of a tables file
// (its invariant 4) and checks the roots that point into it (invariant 5).
//
// What automaton::verify proves, for words `w` and an item count:
//  a. The dead node lies at word 0 (accept 0, bits 0).
//  b. Read node by node from word 0, every node fits whole inside `w`
//     (node_words of its bits), so the nodes tile the words.
//  c. No node has unknown bits: a tail node has only kTailBit; a plain
//     node only kDefaultBit and symbol bits; a chain node only kChainBit,
//     kDefaultBit and a length of 2-255.
//  d. A chain's symbols are dial symbols (below kSymbols) and the unused
//     nibbles of its last packed word are 0.
//  e. Every child word (is_child_word) names the start of a node.
//  f. Every accept is 0 or an item index + 1 with the index below the
//     item count.
// So a walk from a node start reads only inside `w`, through the
// decoder's accessors (automaton/decode.hpp) without a bound check, and
// it ends: every step reads a symbol. What is not proven: that the
// automaton accepts what any pattern says (the compiler's business).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace trunk::automaton {

// Checks `w` against the invariants above, with accepts naming items below
// `items`. On failure returns false and sets `error` to a message starting
// with `what` ("outbound automaton: ..."). On success `starts` marks the
// words that start a node (for checking roots into `w`).
bool verify(std::span<const std::uint32_t> w, std::uint32_t items, const char* what,
            std::string& error, std::vector<bool>& starts);

}  // namespace trunk::automaton
