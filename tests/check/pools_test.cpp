// The DID pool rules of a site: one test per rule asserting the full text
// and both places of each diagnostic (pool entry rules at their column in
// the file, did-overlap, inbound-outside-pool), the PortSIP example both
// ways, what may share numbers (one tenant's pools, different providers),
// and a site of 100000 entries built in memory, which the sort-and-sweep
// checks in well under a second (not asserted: tests never assert timings).
// Each site is kBase (tenants acme and globex; 11 lines) plus the trunks
// under test; a trunk_with() fragment starts with a blank line 12, so its
// first did_pool is on line 21 and the next trunk's on line 31.
#include <doctest/doctest.h>

#include <string>

#include "check/rules.hpp"
#include "support/site_fixture.hpp"

using namespace trunk;
using test::check_site;
using test::kBase;

namespace {

std::string run(const std::string& rest) { return check_site(std::string(kBase) + rest).text(); }

check::PoolStats stats_of(const std::string& rest) {
  test::Checked c = test::load_only(std::string(kBase) + rest);
  REQUIRE(c.sink.errors() == 0);
  check::PoolStats stats;
  check::rule_pools(c.site, c.sources, c.sink, &stats);
  return stats;
}

// A trunk of `provider` carrying `pools`: ("tenant", "did_pool") pairs.
std::string trunk_with(const std::string& name, const std::string& provider,
                  std::initializer_list<std::pair<const char*, const char*>> pools) {
  std::string s = "\n[[trunk]]\nname = \"" + name + "\"\ntype = \"register\"\nprovider = \"" +
                  provider + "\"\nhost = \"sip." + name + ".example\"\nauth = { username = \"" +
                  name + "\", password_env = \"PW\" }\n";
  for (const auto& [tenant, pool] : pools)
    s += "[[trunk.tenant]]\ntenant = \"" + std::string(tenant) + "\"\ndid_pool = \"" + pool +
         "\"\n";
  return s;
}

}  // namespace

// The PortSIP example: tenant A on provider XYZ with 1000-2000, tenant B
// with 2000-3000: number 2000 is both tenants'.
TEST_CASE("did-overlap: tenants on one provider share no number (the PortSIP example)") {
  CHECK(run(trunk_with("XYZ-A", "XYZ", {{"acme", "1000-2000"}}) +
            trunk_with("XYZ-B", "XYZ", {{"globex", "2000-3000"}})) ==
        "site.toml:31:13: error[did-overlap]: did_pool of tenant \"globex\" on trunk \"XYZ-B\" "
        "shares 1 number with the did_pool of tenant \"acme\" on trunk \"XYZ-A\" (both trunks "
        "of provider \"XYZ\"): 2000\n"
        "  note: site.toml:21:13: the did_pool of tenant \"acme\" on trunk \"XYZ-A\"\n"
        "  hint: a number of provider \"XYZ\" reaches one tenant: remove the shared numbers "
        "from one of the two pools\n");
}

TEST_CASE("did-overlap: provider names compare without case") {
  CHECK(run(trunk_with("XYZ-A", "Provider", {{"acme", "1000-2000"}}) +
            trunk_with("XYZ-B", "provider", {{"globex", "2000-3000"}})) ==
        "site.toml:31:13: error[did-overlap]: did_pool of tenant \"globex\" on trunk \"XYZ-B\" "
        "shares 1 number with the did_pool of tenant \"acme\" on trunk \"XYZ-A\" (both trunks "
        "of provider \"provider\"): 2000\n"
        "  note: site.toml:21:13: the did_pool of tenant \"acme\" on trunk \"XYZ-A\"\n"
        "  hint: a number of provider \"provider\" reaches one tenant: remove the shared numbers "
        "from one of the two pools\n");
}

TEST_CASE("did-overlap: pools on different providers may share numbers") {
  CHECK(run(trunk_with("XYZ-A", "XYZ", {{"acme", "1000-2000"}}) +
            trunk_with("ABC-B", "ABC", {{"globex", "2000-3000"}})) == "");
}

TEST_CASE("did-overlap: one tenant's pools on two trunks of a provider are fine") {
  CHECK(run(trunk_with("XYZ-Primary", "XYZ", {{"acme", "4155550100-4155550199"}}) +
            trunk_with("XYZ-Backup", "XYZ", {{"acme", "4155550100-4155550199"}})) == "");
}

TEST_CASE("did-overlap: two tenants on the same trunk, the entry holding the first shared number") {
  CHECK(run(trunk_with("XYZ", "XYZ", {{"acme", "100; 1000-2000"}, {"globex", "5; 1500-1600"}})) ==
        "site.toml:24:16: error[did-overlap]: did_pool of tenant \"globex\" on trunk \"XYZ\" "
        "shares 101 numbers with the did_pool of tenant \"acme\" on the same trunk (provider "
        "\"XYZ\"): 1500-1600\n"
        "  note: site.toml:21:18: the did_pool of tenant \"acme\" on trunk \"XYZ\"\n"
        "  hint: a number of provider \"XYZ\" reaches one tenant: remove the shared numbers "
        "from one of the two pools\n");
}

TEST_CASE("did-overlap: the shared numbers are listed as merged ranges, at most 8") {
  // acme's single numbers 2000-2009 meet globex's range: one range, 10 numbers.
  std::string singles;
  for (int n = 2000; n < 2010; ++n) singles += std::to_string(n) + "; ";
  std::string text = run(trunk_with("XYZ-A", "XYZ", {{"acme", singles.c_str()}}) +
                         trunk_with("XYZ-B", "XYZ", {{"globex", "1990-2004; 2006-2020"}}));
  CHECK(text.find("shares 9 numbers with the did_pool of tenant \"acme\" on trunk \"XYZ-A\" "
                  "(both trunks of provider \"XYZ\"): 2000-2004; 2006-2009\n") !=
        std::string::npos);
  // Twenty separate shared numbers: eight listed, the rest counted.
  std::string odd;
  for (int n = 3001; n < 3040; n += 2) odd += std::to_string(n) + ";";
  text = run(trunk_with("XYZ-A", "XYZ", {{"acme", odd.c_str()}}) +
             trunk_with("XYZ-B", "XYZ", {{"globex", "3000-3100"}}));
  CHECK(text.find("(both trunks of provider \"XYZ\"): 3001; 3003; 3005; 3007; 3009; 3011; "
                  "3013; 3015 and 12 more\n") != std::string::npos);
}

TEST_CASE("did-overlap: one error per pair of pools") {
  // globex meets both of acme's trunks: two pairs. "0100" and "100" are
  // different numbers, so initech's pool meets no one.
  std::string site = std::string(R"(
[[tenant]]
name = "initech"
sip_domain = "initech.example"
)") + trunk_with("XYZ-Primary", "XYZ", {{"acme", "100-199"}}) +
                     trunk_with("XYZ-Backup", "XYZ", {{"acme", "100-199"}, {"initech", "0100-0199"}}) +
                     trunk_with("XYZ-Lab", "XYZ", {{"globex", "150"}});
  std::string text = check_site(std::string(kBase) + site).text();
  CHECK(text.find("XYZ-Lab\" shares 1 number with the did_pool of tenant \"acme\" on trunk "
                  "\"XYZ-Primary\"") != std::string::npos);
  CHECK(text.find("XYZ-Lab\" shares 1 number with the did_pool of tenant \"acme\" on trunk "
                  "\"XYZ-Backup\"") != std::string::npos);
  CHECK(check_site(std::string(kBase) + site).sink.errors() == 2);
}

TEST_CASE("did entry rules: reported at the entry's column inside did_pool") {
  CHECK(run(trunk_with("XYZ", "XYZ", {{"acme", "101; +14155550100"}, {"globex", "0014155550100"}})) ==
        "site.toml:21:18: error[did-plus]: did_pool of tenant \"acme\" on trunk \"XYZ\": entry "
        "\"+14155550100\" starts with '+'\n"
        "  hint: write 14155550100: E.164 '+' and international prefixes are removed before "
        "numbers go into a pool\n"
        "site.toml:24:13: error[did-intl-prefix]: did_pool of tenant \"globex\" on trunk \"XYZ\": "
        "entry \"0014155550100\" starts with the international prefix 00\n"
        "  hint: write 14155550100: E.164 '+' and international prefixes are removed before "
        "numbers go into a pool\n");
}

TEST_CASE("did entry rules: a pool with errors takes no part in the overlap rule") {
  CHECK(run(trunk_with("XYZ", "XYZ", {{"acme", "100-199; 300-200"}, {"globex", "150"}})) ==
        "site.toml:21:22: error[did-range-order]: did_pool of tenant \"acme\" on trunk \"XYZ\": "
        "range \"300-200\" is reversed: 300 comes after 200\n"
        "  hint: write 200-300\n");
}

namespace {
// Inbound rules after a trunk XYZ that carries acme's pool 100-199 and
// globex without a did_pool (line 22); trunk ABC (line 25) carries nobody;
// the rules start on line 31, their did on line 35.
std::string inbound_site(const std::string& rules) {
  return std::string(kBase) + trunk_with("XYZ", "XYZ", {{"acme", "100-199"}}) +
         "[[trunk.tenant]]\ntenant = \"globex\"\n" + trunk_with("ABC", "ABC", {}) + rules;
}
std::string inbound(const char* tenant, const char* trunk_name, const char* did) {
  return "\n[[inbound]]\ntenant = \"" + std::string(tenant) + "\"\ntrunk = \"" + trunk_name +
         "\"\ndid = \"" + did + "\"\nto = \"sip:{did}@pbx.example\"\n";
}
}  // namespace

TEST_CASE("inbound-outside-pool: an inbound rule's dids lie in its tenant's pool on the trunk") {
  CHECK(check_site(inbound_site(inbound("acme", "XYZ", "100-199") + inbound("acme", "XYZ", "150")))
            .text() == "");
  CHECK(check_site(inbound_site(inbound("acme", "XYZ", "150-160; 190-210; 0150; 300"))).text() ==
        "site.toml:35:17: error[inbound-outside-pool]: inbound rule for tenant \"acme\" on trunk "
        "\"XYZ\" takes 13 numbers outside the tenant's did_pool on that trunk: 200-210; 300; "
        "0150\n"
        "  note: site.toml:21:12: the did_pool of tenant \"acme\" on trunk \"XYZ\"\n"
        "  hint: add the numbers to that did_pool, or remove them from the rule\n");
}

TEST_CASE("inbound-outside-pool: the tenant has no pool on the trunk") {
  // Assigned without a did_pool.
  CHECK(check_site(inbound_site(inbound("globex", "XYZ", "500-599"))).text() ==
        "site.toml:35:8: error[inbound-outside-pool]: inbound rule for tenant \"globex\" on "
        "trunk \"XYZ\" takes 100 numbers, but the tenant has no did_pool on that trunk: "
        "500-599\n"
        "  note: site.toml:22:1: the tenant's [[trunk.tenant]], without did_pool\n"
        "  hint: add did_pool = \"500-599\" there, or remove the rule\n");
  // Not assigned at all.
  CHECK(check_site(inbound_site(inbound("acme", "ABC", "100"))).text() ==
        "site.toml:35:8: error[inbound-outside-pool]: inbound rule for tenant \"acme\" on "
        "trunk \"ABC\" takes 1 number, but the tenant has no did_pool on that trunk: 100\n"
        "  note: site.toml:25:1: trunk \"ABC\" is defined here\n"
        "  hint: assign the tenant to the trunk: [[trunk.tenant]] with tenant = \"acme\" and "
        "did_pool = \"100\"\n");
}

TEST_CASE("inbound-outside-pool: a did with entry errors, unknown names: one finding each") {
  CHECK(check_site(inbound_site(inbound("acme", "XYZ", "+150"))).text() ==
        "site.toml:35:8: error[did-plus]: did of inbound rule for tenant \"acme\" on trunk "
        "\"XYZ\": entry \"+150\" starts with '+'\n"
        "  hint: write 150: E.164 '+' and international prefixes are removed before numbers "
        "go into a pool\n");
  std::string unknown = check_site(inbound_site(inbound("acme", "XYZZ", "500"))).text();
  CHECK(unknown.find("error[unknown-trunk]") != std::string::npos);
  CHECK(unknown.find("inbound-outside-pool") == std::string::npos);
}

TEST_CASE("pool figures: pools, providers, distinct numbers, overlaps") {
  check::PoolStats s = stats_of(trunk_with("XYZ-A", "XYZ", {{"acme", "1000-2000"}}) +
                              trunk_with("XYZ-B", "XYZ", {{"globex", "2000-3000; 5"}}) +
                              trunk_with("ABC", "ABC", {{"globex", "1000-2000"}}));
  CHECK(s.pools == 3);
  CHECK(s.providers == 2);
  CHECK(s.entries == 4);
  CHECK(s.numbers == 2002);  // 1000-3000 and 5
  CHECK(s.overlaps == 1);
}

namespace {

// A site of `pools` pools of `per_pool` entries each, in memory: tenants
// t0..t(pools/2), each on two of `providers` trunks; every pool's numbers
// are its own, except in the pools planted to meet another.
site::Site big_site(int pools, int per_pool, int providers, int planted) {
  site::Site s;
  auto field = [](std::string v) {
    site::Field<std::string> f;
    f.value = std::move(v);
    f.present = true;
    return f;
  };
  for (int t = 0; t < pools / 2; ++t) s.tenants.push_back({field("t" + std::to_string(t)), {}, {}, {}});
  s.trunks.resize(providers);
  for (int p = 0; p < providers; ++p) {
    s.trunks[p].name = field("P" + std::to_string(p));
    s.trunks[p].provider = field("prov" + std::to_string(p));
  }
  for (int i = 0; i < pools; ++i) {
    // Pool i holds 10-digit numbers in a block of its own, 20 apart.
    std::uint64_t base = 2000000000ull + static_cast<std::uint64_t>(i) * per_pool * 20;
    std::string text;
    for (int e = 0; e < per_pool; ++e) {
      std::uint64_t n = base + static_cast<std::uint64_t>(e) * 20;
      text += e % 3 ? std::to_string(n) : std::to_string(n) + "-" + std::to_string(n + 9);
      text += "; ";
    }
    // Planted: the next pool's first number, also in this pool. Pools i
    // and i+1 are on one provider only when i is even (see below).
    if (i % 2 == 0 && i / 2 < planted)
      text += std::to_string(base + static_cast<std::uint64_t>(per_pool) * 20);
    site::TrunkTenant a;
    a.tenant = field("t" + std::to_string((i / 2 + (i % 2) * 7) % (pools / 2)));
    a.did_pool = field(text);
    s.trunks[(i / 2) % providers].tenants.push_back(std::move(a));
  }
  return s;
}

}  // namespace

TEST_CASE("scale: 100000 entries, planted overlaps found exactly, sort and sweep") {
  // 2000 pools of 50 entries on 40 providers; pools 2k and 2k+1 are on one
  // provider and belong to different tenants; the first 25 such pairs share
  // a number.
  site::Site s = big_site(2000, 50, 40, 25);
  diag::SourceText sources;
  diag::Sink sink;
  check::PoolStats stats;
  check::rule_pools(s, sources, sink, &stats);
  CHECK(stats.pools == 2000);
  CHECK(stats.overlaps == 25);
  CHECK(sink.errors() == 25);
  for (const auto& d : sink.all()) CHECK(d.code == "did-overlap");

  // One range of acme against 100000 single numbers of globex: one error,
  // with the shared numbers merged into one range.
  site::Site wide;
  wide.trunks.resize(1);
  wide.trunks[0].name.value = "W";
  wide.trunks[0].provider.value = "W";
  std::string many;
  for (int n = 0; n < 100000; ++n) many += std::to_string(3000000000ull + n * 2) + ";";
  wide.trunks[0].tenants.resize(2);
  wide.trunks[0].tenants[0].tenant.value = "acme";
  wide.trunks[0].tenants[0].did_pool = {"3000000000-3999999999", {}, 0, true};
  wide.trunks[0].tenants[1].tenant.value = "globex";
  wide.trunks[0].tenants[1].did_pool = {many, {}, 0, true};
  diag::Sink wide_sink;
  check::rule_pools(wide, sources, wide_sink);
  REQUIRE(wide_sink.all().size() == 1);
  CHECK(wide_sink.all()[0].message ==
        "did_pool of tenant \"globex\" on trunk \"W\" shares 100000 numbers with the did_pool "
        "of tenant \"acme\" on the same trunk (provider \"W\"): 3000000000; 3000000002; "
        "3000000004; 3000000006; 3000000008; 3000000010; 3000000012; 3000000014 and 99992 "
        "more");
}
