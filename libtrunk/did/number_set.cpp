// DidNumber, DidRange and DidSet: construction, set algebra and printing.
// Every algorithm walks ranges, in the total order of numbers (length, then
// value), in which each range is an interval of one length.
#include "did/number_set.hpp"

#include <algorithm>
#include <cassert>

namespace trunk::did {

namespace {

constexpr std::uint64_t kPow10[kMaxDigits + 1] = {
    1ull,
    10ull,
    100ull,
    1000ull,
    10000ull,
    100000ull,
    1000000ull,
    10000000ull,
    100000000ull,
    1000000000ull,
    10000000000ull,
    100000000000ull,
    1000000000000ull,
    10000000000000ull,
    100000000000000ull,
    1000000000000000ull,
};

// b follows a directly: same length, next value. Such ranges merge.
bool adjacent(DidNumber a, DidNumber b) {
  return a.length == b.length && a.value + 1 == b.value;
}

// Merges overlapping and adjacent neighbours of `v`, sorted by first number,
// in place.
void coalesce(std::vector<DidRange>& v) {
  std::size_t out = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (out > 0) {
      DidRange& back = v[out - 1];
      if (v[i].first <= back.last || adjacent(back.last, v[i].first)) {
        back.last = std::max(back.last, v[i].last);
        continue;
      }
    }
    v[out++] = v[i];
  }
  v.resize(out);
}

void append_digits(std::string& out, DidNumber n) {
  char buf[kMaxDigits];
  std::uint64_t v = n.value;
  for (int i = n.length - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, n.length);
}

void append_range(std::string& out, const DidRange& r) {
  append_digits(out, r.first);
  if (r.first != r.last) {
    out += '-';
    append_digits(out, r.last);
  }
}

}  // namespace

std::optional<DidNumber> parse_number(std::string_view digits) {
  if (digits.empty() || digits.size() > kMaxDigits) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return DidNumber{static_cast<std::uint8_t>(digits.size()), value};
}

std::optional<DidNumber> make_number(std::uint8_t length, std::uint64_t value) {
  if (length < 1 || length > kMaxDigits || value >= kPow10[length]) return std::nullopt;
  return DidNumber{length, value};
}

std::string to_string(DidNumber n) {
  std::string out;
  if (n.length <= kMaxDigits) append_digits(out, n);
  return out;
}

std::optional<DidRange> make_range(DidNumber first, DidNumber last) {
  DidRange r{first, last};
  if (!r.valid()) return std::nullopt;
  return r;
}

std::string to_string(const DidRange& r) {
  std::string out;
  append_range(out, r);
  return out;
}

DidSet::DidSet(std::vector<DidRange> ranges) : ranges_(std::move(ranges)) { normalize(); }

void DidSet::normalize() {
  std::erase_if(ranges_, [](const DidRange& r) { return !r.valid(); });
  std::sort(ranges_.begin(), ranges_.end());
  coalesce(ranges_);
}

void DidSet::insert(DidRange r) {
  assert(r.valid());
  if (!r.valid()) return;
  // [lo, hi): the ranges that overlap r or touch it; they merge with it.
  auto lo = std::partition_point(ranges_.begin(), ranges_.end(), [&](const DidRange& x) {
    return x.last < r.first && !adjacent(x.last, r.first);
  });
  auto hi = std::partition_point(lo, ranges_.end(), [&](const DidRange& x) {
    return x.first <= r.last || adjacent(r.last, x.first);
  });
  if (lo == hi) {
    ranges_.insert(lo, r);
    return;
  }
  DidRange merged{std::min(r.first, lo->first), std::max(r.last, std::prev(hi)->last)};
  *lo = merged;
  ranges_.erase(std::next(lo), hi);
}

std::uint64_t DidSet::count() const {
  std::uint64_t n = 0;
  for (const DidRange& r : ranges_) n += r.count();
  return n;
}

bool DidSet::contains(DidNumber n) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), n,
                             [](DidNumber v, const DidRange& r) { return v < r.first; });
  return it != ranges_.begin() && n <= std::prev(it)->last;
}

bool DidSet::contains(std::string_view digits) const {
  auto n = parse_number(digits);
  return n && contains(*n);
}

bool DidSet::contains(const DidSet& other) const {
  std::size_t i = 0;
  for (const DidRange& r : other.ranges_) {
    while (i < ranges_.size() && ranges_[i].last < r.first) ++i;
    if (i == ranges_.size() || r.first < ranges_[i].first || ranges_[i].last < r.last)
      return false;
  }
  return true;
}

std::string DidSet::to_string() const { return to_string(ranges_.size()); }

std::string DidSet::to_string(std::size_t max_ranges) const {
  std::string out;
  std::size_t shown = std::min(max_ranges, ranges_.size());
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out += "; ";
    append_range(out, ranges_[i]);
  }
  if (shown < ranges_.size()) {
    out += shown > 0 ? " and " : "";
    out += std::to_string(ranges_.size() - shown) + " more";
  }
  return out;
}

DidSet set_union(const DidSet& a, const DidSet& b) {
  DidSet out;
  out.ranges_.reserve(a.ranges_.size() + b.ranges_.size());
  std::merge(a.ranges_.begin(), a.ranges_.end(), b.ranges_.begin(), b.ranges_.end(),
             std::back_inserter(out.ranges_));
  coalesce(out.ranges_);
  return out;
}

DidSet set_intersection(const DidSet& a, const DidSet& b) {
  DidSet out;
  std::size_t i = 0, j = 0;
  while (i < a.ranges_.size() && j < b.ranges_.size()) {
    const DidRange& x = a.ranges_[i];
    const DidRange& y = b.ranges_[j];
    // Intervals in the total order; when they meet, both have one length.
    DidNumber lo = std::max(x.first, y.first);
    DidNumber hi = std::min(x.last, y.last);
    if (lo <= hi) out.ranges_.push_back({lo, hi});
    if (x.last < y.last)
      ++i;
    else
      ++j;
  }
  // Pieces are separated by the gaps of a and b, so they never touch.
  return out;
}

DidSet set_difference(const DidSet& a, const DidSet& b) {
  DidSet out;
  std::size_t j = 0;
  for (const DidRange& x : a.ranges_) {
    while (j < b.ranges_.size() && b.ranges_[j].last < x.first) ++j;
    DidNumber from = x.first;
    bool done = false;
    // Every b range met here overlaps x, so it has x's length and the +1/-1
    // below stay inside it.
    for (std::size_t k = j; k < b.ranges_.size() && b.ranges_[k].first <= x.last; ++k) {
      const DidRange& y = b.ranges_[k];
      if (from < y.first) out.ranges_.push_back({from, {y.first.length, y.first.value - 1}});
      if (x.last <= y.last) {
        done = true;
        break;
      }
      from = {y.last.length, y.last.value + 1};
    }
    if (!done) out.ranges_.push_back({from, x.last});
  }
  return out;
}

}  // namespace trunk::did
