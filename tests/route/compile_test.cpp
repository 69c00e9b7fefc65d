// The dial-plan compiler: which route wins, ambiguous and shadowed routes,
// the routing checks, and the router's answers over the compiled tables.
#include <doctest/doctest.h>

#include <array>

#include "route/expect.hpp"
#include "support/compiled.hpp"

using namespace trunk;
using test::compile_site;

namespace {

// kBase tenants acme and globex, plus one peer trunk assigned to both.
const std::string kTrunks = std::string(test::kBase) + R"(
[[trunk]]
name = "gw"
type = "peer"
host = "203.0.113.5"
[[trunk.tenant]]
tenant = "acme"
did_pool = "1000-1999"
[[trunk.tenant]]
tenant = "globex"
did_pool = "2000-2099"
)";
// kTrunks has 22 lines; a route appended after it has its match on line 27,
// the next on line 34, and so on (7 lines each).

std::string R(const char* name, const char* match, int priority = 0,
                  const char* tenant = "acme") {
  return std::string("\n[[route]]\ntenant = \"") + tenant + "\"\nname = \"" + name +
         "\"\nmatch = \"" + match + "\"\npriority = " + std::to_string(priority) +
         "\ntrunks = [\"gw\"]\n";
}

std::string winner(const test::Compiled& c, const char* tenant, const char* number) {
  route::Router r(c.tables);
  return route::ask_outbound(r, tenant, number).route;
}

}  // namespace

TEST_CASE("the more specific route wins among equal priorities") {
  auto c = compile_site(kTrunks + R("all", "_X.") + R("national", "_1NXXNXXXXXX") +
                        R("emergency", "911") + R("nyc", "_1212NXXXXXX"));
  REQUIRE_MESSAGE(c->ok, c->text());
  CHECK(c->text() == "");
  CHECK(winner(*c, "acme", "12125550100") == "nyc");
  CHECK(winner(*c, "acme", "14155550100") == "national");
  CHECK(winner(*c, "acme", "911") == "emergency");
  CHECK(winner(*c, "acme", "44207") == "all");
  CHECK(winner(*c, "acme", "1") == "");     // "." needs one more symbol
  CHECK(winner(*c, "globex", "911") == "");  // routes are per tenant
}

TEST_CASE("a higher priority wins over a more specific route") {
  auto c = compile_site(kTrunks + R("all", "_X.", 5) + R("emergency", "911"));
  REQUIRE(c->ok);
  CHECK(winner(*c, "acme", "911") == "all");
  CHECK(c->text() ==
        "site.toml:34:9: warning[route-shadowed]: route \"emergency\" of tenant \"acme\" is "
        "never used: every number it matches goes to \"all\"\n"
        "  hint: remove the route, or raise its priority\n");
}

TEST_CASE("route-ambiguous: overlapping routes with no winner show a number") {
  auto c = compile_site(kTrunks + R("a", "_1X3.") + R("b", "_13X."));
  CHECK_FALSE(c->ok);
  CHECK(c->text() ==
        "site.toml:34:9: error[route-ambiguous]: routes \"a\" and \"b\" of tenant \"acme\" both "
        "match 1330 with priority 0, and neither matches all the numbers of the other\n"
        "  note: site.toml:27:9: the other route\n"
        "  hint: give one of them a higher priority, or narrow a pattern so that one lies "
        "inside the other\n");
}

TEST_CASE("route-ambiguous: equal sets written differently are ambiguous") {
  auto c = compile_site(kTrunks + R("a", "_1XX") + R("b", "_1[0-9][0-9]"));
  CHECK_FALSE(c->ok);
  CHECK(c->text().find("both match 100 with priority 0, and they match the same numbers") !=
        std::string::npos);
}

// The hint every route-ambiguous error carries.
const std::string kAmbiguousHint =
    "  hint: give one of them a higher priority, or narrow a pattern so that one lies inside "
    "the other\n";

TEST_CASE("route-ambiguous: equal routes are reported once, with their count") {
  // Four routes with one pattern (two spellings of it) and one priority:
  // one error naming the first two, not six (one per pair).
  auto c = compile_site(kTrunks + R("a", "_1XX") + R("b", "_1XX") + R("c", "_1[0-9]X") +
                        R("d", "_1XX"));
  CHECK_FALSE(c->ok);
  CHECK(c->text() ==
        "site.toml:34:9: error[route-ambiguous]: routes \"a\" and \"b\" of tenant \"acme\" both "
        "match 100 with priority 0, and they match the same numbers; 2 more routes have this "
        "pattern and priority\n"
        "  note: site.toml:27:9: the other route\n" +
        kAmbiguousHint);
}

TEST_CASE("route-ambiguous: equal routes written '!' and '.' are one group") {
  // "_1[0-9*#+]!" is "_1." (pattern::canonical): one error, not a crossing pair.
  auto c = compile_site(kTrunks + R("a", "_1.") + R("b", "_1[0-9*#+]!") + R("c", "_1."));
  CHECK_FALSE(c->ok);
  CHECK(c->text().find("error[route-ambiguous]: routes \"a\" and \"b\" of tenant \"acme\" "
                       "both match 10 with priority 0, and they match the same numbers; 1 more "
                       "route has this pattern and priority\n") != std::string::npos);
  CHECK(c->checked.sink.errors() == 1);
}

TEST_CASE("route-ambiguous: two crossing groups give one error per group and one per pair") {
  auto c = compile_site(kTrunks + R("a", "_1X3.") + R("b", "_13X.") + R("a2", "_1X3.") +
                        R("b2", "_13X."));
  CHECK_FALSE(c->ok);
  CHECK(c->text() ==
        "site.toml:34:9: error[route-ambiguous]: routes \"a\" and \"b\" of tenant \"acme\" both "
        "match 1330 with priority 0, and neither matches all the numbers of the other; 2 more "
        "routes have one of these patterns and priority\n"
        "  note: site.toml:27:9: the other route\n" +
        kAmbiguousHint +
        "site.toml:41:9: error[route-ambiguous]: routes \"a\" and \"a2\" of tenant \"acme\" both "
        "match 1030 with priority 0, and they match the same numbers\n"
        "  note: site.toml:27:9: the other route\n" +
        kAmbiguousHint +
        "site.toml:48:9: error[route-ambiguous]: routes \"b\" and \"b2\" of tenant \"acme\" both "
        "match 1300 with priority 0, and they match the same numbers\n"
        "  note: site.toml:34:9: the other route\n" +
        kAmbiguousHint);
}

TEST_CASE("route-ambiguous: pairs of patterns that each are named five times are counted") {
  // Eight patterns that all cross each other ("_1XXXXXXX.", "_X1XXXXXX.",
  // ...): 28 pairs. Once both sides of a pair are named in five errors, the
  // pair is counted in a hint on the error printed last: the three pairs
  // found last (in the order of their numbers) are.
  std::string site = kTrunks;
  for (int i = 0; i < 8; ++i) {
    std::string m = "_" + std::string(i, 'X') + "1" + std::string(7 - i, 'X') + ".";
    site += R(("r" + std::to_string(i)).c_str(), m.c_str());
  }
  auto c = compile_site(site);
  CHECK_FALSE(c->ok);
  CHECK(c->checked.sink.errors() == 25);
  CHECK(c->text().find("  hint: 3 more ambiguous pairs of patterns of tenant \"acme\" not shown: "
                       "each pattern is named in at most 5\n") != std::string::npos);
  // The hint is on the last error printed.
  CHECK(c->text().rfind("error[") < c->text().find("not shown"));
}

TEST_CASE("route-shadowed: equal routes at lower priorities are reported once") {
  auto c = compile_site(kTrunks + R("p0", "_1NXX", 0) + R("p3", "_1NXX", 3) +
                        R("p1", "_1NXX", 1) + R("p2", "_1NXX", 2));
  REQUIRE(c->ok);
  CHECK(c->text() ==
        "site.toml:27:9: warning[route-shadowed]: routes \"p0\" and \"p1\" of tenant \"acme\" "
        "and 1 more with the same pattern are never used: every number they match goes to "
        "\"p3\"\n"
        "  note: site.toml:41:9: also never used\n"
        "  hint: remove the routes, or raise their priorities\n");
  CHECK(winner(*c, "acme", "1200") == "p3");
}

TEST_CASE("route-shadowed: names the routes that win its numbers, shortest numbers first") {
  // "low" is beaten on every number by a higher-priority route; the
  // catch-all at priority 1 beats it too but wins none of its numbers.
  auto c = compile_site(kTrunks + R("any", "_X.", 1) + R("low", "_1[2-3]XX") +
                        R("three", "_13XX", 2) + R("two", "_12XX", 2));
  REQUIRE(c->ok);
  CHECK(c->text() ==
        "site.toml:34:9: warning[route-shadowed]: route \"low\" of tenant \"acme\" is never "
        "used: every number it matches goes to \"two\", \"three\"\n"
        "  hint: remove the route, or raise its priority\n");
}

TEST_CASE("an ambiguity settled by a narrower route is no error") {
  // a and b overlap on 13XX. only; c takes exactly those numbers.
  auto c = compile_site(kTrunks + R("a", "_1X3.") + R("b", "_13X.") +
                        R("c", "_133."));
  CHECK(c->text() == "");
  CHECK(c->ok);
  CHECK(winner(*c, "acme", "13345") == "c");
  CHECK(winner(*c, "acme", "12345") == "a");
  CHECK(winner(*c, "acme", "13445") == "b");
}

TEST_CASE("route-shadowed: a route covered by several better routes") {
  auto c = compile_site(kTrunks + R("low", "_1[2-3]XX") + R("two", "_12XX", 1) +
                        R("three", "_13XX", 1));
  REQUIRE(c->ok);
  CHECK(c->text() ==
        "site.toml:27:9: warning[route-shadowed]: route \"low\" of tenant \"acme\" is never "
        "used: every number it matches goes to \"two\", \"three\"\n"
        "  hint: remove the route, or raise its priority\n");
}

TEST_CASE("duplicate-route: names are unique within a tenant") {
  auto c = compile_site(kTrunks + R("r", "1") + R("r", "2") + R("r", "3", 0, "globex"));
  CHECK(c->text() == "site.toml:33:8: error[duplicate-route]: tenant \"acme\" has two routes "
                     "named \"r\"\n"
                     "  note: site.toml:26:8: first defined here\n");
}

TEST_CASE("pattern errors point into the file") {
  auto c = compile_site(kTrunks + R("bad", "_1[2"));
  CHECK(c->text() ==
        "site.toml:27:14: error[pattern-syntax]: match of route \"bad\" \"_1[2\": expected "
        "']' to close the class, found the end\n"
        "  hint: patterns are a number, or '_' then digits, *, #, +, X (0-9), Z (1-9), N "
        "(2-9), [classes], and '.' or '!' at the end\n");
}

TEST_CASE("strip and prepend give the number to send; caller ID falls back to the tenant") {
  auto c = compile_site(kTrunks + R"(
[[route]]
tenant = "acme"
name = "cn"
match = "_0086[1][3-9]XXXXXXXXX"
trunks = ["gw"]
strip = 4
prepend = "+86"
caller_id = "4155550100"
)");
  REQUIRE(c->ok);
  route::Router r(c->tables);
  auto a = route::ask_outbound(r, "acme", "008613812345678");
  CHECK(a.route == "cn");
  CHECK(a.send == "+8613812345678");
  CHECK(a.trunks == std::vector<std::string>{"gw"});
  CHECK(a.caller_id == "4155550100");
}

TEST_CASE("inbound: pools pick the tenant, rules the destination") {
  auto c = compile_site(kTrunks + R"(
[[inbound]]
tenant = "acme"
trunk = "gw"
did = "1000-1499"
to = "sip:{did}@acme.example"
)");
  REQUIRE_MESSAGE(c->ok, c->text());
  route::Router r(c->tables);
  auto a = route::ask_inbound(r, "gw", "+1042");
  CHECK(a.tenant == "acme");
  CHECK(a.to == "sip:1042@acme.example");
  a = route::ask_inbound(r, "gw", "1600");
  CHECK(a.tenant == "acme");
  CHECK(a.to == "");
  CHECK(a.reason == "the DID is in the tenant's pool but no inbound rule covers it");
  a = route::ask_inbound(r, "gw", "2050");
  CHECK(a.tenant == "globex");
  a = route::ask_inbound(r, "gw", "3000");
  CHECK(a.tenant == "");
  CHECK(a.reason == "the DID is in no tenant's pool on this trunk");
  a = route::ask_inbound(r, "gw", "10a0");
  CHECK(a.reason == "not a dial string: 'a' at position 3 is not a dial symbol");
}

TEST_CASE("inbound-overlap: two rules on one trunk share a DID") {
  auto c = compile_site(kTrunks + R"(
[[inbound]]
tenant = "acme"
trunk = "gw"
did = "1000-1499"
to = "sip:{did}@acme.example"

[[inbound]]
tenant = "acme"
trunk = "gw"
did = "1400-1599"
to = "sip:reception@acme.example"
)");
  CHECK(c->text() ==
        "site.toml:33:7: error[inbound-overlap]: inbound rules \"1000-1499\" and \"1400-1599\" "
        "on trunk \"gw\" share DID 1400\n"
        "  note: site.toml:27:7: the other rule\n"
        "  hint: a DID arriving on a trunk goes to one destination; split the ranges\n");
}

TEST_CASE("range_patterns covers exactly the range") {
  for (auto [lo, hi] : {std::pair{"0", "9"}, {"3", "7"}, {"100", "199"}, {"0995", "1004"},
                        {"123", "987"}, {"4155550100", "4155550199"}, {"555", "555"},
                        {"1998", "2001"}}) {
    CAPTURE(lo);
    CAPTURE(hi);
    auto pats = route::range_patterns(lo, hi);
    CHECK(pats.size() <= 2 * std::string_view(lo).size());
    std::size_t len = std::string_view(lo).size();
    std::uint64_t first = std::stoull(lo), last = std::stoull(hi), limit = 1;
    for (std::size_t i = 0; i < len; ++i) limit *= 10;
    for (std::uint64_t v = 0; v < std::min<std::uint64_t>(limit, 20000); ++v) {
      std::string n = std::to_string(v);
      n = std::string(len - n.size(), '0') + n;
      int hits = 0;
      for (const auto& p : pats) hits += p.matches(n);
      CHECK(hits == ((v >= first && v <= last) ? 1 : 0));
    }
  }
}

TEST_CASE("lookups allocate nothing") {
  auto c = compile_site(kTrunks + R("all", "_X.") + R("national", "_1NXXNXXXXXX"));
  REQUIRE(c->ok);
  route::Router r(c->tables);
  std::array<char, 64> buf;
  std::uint32_t found = 0;
  // Counted by the global operator new below.
  extern std::size_t g_allocations;
  std::size_t before = g_allocations;
  for (int i = 0; i < 1000; ++i) {
    std::uint32_t route = r.outbound(0, "14155550100");
    found += route != route::kNone;
    found += r.send_number(route, "14155550100", buf) != route::kNone;
    found += r.inbound(0, "+1042").status == route::Router::InboundStatus::no_rule;
    found += c->tables.find_tenant("acme") == 0;
  }
  CHECK(g_allocations == before);
  CHECK(found == 4000);
}

TEST_CASE("strip longer than the number leaves the prepend alone") {
  auto c = compile_site(kTrunks + R"(
[[route]]
tenant = "acme"
name = "short"
match = "_X"
trunks = ["gw"]
strip = 5
)");
  REQUIRE(c->ok);
  route::Router r(c->tables);
  std::array<char, 16> buf;
  std::uint32_t route = r.outbound(0, "7");
  REQUIRE(route != route::kNone);
  CHECK(r.send_number(route, "7", buf) == 0);
  CHECK(r.destination(0, "", buf) == route::kNone);  // no such rule
}
