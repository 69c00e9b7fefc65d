// The TOML text primitives of the site editor: the scanner that reads a
// file's layout (statements, value spans, line kinds) and the quoting and
// unquoting of one-line strings. It knows TOML's lexical shape only; what a
// [[trunk]] is and where an edit goes live in edit_span.cpp and the edits
// (edit.cpp, edit_assignment.cpp).
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

}  // namespace trunk::site::edit
