// The automaton builder: what an insertion costs in nodes, and the walk over
// a pattern's numbers (for_each_match). Which route wins is tested through
// the compiler (compile_test.cpp); here the items are plain numbers.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "diag/place.hpp"
#include "route/automaton.hpp"

using namespace trunk;
using route::AutomatonBuilder;
using route::kDead;

namespace {

pattern::DialPattern P(const std::string& text) {
  diag::Sink sink;
  auto p = pattern::parse_pattern(text, diag::StringPlace{}, "pattern", sink);
  REQUIRE_MESSAGE(p, text);
  return *p;
}

// The lowest item wins every number: later items never change a set.
std::vector<std::uint32_t> lowest_wins(const std::vector<std::uint32_t>& set, std::uint32_t item) {
  if (set.empty()) return {item};
  return {std::min(set.front(), item)};
}

}  // namespace

TEST_CASE("an insertion that changes no set under a wildcard adds no node") {
  // A route that loses everywhere under "_X." (a shadowed one) used to copy
  // its path of expanded tail nodes: 1,000 of them cost 11,000 nodes.
  AutomatonBuilder b(lowest_wins);
  route::NodeId root = b.insert(kDead, P("_X."), 0);
  const std::size_t before = b.node_count();
  for (std::uint32_t i = 1; i <= 1000; ++i) {
    std::string number = "1415" + std::to_string(5550000 + i);
    CHECK(b.insert(root, P(number), i) == root);
  }
  CHECK(b.node_count() == before);
}

TEST_CASE("for_each_match visits the sets where a pattern's numbers end, shortest first") {
  auto keep_all = [](const std::vector<std::uint32_t>& set, std::uint32_t item) {
    auto out = set;
    out.push_back(item);
    std::sort(out.begin(), out.end());
    return out;
  };
  AutomatonBuilder b(keep_all);
  route::NodeId root = kDead;
  root = b.insert(root, P("_12X"), 1);
  root = b.insert(root, P("_13X."), 2);
  root = b.insert(root, P("_2X"), 3);
  root = b.insert(root, P("_1X!"), 4);
  auto seen = [&](const std::string& pattern) {
    std::vector<std::vector<std::uint32_t>> out;
    b.for_each_match(root, P(pattern), [&](route::SetId s) {
      const auto& set = b.set(s);
      if (!set.empty() && std::find(out.begin(), out.end(), set) == out.end()) out.push_back(set);
      return true;
    });
    return out;
  };
  using Sets = std::vector<std::vector<std::uint32_t>>;
  CHECK(seen("_1[23]X") == Sets{{1, 4}, {4}});      // 12X, then 13X (13X. needs one more)
  CHECK(seen("_1[23]X.") == Sets{{4}, {2, 4}});     // 12X? (no longer _12X), then 13X?
  CHECK(seen("_2X") == Sets{{3}});
  CHECK(seen("_1!") == Sets{{4}, {1, 4}, {2, 4}});  // "1?", then 12X, then 13X?
  CHECK(seen("_3!") == Sets{});
}
