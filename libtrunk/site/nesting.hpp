// How deep a TOML text nests, measured before toml++ parses it.
//
// toml++ recurses once per level of a dotted key (`a.b.c = 1`), of a table
// header (`[a.b.c]`) and of inline tables and arrays inside values, both
// when it builds the tables and when it frees them; about 35,000 levels
// overflow the stack of every tool. A site nests four or five levels, so
// a text nesting deeper than kMaxNesting is refused at the place it gets
// there, without being parsed. This is a lexical scan only: it skips
// strings (basic, literal, multi-line) and comments and counts segments and
// brackets; whether the text is valid TOML is left to toml++.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace trunk::site {

// The deepest a site may nest: the segments of its table header, of a
// dotted key and of the keys of inline tables around a value, plus one per
// array around it. Documented in trunk-site(5) (nesting-depth).
inline constexpr std::uint32_t kMaxNesting = 64;

struct TooDeep {
  std::uint32_t line = 0;    // from 1
  std::uint32_t column = 0;  // from 1, in code points as toml++ counts
};

// The first place in `text` where the nesting passes `max_depth`, or
// nullopt. Linear in the text; allocates at most `max_depth` small entries.
std::optional<TooDeep> find_too_deep(std::string_view text,
                                     std::uint32_t max_depth = kMaxNesting);

}  // namespace trunk::site
