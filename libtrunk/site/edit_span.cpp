// The span arithmetic of the site editor (declared in edit_span.hpp): the
// blocks of [[trunk]] statements, the bytes a table owns under the
// comment-attachment rule of edit.hpp, and insertion with the file's own
// line ends. The edits themselves are in edit.cpp and edit_assignment.cpp.
#include "site/edit_span.hpp"

#include <algorithm>

namespace trunk::site::edit::detail {
namespace {

using Line = Layout::Line;

// A header that ends a trunk's tables: another [[trunk]], or any header
// that is not one of the trunk's sub-tables.
bool ends_trunk(const Statement& s) {
  return is_header(s) && (s.name == "trunk" || !s.name.starts_with("trunk."));
}

std::size_t offset_of_line(const Layout& l, std::size_t line, std::size_t size) {
  return line < l.line_starts.size() ? l.line_starts[line] : size;
}

// The line after the statements [from, end) and the comments directly
// below them that are not attached to the next header.
std::size_t content_end(const Layout& l, std::size_t end) {
  const std::size_t n = l.lines.size();
  std::size_t next = end < l.statements.size() ? l.statements[end].line : n;
  std::size_t x = l.statements[end - 1].last_line + 1;
  std::size_t c = x;
  while (c < n && l.lines[c] == Line::comment) ++c;
  return (c != next || next == n) ? c : x;
}

bool scan_ok(const Layout& l, std::string& error) {
  if (!l.ok) error = l.error;
  return l.ok;
}

}  // namespace

bool is_header(const Statement& s) { return s.kind == Statement::Kind::header; }
bool is_trunk_header(const Statement& s) {
  return is_header(s) && s.array && s.name == "trunk";
}

std::optional<Block> find_block(const Layout& l, std::size_t ordinal) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < l.statements.size(); ++i) {
    if (!is_trunk_header(l.statements[i])) continue;
    if (seen++ != ordinal) continue;
    Block b{i, i + 1, 0};
    while (b.end < l.statements.size() && !ends_trunk(l.statements[b.end])) ++b.end;
    b.first_sub = i + 1;
    while (b.first_sub < b.end && !is_header(l.statements[b.first_sub])) ++b.first_sub;
    return b;
  }
  return std::nullopt;
}

// The first line of the comments directly above `line`.
std::size_t attached_start(const Layout& l, std::size_t line) {
  while (line > 0 && l.lines[line - 1] == Line::comment) --line;
  return line;
}

// The bytes of the table whose statements are [header, end), with its
// comments and blank lines (the rule in edit.hpp): the blank lines after
// it, or when none follow it, the blank lines before it.
std::pair<std::size_t, std::size_t> table_span(const Layout& l, std::size_t header,
                                               std::size_t end, std::size_t size) {
  const std::size_t n = l.lines.size();
  std::size_t begin = attached_start(l, l.statements[header].line);
  std::size_t x = content_end(l, end);
  std::size_t after = x;
  while (x < n && l.lines[x] == Line::blank) ++x;
  if (x == after)
    while (begin > 0 && l.lines[begin - 1] == Line::blank) --begin;
  return {offset_of_line(l, begin, size), offset_of_line(l, x, size)};
}

// Whether `text` ends its lines in CRLF: its first line does.
bool uses_crlf(std::string_view text) {
  std::size_t nl = text.find('\n');
  return nl != npos && nl > 0 && text[nl - 1] == '\r';
}

// `s`, whose lines end in LF, with the line ends of a file that uses CRLF
// when `crlf`: new lines match the file's own.
std::string line_ends(std::string_view s, bool crlf) {
  std::string out;
  out.reserve(s.size() + (crlf ? s.size() / 8 : 0));
  for (char c : s) {
    if (c == '\n' && crlf) out += '\r';
    out += c;
  }
  return out;
}

// Inserts `s` at the start of `line` (or at the end of the text), with the
// text's line ends.
void insert_at_line(std::string& text, const Layout& l, std::size_t line, std::string s) {
  std::size_t at = offset_of_line(l, line, text.size());
  if (at == text.size() && !text.empty() && text.back() != '\n') s.insert(s.begin(), '\n');
  text.insert(at, line_ends(s, uses_crlf(text)));
}

// Inserts `table` (ending in a newline) as a new table after the
// statements [.., end) and their comments, separated by one blank line from
// what comes before: after the blank lines that follow them when there are
// some (the new table then takes one of its own after it), else after one
// of its own before it. Either way, table_span gives back exactly what was
// inserted.
void insert_table(std::string& text, const Layout& l, std::size_t end, const std::string& table) {
  std::size_t x = content_end(l, end), y = x;
  while (y < l.lines.size() && l.lines[y] == Line::blank) ++y;
  if (y > x) insert_at_line(text, l, y, table + "\n");
  else insert_at_line(text, l, x, "\n" + table);
}

bool block_of(const std::string& text, std::size_t trunk, Layout& l, Block& b,
              std::string& error) {
  l = scan(text);
  if (!scan_ok(l, error)) return false;
  auto found = find_block(l, trunk);
  if (!found) {
    error = "no [[trunk]] table number " + std::to_string(trunk + 1) + " in the file";
    return false;
  }
  b = *found;
  return true;
}

// The keyval named `key` among statements [from, to), or npos; more than
// one is an error.
std::size_t find_key(const Layout& l, std::size_t from, std::size_t to, std::string_view key,
                     std::string& error) {
  std::size_t found = npos;
  for (std::size_t i = from; i < to; ++i) {
    const Statement& s = l.statements[i];
    if (s.kind != Statement::Kind::keyval || s.name != key) continue;
    if (found != npos) {
      error.assign(1, '`').append(key).append("` is written twice");
      return npos;
    }
    found = i;
  }
  return found;
}

// The statements of the sub-table whose header is `h`: (h, next header).
std::size_t table_end(const Layout& l, std::size_t h, std::size_t limit) {
  std::size_t e = h + 1;
  while (e < limit && !is_header(l.statements[e])) ++e;
  return e;
}

void replace_value(std::string& text, const Statement& s, std::string_view value) {
  text.replace(s.value_begin, s.value_end - s.value_begin, value);
}

}  // namespace trunk::site::edit::detail
