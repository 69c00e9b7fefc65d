// Diagnostics: the one type every trunkline module reports problems with.
//
// A Diagnostic is a finding about the user's input (a site, a pool string, a
// trace): severity, a stable code operators can grep and scripts can switch
// on, a message that names the things involved, the place in the input, an
// optional second place (the other side of a conflict) and hints that say what
// to do. Libraries collect diagnostics in a Sink; only tools print them (see
// render.hpp). Nothing here ever holds a secret: callers never put a password
// into a message, a hint or a label.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::diag {

// The name of an input file. Names are interned once per process and never
// freed, so a region holds a plain pointer: a site of a million routes has
// millions of regions, and copying one costs no allocation and no atomic.
class FilePath {
 public:
  FilePath() = default;
  FilePath(std::string_view path) : p_(intern(path)) {}
  FilePath(const std::string& path) : p_(intern(path)) {}
  FilePath(const char* path) : p_(intern(path)) {}

  const std::string& str() const { return p_ ? *p_ : empty_string(); }
  operator const std::string&() const { return str(); }
  bool empty() const { return str().empty(); }
  friend bool operator==(const FilePath& a, const FilePath& b) {
    return a.p_ == b.p_ || a.str() == b.str();
  }
  friend std::strong_ordering operator<=>(const FilePath& a, const FilePath& b) {
    return a.p_ == b.p_ ? std::strong_ordering::equal : a.str() <=> b.str();
  }

 private:
  static const std::string* intern(std::string_view path);  // thread-safe
  static const std::string& empty_string();
  const std::string* p_ = nullptr;
};

// A place in an input file. Lines and columns count from 1; 0 means unknown
// (a diagnostic about a whole file, or about input given on the command line).
// Columns count bytes, as toml++ and the grammars do.
struct SourceRegion {
  FilePath file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::uint32_t end_line = 0;
  std::uint32_t end_column = 0;

  bool known() const { return line != 0; }
  // "FILE:LINE:COL", or "FILE" when the position is unknown.
  std::string to_string() const;
  friend bool operator==(const SourceRegion&, const SourceRegion&) = default;
};

enum class Severity { note, warning, error };
std::string_view to_string(Severity s);

struct Diagnostic {
  Severity severity = Severity::error;
  std::string code;     // stable, kebab-case: "unknown-key", "did-overlap"
  std::string message;  // one line, names the things involved
  SourceRegion where;
  // The other side of a conflict (first definition, the other pool...).
  std::optional<SourceRegion> related;
  std::string related_label;  // e.g. "first defined here"
  std::vector<std::string> hints;
};

// Collects diagnostics in the order they were reported. Not thread-safe.
class Sink {
 public:
  Diagnostic& report(Severity severity, std::string code, std::string message,
                     SourceRegion where);
  Diagnostic& error(std::string code, std::string message, SourceRegion where) {
    return report(Severity::error, std::move(code), std::move(message),
                  std::move(where));
  }
  Diagnostic& warning(std::string code, std::string message, SourceRegion where) {
    return report(Severity::warning, std::move(code), std::move(message),
                  std::move(where));
  }
  void append(const Sink& other);
  void add(Diagnostic d);

  const std::vector<Diagnostic>& all() const { return items_; }
  std::size_t errors() const { return errors_; }
  std::size_t warnings() const { return warnings_; }
  bool empty() const { return items_.empty(); }
  // Orders by file, line, column, then code: output is the same whatever
  // order the checks ran in.
  void sort();

 private:
  std::vector<Diagnostic> items_;
  std::size_t errors_ = 0;
  std::size_t warnings_ = 0;
};

// Builder helpers so call sites read as one expression.
inline Diagnostic& with_hint(Diagnostic& d, std::string hint) {
  d.hints.push_back(std::move(hint));
  return d;
}
inline Diagnostic& with_related(Diagnostic& d, SourceRegion where,
                                std::string label) {
  d.related = std::move(where);
  d.related_label = std::move(label);
  return d;
}
// What every rendering calls the related place: its label, or "related".
inline std::string related_label_or_default(const Diagnostic& d) {
  return d.related_label.empty() ? std::string("related") : d.related_label;
}

// `s` in double quotes, as messages name things: "acme".
std::string quoted(std::string_view s);

// The closest of `candidates` to `word` by edit distance, if close enough to
// be a plausible typo ("did you mean ..."); empty otherwise.
std::string closest_match(std::string_view word,
                          const std::vector<std::string_view>& candidates);
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace trunk::diag
