// Diagnostic collection and the typo finder behind "did you mean" hints.
#include "diag/diagnostic.hpp"
#include "text/ascii.hpp"

#include <algorithm>
#include <mutex>
#include <set>
#include <tuple>

namespace trunk::diag {

const std::string* FilePath::intern(std::string_view path) {
  // A loader names one file in every region of a fragment: a million
  // regions in a row name the same path, so each thread remembers its last
  // answer and skips the lock and the search of the set for it.
  thread_local const std::string* last = nullptr;
  if (last && *last == path) return last;
  static std::mutex mutex;
  static std::set<std::string, std::less<>> names;  // never shrinks: pointers stay valid
  std::lock_guard<std::mutex> lock(mutex);
  auto it = names.find(path);
  if (it == names.end()) it = names.emplace(path).first;
  last = &*it;
  return last;
}

const std::string& FilePath::empty_string() {
  static const std::string kEmpty;
  return kEmpty;
}

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

std::string SourceRegion::to_string() const {
  if (!known()) return file.str();
  return file.str() + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::note: return "note";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "error";
}

Diagnostic& Sink::report(Severity severity, std::string code,
                         std::string message, SourceRegion where) {
  if (severity == Severity::error) ++errors_;
  if (severity == Severity::warning) ++warnings_;
  Diagnostic d;
  d.severity = severity;
  d.code = std::move(code);
  d.message = std::move(message);
  d.where = std::move(where);
  items_.push_back(std::move(d));
  return items_.back();
}

void Sink::add(Diagnostic d) {
  if (d.severity == Severity::error) ++errors_;
  if (d.severity == Severity::warning) ++warnings_;
  items_.push_back(std::move(d));
}

void Sink::append(const Sink& other) {
  for (const auto& d : other.items_) add(d);
}

void Sink::sort() {
  std::stable_sort(items_.begin(), items_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.where.file, a.where.line, a.where.column,
                                     a.code) < std::tie(b.where.file, b.where.line,
                                                        b.where.column, b.code);
                   });
}

// Optimal string alignment distance: insertions, deletions, substitutions
// and transpositions of neighbours ("hots" -> "host") each cost one, case
// ignored. Inputs are keys and names, so the full matrix is small.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return text::ascii_lower(c); };
  const std::size_t w = b.size() + 1;
  std::vector<std::size_t> d((a.size() + 1) * w);
  for (std::size_t i = 0; i <= a.size(); ++i) d[i * w] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      std::size_t v = std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1,
                                d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        v = std::min(v, d[(i - 2) * w + j - 2] + 1);
      d[i * w + j] = v;
    }
  }
  return d[a.size() * w + b.size()];
}

std::string closest_match(std::string_view word,
                          const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::size_t best_distance = SIZE_MAX;
  for (auto c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // A typo is at most a third of the word wrong (and at least one edit).
  std::size_t limit = std::max<std::size_t>(1, std::max(word.size(), best.size()) / 3);
  if (best_distance == 0 || best_distance > limit) return {};
  return std::string(best);
}

}  // namespace trunk::diag
