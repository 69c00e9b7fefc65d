// The DID pool entry rules (see pool.hpp for the list): per-entry checks in
// the order written, then the duplicate check across entries. Message text
// is part of the interface (tests assert it), so every message is built in
// one place below.
#include "did/pool.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "grammar/did_pool/ast.hpp"

namespace trunk::did {

namespace {

using grammar::PoolEntry;

// A pathological pool ("1;1;1;...") would otherwise get one warning per
// entry; past this many, the rest are counted in one summary warning.
constexpr std::size_t kMaxDuplicateReports = 20;
// Numbers longer than this are shortened in messages (a pasted blob of
// digits should not become a page-long message).
constexpr std::size_t kMaxQuotedDigits = 24;
// Shared numbers listed in one did-duplicate message.
constexpr std::size_t kMaxListedRanges = 8;

constexpr std::string_view kPrefixReason =
    "E.164 '+' and international prefixes are removed before numbers go into a pool";

std::string shorten(std::string_view digits) {
  if (digits.size() <= kMaxQuotedDigits) return std::string(digits);
  return std::string(digits.substr(0, kMaxQuotedDigits - 4)) + "...";
}

// The entry as the user wrote it, minus whitespace: "300-450".
std::string entry_text(const PoolEntry& e) {
  std::string s = shorten(e.first);
  if (!e.last.empty()) s.append("-").append(shorten(e.last));
  return s;
}

using diag::quoted;

std::string repeat(char c, std::size_t n) { return std::string(n, c); }
// "1" then n zeros: the smallest number of n + 1 digits.
std::string one_then_zeros(std::size_t n) { return std::string("1").append(n, '0'); }

// Reports the diagnostics of one pool, each at its characters.
class PoolReporter {
 public:
  PoolReporter(const diag::StringPlace& place, std::string_view what, diag::Sink& sink)
      : place_(place), sink_(sink) {
    if (!what.empty()) prefix_ = std::string(what) + ": ";
  }

  diag::SourceRegion at(std::uint32_t column, std::uint32_t length) const {
    return place_.at(column, std::max<std::uint32_t>(length, 1));
  }
  diag::SourceRegion at(const PoolEntry& e) const { return at(e.column, e.length); }

  diag::Diagnostic& error(std::string code, const std::string& message,
                          diag::SourceRegion where) {
    return sink_.error(std::move(code), prefix_ + message, std::move(where));
  }
  diag::Diagnostic& warning(std::string code, const std::string& message,
                            diag::SourceRegion where) {
    return sink_.warning(std::move(code), prefix_ + message, std::move(where));
  }

 private:
  const diag::StringPlace& place_;
  diag::Sink& sink_;
  std::string prefix_;
};

// "write 14155550100: <reason>" when removing the prefix from each end that
// has it leaves a well-formed entry, else just the reason.
std::string prefix_hint(const PoolEntry& e, std::string_view prefix) {
  auto strip = [&](std::string_view n) {
    return n.starts_with(prefix) ? n.substr(prefix.size()) : n;
  };
  std::string_view first = strip(e.first), last = strip(e.last);
  bool well_formed = !first.empty() && first.size() <= kMaxDigits &&
                     first.find('+') == std::string_view::npos &&
                     (e.last.empty() || (last.size() == first.size() &&
                                         last.find('+') == std::string_view::npos));
  if (!well_formed) return std::string(kPrefixReason);
  std::string fixed(first);
  if (!e.last.empty()) fixed.append("-").append(last);
  return "write " + fixed + ": " + std::string(kPrefixReason);
}

// For a range whose ends differ in length: the same numbers written one
// range per length, "100-999; 1000-2000", when that reading is plausible
// (no leading zeros, the shorter end first); empty otherwise.
std::string split_by_length(std::string_view first, std::string_view last) {
  if (first.size() >= last.size() || last.size() > kMaxDigits || first[0] == '0' ||
      last[0] == '0')
    return {};
  std::vector<std::pair<std::string, std::string>> pieces;
  pieces.emplace_back(std::string(first), repeat('9', first.size()));
  for (std::size_t n = first.size() + 1; n < last.size(); ++n)
    pieces.emplace_back(one_then_zeros(n - 1), repeat('9', n));
  pieces.emplace_back(one_then_zeros(last.size() - 1), std::string(last));
  std::string out;
  for (const auto& [a, b] : pieces) {
    if (!out.empty()) out += "; ";
    out += a == b ? a : a + "-" + b;
  }
  return out;
}

// Applies the per-entry rules; the entry's range, or nullopt after
// reporting its error.
std::optional<DidRange> check_entry(const PoolEntry& e, PoolReporter& report) {
  const bool range = !e.last.empty();
  const std::string text = entry_text(e);
  auto where_last = [&] {
    return report.at(e.last_column(), static_cast<std::uint32_t>(e.last.size()));
  };
  auto where_first = [&] {
    return report.at(e.column, static_cast<std::uint32_t>(e.first.size()));
  };

  // did-plus, did-intl-prefix: the first end is named as the entry; a
  // prefix only on the last end is named as that number.
  struct Prefix {
    std::string_view prefix, code, words;
  };
  for (const Prefix& p : {Prefix{"+", "did-plus", "'+'"},
                          Prefix{"00", "did-intl-prefix", "the international prefix 00"}}) {
    bool on_first = std::string_view(e.first).starts_with(p.prefix);
    bool on_last = range && std::string_view(e.last).starts_with(p.prefix);
    if (!on_first && !on_last) continue;
    std::string message =
        on_first ? "entry " + quoted(text) + " starts with " + std::string(p.words)
                 : "entry " + quoted(text) + ": " + quoted(shorten(e.last)) + " starts with " +
                       std::string(p.words);
    auto& d = report.error(std::string(p.code), message, on_first ? report.at(e) : where_last());
    diag::with_hint(d, prefix_hint(e, p.prefix));
    return std::nullopt;
  }

  // did-length: numbers have 1 to 15 digits (the grammar gives at least 1).
  for (bool is_last : {false, true}) {
    const std::string& n = is_last ? e.last : e.first;
    if (n.size() <= kMaxDigits) continue;
    std::string message =
        range ? "range " + quoted(text) + ": " + shorten(n) + " has " +
                    std::to_string(n.size()) + " digits; a number has 1 to 15 digits"
              : "entry " + quoted(text) + " has " + std::to_string(n.size()) +
                    " digits; a number has 1 to 15 digits";
    auto& d = report.error("did-length", message, is_last ? where_last() : where_first());
    diag::with_hint(d, "check for a typo, or a missing ';' between two numbers");
    return std::nullopt;
  }

  auto first = parse_number(e.first);
  auto last = range ? parse_number(e.last) : first;
  if (!first || !last) return std::nullopt;  // unreachable after the checks above

  // did-range-length
  if (first->length != last->length) {
    auto& d = report.error("did-range-length",
                           "range " + quoted(text) + " mixes lengths: " + e.first + " has " +
                               std::to_string(e.first.size()) + " digits, " + e.last + " has " +
                               std::to_string(e.last.size()) +
                               "; both ends of a range have the same number of digits",
                           report.at(e));
    std::string split = split_by_length(e.first, e.last);
    diag::with_hint(d, split.empty()
                           ? std::string("write both ends with the same number of digits "
                                         "(\"0100\" and \"100\" are different numbers)")
                           : "write " + split + " to mean every number from " + e.first +
                                 " to " + e.last);
    return std::nullopt;
  }

  // did-range-order
  if (first->value > last->value) {
    auto& d = report.error("did-range-order",
                           "range " + quoted(text) + " is reversed: " + e.first +
                               " comes after " + e.last,
                           report.at(e));
    diag::with_hint(d, "write " + e.last + "-" + e.first);
    return std::nullopt;
  }
  return DidRange{*first, *last};
}

struct CheckedEntry {
  const PoolEntry* entry;
  DidRange range;
};

// Whether any two ranges share a number; O(n log n), no per-entry
// allocation. The common case (no duplicates) stops here.
bool any_overlap(std::vector<DidRange> ranges) {
  std::sort(ranges.begin(), ranges.end());
  for (std::size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].first <= ranges[i - 1].last) return true;
  return false;
}

// did-duplicate: each entry that shares numbers with entries before it is
// reported once, naming the first such entry and the shared numbers.
// `seen` is the union of the entries so far as disjoint intervals keyed by
// first number, so the whole pass is O(n log n) however the entries overlap.
void report_duplicates(const std::vector<CheckedEntry>& entries, PoolReporter& report) {
  std::map<DidNumber, DidNumber> seen;
  std::size_t reported = 0, unreported = 0;
  const PoolEntry* first_unreported = nullptr;
  for (std::size_t j = 0; j < entries.size(); ++j) {
    const DidRange r = entries[j].range;
    auto it = seen.upper_bound(r.first);
    if (it != seen.begin() && r.first <= std::prev(it)->second) --it;
    std::vector<DidRange> shared;
    for (auto s = it; s != seen.end() && s->first <= r.last; ++s)
      shared.push_back({std::max(s->first, r.first), std::min(s->second, r.last)});

    if (!shared.empty()) {
      if (reported == kMaxDuplicateReports) {
        if (unreported++ == 0) first_unreported = entries[j].entry;
      } else {
        ++reported;
        DidSet common(std::move(shared));
        const CheckedEntry* earlier = nullptr;
        std::size_t others = 0;
        for (std::size_t i = 0; i < j; ++i) {
          const DidRange& q = entries[i].range;
          if (std::max(q.first, r.first) <= std::min(q.last, r.last)) {
            if (!earlier) earlier = &entries[i];
            ++others;
          }
        }
        const bool covered = common.count() == r.count();
        const std::string other = entry_text(*earlier->entry);
        std::string message = "entry " + quoted(entry_text(*entries[j].entry));
        if (covered && others == 1 && earlier->range == r)
          message += " repeats entry " + quoted(other);
        else
          message += (covered ? " repeats numbers of entry " : " overlaps entry ") + quoted(other);
        if (others > 1)
          message += " and " + std::to_string(others - 1) +
                     (others == 2 ? " more entry" : " more entries");
        message += "; already listed: " + common.to_string(kMaxListedRanges);
        auto& d = report.warning("did-duplicate", message, report.at(*entries[j].entry));
        diag::with_related(d, report.at(*earlier->entry), "listed first here");
        diag::with_hint(d, covered ? "remove this entry: the pool is the same without it"
                                   : "list each number once: shorten one of the entries");
      }
    }

    // Add r to `seen`, merging what it overlaps or touches.
    DidRange merged = r;
    auto from = seen.upper_bound(r.first);
    if (from != seen.begin()) {
      auto prev = std::prev(from);
      if (r.first <= prev->second ||
          (prev->second.length == r.first.length && prev->second.value + 1 == r.first.value))
        from = prev;
    }
    auto to = from;
    while (to != seen.end() &&
           (to->first <= r.last ||
            (to->first.length == r.last.length && r.last.value + 1 == to->first.value))) {
      merged.first = std::min(merged.first, to->first);
      merged.last = std::max(merged.last, to->second);
      ++to;
    }
    seen.erase(from, to);
    seen.emplace(merged.first, merged.last);
  }
  if (unreported > 0) {
    auto& d = report.warning(
        "did-duplicate",
        std::to_string(unreported) +
            (unreported == 1 ? " more entry repeats" : " more entries repeat") +
            " numbers listed before " + (unreported == 1 ? "it" : "them") + ", starting with " +
            quoted(entry_text(*first_unreported)),
        report.at(*first_unreported));
    diag::with_hint(d, "list each number once");
  }
}

}  // namespace

std::optional<DidSet> parse_pool(std::string_view text, const diag::StringPlace& place,
                                 std::string_view what, diag::Sink& sink) {
  PoolReporter report(place, what, sink);
  std::vector<PoolEntry> entries;
  grammar::PoolSyntaxError syntax;
  if (!grammar::parse_did_pool(text, entries, syntax)) {
    auto& d = report.error("did-syntax", syntax.message, report.at(syntax.column, 1));
    diag::with_hint(d, "a pool lists numbers and first-last ranges separated by ';', "
                       "e.g. \"101; 203; 300-450\"");
    return std::nullopt;
  }

  const std::size_t errors_before = sink.errors();
  std::vector<CheckedEntry> checked;
  std::vector<DidRange> ranges;
  checked.reserve(entries.size());
  ranges.reserve(entries.size());
  for (const PoolEntry& e : entries) {
    if (auto r = check_entry(e, report)) {
      checked.push_back({&e, *r});
      ranges.push_back(*r);
    }
  }
  if (any_overlap(ranges)) report_duplicates(checked, report);
  if (sink.errors() != errors_before) return std::nullopt;
  return DidSet(std::move(ranges));
}

}  // namespace trunk::did
