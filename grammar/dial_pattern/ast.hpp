// The dial-pattern AST: what the grammar hands to libtrunk.
//
// A pattern is a list of elements, each a set of dial symbols (a literal is
// a set of one) or a wildcard; every element keeps its column in the pattern
// text so that later checks point at the character. Symbols are indexed
// 0-9 for the digits, 10 for '*', 11 for '#', 12 for '+'; a set is a 13-bit
// mask. Plain structs, no Spirit types: this header is the grammar's API.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::grammar {

constexpr int kDialSymbols = 13;
constexpr std::uint16_t kAnySymbol = (1u << kDialSymbols) - 1;

// The index of a dial symbol, or -1 for anything else.
constexpr int dial_symbol_index(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c == '*') return 10;
  if (c == '#') return 11;
  if (c == '+') return 12;
  return -1;
}
constexpr char dial_symbol_char(int i) { return "0123456789*#+"[i]; }

enum class DialElementKind {
  symbols,       // a literal, X, Z, N or a [class]: `mask` says which
  one_or_more,   // '.'
  zero_or_more,  // '!'
};

struct DialElement {
  DialElementKind kind = DialElementKind::symbols;
  std::uint16_t mask = 0;
  std::uint32_t column = 0;  // 1-based byte offset in the pattern text
  std::uint32_t length = 1;  // bytes the element spans ("[1-5,7]" is 7)
};

struct DialPatternAst {
  bool exact = true;  // no leading '_': the text is one number
  std::vector<DialElement> elements;
};

struct DialSyntaxError {
  std::uint32_t column = 0;  // 1-based
  std::string message;
};

// Parses `text`. On failure returns false and fills `err`; never throws.
bool parse_dial_pattern(std::string_view text, DialPatternAst& out, DialSyntaxError& err);

}  // namespace trunk::grammar
