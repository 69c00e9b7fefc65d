// The one decision (route/decide.hpp): origin through trusted proxies,
// identification from the origin only, the failover chain with caller ID
// and limits in each Contact, what is left out and why, and the refusals.
// Each case is a request's facts; the words are the ones trunkd sends.
#include <doctest/doctest.h>

#include "route/decide.hpp"
#include "sip/redirect.hpp"
#include "support/compiled.hpp"

using namespace trunk;

namespace {

const char* kSite = R"(
[[trunk]]
name = "A"
type = "peer"
provider = "PA"
host = "203.0.113.10"
associated_ips = ["203.0.113.16/28"]
failover = "B"
caller_id = "+15550001"
[trunk.limits]
outbound = 20
total = 30
[[trunk.tenant]]
tenant = "acme"
did_pool = "4155551000-4155551999"

[[trunk]]
name = "B"
type = "peer"
provider = "PB"
host = "198.51.100.7"
port = 5070
verify_port = true
failover = "C"
failover_on = [503, 408]
[[trunk.tenant]]
tenant = "acme"
did_pool = "4155552000-4155552999"

[[trunk]]
name = "C"
type = "peer"
provider = "PC"
host = "198.51.100.7"
port = 5080
verify_port = true
strip_plus = true
outbound_proxy = "edge.c.example"
outbound_proxy_port = 5090
tel_uri_request_line = true
tel_uri_to = true
failover_on = []
[trunk.limits]
inbound = 0
[[trunk.tenant]]
tenant = "acme"
did_pool = "4155553000-4155553999"

[[trunk]]
name = "D"
type = "peer"
provider = "PD"
host = "192.0.2.50"
match_from_host = "d.example"
[trunk.limits]
outbound = 0
[[trunk.tenant]]
tenant = "globex"
did_pool = "2125550000-2125550999"
[[trunk.tenant]]
tenant = "acme"
did_pool = "4155555000-4155555999"

[[trunk]]
name = "pbx"
type = "accept-register"
host = "192.0.2.80"
owner = "acme"
[trunk.auth]
username = "pbx1"
password_env = "PBX1_PASSWORD"
[[trunk.tenant]]
tenant = "acme"
did_pool = "4155554000-4155554999"

[[route]]
tenant = "acme"
name = "intl"
match = "_011X."
strip = 3
prepend = "+"
trunks = ["A"]

[[route]]
tenant = "acme"
name = "us"
match = "_1NXXNXXXXXX"
trunks = ["D", "B"]
caller_id = "*"

[[route]]
tenant = "globex"
name = "only-d"
match = "_X."
trunks = ["D"]

[[inbound]]
tenant = "acme"
trunk = "A"
did = "4155551000-4155551999"
to = "sip:{did}@acme.pbx.example"

[[inbound]]
tenant = "acme"
trunk = "C"
did = "4155553000-4155553999"
to = "sip:{did}@acme.pbx.example"
)";

struct Fixture {
  std::unique_ptr<test::Compiled> c = test::compile_site(std::string(test::kBase) + kSite);
  route::Router router{c->tables};
  Fixture() { REQUIRE_MESSAGE(c->ok, c->text()); }
};
const Fixture& fixture() {
  static Fixture f;
  return f;
}

struct Asked {
  route::Decision d;
  std::string reason;
  std::vector<std::string> contacts;
  std::string trunk, tenant;
};

// Decides for a request from `source`, with `vias` (top first) recording
// "ADDRESS:RPORT" each ("" for a Via that records no address).
std::unique_ptr<Asked> ask(const char* source, std::uint16_t port, std::string_view from_host,
                           std::string_view number, std::vector<std::string> vias = {}) {
  const auto& f = fixture();
  auto a = std::make_unique<Asked>();
  std::vector<route::ViaHop> hops;
  for (const auto& v : vias) {
    route::ViaHop h;
    if (!v.empty()) {
      auto colon = v.rfind(':');
      auto at = sip::make_source(v.substr(0, colon),
                                 static_cast<std::uint16_t>(std::stoi(v.substr(colon + 1))));
      REQUIRE(at);
      h = {*at, true};
    }
    hops.push_back(h);
  }
  route::Request r;
  r.source = *sip::make_source(source, port);
  r.vias = hops;
  r.from_host = from_host;
  r.number = number;
  route::decide(f.router, r, a->d);
  const auto& t = f.c->tables;
  std::array<char, route::kReasonSize> buf;
  a->reason = route::reason(a->d, t, buf);
  for (std::uint32_t i = 0; i < a->d.contact_count; ++i) {
    std::array<char, route::kContactSize> cb;
    a->contacts.emplace_back(route::contact(a->d, i, t, cb));
  }
  if (a->d.trunk != route::kNone) a->trunk = t.str(t.trunks()[a->d.trunk].name);
  if (a->d.tenant != route::kNone) a->tenant = t.str(t.tenants()[a->d.tenant].name);
  return a;
}

}  // namespace

TEST_CASE("decide: a From host that names a trunk proves nothing from elsewhere") {
  // The issue's case: CarrierA's host in From, sent from another address.
  auto a = ask("127.0.0.5", 5060, "203.0.113.10", "4155551042");
  CHECK(a->d.code == 403);
  CHECK(a->reason == "Forbidden (source 127.0.0.5:5060 is no trunk's address)");
  CHECK(a->trunk.empty());
  // match_from_host too: D's From host, but not from D's address.
  a = ask("192.0.2.99", 5060, "d.example", "2125550042");
  CHECK(a->d.code == 403);
  // From D's own address it is D, named by its From host.
  a = ask("192.0.2.50", 5060, "d.example", "2125550042");
  CHECK(a->trunk == "D");
  CHECK(a->d.trunk_by == route::TrunkBy::match_from_host);
}

TEST_CASE("decide: a tenant's domain counts only through a trusted proxy") {
  auto a = ask("192.0.2.99", 5060, "acme.example", "01144207");
  CHECK(a->d.code == 403);
  CHECK(a->reason == "Forbidden (source 192.0.2.99:5060 is no trunk's address, and a tenant's "
                     "domain in From counts only through a trusted proxy)");
  // Through the loopback proxy (a site with no [[proxy]]): the origin is
  // what it recorded on the Via below its own.
  a = ask("127.0.0.1", 5060, "acme.example", "01144207",
          {"127.0.0.1:5060", "192.0.2.99:40000"});
  CHECK(a->d.code == 302);
  CHECK(a->tenant == "acme");
  CHECK(a->d.tenant_by == route::TenantBy::sip_domain);
  std::array<char, route::kHostPortSize> where;
  CHECK(route::host_port_text(a->d.origin, where) == "192.0.2.99:40000");
}

TEST_CASE("decide: the origin a trusted proxy recorded identifies the trunk") {
  auto a = ask("127.0.0.1", 5060, "anything.example", "+4155551042",
               {"127.0.0.1:5060", "203.0.113.20:5060"});
  CHECK(a->d.code == 302);
  CHECK(a->trunk == "A");
  CHECK(a->d.origin_proxy == 0);
  CHECK(a->contacts == std::vector<std::string>{
                           "<sip:4155551042@acme.pbx.example>;trunk=A;max-total=30"});
  // A Via a trusted proxy left without an address: nothing is proven.
  a = ask("127.0.0.1", 5060, "acme.example", "01144207", {"127.0.0.1:5060", ""});
  CHECK(a->d.code == 403);
  CHECK(a->reason ==
        "Forbidden (trusted proxy loopback recorded no address on the Via below its own)");
  // An untrusted sender's Vias are not read: its own address counts.
  a = ask("192.0.2.99", 5060, "x.example", "+4155551042", {"192.0.2.99:5060", "203.0.113.20:5060"});
  CHECK(a->d.code == 403);
}

TEST_CASE("decide: trunks on one address are told apart by port (verify_port)") {
  auto b = ask("198.51.100.7", 5070, "x.example", "4155552042");
  CHECK(b->trunk == "B");
  CHECK(b->d.code == 404);  // no inbound rule on B
  auto c = ask("198.51.100.7", 5080, "x.example", "4155553042");
  CHECK(c->trunk == "C");
  auto neither = ask("198.51.100.7", 5099, "x.example", "4155553042");
  CHECK(neither->d.code == 403);
  CHECK(neither->reason ==
        "Forbidden (source port 5099 is not trunk B's 5070 and verify_port is on)");
}

TEST_CASE("decide: inbound on a trunk whose limits.inbound is 0 is refused") {
  auto c = ask("198.51.100.7", 5080, "x.example", "4155553042");
  CHECK(c->d.code == 403);
  CHECK(c->reason == "Forbidden (trunk C: limits.inbound = 0)");
  CHECK(c->d.verdict == route::Verdict::trunk_refuses);
}

TEST_CASE("decide: failover chains follow each route trunk, each trunk once, q falling") {
  auto a = ask("127.0.0.1", 5060, "acme.example", "011442071234567");
  REQUIRE(a->d.code == 302);
  CHECK(a->contacts ==
        std::vector<std::string>{
            // A: the route's prepend; A's own caller ID (the route sets none).
            "<sip:+442071234567@203.0.113.10:5060>;q=1.0;trunk=A;caller-id=\"+15550001\";"
            // A: the default failover codes; B: its own, in order; C: none.
            "max-calls=20;max-total=30;failover-on=\"408,480,500,502,503,504\"",
            "<sip:+442071234567@198.51.100.7:5070>;q=0.9;trunk=B;failover-on=\"408,503\"",
            // C: strip_plus, its outbound proxy as next hop, tel: forms.
            "<sip:442071234567@198.51.100.7:5080;user=phone>;q=0.8;trunk=C;"
            "next-hop=\"sip:edge.c.example:5090\";tel-ruri;tel-to"});
  // B came by A's chain, C by A's too (A -> B -> C).
  CHECK(a->d.contacts[1].failover_of == a->d.contacts[0].trunk);
  CHECK(a->d.contacts[2].failover_of == a->d.contacts[0].trunk);
  CHECK(a->d.left_out_count == 0);
}

TEST_CASE("decide: a trunk with limits.outbound = 0 never appears; '*' keeps the caller ID") {
  auto a = ask("127.0.0.1", 5060, "acme.example", "14155550123");
  REQUIRE(a->d.code == 302);
  CHECK(a->contacts ==
        std::vector<std::string>{"<sip:14155550123@198.51.100.7:5070>;q=1.0;trunk=B;"
                                 "failover-on=\"408,503\"",
                                 "<sip:14155550123@198.51.100.7:5080;user=phone>;q=0.9;trunk=C;"
                                 "next-hop=\"sip:edge.c.example:5090\";tel-ruri;tel-to"});
  REQUIRE(a->d.left_out_count == 1);
  CHECK(a->d.left_out[0].why == route::LeftOut::limit_direction);
  CHECK(a->d.contacts[0].caller_id_from == route::CallerIdFrom::route);
  CHECK(a->d.contacts[0].caller_id.empty());
  // When no trunk is left, the answer is 403 naming the trunk and the rule.
  auto g = ask("127.0.0.1", 5060, "globex.example", "2125550042");
  CHECK(g->d.code == 403);
  CHECK(g->reason == "Forbidden (trunk D: limits.outbound = 0)");
}

TEST_CASE("decide: a customer PBX calling out through the trunk its tenant owns") {
  auto a = ask("192.0.2.80", 5060, "pbx.acme.example", "011442071234567");
  CHECK(a->trunk == "pbx");
  CHECK(a->tenant == "acme");
  CHECK(a->d.tenant_by == route::TenantBy::owner);
  CHECK(a->d.direction == route::Direction::outbound);
  CHECK(a->d.code == 302);
  // A DID of its own pool is still inbound.
  auto in = ask("192.0.2.80", 5060, "pbx.acme.example", "4155554042");
  CHECK(in->d.direction == route::Direction::inbound);
}

TEST_CASE("decide: more than ten trunks that could carry a call: ten Contacts") {
  std::string site = test::kBase;
  std::string list;
  for (int i = 0; i < 12; ++i) {
    site += "[[trunk]]\nname = \"t" + std::to_string(i) + "\"\ntype = \"peer\"\nprovider = \"p" + std::to_string(i) + "\"\nhost = \"192.0.2." +
            std::to_string(10 + i) + "\"\n[[trunk.tenant]]\ntenant = \"acme\"\n";
    list += (i ? ", \"t" : "\"t") + std::to_string(i) + "\"";
  }
  site += "[[route]]\ntenant = \"acme\"\nname = \"all\"\nmatch = \"_X.\"\ntrunks = [" + list + "]\n";
  auto c = test::compile_site(site);
  REQUIRE_MESSAGE(c->ok, c->text());
  route::Router router(c->tables);
  route::Request r;
  r.source = *sip::make_source("127.0.0.1", 5060);
  r.from_host = "acme.example";
  r.number = "123";
  route::Decision d;
  route::decide(router, r, d);
  CHECK(d.code == 302);
  CHECK(d.contact_count == 10);
  CHECK(d.contacts[9].q == 1);
  REQUIRE(d.left_out_count == 2);
  CHECK(d.left_out[0].why == route::LeftOut::beyond_cap);
}
