// Dial patterns as sets of numbers (spec: "Dial patterns", "Which route wins").
//
// A DialPattern is a sequence of symbol sets followed by an optional
// wildcard tail ('.' one or more symbols, '!' zero or more). Wildcards may
// only end a pattern: every pattern is then "a fixed-length prefix of classes,
// then nothing or anything", which makes inclusion, intersection and a
// witness number exact and cheap (linear in the pattern). The grammar is in
// grammar/dial_pattern; this file owns the meaning and the semantic rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostic.hpp"
#include "diag/place.hpp"
#include "grammar/dial_pattern/ast.hpp"

namespace trunk::pattern {

using grammar::kAnySymbol;
using grammar::kDialSymbols;

// Dialled numbers (and fixed parts of patterns) longer than this are refused.
constexpr std::size_t kMaxNumberLength = 32;

enum class Tail : std::uint8_t { none, one_or_more, zero_or_more };

struct DialPattern {
  std::vector<std::uint16_t> classes;  // a 13-bit symbol set per position
  Tail tail = Tail::none;

  std::size_t min_length() const { return classes.size() + (tail == Tail::one_or_more); }
  bool bounded() const { return tail == Tail::none; }
  // Whether `number` (dial symbols only) is in the pattern's set.
  bool matches(std::string_view number) const;
  // The symbol set at position i of a number of any length the pattern allows.
  std::uint16_t at(std::size_t i) const { return i < classes.size() ? classes[i] : kAnySymbol; }

  friend bool operator==(const DialPattern&, const DialPattern&) = default;
  friend auto operator<=>(const DialPattern&, const DialPattern&) = default;
};

// Parses `text` with the grammar and the semantic rules, reporting to `sink`
// with codes pattern-syntax, pattern-wildcard (a wildcard not at the end),
// pattern-length (more than kMaxNumberLength fixed symbols). `what` names
// the pattern in messages ("match of route \"x\""). Nullopt on errors.
std::optional<DialPattern> parse_pattern(std::string_view text, const diag::StringPlace& place,
                                         std::string_view what, diag::Sink& sink);

// Set relations over the numbers the patterns match.
bool intersects(const DialPattern& a, const DialPattern& b);
bool is_subset(const DialPattern& a, const DialPattern& b);  // a ⊆ b
// The smallest-looking number both match (digits preferred); empty if none.
std::string witness(const DialPattern& a, const DialPattern& b);
// The one spelling of `a`'s set of numbers: two patterns match the same
// numbers exactly when their canonical forms are equal. A last class of every
// symbol before '!' is the '.' it means ("_1[0-9*#+]!" is "_1."); any other
// two spellings of one set already have equal classes and tail.
DialPattern canonical(DialPattern a);
// One number the pattern matches.
std::string example(const DialPattern& a);

// Canonical text: "_1[2-9]XX." (exact numbers without '_').
std::string to_string(const DialPattern& p);

// Whether every character of `number` is a dial symbol.
bool is_dial_number(std::string_view number);

}  // namespace trunk::pattern
