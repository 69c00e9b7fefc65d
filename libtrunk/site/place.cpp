// String value places.
#include "site/place.hpp"

namespace trunk::site {

diag::StringPlace place_of(const Field<std::string>& f, const diag::SourceText& sources) {
  diag::StringPlace p;
  p.file = f.where.file;
  if (!f.where.known()) return p;
  p.line = f.where.line;
  p.column = f.where.column;
  // A route's match is looked at here, a million times in a large site:
  // the line is copied (and masked) only when it has something to mask.
  std::string masked;
  std::string_view line;
  if (auto plain = sources.plain_line(f.where.file, f.where.line)) {
    line = *plain;
  } else {
    masked = sources.line(f.where.file, f.where.line);
    line = masked;
  }
  std::size_t at = f.where.column - 1;
  if (at >= line.size()) return p;
  char quote = line[at];
  if (quote != '"' && quote != '\'') return p;
  // Multi-line strings start with three quotes; their content may span lines.
  const char triple[] = {quote, quote, quote};
  if (line.substr(at, 3) == std::string_view(triple, 3)) return p;
  std::string_view raw = line;
  raw.remove_prefix(at + 1);
  if (raw.size() < f.value.size() || raw.substr(0, f.value.size()) != f.value) return p;
  if (raw.size() == f.value.size() || raw[f.value.size()] != quote) return p;
  p.column = f.where.column + 1;
  p.exact = true;
  return p;
}

}  // namespace trunk::site
