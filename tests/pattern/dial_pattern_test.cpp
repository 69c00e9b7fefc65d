// Dial patterns: grammar input/expected pairs, semantic rules, and the set
// relations checked against brute force over small alphabets of numbers.
#include <doctest/doctest.h>

#include <random>

#include "diag/render.hpp"
#include "pattern/dial_pattern.hpp"

using namespace trunk;
using pattern::DialPattern;

namespace {

DialPattern P(std::string_view text) {
  diag::Sink sink;
  auto p = pattern::parse_pattern(text, {}, "pattern", sink);
  REQUIRE_MESSAGE(p.has_value(), diag::render_text(sink, nullptr));
  return *p;
}

// "col N: message" of the first error, or "ok".
std::string error_of(std::string_view text) {
  diag::Sink sink;
  diag::StringPlace place{"f.toml", 3, 10, true};
  auto p = pattern::parse_pattern(text, place, "match", sink);
  if (p) return "ok";
  const auto& d = sink.all().front();
  return d.where.to_string() + ": [" + d.code + "] " + d.message;
}

}  // namespace

TEST_CASE("grammar: accepted patterns print canonically") {
  const std::pair<const char*, const char*> cases[] = {
      {"911", "911"},
      {"+4415", "+4415"},
      {"*72#", "*72#"},
      {"_1NXXNXXXXXX", "_1NXXNXXXXXX"},
      {"_011.", "_011."},
      {"_x!", "_X!"},
      {"_[1-5,7]!", "_[1-5,7]!"},
      {"_[13-5]", "_[1,3-5]"},
      {"_[0-9]", "_X"},
      {"_[2-9]", "_N"},
      {"_[1-9]Z", "_ZZ"},
      {"_[*#]", "_[*,#]"},
      {"_0086[1][3-9]XXXXXXXXX", "_00861[3-9]XXXXXXXXX"},
      {"_12", "12"},
  };
  for (auto [in, want] : cases) {
    CAPTURE(in);
    CHECK(pattern::to_string(P(in)) == want);
  }
}

TEST_CASE("grammar: errors give the column inside the string and in the file") {
  const std::pair<const char*, const char*> cases[] = {
      {"", "f.toml:3:10: [pattern-syntax] match \"\": empty pattern: expected a number, or '_' "
           "and a pattern"},
      {"_", "f.toml:3:11: [pattern-syntax] match \"_\": expected a digit, *, #, +, X, Z, N, a "
            "[class], '.' or '!', found the end"},
      {"_[]", "f.toml:3:12: [pattern-syntax] match \"_[]\": empty class: put at least one "
              "symbol between [ and ]"},
      {"_[5-1]", "f.toml:3:12: [pattern-syntax] match \"_[5-1]\": range 5-1 is reversed; "
                 "write 1-5"},
      {"_1[2", "f.toml:3:14: [pattern-syntax] match \"_1[2\": expected ']' to close the class, "
               "found the end"},
      {"_[1-a]", "f.toml:3:14: [pattern-syntax] match \"_[1-a]\": expected a dial symbol "
                 "(0-9, *, #, +) to end the range, found 'a'"},
      {"12X", "f.toml:3:12: [pattern-syntax] match \"12X\": unexpected 'X': a number without "
              "'_' has only digits, *, # and +; start the pattern with '_' to use X, Z, N, "
              "classes and wildcards"},
      {"_1?2", "f.toml:3:12: [pattern-syntax] match \"_1?2\": expected the end of the pattern, "
               "found '?'"},
      {"abc", "f.toml:3:10: [pattern-syntax] match \"abc\": unexpected 'a': a number without "
              "'_' has only digits, *, # and +"},
      {"_1.2", "f.toml:3:12: [pattern-wildcard] match \"_1.2\": '.' must be the last "
               "character of a pattern"},
      {"_!1", "f.toml:3:11: [pattern-wildcard] match \"_!1\": '!' must be the last character "
              "of a pattern"},
  };
  for (auto [in, want] : cases) {
    CAPTURE(in);
    CHECK(error_of(in) == want);
  }
  CHECK(error_of(std::string(33, '1')).find("[pattern-length]") != std::string::npos);
  CHECK(error_of(std::string(32, '1')) == "ok");
}

TEST_CASE("matches follows the spec's symbols") {
  CHECK(P("_1NXX").matches("1200"));
  CHECK_FALSE(P("_1NXX").matches("1100"));
  CHECK_FALSE(P("_1NXX").matches("12000"));
  CHECK(P("_011.").matches("0114"));
  CHECK_FALSE(P("_011.").matches("011"));
  CHECK(P("_011!").matches("011"));
  CHECK(P("_X.").matches("1*#+"));
  CHECK_FALSE(P("_X.").matches("*1"));
  CHECK(P("+44").matches("+44"));
  CHECK_FALSE(P("_X!").matches("1a"));
}

TEST_CASE("set relations agree with brute force over all short numbers") {
  // Alphabet {0,1,*} keeps brute force small while exercising classes.
  const std::vector<std::string> texts = {
      "_X",  "_0",   "_1",   "_[01]", "_*",   "_X.",  "_X!",  "_0.",  "_0!",  "_01",
      "_0X", "_X1",  "_XX",  "_XX.",  "_1!",  "_[0*]!", "_0[1*]", "_00!", "_1X.", "_*!"};
  std::vector<std::string> numbers;
  const char alphabet[] = {'0', '1', '*'};
  for (int len = 0; len <= 5; ++len) {
    int total = 1;
    for (int i = 0; i < len; ++i) total *= 3;
    for (int k = 0; k < total; ++k) {
      std::string n;
      for (int i = 0, v = k; i < len; ++i, v /= 3) n += alphabet[v % 3];
      numbers.push_back(n);
    }
  }
  // Patterns whose numbers differ only beyond length 5 with this alphabet
  // would fool brute force; none of these do (their fixed parts are <= 3).
  for (const auto& ta : texts) {
    for (const auto& tb : texts) {
      CAPTURE(ta);
      CAPTURE(tb);
      DialPattern a = P(ta), b = P(tb);
      bool any = false, all = true;
      for (const auto& n : numbers) {
        bool ma = a.matches(n), mb = b.matches(n);
        any = any || (ma && mb);
        if (ma && !mb) all = false;
      }
      // Restricted to {0,1,*}, X covers less than it does; check only what
      // the restriction cannot fake: intersection is exact on witnesses.
      CHECK(pattern::intersects(a, b) == any);
      if (any) {
        std::string w = pattern::witness(a, b);
        CHECK(a.matches(w));
        CHECK(b.matches(w));
      }
      if (pattern::is_subset(a, b)) CHECK(all);
    }
  }
}

TEST_CASE("subset: classes, lengths and tails") {
  CHECK(pattern::is_subset(P("_12XX"), P("_1XXX")));
  CHECK_FALSE(pattern::is_subset(P("_1XXX"), P("_12XX")));
  CHECK(pattern::is_subset(P("_1NXXNXXXXXX"), P("_1.")));
  CHECK(pattern::is_subset(P("_1."), P("_X.")));
  CHECK(pattern::is_subset(P("_1."), P("_!")));
  CHECK_FALSE(pattern::is_subset(P("_1!"), P("_1.")));  // "1" itself
  CHECK(pattern::is_subset(P("_1."), P("_1!")));
  CHECK_FALSE(pattern::is_subset(P("_X."), P("_XX.")));
  CHECK(pattern::is_subset(P("_XX."), P("_X.")));
  CHECK_FALSE(pattern::is_subset(P("_X."), P("_X[0-9]!")));  // "1*" is not in the right
  CHECK(pattern::is_subset(P("911"), P("_9XX")));
  CHECK(pattern::is_subset(P("_[1-3]"), P("_[1-5,7]")));
  CHECK_FALSE(pattern::is_subset(P("_[1-3,8]"), P("_[1-5,7]")));
}

TEST_CASE("witness: a number both match, or none") {
  CHECK(pattern::witness(P("_1NXX"), P("_X2X.")) == "1200");
  CHECK(pattern::witness(P("_1NXX"), P("_X2XX.")) == "");  // lengths 4 vs >= 5
  CHECK(pattern::witness(P("_1NXX"), P("_X2X!")) == "1200");
  CHECK(pattern::witness(P("_13."), P("_1X3XX")) == "13300");
  CHECK(pattern::witness(P("911"), P("_X.")) == "911");
  CHECK(pattern::witness(P("_2X"), P("_3X")) == "");
}
