// The DID pool AST: what the grammar hands to libtrunk (spec: "DID pools").
//
// A pool string is a list of entries separated by ';', each a number or
// `first-last`. The grammar only splits the text: every entry keeps its digits
// exactly as written (a leading '+' included, any length) and its byte
// position, so that did/pool.cpp can apply the entry rules (length, '+',
// "00", range ends) with a message and column per entry. Plain structs, no
// Spirit types: this header is the grammar's whole API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::grammar {

// Longest pool text the grammar reads; longer text is a syntax error at
// column 1. A pool of every number of a 6-digit block written one by one is
// under 1 MiB, so this bounds memory and time without limiting real pools.
constexpr std::size_t kMaxPoolBytes = std::size_t{16} << 20;

struct PoolEntry {
  std::string first;  // digits as written, including a leading '+'
  std::string last;   // the range's second number; empty for a single number
  std::uint32_t column = 0;  // 1-based byte offset of the entry in the pool text
  std::uint32_t length = 0;  // bytes from `first` to the end of the entry

  // The 1-based byte offset of `last` (the entry ends with it).
  std::uint32_t last_column() const {
    return column + length - static_cast<std::uint32_t>(last.size());
  }
  friend bool operator==(const PoolEntry&, const PoolEntry&) = default;
};

struct PoolSyntaxError {
  std::uint32_t column = 0;  // 1-based byte offset in the pool text
  std::string message;       // "expected a number, found 'x'"
};

// Splits `text` into entries, appended to `out` in the order written. On a
// syntax error returns false, fills `err` and leaves `out` empty. Never
// throws on any input (only std::bad_alloc); time and memory are linear in
// the text's length. Numbers are not checked here: "+1", "0044" and a
// 40-digit number are accepted for the entry rules to reject.
bool parse_did_pool(std::string_view text, std::vector<PoolEntry>& out, PoolSyntaxError& err);

}  // namespace trunk::grammar
