// The DID pool grammar as input/expected pairs: accepted pools with each
// entry's text and position, rejected pools with the error column and
// message. The entry rules (length, '+', "00", ranges) are not the
// grammar's; they are tested in pool_test.cpp.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "grammar/did_pool/ast.hpp"

using trunk::grammar::parse_did_pool;
using trunk::grammar::PoolEntry;
using trunk::grammar::PoolSyntaxError;

namespace {

// "col+len:first[-last] ..." for an accepted pool (an empty pool is "empty"),
// "error col N: message" for a rejected one.
std::string parsed(std::string_view text) {
  std::vector<PoolEntry> out;
  PoolSyntaxError err;
  if (!parse_did_pool(text, out, err)) {
    CHECK(out.empty());
    return "error col " + std::to_string(err.column) + ": " + err.message;
  }
  if (out.empty()) return "empty";
  std::string s;
  for (const PoolEntry& e : out) {
    if (!s.empty()) s += ' ';
    s += std::to_string(e.column) + "+" + std::to_string(e.length) + ":" + e.first;
    if (!e.last.empty()) s += "-" + e.last;
  }
  return s;
}

struct Case {
  const char* input;
  const char* expected;
};

}  // namespace

TEST_CASE("grammar: accepted pools, entries with their positions") {
  const Case cases[] = {
      {"", "empty"},
      {"   ", "empty"},
      {"\t\r\n", "empty"},
      {"101", "1+3:101"},
      {"101; 203; 300-450", "1+3:101 6+3:203 11+7:300-450"},
      {"282556000-282556900", "1+19:282556000-282556900"},
      {"101;203;300-450", "1+3:101 5+3:203 9+7:300-450"},
      {"  300 - 450 ; ", "3+9:300-450"},        // spaces around '-' belong to the entry
      {"101;", "1+3:101"},                      // one trailing ';' is tolerated
      {"101 ; ", "1+3:101"},
      {"101;\n203;\n", "1+3:101 6+3:203"},      // a multi-line TOML string
      {"\t0100\v;\f100", "2+4:0100 9+3:100"},   // leading zeros kept as written
      // Accepted here so that the entry rules can reject them with a hint.
      {"+14155550100", "1+12:+14155550100"},
      {"0014155550100", "1+13:0014155550100"},
      {"300-+400", "1+8:300-+400"},
      {"1234567890123456789012345", "1+25:1234567890123456789012345"},
      {"450-300", "1+7:450-300"},
      {"100-2000", "1+8:100-2000"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    CHECK(parsed(c.input) == c.expected);
  }
}

TEST_CASE("grammar: rejected pools, with column and what was expected") {
  const Case cases[] = {
      {"x", "error col 1: expected a number, found 'x'"},
      {";", "error col 1: expected a number, found ';'"},
      {"  ;101", "error col 3: expected a number, found ';'"},
      {"-5", "error col 1: expected a number, found '-'"},
      {"101;;203", "error col 5: expected a number, found ';'"},
      {"101;;", "error col 5: expected a number, found ';'"},
      {"101; x", "error col 6: expected a number, found 'x'"},
      {"+ 101", "error col 1: expected a number, found '+'"},  // '+' is part of the number
      {"++1", "error col 1: expected a number, found '+'"},
      {"300-", "error col 5: expected a number to end the range, found end of pool"},
      {"300 -  ", "error col 8: expected a number to end the range, found end of pool"},
      {"300-x", "error col 5: expected a number to end the range, found 'x'"},
      {"300--400", "error col 5: expected a number to end the range, found '-'"},
      {"101-102-103", "error col 8: expected ';' or end of pool, found '-'"},
      {"101 x", "error col 5: expected '-', ';' or end of pool, found 'x'"},
      {"101 203", "error col 5: expected '-', ';' or end of pool, found '2'; "
                  "separate numbers with ';'"},
      {"1-2 3", "error col 5: expected ';' or end of pool, found '3'; separate numbers with ';'"},
      {"101, 203", "error col 4: expected '-', ';' or end of pool, found ','; "
                   "separate entries with ';'"},
      {"300\xe2\x80\x93" "450",
       "error col 4: expected '-', ';' or end of pool, found '\xe2\x80\x93' (U+2013); write "
       "ranges with the ASCII hyphen '-'"},
      {"101\xcd\xbe 203",
       "error col 4: expected '-', ';' or end of pool, found '\xcd\xbe' (U+037E); separate "
       "entries with the ASCII ';'"},
      {"101\xc2\xa0", "error col 4: expected '-', ';' or end of pool, found '\xc2\xa0' (U+00A0)"},
      {"101\xff", "error col 4: expected '-', ';' or end of pool, found byte 0xff"},
      {"\xe2\x80", "error col 1: expected a number, found byte 0xe2"},  // truncated UTF-8
      {"\xed\xa0\x80", "error col 1: expected a number, found byte 0xed"},  // a surrogate
      {"\xc2\x85", "error col 1: expected a number, found byte 0xc2"},      // C1 control
      {"\x01", "error col 1: expected a number, found byte 0x01"},
      {"101 # comment", "error col 5: expected '-', ';' or end of pool, found '#'"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    CHECK(parsed(c.input) == c.expected);
  }
  CHECK(parsed(std::string_view("101\0", 4)) ==
        "error col 4: expected '-', ';' or end of pool, found byte 0x00");
}

TEST_CASE("grammar: a pool longer than kMaxPoolBytes is rejected before parsing") {
  std::string big(trunk::grammar::kMaxPoolBytes + 1, ' ');
  CHECK(parsed(big) == "error col 1: pool is longer than 16 MiB; split it into several pools");
  big.pop_back();
  CHECK(parsed(big) == "empty");
}

TEST_CASE("grammar: long inputs parse in one pass without deep recursion") {
  std::string many;
  for (int i = 0; i < 100000; ++i) many += std::to_string(1000 + i % 9000) + ";";
  std::vector<PoolEntry> out;
  PoolSyntaxError err;
  REQUIRE(parse_did_pool(many, out, err));
  CHECK(out.size() == 100000);
  CHECK(out.back().column == many.size() - 4);

  std::string digits(1 << 20, '7');
  REQUIRE(parse_did_pool(digits, out, err));
  REQUIRE(out.size() == 1);
  CHECK(out[0].length == digits.size());
}

TEST_CASE("grammar: never fails without a message; accepted entries lie in the text") {
  // Random strings over the pool alphabet plus junk, fixed seed.
  std::mt19937 rng(12345);
  const std::string_view alphabet = "0123456789;;;--+ \t\nx,\xe2\x80\x93\xff";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1), len(0, 40);
  for (int round = 0; round < 5000; ++round) {
    std::string text;
    for (std::size_t n = len(rng); n > 0; --n) text += alphabet[pick(rng)];
    CAPTURE(text);
    std::vector<PoolEntry> out;
    PoolSyntaxError err;
    if (parse_did_pool(text, out, err)) {
      for (const PoolEntry& e : out) {
        REQUIRE(e.column >= 1);
        REQUIRE(e.column - 1 + e.length <= text.size());
        CHECK(text.substr(e.column - 1, e.first.size()) == e.first);
        CHECK(text.substr(e.last_column() - 1, e.last.size()) == e.last);
      }
    } else {
      CHECK_FALSE(err.message.empty());
      CHECK(err.column >= 1);
      CHECK(err.column <= text.size() + 1);
    }
  }
}
