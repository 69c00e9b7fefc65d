// The nesting cap (site/nesting.hpp): each way of nesting (dotted keys,
// table headers, inline tables, arrays, and their sums) is refused one level
// past the cap at the exact place, without toml++ recursing into it; what
// strings and comments hold is not counted; real sites pass.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "site/nesting.hpp"
#include "support/site_fixture.hpp"

namespace site = trunk::site;
using trunk::test::load_only;

namespace {

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// "LINE:COL" of the first place too deep, or "" when none.
std::string too_deep(const std::string& text, std::uint32_t cap = site::kMaxNesting) {
  auto at = site::find_too_deep(text, cap);
  return at ? std::to_string(at->line) + ":" + std::to_string(at->column) : "";
}

}  // namespace

TEST_CASE("nesting-depth: a dotted key one segment past the cap") {
  // 64 segments pass; the 65th is refused at its dot.
  CHECK(too_deep("a" + repeat(".a", 63) + " = 1\n") == "");
  CHECK(too_deep("a" + repeat(".a", 64) + " = 1\n") == "1:128");
}

TEST_CASE("nesting-depth: the loader refuses 35,000 levels with a diagnostic") {
  // Each of these overflowed the stack inside toml++.
  const std::string deep[] = {
      "a" + repeat(".a", 35000) + " = 1\n",
      "[" + std::string("a") + repeat(".a", 35000) + "]\n",
      "[[a" + repeat(".a", 35000) + "]]\n",
      "a = " + repeat("{b=", 35000) + "1" + repeat("}", 35000) + "\n",
      "a = " + repeat("[", 35000) + repeat("]", 35000) + "\n",
      "a = " + repeat("{b.c.d.e.f.g.h = [", 5000) + "\n",
  };
  for (const auto& text : deep) {
    auto c = load_only(text);
    REQUIRE(c.sink.all().size() == 1);
    CHECK(c.sink.all()[0].code == "nesting-depth");
    CHECK(c.sink.all()[0].where.line == 1);
  }
  auto c = load_only("\n\na" + repeat(".a", 70) + " = 1\n");
  CHECK(c.text() ==
        "site.toml:3:128: error[nesting-depth]: keys and values nest more than 64 levels deep "
        "here\n"
        "  hint: a site nests a few levels ([trunk.auth], dotted keys, inline tables and "
        "arrays); nothing else in this file was checked\n");
}

TEST_CASE("nesting-depth: a header's depth adds to its keys' and their values'") {
  CHECK(too_deep("[a.b.c]\nd.e = 1\n", 5) == "");
  CHECK(too_deep("[a.b.c]\nd.e.f = 1\n", 5) == "2:4");
  CHECK(too_deep("[[a.b]]\nc = [[1]]\n", 5) == "2:6");  // array of tables: one more
  CHECK(too_deep("[[a.b]]\nc = [1]\n", 5) == "");
  CHECK(too_deep("x = { a = { b = { c = 1 } } }\n", 4) == "");
  CHECK(too_deep("x = { a = { b = { c.d = 1 } } }\n", 4) == "1:20");
  CHECK(too_deep("x = [ [ [ 1 ] ], [ [ 2 ] ] ]\n", 4) == "");
  CHECK(too_deep("x = [ [ [ 1 ] ], [ [ [ 2 ] ] ] ]\n", 4) == "1:22");
  // A new header starts over.
  CHECK(too_deep("[a.b.c.d]\n[e]\nf.g.h = 1\n", 4) == "");
}

TEST_CASE("nesting-depth: strings and comments are not counted") {
  const std::string brackets = repeat("[{.", 100);
  CHECK(too_deep("a = \"" + brackets + "\"\n") == "");
  CHECK(too_deep("a = '" + brackets + "'\n") == "");
  CHECK(too_deep("a = \"\"\"\n" + brackets + "\n\"\"\"\nb = 1\n") == "");
  CHECK(too_deep("a = '''" + brackets + "\n" + brackets + "'''\n") == "");
  CHECK(too_deep("a = \"x\\\"" + brackets + "\"\n") == "");  // an escaped quote
  CHECK(too_deep("a = \"\"\"x\"\"\"\"\"\nb = \"" + brackets + "\"\n") == "");  // """x"""""
  CHECK(too_deep("# " + brackets + "\na = 1 # " + brackets + "\n") == "");
  CHECK(too_deep("\"" + brackets + "\" = 1\n") == "");  // a quoted key is one segment
  CHECK(too_deep("[\"" + brackets + "\"]\n") == "");
  // After a string the scan goes on: positions count lines inside it.
  CHECK(too_deep("a = \"\"\"\n\n\"\"\"\nb" + repeat(".b", 64) + " = 1\n") == "4:128");
}

TEST_CASE("nesting-depth: columns are code points, as toml++ counts them") {
  CHECK(too_deep("\"\xc3\xa9\".a.a = 1\n", 2) == "1:6");
}

TEST_CASE("nesting-depth: the example sites pass") {
  for (const auto& dir : {"examples/site", "examples/broken"}) {
    for (const auto& e :
         std::filesystem::directory_iterator(std::filesystem::path(TRUNK_SOURCE_DIR) / dir)) {
      if (e.path().extension() != ".toml") continue;
      std::ifstream in(e.path());
      std::stringstream ss;
      ss << in.rdbuf();
      CAPTURE(e.path().string());
      CHECK(too_deep(ss.str()) == "");
    }
  }
}
