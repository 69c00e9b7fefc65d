// DID numbers, ranges and sets: the values every pool, overlap check and
// inbound rule is computed with. A number is its digits as dialled: a length
// (1 to 15) and a value, so "0100" and "100" are different numbers; numbers
// order by length, then value. A DidSet is a sorted list of disjoint ranges,
// each within one length, with neighbours of the same length merged, so two
// sets holding the same numbers compare equal and print the same. Every
// operation costs time in the number of ranges, never in the count of
// numbers: 10000000-99999999 costs what one number costs. Parsing pool text
// is not here (did/pool.hpp); this header only reads single numbers.
//
// Value types; a const DidSet may be read from many threads at once. Lookups
// (contains) do not allocate.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::did {

constexpr std::uint8_t kMaxDigits = 15;  // E.164: at most 15 digits

// 1 to kMaxDigits digits; value < 10^length. Construct with parse_number or
// make_number so the invariant holds.
struct DidNumber {
  std::uint8_t length = 0;
  std::uint64_t value = 0;
  // Member order makes the defaulted comparison (length, value).
  friend auto operator<=>(const DidNumber&, const DidNumber&) = default;
};

// `digits` as a number: exactly 1 to 15 ASCII digits, nothing else (no '+',
// no spaces). nullopt for anything else. Does not allocate.
std::optional<DidNumber> parse_number(std::string_view digits);
// The number of `length` digits with `value`; nullopt unless 1 <= length <=
// 15 and value < 10^length.
std::optional<DidNumber> make_number(std::uint8_t length, std::uint64_t value);
// The digits, zero-padded to the number's length: {4, 100} -> "0100".
std::string to_string(DidNumber n);

// Every number from `first` to `last`. Valid when both have the same length
// and first <= last; make_range checks that.
struct DidRange {
  DidNumber first;
  DidNumber last;

  bool valid() const {
    return first.length == last.length && first.length >= 1 && first.value <= last.value;
  }
  std::uint64_t count() const { return last.value - first.value + 1; }
  bool contains(DidNumber n) const { return first <= n && n <= last; }
  friend auto operator<=>(const DidRange&, const DidRange&) = default;
};

std::optional<DidRange> make_range(DidNumber first, DidNumber last);
// "300-450", or "101" for a range of one number.
std::string to_string(const DidRange& r);

class DidSet {
 public:
  DidSet() = default;
  explicit DidSet(DidRange r) { insert(r); }
  // The union of `ranges`, in any order, overlapping or not. O(n log n).
  explicit DidSet(std::vector<DidRange> ranges);

  // Adds the numbers of `r`. O(ranges) worst case (a vector insert); build
  // large sets with the vector constructor or set_union instead.
  // Precondition: r.valid(); an invalid range is ignored.
  void insert(DidRange r);

  bool empty() const { return ranges_.empty(); }
  // How many numbers: at most about 1.1e15, so it always fits.
  std::uint64_t count() const;
  // The ranges in order: sorted, disjoint, same-length neighbours merged.
  std::span<const DidRange> ranges() const { return ranges_; }

  // O(log ranges), no allocation.
  bool contains(DidNumber n) const;
  // False when `digits` is not a number (see parse_number).
  bool contains(std::string_view digits) const;
  // Whether every number of `other` is in this set. O(ranges + other's).
  bool contains(const DidSet& other) const;

  // Canonical text, the pool syntax: "101; 203; 300-450"; "" when empty.
  // Parsing it back gives an equal set.
  std::string to_string() const;
  // The same, listing at most `max_ranges` ranges, then " and N more"; for
  // messages about sets that may be large.
  std::string to_string(std::size_t max_ranges) const;

  friend bool operator==(const DidSet&, const DidSet&) = default;

 private:
  friend DidSet set_union(const DidSet&, const DidSet&);
  friend DidSet set_intersection(const DidSet&, const DidSet&);
  friend DidSet set_difference(const DidSet&, const DidSet&);
  // Sorts ranges_ by first number and merges overlapping and adjacent ones.
  void normalize();

  std::vector<DidRange> ranges_;
};

// Set algebra in O(ranges of a + ranges of b); the results own their ranges.
DidSet set_union(const DidSet& a, const DidSet& b);
DidSet set_intersection(const DidSet& a, const DidSet& b);
// The numbers of `a` that are not in `b`.
DidSet set_difference(const DidSet& a, const DidSet& b);

}  // namespace trunk::did
