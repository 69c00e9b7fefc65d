// DID pool text -> DidSet: one test per entry rule asserting the full
// diagnostic (position in the file, code, message, hint), the mapping of
// columns inside the string to the file, and property tests over random
// pools (fixed seed): printing and re-parsing is stable, and contains()
// agrees with expanding every entry by hand.
#include <doctest/doctest.h>

#include <random>
#include <set>
#include <string>

#include "did/pool.hpp"

using namespace trunk;
using did::DidSet;

namespace {

// The string's content starts at line 12, column 15 of site.toml.
const diag::StringPlace kPlace{"site.toml", 12, 15, true};

// Every diagnostic as "FILE:LINE:COL: severity[code] message", its hints
// and related place on indented lines.
std::string render(const diag::Sink& sink) {
  std::string out;
  for (const diag::Diagnostic& d : sink.all()) {
    out += d.where.to_string() + ": " + std::string(diag::to_string(d.severity)) + "[" +
           d.code + "] " + d.message + "\n";
    for (const std::string& h : d.hints) out += "  hint: " + h + "\n";
    if (d.related) out += "  " + d.related_label + ": " + d.related->to_string() + "\n";
  }
  return out;
}

struct Result {
  std::optional<DidSet> set;
  std::string diagnostics;
};

Result parse(std::string_view text, const diag::StringPlace& place = kPlace,
             std::string_view what = "did_pool") {
  diag::Sink sink;
  Result r;
  r.set = did::parse_pool(text, place, what, sink);
  r.diagnostics = render(sink);
  CHECK(r.set.has_value() == (sink.errors() == 0));
  return r;
}

DidSet pool(std::string_view text) {
  Result r = parse(text);
  REQUIRE_MESSAGE(r.set.has_value(), r.diagnostics);
  return *r.set;
}

}  // namespace

TEST_CASE("a valid pool becomes its set, printed canonically") {
  CHECK(pool("101; 203; 300-450").to_string() == "101; 203; 300-450");
  CHECK(pool("300-450;101;203;").to_string() == "101; 203; 300-450");
  CHECK(pool("282556000-282556900").count() == 901);
  CHECK(pool("0100; 100").to_string() == "100; 0100");
  CHECK(pool("101; 102; 103-199").to_string() == "101-199");
  CHECK(pool("0").to_string() == "0");
  CHECK(pool("999999999999999").count() == 1);
  CHECK(parse("101; 203").diagnostics.empty());
}

TEST_CASE("an empty or blank pool is the empty set") {
  CHECK(pool("").empty());
  CHECK(pool("  \n ").empty());
}

TEST_CASE("did-syntax: the grammar's error at its column in the file") {
  CHECK(parse("101; x").diagnostics ==
        "site.toml:12:20: error[did-syntax] did_pool: expected a number, found 'x'\n"
        "  hint: a pool lists numbers and first-last ranges separated by ';', "
        "e.g. \"101; 203; 300-450\"\n");
  CHECK(parse("300-").diagnostics ==
        "site.toml:12:19: error[did-syntax] did_pool: expected a number to end the range, "
        "found end of pool\n"
        "  hint: a pool lists numbers and first-last ranges separated by ';', "
        "e.g. \"101; 203; 300-450\"\n");
}

TEST_CASE("did-plus: an entry starting with '+' gets the entry without it") {
  CHECK(parse("101; +14155550100").diagnostics ==
        "site.toml:12:20: error[did-plus] did_pool: entry \"+14155550100\" starts with '+'\n"
        "  hint: write 14155550100: E.164 '+' and international prefixes are removed before "
        "numbers go into a pool\n");
  CHECK(parse("+1415-+1416").diagnostics ==
        "site.toml:12:15: error[did-plus] did_pool: entry \"+1415-+1416\" starts with '+'\n"
        "  hint: write 1415-1416: E.164 '+' and international prefixes are removed before "
        "numbers go into a pool\n");
  // Only the range's last number: that number is pointed at.
  CHECK(parse("300-+400").diagnostics ==
        "site.toml:12:19: error[did-plus] did_pool: entry \"300-+400\": \"+400\" starts with "
        "'+'\n"
        "  hint: write 300-400: E.164 '+' and international prefixes are removed before "
        "numbers go into a pool\n");
}

TEST_CASE("did-intl-prefix: an entry starting with 00 gets the entry without it") {
  CHECK(parse("0014155550100").diagnostics ==
        "site.toml:12:15: error[did-intl-prefix] did_pool: entry \"0014155550100\" starts "
        "with the international prefix 00\n"
        "  hint: write 14155550100: E.164 '+' and international prefixes are removed before "
        "numbers go into a pool\n");
  CHECK(parse("0012-0099").diagnostics ==
        "site.toml:12:15: error[did-intl-prefix] did_pool: entry \"0012-0099\" starts with "
        "the international prefix 00\n"
        "  hint: write 12-99: E.164 '+' and international prefixes are removed before "
        "numbers go into a pool\n");
  // Nothing would be left, or the ends would differ: no corrected entry.
  CHECK(parse("00").diagnostics ==
        "site.toml:12:15: error[did-intl-prefix] did_pool: entry \"00\" starts with the "
        "international prefix 00\n"
        "  hint: E.164 '+' and international prefixes are removed before numbers go into a "
        "pool\n");
  CHECK(parse("0099-0100").diagnostics ==
        "site.toml:12:15: error[did-intl-prefix] did_pool: entry \"0099-0100\" starts with "
        "the international prefix 00\n"
        "  hint: E.164 '+' and international prefixes are removed before numbers go into a "
        "pool\n");
  // A single leading zero is part of the number.
  CHECK(pool("0100").to_string() == "0100");
}

TEST_CASE("did-length: numbers have 1 to 15 digits") {
  CHECK(parse("101; 1234567890123456").diagnostics ==
        "site.toml:12:20: error[did-length] did_pool: entry \"1234567890123456\" has 16 "
        "digits; a number has 1 to 15 digits\n"
        "  hint: check for a typo, or a missing ';' between two numbers\n");
  CHECK(parse("100000000000000-1000000000000000").diagnostics ==
        "site.toml:12:31: error[did-length] did_pool: range "
        "\"100000000000000-1000000000000000\": 1000000000000000 has 16 digits; a number has "
        "1 to 15 digits\n"
        "  hint: check for a typo, or a missing ';' between two numbers\n");
  // A pasted blob of digits is shortened in the message.
  CHECK(parse(std::string(1000, '5')).diagnostics ==
        "site.toml:12:15: error[did-length] did_pool: entry \"55555555555555555555...\" has "
        "1000 digits; a number has 1 to 15 digits\n"
        "  hint: check for a typo, or a missing ';' between two numbers\n");
  CHECK(pool("123456789012345").count() == 1);
}

TEST_CASE("did-range-length: both ends of a range have the same number of digits") {
  CHECK(parse("100-2000").diagnostics ==
        "site.toml:12:15: error[did-range-length] did_pool: range \"100-2000\" mixes lengths: "
        "100 has 3 digits, 2000 has 4; both ends of a range have the same number of digits\n"
        "  hint: write 100-999; 1000-2000 to mean every number from 100 to 2000\n");
  CHECK(parse("7-10000").diagnostics ==
        "site.toml:12:15: error[did-range-length] did_pool: range \"7-10000\" mixes lengths: "
        "7 has 1 digits, 10000 has 5; both ends of a range have the same number of digits\n"
        "  hint: write 7-9; 10-99; 100-999; 1000-9999; 10000 to mean every number from 7 to "
        "10000\n");
  CHECK(parse("0100-200").diagnostics ==
        "site.toml:12:15: error[did-range-length] did_pool: range \"0100-200\" mixes lengths: "
        "0100 has 4 digits, 200 has 3; both ends of a range have the same number of digits\n"
        "  hint: write both ends with the same number of digits (\"0100\" and \"100\" are "
        "different numbers)\n");
}

TEST_CASE("did-range-order: a range runs from the smaller number to the larger") {
  CHECK(parse("101; 450 - 300").diagnostics ==
        "site.toml:12:20: error[did-range-order] did_pool: range \"450-300\" is reversed: 450 "
        "comes after 300\n"
        "  hint: write 300-450\n");
  CHECK(pool("300-300").to_string() == "300");
}

TEST_CASE("did-duplicate: a repeated entry is a warning naming both entries") {
  Result r = parse("101; 300-450; 101");
  REQUIRE(r.set.has_value());
  CHECK(r.set->to_string() == "101; 300-450");
  CHECK(r.diagnostics ==
        "site.toml:12:29: warning[did-duplicate] did_pool: entry \"101\" repeats entry \"101\"; "
        "already listed: 101\n"
        "  hint: remove this entry: the pool is the same without it\n"
        "  listed first here: site.toml:12:15\n");
}

TEST_CASE("did-duplicate: overlapping ranges name the shared numbers") {
  CHECK(parse("300-450; 400-500").diagnostics ==
        "site.toml:12:24: warning[did-duplicate] did_pool: entry \"400-500\" overlaps entry "
        "\"300-450\"; already listed: 400-450\n"
        "  hint: list each number once: shorten one of the entries\n"
        "  listed first here: site.toml:12:15\n");
  CHECK(parse("100-200; 150").diagnostics ==
        "site.toml:12:24: warning[did-duplicate] did_pool: entry \"150\" repeats numbers of "
        "entry \"100-200\"; already listed: 150\n"
        "  hint: remove this entry: the pool is the same without it\n"
        "  listed first here: site.toml:12:15\n");
  // Several earlier entries: the first is named, the others counted.
  CHECK(parse("150; 170; 190-210; 100-200").diagnostics ==
        "site.toml:12:34: warning[did-duplicate] did_pool: entry \"100-200\" overlaps entry "
        "\"150\" and 2 more entries; already listed: 150; 170; 190-200\n"
        "  hint: list each number once: shorten one of the entries\n"
        "  listed first here: site.toml:12:15\n");
  // Same value, different length: not a duplicate.
  CHECK(parse("100; 0100").diagnostics.empty());
}

TEST_CASE("did-duplicate: a pathological pool gets a bounded number of warnings") {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "7;";
  diag::Sink sink;
  auto set = did::parse_pool(text, kPlace, "did_pool", sink);
  REQUIRE(set.has_value());
  CHECK(set->to_string() == "7");
  REQUIRE(sink.all().size() == 21);
  CHECK(sink.all().back().message ==
        "did_pool: 479 more entries repeat numbers listed before them, starting with \"7\"");
  CHECK(sink.all().back().where.column == 15 + 2 * 21);
}

TEST_CASE("every entry gets its own error; errors mean no set") {
  Result r = parse("+1; 0012; 450-300; 101; 1-22");
  CHECK_FALSE(r.set.has_value());
  CHECK(r.diagnostics.find("12:15: error[did-plus]") != std::string::npos);
  CHECK(r.diagnostics.find("12:19: error[did-intl-prefix]") != std::string::npos);
  CHECK(r.diagnostics.find("12:25: error[did-range-order]") != std::string::npos);
  CHECK(r.diagnostics.find("12:39: error[did-range-length]") != std::string::npos);
  CHECK(r.diagnostics.find("101") == std::string::npos);
}

TEST_CASE("positions: unknown or inexact places, and no 'what'") {
  // The string has escapes: every column maps to the opening quote.
  diag::StringPlace inexact{"site.toml", 12, 14, false};
  CHECK(parse("101; +1", inexact).diagnostics.starts_with("site.toml:12:14: error[did-plus]"));
  // Command-line input: no file, no line.
  CHECK(parse("101; +1", diag::StringPlace{}, "--pool").diagnostics.starts_with(
      ": error[did-plus] --pool: entry \"+1\" starts with '+'"));
  CHECK(parse("+1", kPlace, "").diagnostics.starts_with(
      "site.toml:12:15: error[did-plus] entry \"+1\" starts with '+'"));
}

namespace {

// A random pool text over 1- to 3-digit numbers, entries well formed but
// free to overlap, with random spacing and an optional trailing ';'.
std::string random_pool(std::mt19937& rng) {
  std::uniform_int_distribution<int> count(0, 7), len(1, 3), width(0, 15), coin(0, 3);
  const char* spaces[] = {"", " ", "  ", "\n"};
  std::string text;
  for (int i = count(rng); i > 0; --i) {
    int length = len(rng);
    int top = length == 1 ? 9 : length == 2 ? 99 : 999;
    int a = std::uniform_int_distribution<int>(0, top)(rng);
    int b = std::min(top, a + width(rng));
    // One leading zero is part of the number ("050"); "00..." breaks a
    // rule, so those are moved up.
    if (length == 2 && a == 0) a = 1;
    if (length == 3 && a < 10) a += 10;
    b = std::max(a, b);
    auto digits = [&](int v) {
      std::string s = std::to_string(v);
      return std::string(static_cast<std::size_t>(length) - s.size(), '0') + s;
    };
    if (!text.empty()) text += std::string(spaces[coin(rng)]) + ";";
    text += spaces[coin(rng)] + digits(a);
    if (a != b || coin(rng) == 0) text += spaces[coin(rng)] + std::string("-") + digits(b);
  }
  if (!text.empty() && coin(rng) == 0) text += ";";
  return text;
}

}  // namespace

TEST_CASE("property: parse, print, parse again gives the same set and text") {
  std::mt19937 rng(424242);
  for (int round = 0; round < 1000; ++round) {
    std::string text = random_pool(rng);
    CAPTURE(text);
    Result first = parse(text);
    REQUIRE_MESSAGE(first.set.has_value(), first.diagnostics);
    std::string printed = first.set->to_string();
    Result second = parse(printed);
    REQUIRE(second.set.has_value());
    CHECK(second.diagnostics.empty());  // canonical text has no duplicates
    CHECK(*second.set == *first.set);
    CHECK(second.set->to_string() == printed);
  }
}

TEST_CASE("property: contains agrees with expanding every entry") {
  std::mt19937 rng(99);
  for (int round = 0; round < 300; ++round) {
    std::string text = random_pool(rng);
    CAPTURE(text);
    DidSet set = pool(text);
    // Expand the text by hand: split on ';', then on '-'.
    std::set<std::string> numbers;
    std::string clean;
    for (char c : text)
      if (c != ' ' && c != '\n') clean += c;
    std::size_t at = 0;
    while (at < clean.size()) {
      std::size_t semi = clean.find(';', at);
      if (semi == std::string::npos) semi = clean.size();
      std::string entry = clean.substr(at, semi - at);
      at = semi + 1;
      std::size_t dash = entry.find('-');
      std::string a = entry.substr(0, dash), b = dash == std::string::npos ? a : entry.substr(dash + 1);
      for (int v = std::stoi(a); v <= std::stoi(b); ++v) {
        std::string s = std::to_string(v);
        numbers.insert(std::string(a.size() - s.size(), '0') + s);
      }
    }
    CHECK(set.count() == numbers.size());
    for (int length = 1; length <= 3; ++length) {
      int top = length == 1 ? 9 : length == 2 ? 99 : 999;
      for (int v = 0; v <= top; ++v) {
        std::string s = std::to_string(v);
        s = std::string(static_cast<std::size_t>(length) - s.size(), '0') + s;
        if (set.contains(s) != (numbers.count(s) == 1)) {
          FAIL_CHECK("contains(" << s << ") disagrees");
          break;
        }
      }
    }
  }
}
