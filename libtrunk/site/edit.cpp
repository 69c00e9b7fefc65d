// The site editor's edits of [[trunk]] tables (edit.hpp): finding a trunk by
// its header line, setting one of its keys, adding and removing a whole
// trunk. The scanner is in edit_text.cpp, the span arithmetic they share in
// edit_span.cpp, the [[trunk.tenant]] edits in edit_assignment.cpp.
#include "site/edit.hpp"

#include <algorithm>

#include "site/edit_span.hpp"

namespace trunk::site::edit {

using namespace detail;
using Line = Layout::Line;

std::optional<std::size_t> trunk_ordinal(std::string_view text, std::size_t line) {
  Layout l = scan(text);
  std::size_t seen = 0;
  for (const auto& s : l.statements) {
    if (!is_trunk_header(s)) continue;
    if (s.line + 1 == line) return seen;
    ++seen;
  }
  return std::nullopt;
}

std::size_t count_trunks(std::string_view text) {
  Layout l = scan(text);
  return static_cast<std::size_t>(
      std::count_if(l.statements.begin(), l.statements.end(), is_trunk_header));
}

bool set_key(std::string& text, std::size_t trunk, std::string_view key,
             std::string_view value, std::string& error) {
  error.clear();
  Layout l;
  Block b;
  if (!block_of(text, trunk, l, b, error)) return false;
  // Written in the trunk's own table (`port = ...`, or dotted `limits.total = ...`).
  std::size_t k = find_key(l, b.header + 1, b.first_sub, key, error);
  if (!error.empty()) return false;
  if (k != npos) {
    replace_value(text, l.statements[k], value);
    return true;
  }
  std::size_t dot = key.find('.');
  if (dot == npos) {
    insert_at_line(text, l, l.statements[b.first_sub - 1].last_line + 1,
                   std::string(key) + " = " + std::string(value) + "\n");
    return true;
  }
  std::string sub(key.substr(0, dot)), leaf(key.substr(dot + 1));
  for (std::size_t i = b.header + 1; i < b.first_sub; ++i) {
    const Statement& s = l.statements[i];
    if (s.kind == Statement::Kind::keyval &&
        (s.name == sub || s.name.starts_with(sub + "."))) {
      error = "`" + sub + "` of the trunk is written as a dotted key or an inline table; "
              "edit it by hand";
      return false;
    }
  }
  std::size_t h = npos, first_tenant = npos;
  for (std::size_t i = b.first_sub; i < b.end; ++i) {
    const Statement& s = l.statements[i];
    if (!is_header(s)) continue;
    if (!s.array && s.name == "trunk." + sub) h = i;
    if (s.array && s.name == "trunk.tenant" && first_tenant == npos) first_tenant = i;
  }
  if (h != npos) {
    std::size_t e = table_end(l, h, b.end);
    k = find_key(l, h + 1, e, leaf, error);
    if (!error.empty()) return false;
    if (k != npos) replace_value(text, l.statements[k], value);
    else
      insert_at_line(text, l, l.statements[e - 1].last_line + 1,
                     leaf + " = " + std::string(value) + "\n");
    return true;
  }
  std::string table = "[trunk." + sub + "]\n" + leaf + " = " + std::string(value) + "\n";
  if (first_tenant != npos)
    insert_at_line(text, l, attached_start(l, l.statements[first_tenant].line), table + "\n");
  else
    insert_table(text, l, b.end, table);
  return true;
}

bool remove_trunk(std::string& text, std::size_t trunk, std::string& error) {
  error.clear();
  Layout l;
  Block b;
  if (!block_of(text, trunk, l, b, error)) return false;
  auto [from, to] = table_span(l, b.header, b.end, text.size());
  text.erase(from, to - from);
  return true;
}

void append_trunk(std::string& text, std::string_view lf_block) {
  if (text.empty()) {
    text = lf_block;
    return;
  }
  const bool crlf = uses_crlf(text);
  const std::string block = line_ends(lf_block, crlf);
  const char* eol = crlf ? "\r\n" : "\n";
  Layout l = scan(text);
  std::size_t trunks = static_cast<std::size_t>(
      std::count_if(l.statements.begin(), l.statements.end(), is_trunk_header));
  if (l.ok && trunks > 0) {
    // After the last trunk's tables, before what follows them (routes...).
    Block b = *find_block(l, trunks - 1);
    if (b.end < l.statements.size()) {
      insert_table(text, l, b.end, std::string(lf_block));
      return;
    }
  }
  if (text.back() == '\n' && !l.lines.empty() && l.lines.back() == Line::blank) {
    // The file ends in blank lines: the block goes after them, and keeps
    // one of its own after it (see insert_table).
    text += block;
    text += eol;
    return;
  }
  if (text.back() != '\n') text += eol;
  text += eol;
  text += block;
}

}  // namespace trunk::site::edit
