// DidNumber, DidRange and DidSet: one test per rule of the set type, then
// property tests that compare the set algebra with std::set over the
// expanded numbers of small random sets (fixed seed, so failures repeat).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <utility>

#include "did/number_set.hpp"

extern std::size_t g_allocations;

using namespace trunk::did;

namespace {

DidNumber N(std::string_view digits) {
  auto n = parse_number(digits);
  REQUIRE_MESSAGE(n.has_value(), digits);
  return *n;
}

DidRange R(std::string_view first, std::string_view last) {
  auto r = make_range(N(first), N(last));
  REQUIRE(r.has_value());
  return *r;
}

DidSet S(std::initializer_list<std::pair<const char*, const char*>> ranges) {
  DidSet s;
  for (auto [a, b] : ranges) s.insert(R(a, b));
  return s;
}

using Expanded = std::set<DidNumber>;

Expanded expand(const DidSet& s) {
  Expanded out;
  for (const DidRange& r : s.ranges())
    for (std::uint64_t v = r.first.value; v <= r.last.value; ++v)
      out.insert({r.first.length, v});
  return out;
}

// A set of up to 6 ranges over numbers of 1 to 3 digits, small enough to
// expand.
DidSet random_set(std::mt19937& rng) {
  std::uniform_int_distribution<int> count(0, 6), len(1, 3), width(0, 12);
  DidSet s;
  for (int i = count(rng); i > 0; --i) {
    auto length = static_cast<std::uint8_t>(len(rng));
    std::uint64_t top = length == 1 ? 9 : length == 2 ? 99 : 999;
    std::uniform_int_distribution<std::uint64_t> start(0, top);
    std::uint64_t a = start(rng);
    std::uint64_t b = std::min<std::uint64_t>(top, a + static_cast<std::uint64_t>(width(rng)));
    s.insert({{length, a}, {length, b}});
  }
  return s;
}

// The invariant every DidSet keeps: sorted, valid, disjoint, and no two
// same-length neighbours touching.
bool well_formed(const DidSet& s) {
  auto r = s.ranges();
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (!r[i].valid()) return false;
    if (i == 0) continue;
    if (!(r[i - 1].last < r[i].first)) return false;
    if (r[i - 1].last.length == r[i].first.length &&
        r[i - 1].last.value + 1 == r[i].first.value)
      return false;
  }
  return true;
}

}  // namespace

TEST_CASE("parse_number: 1 to 15 ASCII digits, leading zeros kept as length") {
  CHECK(parse_number("0") == DidNumber{1, 0});
  CHECK(parse_number("0100") == DidNumber{4, 100});
  CHECK(parse_number("100") == DidNumber{3, 100});
  CHECK(parse_number("999999999999999") == DidNumber{15, 999999999999999});
  CHECK_FALSE(parse_number(""));
  CHECK_FALSE(parse_number("1000000000000000"));  // 16 digits
  CHECK_FALSE(parse_number("+1"));
  CHECK_FALSE(parse_number("1 2"));
  CHECK_FALSE(parse_number("12a"));
  CHECK_FALSE(parse_number("\xd9\xa1"));  // ARABIC-INDIC DIGIT ONE is not a digit here
}

TEST_CASE("make_number and make_range check their invariants") {
  CHECK(make_number(3, 999) == DidNumber{3, 999});
  CHECK_FALSE(make_number(3, 1000));
  CHECK_FALSE(make_number(0, 0));
  CHECK_FALSE(make_number(16, 0));
  CHECK(make_range(N("300"), N("450")).has_value());
  CHECK(make_range(N("300"), N("300")).has_value());
  CHECK_FALSE(make_range(N("450"), N("300")));   // reversed
  CHECK_FALSE(make_range(N("100"), N("1000")));  // lengths differ
}

TEST_CASE("numbers order by length, then value; 0100 and 100 differ") {
  CHECK(N("100") != N("0100"));
  CHECK(N("999") < N("0100"));
  CHECK(N("0100") < N("0101"));
  CHECK(to_string(N("0100")) == "0100");
  CHECK(to_string(N("000")) == "000");
  CHECK(to_string(R("0300", "0450")) == "0300-0450");
  CHECK(to_string(R("7", "7")) == "7");
}

TEST_CASE("insert keeps ranges sorted, disjoint and coalesced") {
  DidSet s;
  s.insert(R("300", "450"));
  s.insert(R("101", "101"));
  s.insert(R("203", "203"));
  CHECK(s.to_string() == "101; 203; 300-450");
  s.insert(R("451", "460"));  // adjacent: merges
  CHECK(s.to_string() == "101; 203; 300-460");
  s.insert(R("102", "202"));  // bridges two ranges
  CHECK(s.to_string() == "101-203; 300-460");
  s.insert(R("150", "350"));  // overlaps both
  CHECK(s.to_string() == "101-460");
  s.insert(R("0461", "0470"));  // adjacent by value, not by length: stays apart
  s.insert(R("461", "461"));
  CHECK(s.to_string() == "101-461; 0461-0470");
  CHECK(s.ranges().size() == 2);
  CHECK(well_formed(s));
}

TEST_CASE("ranges of different lengths never merge") {
  DidSet s = S({{"99", "99"}, {"100", "100"}, {"9", "9"}});
  CHECK(s.to_string() == "9; 99; 100");
  CHECK(s.ranges().size() == 3);
}

TEST_CASE("the vector constructor accepts ranges in any order, overlapping") {
  DidSet s({R("300", "450"), R("101", "101"), R("400", "500"), R("102", "102"), R("0100", "0100")});
  CHECK(s.to_string() == "101-102; 300-500; 0100");
  CHECK(s == S({{"101", "102"}, {"300", "500"}, {"0100", "0100"}}));
  // Invalid ranges are ignored (the precondition is valid ranges).
  DidSet bad({DidRange{{3, 450}, {3, 300}}, DidRange{{3, 1}, {4, 1}}});
  CHECK(bad.empty());
}

TEST_CASE("contains(number) and contains(digits)") {
  DidSet s = S({{"101", "101"}, {"300", "450"}, {"0100", "0100"}});
  CHECK(s.contains(N("101")));
  CHECK(s.contains(N("300")));
  CHECK(s.contains(N("375")));
  CHECK(s.contains(N("450")));
  CHECK_FALSE(s.contains(N("451")));
  CHECK_FALSE(s.contains(N("100")));
  CHECK(s.contains(N("0100")));
  CHECK_FALSE(s.contains(N("0101")));
  CHECK(s.contains("375"));
  CHECK_FALSE(s.contains("0375"));
  CHECK_FALSE(s.contains("+375"));
  CHECK_FALSE(s.contains(""));
  CHECK_FALSE(DidSet{}.contains("1"));
}

TEST_CASE("contains does not allocate") {
  DidSet s = S({{"101", "101"}, {"300", "450"}, {"10000000", "99999999"}});
  std::size_t before = g_allocations;
  bool a = s.contains("12345678");
  bool b = s.contains(N("0450"));
  bool c = s.contains("this is not a number at all, and it is long");
  CHECK(g_allocations == before);
  CHECK(a);
  CHECK_FALSE(b);
  CHECK_FALSE(c);
}

TEST_CASE("contains(set) is the subset relation") {
  DidSet big = S({{"100", "500"}, {"0100", "0199"}});
  CHECK(big.contains(S({{"101", "101"}, {"300", "450"}})));
  CHECK(big.contains(S({{"100", "500"}})));
  CHECK(big.contains(DidSet{}));
  CHECK(DidSet{}.contains(DidSet{}));
  CHECK_FALSE(big.contains(S({{"450", "501"}})));
  CHECK_FALSE(big.contains(S({{"0200", "0200"}})));
  CHECK_FALSE(big.contains(S({{"99", "99"}})));
  CHECK_FALSE(DidSet{}.contains(S({{"1", "1"}})));
}

TEST_CASE("count is the number of numbers, whatever the range sizes") {
  CHECK(DidSet{}.count() == 0);
  CHECK(S({{"101", "101"}, {"300", "450"}}).count() == 152);
  CHECK(S({{"10000000", "99999999"}}).count() == 90000000);
  CHECK(S({{"000000000000000", "999999999999999"}}).count() == 1000000000000000ull);
}

TEST_CASE("set algebra on a large range costs like one range") {
  DidSet big = S({{"10000000", "99999999"}});
  DidSet hole = S({{"50000000", "50000000"}});
  DidSet diff = set_difference(big, hole);
  CHECK(diff.to_string() == "10000000-49999999; 50000001-99999999");
  CHECK(diff.count() == 89999999);
  CHECK(set_union(diff, hole) == big);
  CHECK(set_intersection(diff, hole).empty());
  CHECK(set_intersection(big, hole) == hole);
}

TEST_CASE("to_string prints the canonical pool form, optionally shortened") {
  DidSet s = S({{"101", "101"}, {"203", "203"}, {"300", "450"}});
  CHECK(s.to_string() == "101; 203; 300-450");
  CHECK(s.to_string(2) == "101; 203 and 1 more");
  CHECK(s.to_string(0) == "3 more");
  CHECK(DidSet{}.to_string() == "");
  CHECK(S({{"0001", "0001"}}).to_string() == "0001");
}

TEST_CASE("property: union, intersection and difference agree with std::set") {
  std::mt19937 rng(20240611);
  for (int round = 0; round < 500; ++round) {
    DidSet a = random_set(rng), b = random_set(rng);
    Expanded ea = expand(a), eb = expand(b);
    CAPTURE(a.to_string());
    CAPTURE(b.to_string());
    Expanded u = ea, i, d;
    u.insert(eb.begin(), eb.end());
    for (DidNumber n : ea) (eb.count(n) ? i : d).insert(n);

    DidSet su = set_union(a, b), si = set_intersection(a, b), sd = set_difference(a, b);
    REQUIRE(well_formed(su));
    REQUIRE(well_formed(si));
    REQUIRE(well_formed(sd));
    CHECK(expand(su) == u);
    CHECK(expand(si) == i);
    CHECK(expand(sd) == d);
    CHECK(su.count() == u.size());
    CHECK(si.count() == i.size());
    CHECK(sd.count() == d.size());
    // Equal sets are equal values: the representation is canonical.
    DidSet rebuilt;
    for (DidNumber n : u) rebuilt.insert({n, n});
    CHECK(rebuilt == su);
    CHECK(a.contains(b) == std::includes(ea.begin(), ea.end(), eb.begin(), eb.end()));
    CHECK(su.contains(a));
    CHECK(a.contains(si));
  }
}

TEST_CASE("property: contains agrees with the expanded set") {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    DidSet s = random_set(rng);
    Expanded e = expand(s);
    CAPTURE(s.to_string());
    for (std::uint8_t length = 1; length <= 3; ++length) {
      std::uint64_t top = length == 1 ? 9 : length == 2 ? 99 : 999;
      for (std::uint64_t v = 0; v <= top; ++v) {
        DidNumber n{length, v};
        if (s.contains(n) != (e.count(n) == 1)) {
          FAIL_CHECK("contains(" << to_string(n) << ") disagrees");
          break;
        }
      }
    }
  }
}
