// The TOML text editor: a scanner for the layout (statements, value spans,
// line kinds) and the span arithmetic of the comment-attachment rule.
#include "site/edit.hpp"

#include <algorithm>
#include <cstdio>

namespace trunk::site::edit {
namespace {

using Line = Layout::Line;

bool blank_char(char c) { return c == ' ' || c == '\t'; }
bool bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-';
}

constexpr std::size_t npos = std::string_view::npos;

class Scanner {
 public:
  explicit Scanner(std::string_view t) : t_(t) {}

  std::size_t skip_blanks(std::size_t i) const {
    while (i < t_.size() && blank_char(t_[i])) ++i;
    return i;
  }

  // Blanks, newlines and comments: what may sit between array elements.
  std::size_t skip_space(std::size_t i) const {
    while (i < t_.size()) {
      char c = t_[i];
      if (blank_char(c) || c == '\n' || c == '\r') {
        ++i;
      } else if (c == '#') {
        while (i < t_.size() && t_[i] != '\n') ++i;
      } else {
        break;
      }
    }
    return i;
  }

  // A key (bare, quoted, dotted) starting at `i`: its dotted, unquoted form.
  bool key(std::size_t& i, std::string& out) const {
    out.clear();
    for (;;) {
      i = skip_blanks(i);
      if (i >= t_.size()) return false;
      if (t_[i] == '"' || t_[i] == '\'') {
        std::size_t end = string_end(i);
        if (end == npos) return false;
        auto v = string_value(t_.substr(i, end - i));
        if (!v) return false;
        out += *v;
        i = end;
      } else {
        std::size_t b = i;
        while (i < t_.size() && bare_key_char(t_[i])) ++i;
        if (i == b) return false;
        out += t_.substr(b, i - b);
      }
      i = skip_blanks(i);
      if (i < t_.size() && t_[i] == '.') {
        out += '.';
        ++i;
        continue;
      }
      return true;
    }
  }

  // One past a one-line string starting at `i` ("..." or '...').
  std::size_t string_end(std::size_t i) const {
    char q = t_[i];
    for (std::size_t j = i + 1; j < t_.size() && t_[j] != '\n'; ++j) {
      if (q == '"' && t_[j] == '\\') {
        ++j;
        continue;
      }
      if (t_[j] == q) return j + 1;
    }
    return npos;
  }

  // One past the value starting at `i`, or npos.
  std::size_t value(std::size_t i, int depth = 0) const {
    if (i >= t_.size() || depth > 64) return npos;
    std::string_view rest = t_.substr(i);
    if (rest.starts_with("\"\"\"") || rest.starts_with("'''")) {
      char q = rest[0];
      for (std::size_t j = i + 3; j < t_.size(); ++j) {
        if (q == '"' && t_[j] == '\\') {
          ++j;
          continue;
        }
        if (t_.substr(j, 3) == rest.substr(0, 3)) {
          std::size_t end = j + 3;
          for (int extra = 0; extra < 2 && end < t_.size() && t_[end] == q; ++extra) ++end;
          return end;
        }
      }
      return npos;
    }
    char c = t_[i];
    if (c == '"' || c == '\'') return string_end(i);
    if (c == '[') {
      std::size_t j = skip_space(i + 1);
      for (;;) {
        if (j >= t_.size()) return npos;
        if (t_[j] == ']') return j + 1;
        j = value(j, depth + 1);
        if (j == npos) return npos;
        j = skip_space(j);
        if (j < t_.size() && t_[j] == ',') j = skip_space(j + 1);
        else if (j >= t_.size() || t_[j] != ']') return npos;
      }
    }
    if (c == '{') {
      std::size_t j = skip_blanks(i + 1);
      for (;;) {
        if (j >= t_.size()) return npos;
        if (t_[j] == '}') return j + 1;
        std::string k;
        if (!key(j, k) || j >= t_.size() || t_[j] != '=') return npos;
        j = value(skip_blanks(j + 1), depth + 1);
        if (j == npos) return npos;
        j = skip_blanks(j);
        if (j < t_.size() && t_[j] == ',') j = skip_blanks(j + 1);
        else if (j >= t_.size() || t_[j] != '}') return npos;
      }
    }
    std::size_t j = i;
    while (j < t_.size() && std::string_view(" \t\r\n,]}#").find(t_[j]) == npos) ++j;
    return j == i ? npos : j;
  }

  // From `i`, blanks and a comment up to the end of the line: one past the
  // newline (or the end), or npos when something else follows.
  std::size_t line_end(std::size_t i) const {
    i = skip_blanks(i);
    if (i < t_.size() && t_[i] == '#')
      while (i < t_.size() && t_[i] != '\n') ++i;
    if (i < t_.size() && t_[i] == '\r') ++i;
    if (i >= t_.size()) return t_.size();
    return t_[i] == '\n' ? i + 1 : npos;
  }

 private:
  std::string_view t_;
};

std::size_t line_of(const Layout& l, std::size_t offset) {
  return static_cast<std::size_t>(
      std::upper_bound(l.line_starts.begin(), l.line_starts.end(), offset) -
      l.line_starts.begin() - 1);
}

bool is_header(const Statement& s) { return s.kind == Statement::Kind::header; }
bool is_trunk_header(const Statement& s) {
  return is_header(s) && s.array && s.name == "trunk";
}
// A header that ends a trunk's tables: another [[trunk]], or any header
// that is not one of the trunk's sub-tables.
bool ends_trunk(const Statement& s) {
  return is_header(s) && (s.name == "trunk" || !s.name.starts_with("trunk."));
}

// A [[trunk]]'s statements: [header, end).
struct Block {
  std::size_t header;
  std::size_t end;
  std::size_t first_sub;  // the first sub-table header, or end
};

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

bool scan_ok(const Layout& l, std::string& error) {
  if (!l.ok) error = l.error;
  return l.ok;
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

// The [[trunk.tenant]] header of `tenant` in the block, or npos.
std::size_t find_assignment(const Layout& l, const Block& b, std::string_view text,
                            std::string_view tenant, std::string& error) {
  std::size_t found = npos;
  for (std::size_t i = b.first_sub; i < b.end; ++i) {
    const Statement& s = l.statements[i];
    if (!is_header(s) || !s.array || s.name != "trunk.tenant") continue;
    std::string err;
    std::size_t k = find_key(l, i + 1, table_end(l, i, b.end), "tenant", err);
    if (k == npos) continue;
    const Statement& kv = l.statements[k];
    auto v = string_value(text.substr(kv.value_begin, kv.value_end - kv.value_begin));
    if (!v || *v != tenant) continue;
    if (found != npos) {
      error = "the trunk is assigned to tenant \"" + std::string(tenant) + "\" twice";
      return npos;
    }
    found = i;
  }
  return found;
}

}  // namespace

Layout scan(std::string_view text) {
  Layout l;
  l.line_starts.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n' && i + 1 < text.size()) l.line_starts.push_back(i + 1);
  if (text.empty()) l.line_starts.clear();
  l.lines.assign(l.line_starts.size(), Line::blank);
  Scanner sc(text);
  auto fail = [&](std::size_t at, const char* what) {
    l.ok = false;
    l.error = "line " + std::to_string(line_of(l, at) + 1) + ": " + what;
    return l;
  };
  std::size_t p = 0;
  while (p < text.size()) {
    std::size_t line = line_of(l, p);
    std::size_t q = sc.skip_blanks(p);
    if (q >= text.size() || text[q] == '\n' || text[q] == '\r') {
      std::size_t nl = text.find('\n', q);
      p = nl == npos ? text.size() : nl + 1;
      continue;
    }
    if (text[q] == '#') {
      l.lines[line] = Line::comment;
      std::size_t nl = text.find('\n', q);
      p = nl == npos ? text.size() : nl + 1;
      continue;
    }
    Statement s;
    s.line = line;
    std::size_t end;
    if (text[q] == '[') {
      s.kind = Statement::Kind::header;
      s.array = q + 1 < text.size() && text[q + 1] == '[';
      q += s.array ? 2 : 1;
      if (!sc.key(q, s.name)) return fail(q, "a table header the editor cannot read");
      q = sc.skip_blanks(q);
      for (int i = 0; i < (s.array ? 2 : 1); ++i, ++q)
        if (q >= text.size() || text[q] != ']') return fail(q, "a table header without ']'");
      end = sc.line_end(q);
    } else {
      if (!sc.key(q, s.name) || q >= text.size() || text[q] != '=')
        return fail(q, "a line the editor cannot read as `key = value`");
      s.value_begin = sc.skip_blanks(q + 1);
      s.value_end = sc.value(s.value_begin);
      if (s.value_end == npos) return fail(s.value_begin, "a value the editor cannot read");
      end = sc.line_end(s.value_end);
    }
    if (end == npos) return fail(q, "more than one statement on a line");
    s.last_line = line_of(l, end > 0 ? end - 1 : 0);
    for (std::size_t i = s.line; i <= s.last_line; ++i) l.lines[i] = Line::code;
    l.statements.push_back(std::move(s));
    p = end;
  }
  return l;
}

std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::optional<std::string> string_value(std::string_view t) {
  if (t.size() < 2 || t.front() != t.back() || (t.front() != '"' && t.front() != '\''))
    return std::nullopt;
  if (t.starts_with("\"\"\"") || t.starts_with("'''")) return std::nullopt;
  std::string_view body = t.substr(1, t.size() - 2);
  if (t.front() == '\'') return std::string(body);
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      out += body[i];
      continue;
    }
    if (++i >= body.size()) return std::nullopt;
    switch (body[i]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        if (body.size() - i < 5) return std::nullopt;
        unsigned v = 0;
        for (std::size_t k = 1; k <= 4; ++k) {
          char h = body[i + k];
          int d = (h >= '0' && h <= '9')   ? h - '0'
                  : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                  : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                           : -1;
          if (d < 0) return std::nullopt;
          v = v * 16 + static_cast<unsigned>(d);
        }
        if (v >= 0x80) return std::nullopt;  // names and hosts are ASCII
        out += static_cast<char>(v);
        i += 4;
        break;
      }
      default: return std::nullopt;
    }
  }
  return out;
}

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

bool add_assignment(std::string& text, std::size_t trunk, std::string_view tenant,
                    const std::optional<std::string>& did_pool, std::string& error) {
  error.clear();
  Layout l;
  Block b;
  if (!block_of(text, trunk, l, b, error)) return false;
  std::string table = "[[trunk.tenant]]\ntenant = " + toml_string(tenant) + "\n";
  if (did_pool) table += "did_pool = " + toml_string(*did_pool) + "\n";
  insert_table(text, l, b.end, table);
  return true;
}

namespace {

// The [[trunk.tenant]] of `tenant` in trunk number `trunk`, with the
// layout and block it was found in; npos with `error` set when there is none.
std::size_t assignment_in(const std::string& text, std::size_t trunk, std::string_view tenant,
                          Layout& l, Block& b, std::string& error) {
  error.clear();
  if (!block_of(text, trunk, l, b, error)) return npos;
  std::size_t h = find_assignment(l, b, text, tenant, error);
  if (h == npos && error.empty())
    error = "the trunk is not assigned to tenant \"" + std::string(tenant) + "\"";
  return h;
}

}  // namespace

bool set_assignment_pool(std::string& text, std::size_t trunk, std::string_view tenant,
                         std::string_view did_pool, std::string& error) {
  Layout l;
  Block b;
  std::size_t h = assignment_in(text, trunk, tenant, l, b, error);
  if (h == npos) return false;
  std::size_t e = table_end(l, h, b.end);
  std::size_t k = find_key(l, h + 1, e, "did_pool", error);
  if (!error.empty()) return false;
  if (k != npos) replace_value(text, l.statements[k], toml_string(did_pool));
  else
    insert_at_line(text, l, l.statements[e - 1].last_line + 1,
                   "did_pool = " + toml_string(did_pool) + "\n");
  return true;
}

bool remove_assignment(std::string& text, std::size_t trunk, std::string_view tenant,
                       std::string& error) {
  Layout l;
  Block b;
  std::size_t h = assignment_in(text, trunk, tenant, l, b, error);
  if (h == npos) return false;
  auto [from, to] = table_span(l, h, table_end(l, h, l.statements.size()), text.size());
  text.erase(from, to - from);
  return true;
}

}  // namespace trunk::site::edit
