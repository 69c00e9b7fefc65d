// Text and JSON rendering of diagnostics.
#include "diag/render.hpp"

#include <algorithm>
#include <cctype>

namespace trunk::diag {

void SourceText::add(std::string path, std::string text) {
  File f;
  f.text = std::move(text);
  f.line_starts.push_back(0);
  for (std::size_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  files_[std::move(path)] = std::move(f);
}

void SourceText::redact(const SourceRegion& r) {
  auto it = files_.find(r.file);
  if (it != files_.end() && r.known()) it->second.redacted.push_back(r);
}

namespace {

// Masks the value after every `password =` on a line (not password_env or
// password_file): a quoted value up to its closing quote, else to the end.
// This also covers lines quoted for syntax errors, before any region is known.
void mask_password_values(std::string& l) {
  static const std::string kKey = "password";
  for (std::size_t pos = l.find(kKey); pos != std::string::npos;
       pos = l.find(kKey, pos + kKey.size())) {
    bool word_start = pos == 0 || !(std::isalnum(static_cast<unsigned char>(l[pos - 1])) ||
                                    l[pos - 1] == '_' || l[pos - 1] == '-');
    std::size_t i = pos + kKey.size();
    if (i < l.size() && l[i] == '"') ++i;  // "password" = ...
    while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
    if (!word_start || i >= l.size() || l[i] != '=') continue;
    ++i;
    while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
    std::size_t end = l.size();
    if (i < l.size() && (l[i] == '"' || l[i] == '\'')) {
      std::size_t close = l.find(l[i], i + 1);
      if (close != std::string::npos) end = close + 1;
    }
    for (std::size_t k = i; k < end; ++k) l[k] = '*';
  }
}

}  // namespace

std::string SourceText::line(const std::string& path, std::uint32_t n) const {
  auto it = files_.find(path);
  if (it == files_.end() || n == 0 || n > it->second.line_starts.size()) return {};
  const File& f = it->second;
  std::size_t begin = f.line_starts[n - 1];
  std::size_t end = n < f.line_starts.size() ? f.line_starts[n] - 1 : f.text.size();
  std::string l(f.text.data() + begin, end - begin);
  if (!l.empty() && l.back() == '\r') l.pop_back();
  mask_password_values(l);
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
    out += "  note: " + d.related->to_string() + ": " +
           (d.related_label.empty() ? std::string("related") : d.related_label) + "\n";
  }
  for (const auto& h : d.hints) out += "  hint: " + h + "\n";
  return out;
}

std::string render_text(const Sink& sink, const SourceText* sources) {
  std::string out;
  for (const auto& d : sink.all()) out += render_text(d, sources);
  return out;
}

std::string summary(const Sink& sink) {
  auto plural = [](std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  return plural(sink.errors(), "error") + ", " + plural(sink.warnings(), "warning");
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
