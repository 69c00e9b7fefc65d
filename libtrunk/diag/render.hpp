// Rendering diagnostics for people (text) and for scripts (JSON).
//
// Text follows the trunkline contract:
//     FILE:LINE:COL: error[CODE]: message
//        12 | host = "sip.xyz.example"
//           |        ^~~~~~~~~~~~~~~~~
//       note: FILE:LINE:COL: first defined here
//       hint: ...
// The quoted line comes from a SourceText registered by whoever read the
// file (the site loader); without it only the position is printed. JSON is
// one object per diagnostic with the same fields. Messages never carry
// secrets (a parser's message about a line that does not parse is passed
// through hide_broken_line_text first), so rendering needs no redaction.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostic.hpp"
#include "diag/json.hpp"

namespace trunk::diag {

// The text of the files diagnostics point into, for quoting lines.
class SourceText {
 public:
  void add(std::string path, std::string text);
  // Line `n` (from 1) of `path` without its newline, ready to print: the
  // value of any `password = ...` key on it, and every redacted region, is
  // masked with '*'. Empty if unknown.
  std::string line(const std::string& path, std::uint32_t n) const;
  // The same line as it is in the file, when line() would mask nothing of
  // it (no secret key, not broken, nothing redacted); nullopt otherwise.
  // For callers that look at many lines: no copy. The view lives as long
  // as this SourceText.
  std::optional<std::string_view> plain_line(const std::string& path, std::uint32_t n) const;
  // Masks a region (a secret's value, possibly over several lines) whenever
  // its lines are quoted.
  void redact(const SourceRegion& r);
  // Marks the line of `where` as one that does not parse: quoted, it shows
  // only what broken_line_mask leaves, since a secret on it cannot be told
  // from its key (`password: "x"`, `"password" : "x"`).
  void mark_broken(const SourceRegion& where);
  bool has(const std::string& path) const { return files_.count(path) != 0; }
  // The whole text of `path` as read (not redacted: for digests, not printing).
  std::string_view text(const std::string& path) const;

 private:
  struct File {
    std::string text;
    std::vector<std::size_t> line_starts;
    std::vector<SourceRegion> redacted;
    std::vector<std::uint32_t> broken;  // lines that do not parse
  };
  std::map<std::string, File> files_;
};

// What a line that does not parse may show, as one flag per byte (true:
// hidden). Its key, the text before the first `=` or `:` outside quotes, and
// punctuation (= : , . [ ] { } # and quotes) stay; the inside of every
// quoted string after the key, and every other character after the
// separator, are hidden (an unterminated string to the end of the line).
// A line without a separator hides everything but punctuation and blanks.
std::vector<bool> broken_line_mask(std::string_view line);
// A parser's `message` about `line`, which does not parse, with every
// '...' quote whose text the mask hides on the line replaced by '***'
// (toml++ quotes the token it choked on: "saw 's'", "'123...' is not
// representable in 64 bits").
std::string hide_broken_line_text(std::string_view message, std::string_view line);

std::string render_text(const Diagnostic& d, const SourceText* sources);
std::string render_text(const Sink& sink, const SourceText* sources);
// "2 errors, 1 warning"
std::string summary(const Sink& sink);
// "1 route", "3 routes"
std::string count(std::size_t n, std::string_view noun);

void write_json(JsonWriter& w, const Diagnostic& d);
void write_json(JsonWriter& w, const SourceRegion& r);

}  // namespace trunk::diag
