// Text and JSON rendering of diagnostics.
#include "diag/render.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace trunk::diag {

namespace {
std::size_t secret_value_start(std::string_view l);
}

void SourceText::add(std::string path, std::string text) {
  File f;
  f.text = std::move(text);
  // A site's fragments are added one after another while the loader
  // merges them: counted first and found with memchr, since the texts of a
  // large site are tens of megabytes.
  f.line_starts.reserve(1 + std::count(f.text.begin(), f.text.end(), '\n'));
  f.line_starts.push_back(0);
  for (const char *p = f.text.data(), *end = p + f.text.size();
       (p = static_cast<const char*>(std::memchr(p, '\n', end - p))) != nullptr;)
    f.line_starts.push_back(static_cast<std::size_t>(++p - f.text.data()));
  // A secret in a multi-line string: hide its lines up to the closing
  // quotes, so even a syntax error inside it quotes nothing of it. Only lines
  // that open a multi-line string are looked at: sites can be large.
  std::uint32_t n = static_cast<std::uint32_t>(f.line_starts.size());
  auto line_of = [&](std::size_t offset) {
    return static_cast<std::uint32_t>(
        std::upper_bound(f.line_starts.begin(), f.line_starts.end(), offset) -
        f.line_starts.begin() - 1);
  };
  auto text_of = [&](std::uint32_t i) {
    std::size_t b = f.line_starts[i];
    std::size_t e = i + 1 < n ? f.line_starts[i + 1] : f.text.size();
    return std::string_view(f.text).substr(b, e - b);
  };
  for (const char* delim : {"\"\"\"", "'''"}) {
    for (std::size_t at = f.text.find(delim); at != std::string::npos;) {
      std::uint32_t i = line_of(at);
      std::string l(text_of(i));
      std::size_t v = secret_value_start(l);
      bool opens = v != std::string::npos && l.compare(v, 3, delim) == 0 &&
                   l.find(delim, v + 3) == std::string::npos;
      if (!opens) {
        at = f.text.find(delim, at + 3);
        continue;
      }
      std::uint32_t last = i + 1;
      while (last < n && text_of(last).find(delim) == std::string_view::npos) ++last;
      SourceRegion r{path, i + 2, 1, std::min(last + 1, n), 0};
      if (r.line <= r.end_line) f.redacted.push_back(r);
      at = last < n ? f.text.find(delim, f.line_starts[last]) : std::string::npos;
      if (at != std::string::npos) at = f.text.find(delim, at + 3);
    }
  }
  files_[std::move(path)] = std::move(f);
}

std::string_view SourceText::text(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? std::string_view{} : std::string_view(it->second.text);
}

void SourceText::redact(const SourceRegion& r) {
  auto it = files_.find(r.file);
  if (it != files_.end() && r.known()) it->second.redacted.push_back(r);
}

void SourceText::mark_broken(const SourceRegion& where) {
  auto it = files_.find(where.file);
  if (it != files_.end() && where.known()) it->second.broken.push_back(where.line);
}

namespace {

// Calls `string(open, inside_begin, inside_end)` for each quoted string of
// the line (a basic one with its escapes, a literal one, either multi-line,
// an unterminated one to the end) and `other(i)` for each byte outside.
template <class OnString, class OnOther>
void scan_line(std::string_view l, OnString string, OnOther other) {
  for (std::size_t i = 0; i < l.size(); ++i) {
    char c = l[i];
    if (c != '"' && c != '\'') {
      other(i);
      continue;
    }
    std::size_t open = l.compare(i, 3, std::string(3, c)) == 0 ? 3 : 1;
    std::size_t k = i + open;
    while (k < l.size() && l.compare(k, open, std::string(open, c)) != 0)
      k += (c == '"' && l[k] == '\\') ? 2 : 1;
    std::size_t inside_end = std::min(k, l.size());
    string(i, i + open, inside_end);
    i = inside_end < l.size() ? inside_end + open - 1 : l.size();
  }
}

}  // namespace

std::vector<bool> broken_line_mask(std::string_view l) {
  std::vector<bool> hide(l.size(), false);
  std::size_t sep = std::string_view::npos;
  scan_line(l, [](std::size_t, std::size_t, std::size_t) {},
            [&](std::size_t i) {
              if (sep == std::string_view::npos && (l[i] == '=' || l[i] == ':')) sep = i;
            });
  // Everything is "after the key" on a line without a separator.
  auto after_key = [&](std::size_t i) { return sep == std::string_view::npos || i > sep; };
  auto punctuation = [](char c) {
    return c == ' ' || c == '\t' || c == '=' || c == ':' || c == ',' || c == '.' || c == '[' ||
           c == ']' || c == '{' || c == '}' || c == '#';
  };
  scan_line(
      l,
      [&](std::size_t open, std::size_t begin, std::size_t end) {
        if (after_key(open))
          for (std::size_t j = begin; j < end; ++j) hide[j] = true;
      },
      [&](std::size_t i) {
        if (after_key(i) && !punctuation(l[i])) hide[i] = true;
      });
  return hide;
}

std::string hide_broken_line_text(std::string_view message, std::string_view line) {
  std::vector<bool> hide = broken_line_mask(line);
  auto hidden_somewhere = [&](std::string_view token) {
    for (std::size_t at = line.find(token); at != std::string_view::npos;
         at = line.find(token, at + 1)) {
      if (std::all_of(hide.begin() + static_cast<std::ptrdiff_t>(at),
                      hide.begin() + static_cast<std::ptrdiff_t>(at + token.size()),
                      [](bool h) { return h; }))
        return true;
    }
    return false;
  };
  std::string out;
  std::size_t i = 0;
  while (i < message.size()) {
    std::size_t open = message.find('\'', i);
    std::size_t close = open == std::string_view::npos ? open : message.find('\'', open + 1);
    if (close == std::string_view::npos) break;
    std::string_view token = message.substr(open + 1, close - open - 1);
    out.append(message.substr(i, open + 1 - i));
    out.append(!token.empty() && hidden_somewhere(token) ? "***" : token);
    out += '\'';
    i = close + 1;
  }
  out.append(message.substr(std::min(i, message.size())));
  return out;
}

namespace {

bool key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// A key that may hold a secret: password, its misspellings ("pasword"),
// and anything naming a pass, pwd or secret; but not password_env or
// password_file, which name where the secret is.
bool secret_key(std::string key) {
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (key == "password_env" || key == "password_file") return false;
  return key.find("pass") != std::string::npos || key.find("pwd") != std::string::npos ||
         key.find("secret") != std::string::npos || edit_distance(key, "password") <= 2;
}

// Where the value of the first secret-looking `key = value` on the line
// starts (after '=' and blanks), or npos. Keys may be bare, quoted or dotted.
std::size_t secret_value_start(std::string_view l) {
  bool in_string = false;
  char quote = 0;
  for (std::size_t i = 0; i < l.size(); ++i) {
    char c = l[i];
    if (in_string) {
      if (c == quote) in_string = false;
      continue;
    }
    if (c == '#') return std::string::npos;
    if (c == '"' || c == '\'') {
      // Quoted key or string value: skip it, but look at a quoted key below.
      in_string = true;
      quote = c;
      continue;
    }
    if (c != '=') continue;
    std::size_t end = i;
    while (end > 0 && (l[end - 1] == ' ' || l[end - 1] == '\t')) --end;
    std::size_t begin = end;
    if (begin >= 2 && (l[begin - 1] == '"' || l[begin - 1] == '\'')) {
      std::size_t open = l.rfind(l[begin - 1], begin - 2);
      if (open == std::string::npos || !secret_key(std::string(l.substr(open + 1, begin - 2 - open))))
        continue;
    } else {
      while (begin > 0 && key_char(l[begin - 1])) --begin;
      if (begin == end || !secret_key(std::string(l.substr(begin, end - begin)))) continue;
    }
    std::size_t v = i + 1;
    while (v < l.size() && (l[v] == ' ' || l[v] == '\t')) ++v;
    return v;
  }
  return std::string::npos;
}

// Masks a secret value and everything after it on the line (a trailing
// comment may hold an old secret).
void mask_password_values(std::string& l) {
  std::size_t v = secret_value_start(l);
  if (v == std::string::npos) return;
  for (std::size_t k = v; k < l.size(); ++k) l[k] = '*';
}

}  // namespace

namespace {

// Line `n` of `path` in `files` (SourceText's) as in the file, without its
// line ending, into `out`, and its file; null when there is no such line.
// A template so that it needs no name of SourceText's private File.
template <class Files>
const typename Files::mapped_type* raw_line(const Files& files, const std::string& path,
                                            std::uint32_t n, std::string_view& out) {
  auto it = files.find(path);
  if (it == files.end() || n == 0 || n > it->second.line_starts.size()) return nullptr;
  const auto& f = it->second;
  std::size_t begin = f.line_starts[n - 1];
  std::size_t end = n < f.line_starts.size() ? f.line_starts[n] - 1 : f.text.size();
  out = std::string_view(f.text.data() + begin, end - begin);
  if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
  return &f;
}

}  // namespace

std::optional<std::string_view> SourceText::plain_line(const std::string& path,
                                                       std::uint32_t n) const {
  std::string_view l;
  const auto* f = raw_line(files_, path, n, l);
  if (!f) return std::nullopt;
  // The masks of line(): a secret key's value, a line that does not parse,
  // a redacted region. Any of them, and the line is not plain.
  if (std::find(f->broken.begin(), f->broken.end(), n) != f->broken.end()) return std::nullopt;
  for (const auto& r : f->redacted)
    if (n >= r.line && n <= std::max(r.line, r.end_line)) return std::nullopt;
  if (secret_value_start(l) != std::string::npos) return std::nullopt;
  return l;
}

std::string SourceText::line(const std::string& path, std::uint32_t n) const {
  std::string_view raw;
  const auto* file = raw_line(files_, path, n, raw);
  if (!file) return {};
  const auto& f = *file;
  std::string l(raw);
  mask_password_values(l);
  if (std::find(f.broken.begin(), f.broken.end(), n) != f.broken.end()) {
    std::vector<bool> hide = broken_line_mask(l);
    for (std::size_t k = 0; k < l.size(); ++k)
      if (hide[k]) l[k] = '*';
  }
  for (const auto& r : f.redacted) {
    if (n < r.line || n > std::max(r.line, r.end_line)) continue;
    std::size_t from = n == r.line ? r.column - 1 : 0;
    std::size_t to = (n == r.end_line && r.end_column > 0) ? r.end_column - 1 : l.size();
    for (std::size_t k = from; k < std::min(to, l.size()); ++k) l[k] = '*';
  }
  return l;
}

namespace {

void quote_line(std::string& out, const SourceRegion& r, const SourceText* sources) {
  if (!sources || !r.known()) return;
  std::string text = sources->line(r.file, r.line);
  if (text.empty()) return;
  std::string number = std::to_string(r.line);
  std::string gutter(number.size(), ' ');
  out += "  " + number + " | ";
  // Tabs become single spaces so the caret lines up.
  for (char c : text) out += (c == '\t') ? ' ' : c;
  out += "\n  " + gutter + " | ";
  std::uint32_t col = std::min<std::uint32_t>(r.column, text.size() + 1);
  out.append(col > 0 ? col - 1 : 0, ' ');
  out += '^';
  if (r.end_line == r.line && r.end_column > r.column + 1) {
    std::uint32_t end = std::min<std::uint32_t>(r.end_column, text.size() + 1);
    if (end > col + 1) out.append(end - col - 1, '~');
  }
  out += '\n';
}

}  // namespace

std::string render_text(const Diagnostic& d, const SourceText* sources) {
  std::string out;
  if (!d.where.file.empty()) out += d.where.to_string() + ": ";
  out += std::string(to_string(d.severity)) + "[" + d.code + "]: " + d.message + "\n";
  quote_line(out, d.where, sources);
  if (d.related) {
    out += "  note: " + d.related->to_string() + ": " + related_label_or_default(d) + "\n";
  }
  for (const auto& h : d.hints) out += "  hint: " + h + "\n";
  return out;
}

std::string render_text(const Sink& sink, const SourceText* sources) {
  std::string out;
  for (const auto& d : sink.all()) out += render_text(d, sources);
  return out;
}

std::string count(std::size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

std::string summary(const Sink& sink) {
  return count(sink.errors(), "error") + ", " + count(sink.warnings(), "warning");
}

void write_json(JsonWriter& w, const SourceRegion& r) {
  w.begin_object().field("file", r.file);
  if (r.known()) {
    w.field("line", static_cast<std::uint64_t>(r.line))
        .field("column", static_cast<std::uint64_t>(r.column));
    if (r.end_line)
      w.field("end_line", static_cast<std::uint64_t>(r.end_line))
          .field("end_column", static_cast<std::uint64_t>(r.end_column));
  }
  w.end_object();
}

void write_json(JsonWriter& w, const Diagnostic& d) {
  w.begin_object()
      .field("severity", to_string(d.severity))
      .field("code", d.code)
      .field("message", d.message);
  w.key("location");
  write_json(w, d.where);
  if (d.related) {
    w.key("related").begin_object().field("label", d.related_label);
    w.key("location");
    write_json(w, *d.related);
    w.end_object();
  }
  w.key("hints").begin_array();
  for (const auto& h : d.hints) w.value(h);
  w.end_array().end_object();
}

}  // namespace trunk::diag
