// The span arithmetic of the site editor, shared by its edits (edit.cpp,
// edit_assignment.cpp): where a [[trunk]]'s statements begin and end, which
// bytes a table owns under the comment-attachment rule (edit.hpp), and how
// a line or a table is inserted with the file's own line ends. Internal to
// libtrunk/site; callers use edit.hpp.
#pragma once

#include "site/edit.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace trunk::site::edit::detail {

inline constexpr std::size_t npos = std::string_view::npos;

bool is_header(const Statement& s);
bool is_trunk_header(const Statement& s);

// A [[trunk]]'s statements: [header, end).
struct Block {
  std::size_t header;
  std::size_t end;
  std::size_t first_sub;  // the first sub-table header, or end
};

// The block of the [[trunk]] number `ordinal` (from 0), if there is one.
std::optional<Block> find_block(const Layout& l, std::size_t ordinal);
// `text` scanned into `l` and the block of trunk number `trunk` into `b`;
// false with `error` set when the text cannot be read or has no such trunk.
bool block_of(const std::string& text, std::size_t trunk, Layout& l, Block& b,
              std::string& error);

// The first line of the comments directly above `line`.
std::size_t attached_start(const Layout& l, std::size_t line);
// The bytes of the table whose statements are [header, end), with its
// comments and blank lines (the rule in edit.hpp).
std::pair<std::size_t, std::size_t> table_span(const Layout& l, std::size_t header,
                                               std::size_t end, std::size_t size);
// The statements of the sub-table whose header is `h`: (h, next header).
std::size_t table_end(const Layout& l, std::size_t h, std::size_t limit);
// The keyval named `key` among statements [from, to), or npos; more than
// one is an error.
std::size_t find_key(const Layout& l, std::size_t from, std::size_t to, std::string_view key,
                     std::string& error);

// Whether `text` ends its lines in CRLF: its first line does.
bool uses_crlf(std::string_view text);
// `s`, whose lines end in LF, with CRLF line ends when `crlf`.
std::string line_ends(std::string_view s, bool crlf);
// Inserts `s` at the start of `line` (or at the end of the text), with the
// text's line ends.
void insert_at_line(std::string& text, const Layout& l, std::size_t line, std::string s);
// Inserts `table` (ending in a newline) as a new table after the
// statements [.., end) and their comments; table_span gives back exactly
// what was inserted.
void insert_table(std::string& text, const Layout& l, std::size_t end, const std::string& table);
void replace_value(std::string& text, const Statement& s, std::string_view value);

}  // namespace trunk::site::edit::detail
