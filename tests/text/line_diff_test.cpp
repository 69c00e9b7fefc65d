// The line diff: shortest scripts, the unified format of `diff -u` (ranges,
// context, merged hunks, a missing final newline).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "text/line_diff.hpp"

using namespace trunk::text;

namespace {

// Applies a unified diff to `a`: what `patch` would do, for checking that
// what is printed is what was meant.
std::string apply(const std::string& a, const std::string& diff) {
  auto la = split_lines(a);
  auto ld = split_lines(diff);
  std::string out;
  std::size_t next = 0;  // next line of a not yet copied
  for (std::size_t i = 2; i < ld.size(); ++i) {
    std::string_view l = ld[i];
    if (l.substr(0, 3) == "@@ ") {
      std::size_t start = std::stoul(std::string(l.substr(4)));
      bool empty = l.find(",0 ") != std::string_view::npos &&
                   l.find(",0 ") < l.find('+');
      std::size_t upto = empty ? start : start - 1;
      for (; next < upto; ++next) out += la[next];
      continue;
    }
    if (l.substr(0, 1) == "\\") {
      if (!out.empty() && out.back() == '\n') out.pop_back();
      continue;
    }
    if (l[0] == ' ' || l[0] == '-') ++next;
    if (l[0] == ' ' || l[0] == '+') out += l.substr(1);
  }
  for (; next < la.size(); ++next) out += la[next];
  return out;
}

}  // namespace

TEST_CASE("split_lines keeps line endings; a last line may have none") {
  auto l = split_lines("a\nb\nc");
  REQUIRE(l.size() == 3);
  CHECK(l[0] == "a\n");
  CHECK(l[2] == "c");
  CHECK(split_lines("").empty());
  CHECK(split_lines("\n").size() == 1);
}

TEST_CASE("diff_lines finds a shortest script, removals before insertions") {
  std::vector<std::string_view> a = {"a\n", "b\n", "c\n"};
  std::vector<std::string_view> b = {"a\n", "x\n", "c\n", "d\n"};
  auto s = diff_lines(a, b);
  std::vector<LineEdit> want = {{Op::keep, 0, 0},   {Op::remove, 1, 1}, {Op::insert, 2, 1},
                                {Op::keep, 2, 2},   {Op::insert, 3, 3}};
  CHECK(s == want);
}

TEST_CASE("unified_diff of equal texts is empty") {
  CHECK(unified_diff("a/x", "b/x", "same\n", "same\n") == "");
}

TEST_CASE("unified_diff prints three lines of context and diff -u's ranges") {
  std::string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
  std::string b = "1\n2\n3\n4\n5\nsix\n7\n8\n9\n10\n";
  CHECK(unified_diff("a/f", "b/f", a, b) ==
        "--- a/f\n+++ b/f\n@@ -3,7 +3,7 @@\n 3\n 4\n 5\n-6\n+six\n 7\n 8\n 9\n");
}

TEST_CASE("unified_diff: an insertion at the start and one at the end") {
  CHECK(unified_diff("a", "b", "x\n", "new\nx\n") == "--- a\n+++ b\n@@ -1 +1,2 @@\n+new\n x\n");
  CHECK(unified_diff("a", "b", "", "new\n") == "--- a\n+++ b\n@@ -0,0 +1 @@\n+new\n");
  CHECK(unified_diff("a", "b", "x\n", "") == "--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n");
}

TEST_CASE("unified_diff merges hunks whose context touches, splits the others") {
  std::string a, near, far;
  for (int i = 1; i <= 20; ++i) a += std::to_string(i) + "\n";
  near = a;
  near.replace(near.find("3\n"), 2, "three\n");
  near.replace(near.find("\n9\n") + 1, 2, "nine\n");
  CHECK(unified_diff("a", "b", a, near) ==
        "--- a\n+++ b\n@@ -1,12 +1,12 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n 7\n 8\n-9\n+nine\n"
        " 10\n 11\n 12\n");
  far = a;
  far.replace(far.find("2\n"), 2, "two\n");
  far.replace(far.find("\n19\n") + 1, 3, "nineteen\n");
  CHECK(unified_diff("a", "b", a, far) ==
        "--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"
        "@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n");
}

TEST_CASE("unified_diff marks a missing final newline") {
  CHECK(unified_diff("a", "b", "x\ny", "x\ny\n") ==
        "--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n");
}

TEST_CASE("applying the diff gives the new text") {
  std::string a = "# site\n[[trunk]]\nname = \"A\"\nport = 5060\n\n[[trunk]]\nname = \"B\"\n";
  std::string b = "# site\n[[trunk]]\nname = \"A\"\nport = 5080\n\n[[trunk]]\nname = \"B\"\n"
                  "\n[[trunk]]\nname = \"C\"\n";
  CHECK(apply(a, unified_diff("a", "b", a, b)) == b);
  CHECK(apply(b, unified_diff("b", "a", b, a)) == a);
  std::string c = "only\n";
  CHECK(apply(a, unified_diff("a", "c", a, c)) == c);
}

TEST_CASE("diff_lines on texts with no line in common, and far-apart changes") {
  std::string a, b;
  for (int i = 0; i < 300; ++i) {
    a += "a" + std::to_string(i) + "\n";
    b += "b" + std::to_string(i) + "\n";
  }
  auto la = split_lines(a), lb = split_lines(b);
  auto s = diff_lines(la, lb);
  CHECK(s.size() == 600);
  CHECK(std::count_if(s.begin(), s.end(), [](const LineEdit& e) { return e.op == Op::remove; }) == 300);
  CHECK(apply(a, unified_diff("a", "b", a, b)) == b);
  std::string c = a;
  c.replace(0, 3, "x0\n");
  c.replace(c.rfind("a299"), 4, "x299");
  CHECK(apply(a, unified_diff("a", "c", a, c)) == c);
}

TEST_CASE("diff_name quotes names patch and git apply would misread, as git does") {
  CHECK(diff_name("a/site/10-trunks.toml") == "a/site/10-trunks.toml");
  CHECK(diff_name("a/my site/x.toml") == "\"a/my site/x.toml\"");
  CHECK(diff_name("a/\"q\"\\b\t.toml") == "\"a/\\\"q\\\"\\\\b\\t.toml\"");
  CHECK(diff_name("a/s\xc3\xa9te/\x7f.toml") == "\"a/s\\303\\251te/\\177.toml\"");
  CHECK(unified_diff("a/my site", "b/my site", "x\n", "y\n") ==
        "--- \"a/my site\"\n+++ \"b/my site\"\n@@ -1 +1 @@\n-x\n+y\n");
}
