// Differential test: the compiled router against a plain reference
// interpreter that walks the routes as written (spec: "Which route wins"),
// on 1,000,000 random numbers over the example site and over generated
// sites. Any difference is a bug in the compiler, the tables or the router.
#include <doctest/doctest.h>

#include <random>

#include "route/expect.hpp"
#include "support/compiled.hpp"

using namespace trunk;

namespace {

struct RefRoute {
  std::string tenant, name;
  std::int64_t priority;
  pattern::DialPattern pattern;
};

// The dial-string rule, applied literally (trunkd.8 "Dial strings"): '+'
// only first, and '*' or '#' only when one of the tenant's patterns has a
// class holding it.
bool dial_string(const std::vector<RefRoute>& routes, const std::string& tenant,
                 const std::string& number) {
  if (number.empty() || number == "+") return false;
  for (std::size_t i = 0; i < number.size(); ++i) {
    const char c = number[i];
    if (c == '+' && i == 0) continue;
    if (c == '+') return false;
    if (c != '*' && c != '#') continue;
    bool named = false;
    for (const auto& r : routes)
      for (std::uint16_t set : r.pattern.classes)
        named = named || (r.tenant == tenant && (set & (1u << (c == '*' ? 10 : 11))));
    if (!named) return false;
  }
  return true;
}

// The spec's rule, applied literally: a dial string; among the routes that
// match, the highest priority; among those, the one whose numbers are a
// strict subset of every other's. "" when none matches; "?" when no single
// winner.
std::string reference(const std::vector<RefRoute>& routes, const std::string& tenant,
                      const std::string& number) {
  if (!dial_string(routes, tenant, number)) return "";
  std::vector<const RefRoute*> top;
  for (const auto& r : routes) {
    if (r.tenant != tenant || !r.pattern.matches(number)) continue;
    if (!top.empty() && r.priority < top.front()->priority) continue;
    if (!top.empty() && r.priority > top.front()->priority) top.clear();
    top.push_back(&r);
  }
  if (top.empty()) return "";
  for (const RefRoute* a : top) {
    bool best = true;
    for (const RefRoute* b : top)
      if (a != b && !(pattern::is_subset(a->pattern, b->pattern) &&
                      !pattern::is_subset(b->pattern, a->pattern)))
        best = false;
    if (best) return a->name;
  }
  return "?";
}

std::vector<RefRoute> reference_routes(const site::Site& s) {
  std::vector<RefRoute> out;
  for (const auto& r : s.routes) {
    diag::Sink sink;
    auto p = pattern::parse_pattern(r.match.value, {}, "m", sink);
    REQUIRE(p);
    out.push_back({r.tenant.value, r.name.value, r.priority.value, *p});
  }
  return out;
}

// A random number that `p` matches, or (sometimes) any random number.
std::string random_number(std::mt19937_64& rng, const pattern::DialPattern& p) {
  std::string n;
  auto pick = [&](std::uint16_t set) {
    int choices[13], k = 0;
    for (int s = 0; s < 13; ++s)
      if (set & (1u << s)) choices[k++] = s;
    return grammar::dial_symbol_char(choices[rng() % k]);
  };
  for (auto c : p.classes) n += pick(rng() % 8 ? c : 0x3ff);  // sometimes stray
  std::size_t extra = p.tail == pattern::Tail::none ? (rng() % 10 == 0) : rng() % 6;
  if (p.tail == pattern::Tail::one_or_more && extra == 0 && rng() % 2) extra = 1;
  for (std::size_t i = 0; i < extra; ++i) n += pick(rng() % 20 ? 0x3ff : 0x1fff);
  if (rng() % 10 == 0 && !n.empty()) n.pop_back();
  return n;
}

void compare(const test::Compiled& c, const std::vector<RefRoute>& routes, std::size_t count,
             std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  route::Router router(c.tables);
  std::vector<std::string> tenants;
  for (const auto& t : c.checked.site.tenants) tenants.push_back(t.name.value);
  std::size_t mismatches = 0, routed = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const RefRoute& base = routes[rng() % routes.size()];
    std::string tenant = rng() % 10 ? base.tenant : tenants[rng() % tenants.size()];
    std::string number = random_number(rng, base.pattern);
    std::string want = reference(routes, tenant, number);
    std::uint32_t ti = c.tables.find_tenant(tenant);
    std::uint32_t r = router.outbound(ti, number);
    std::string got = r == route::kNone ? "" : std::string(c.tables.str(c.tables.routes()[r].name));
    routed += !got.empty();
    if (got != want && mismatches++ < 10)
      FAIL_CHECK(tenant << " dials \"" << number << "\": reference " << want << ", router "
                        << got);
  }
  CHECK(mismatches == 0);
  CHECK(routed > count / 4);  // the numbers exercise the routes, not just misses
}

// Random routes for `tenants` tenants, with equal-priority overlaps kept only
// where one pattern contains the other, so the site compiles.
std::string generated_site(std::uint64_t seed, int tenants, int routes_per_tenant) {
  std::mt19937_64 rng(seed);
  std::string toml = "[[trunk]]\nname = \"gw\"\ntype = \"peer\"\nhost = \"203.0.113.5\"\n";
  for (int t = 0; t < tenants; ++t) {
    toml += "[[trunk.tenant]]\ntenant = \"t" + std::to_string(t) + "\"\n";
  }
  for (int t = 0; t < tenants; ++t)
    toml += "[[tenant]]\nname = \"t" + std::to_string(t) + "\"\nsip_domain = \"t" +
            std::to_string(t) + ".example\"\n";
  for (int t = 0; t < tenants; ++t) {
    std::vector<std::pair<pattern::DialPattern, std::int64_t>> kept;
    for (int k = 0; kept.size() < std::size_t(routes_per_tenant) && k < routes_per_tenant * 20;
         ++k) {
      std::string text = "_";
      int len = 1 + rng() % 7;
      for (int i = 0; i < len; ++i) {
        switch (rng() % 10) {
          case 0: text += 'X'; break;
          case 1: text += 'N'; break;
          case 2: text += "[1-4,7]"; break;
          default: text += char('0' + rng() % 4);  // few digits: many overlaps
        }
      }
      switch (rng() % 4) {
        case 0: text += '.'; break;
        case 1: text += '!'; break;
        default: break;
      }
      diag::Sink sink;
      auto p = pattern::parse_pattern(text, {}, "m", sink);
      REQUIRE(p);
      std::int64_t priority = rng() % 3;
      bool clash = false;
      for (const auto& [q, qp] : kept) {
        if (qp != priority || !pattern::intersects(*p, q)) continue;
        bool ab = pattern::is_subset(*p, q), ba = pattern::is_subset(q, *p);
        if (ab == ba) clash = true;  // incomparable, or the same set
      }
      if (clash) continue;
      kept.push_back({*p, priority});
      toml += "[[route]]\ntenant = \"t" + std::to_string(t) + "\"\nname = \"r" +
              std::to_string(kept.size()) + "\"\nmatch = \"" + text +
              "\"\npriority = " + std::to_string(priority) + "\ntrunks = [\"gw\"]\n";
    }
  }
  return toml;
}

}  // namespace

TEST_CASE("differential: the example site, 1,000,000 numbers") {
  std::string text;
  trunk::diag::SourceText src;
  site::Site s;
  diag::Sink sink;
  REQUIRE(site::load_site(std::string(TRUNK_SOURCE_DIR) + "/examples/site", s, sink, src) ==
          site::LoadStatus::loaded);
  // Re-read through the fixture so the compile path is the tools' path.
  std::string all;
  for (const auto& f : s.files) all += std::string(src.text(f)) + "\n";
  auto c = test::compile_site(all);
  REQUIRE_MESSAGE(c->ok, c->text());
  compare(*c, reference_routes(c->checked.site), 1'000'000, 1);
}

TEST_CASE("differential: generated sites, 1,000,000 numbers") {
  for (std::uint64_t seed : {11u, 12u, 13u, 14u}) {
    CAPTURE(seed);
    auto c = test::compile_site(generated_site(seed, 3, 60));
    REQUIRE_MESSAGE(c->ok, c->text());
    compare(*c, reference_routes(c->checked.site), 250'000, seed);
  }
}
