// The node-word layout (automaton/): what the encoder writes, the decoder
// reads back, node_words sizes and is_child_word marks, and the verifier
// accepts; and a word the verifier must refuse, for each invariant that a
// hand-made automaton can break.
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "automaton/decode.hpp"
#include "automaton/encode.hpp"
#include "automaton/verify.hpp"

using namespace trunk::automaton;

namespace {

// Offsets per symbol, all `to`: a plain node reads only the listed ones.
std::array<std::uint32_t, kSymbols> all(std::uint32_t to) {
  std::array<std::uint32_t, kSymbols> c;
  c.fill(to);
  return c;
}

bool verifies(const std::vector<std::uint32_t>& w, std::uint32_t items, std::string& error) {
  std::vector<bool> starts;
  return verify(w, items, "test automaton", error, starts);
}

}  // namespace

TEST_CASE("automaton: a plain node round trip (encode, decode, size, child words)") {
  std::vector<std::uint32_t> w{0, 0};  // the dead node
  // Node at 2: accepts item 0, symbols 1 and 12 listed, the rest to 2's default.
  const std::uint32_t at = static_cast<std::uint32_t>(w.size());
  auto to = all(0);
  to[1] = 2;
  to[12] = 0;  // listed, but leads nowhere
  const std::uint32_t b = plain_bits((1u << 1) | (1u << 12), true);
  append_plain(w, 1, b, at, to);
  REQUIRE(w.size() - at == node_words(b));
  CHECK(node_words(b) == 5);
  CHECK(accept(w, at) == 1);
  CHECK(bits(w, at) == b);
  CHECK_FALSE(is_tail(b));
  CHECK_FALSE(is_chain(b));
  CHECK(has_default(b));
  CHECK(default_child(w, at) == at);
  CHECK(child(w, at, 1) == 2);
  CHECK(child(w, at, 12) == 0);
  CHECK(child(w, at, 5) == at);  // not listed: the default
  CHECK_FALSE(is_child_word(b, 0));
  CHECK_FALSE(is_child_word(b, 1));
  for (std::size_t c = 2; c < node_words(b); ++c) CHECK(is_child_word(b, c));
  std::string error;
  CHECK(verifies(w, 1, error));

  SUBCASE("without a default, an unlisted symbol leads nowhere") {
    std::vector<std::uint32_t> v{0, 0};
    append_plain(v, 0, plain_bits(1u << 3, false), 0, all(0));
    CHECK(node_words(bits(v, 2)) == 3);
    CHECK(child(v, 2, 4) == 0);
    CHECK(verifies(v, 0, error));
  }
}

TEST_CASE("automaton: a tail node is two words and lists nothing") {
  std::vector<std::uint32_t> w{0, 0};
  append_tail(w, 3);
  CHECK(w == std::vector<std::uint32_t>{0, 0, 3, kTailBit});
  CHECK(is_tail(bits(w, 2)));
  CHECK(node_words(bits(w, 2)) == 2);
  std::string error;
  CHECK(verifies(w, 3, error));
  CHECK_FALSE(verifies(w, 2, error));
  CHECK(error == "test automaton: node at word 2 accepts item 2 of 2");
}

TEST_CASE("automaton: chain nodes pack four-bit symbols, lowest nibble first") {
  for (std::size_t length : {2u, 8u, 9u, 17u, 255u}) {
    CAPTURE(length);
    for (bool with_default : {false, true}) {
      std::vector<std::uint8_t> symbols(length);
      for (std::size_t j = 0; j < length; ++j) symbols[j] = static_cast<std::uint8_t>((j * 5 + 3) % kSymbols);
      std::vector<std::uint32_t> w{0, 0};
      append_tail(w, 1);  // node 2: where the chain leads
      const std::uint32_t at = static_cast<std::uint32_t>(w.size());
      append_chain(w, 0, with_default, 2, symbols, 2);
      const std::uint32_t b = bits(w, at);
      REQUIRE(b == chain_bits(length, with_default));
      REQUIRE(w.size() - at == node_words(b));
      CHECK(is_chain(b));
      CHECK(has_default(b) == with_default);
      CHECK(chain_length(b) == length);
      for (std::uint32_t j = 0; j < length; ++j) CHECK(chain_symbol(w, at, b, j) == symbols[j]);
      for (std::uint32_t j = length; j < chain_symbol_words(length) * 8; ++j)
        CHECK(chain_symbol(w, at, b, j) == 0);  // padding
      CHECK(chain_next(w, at, b) == 2);
      if (with_default) CHECK(default_child(w, at) == 2);
      // Only the default and the last word are offsets.
      for (std::size_t c = 0; c < node_words(b); ++c)
        CHECK(is_child_word(b, c) == ((with_default && c == 2) || c == node_words(b) - 1));
      std::string error;
      CHECK(verifies(w, 1, error));
    }
  }
}

TEST_CASE("automaton: verify refuses what the router could not walk") {
  std::string error;
  std::vector<std::uint32_t> w{0, 0};
  append_plain(w, 0, plain_bits(1u << 0, false), 0, all(2));

  SUBCASE("no dead node") {
    CHECK_FALSE(verifies({1, 0}, 1, error));
    CHECK(error == "test automaton: missing the dead node");
  }
  SUBCASE("a child that is not a node start") {
    w[4] = 1;
    CHECK_FALSE(verifies(w, 0, error));
    CHECK(error == "test automaton: word 4 points to 1, which is not a node");
  }
  SUBCASE("a node cut short") {
    w.pop_back();
    CHECK_FALSE(verifies(w, 0, error));
    CHECK(error == "test automaton: node at word 2 is cut short");
  }
  SUBCASE("unknown bits: a tail with more, a chain of one symbol") {
    w[3] = kTailBit | 1u;
    CHECK_FALSE(verifies(w, 0, error));
    CHECK(error == "test automaton: node at word 2 has unknown bits");
    w[3] = kChainBit | 1u;
    CHECK_FALSE(verifies(w, 0, error));
    CHECK(error == "test automaton: node at word 2 has unknown bits");
  }
  SUBCASE("a chain symbol that is no dial symbol, or padding that is not 0") {
    std::vector<std::uint32_t> v{0, 0};
    append_chain(v, 0, false, 0, std::vector<std::uint8_t>{1, 2}, 0);
    CHECK(verifies(v, 0, error));
    v[4] |= 13u << 4;  // symbol 1
    CHECK_FALSE(verifies(v, 0, error));
    CHECK(error == "test automaton: chain at word 2 holds a symbol that is not a dial symbol");
    v[4] = 0x21u | (1u << 8);  // padding nibble 2
    CHECK_FALSE(verifies(v, 0, error));
  }
}
