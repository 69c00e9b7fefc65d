// The site rules of check/ (names, proxies, registration, hosts,
// references, limits; pools are pools_test.cpp's): one test per rule, named
// for the rule, asserting the full text and both places of a conflict. Each site is kBase (tenants acme and
// globex, transports udp/tcp/tls; 11 lines) plus the trunks under test.
#include <doctest/doctest.h>

#include "support/site_fixture.hpp"

using trunk::test::check_site;
using trunk::test::kBase;

namespace {
std::string run(const std::string& rest) { return check_site(std::string(kBase) + rest).text(); }
}  // namespace

TEST_CASE("the example-shaped clean site has no findings") {
  CHECK(run(R"(
[[trunk]]
name = "P"
type = "peer"
provider = "A"
host = "203.0.113.5"
[[trunk.tenant]]
tenant = "acme"

[[trunk]]
name = "R"
type = "register"
host = "sip.b.example"
failover = "P"
auth = { username = "u1", password_env = "R_PW" }
)") == "");
}

TEST_CASE("duplicate-name: trunk and tenant names are unique") {
  CHECK(run(R"(
[[tenant]]
name = "acme"
sip_domain = "other.example"

[[trunk]]
name = "P"
type = "peer"
host = "203.0.113.5"

[[trunk]]
name = "P"
type = "peer"
provider = "B"
host = "203.0.113.6"
)") == "site.toml:14:8: error[duplicate-name]: tenant \"acme\" is defined twice\n"
       "  note: site.toml:6:8: first defined here\n"
       "site.toml:23:8: error[duplicate-name]: trunk \"P\" is defined twice\n"
       "  note: site.toml:18:8: first defined here\n");
}

TEST_CASE("duplicate-sip-domain: a domain belongs to one tenant") {
  CHECK(run(R"(
[[tenant]]
name = "initech"
sip_domain = "acme.example"
)") == "site.toml:15:14: error[duplicate-sip-domain]: sip_domain \"acme.example\" of tenant "
       "\"initech\" is already the domain of tenant \"acme\"\n"
       "  note: site.toml:7:14: first defined here\n");
}

TEST_CASE("registration-duplicate: (host, username) is unique over registration trunks") {
  CHECK(run(R"(
[[trunk]]
name = "R1"
type = "register"
host = "sip.x.example"
auth = { username = "100", password_env = "A" }

[[trunk]]
name = "R2"
type = "accept-register"
host = "sip.x.example"
auth = { username = "100", password_env = "B" }
)") == "site.toml:23:21: error[registration-duplicate]: trunk \"R2\" registers as user \"100\" "
       "at host \"sip.x.example\", as trunk \"R1\" already does\n"
       "  note: site.toml:17:21: the other registration\n");
}

TEST_CASE("missing-password: registration trunks need a password source") {
  CHECK(run(R"(
[[trunk]]
name = "R1"
type = "register"
host = "sip.x.example"
[trunk.auth]
username = "100"
)") == "site.toml:17:1: error[missing-password]: register trunk \"R1\" has no password source\n"
       "  hint: set auth.password_env (preferred), auth.password_file or auth.password\n");
}

TEST_CASE("missing-field: registration trunks need auth.username") {
  CHECK(run(R"(
[[trunk]]
name = "R1"
type = "register"
host = "sip.x.example"
)") == "site.toml:13:1: error[missing-field]: register trunk \"R1\" has no auth.username\n"
       "  hint: add [trunk.auth] with username and password_env\n"
       "site.toml:13:1: error[missing-password]: register trunk \"R1\" has no password source\n"
       "  hint: set auth.password_env (preferred), auth.password_file or auth.password\n");
}

TEST_CASE("password-sources: one password source only") {
  CHECK(run(R"(
[[trunk]]
name = "R1"
type = "register"
host = "sip.x.example"
[trunk.auth]
username = "100"
password_env = "R1_PW"
password_file = "/etc/r1"
)") == "site.toml:17:1: error[password-sources]: trunk \"R1\" has more than one password "
       "source; which one is used would be a guess\n"
       "  hint: keep exactly one of password_env, password_file and password\n");
}

TEST_CASE("accept-register-host: the host is not a tenant's sip_domain") {
  CHECK(run(R"(
[[trunk]]
name = "GW"
type = "accept-register"
owner = "acme"
host = "acme.example"
auth = { username = "gw", password_env = "GW_PW" }
)") == "site.toml:17:8: error[accept-register-host]: host \"acme.example\" of accept-register "
       "trunk \"GW\" is the sip_domain of tenant \"acme\"\n"
       "  note: site.toml:7:14: the tenant's domain\n"
       "  hint: an accept-register trunk needs a host of its own, or REGISTERs from the "
       "gateway are taken for the tenant's users\n");
}

TEST_CASE("peer-owner: peer trunks are owned by the system") {
  CHECK(run(R"(
[[trunk]]
name = "P"
type = "peer"
owner = "acme"
host = "203.0.113.5"
)") == "site.toml:16:9: error[peer-owner]: peer trunk \"P\" is owned by \"acme\"; peer trunks "
       "belong to the system\n"
       "  hint: remove `owner` or set owner = \"system\"; assign tenants with [[trunk.tenant]]\n");
}

TEST_CASE("peer-per-provider: one peer trunk per provider") {
  CHECK(run(R"(
[[trunk]]
name = "P1"
type = "peer"
provider = "Carrier"
host = "203.0.113.5"

[[trunk]]
name = "P2"
type = "peer"
provider = "Carrier"
host = "203.0.113.6"
)") == "site.toml:22:12: error[peer-per-provider]: provider \"Carrier\" has a second peer "
       "trunk \"P2\" besides \"P1\"\n"
       "  note: site.toml:13:1: the first peer trunk of this provider\n"
       "  hint: add the provider's further addresses to associated_ips of the first trunk\n");
}

TEST_CASE("peer-address-duplicate: (host, port) is unique over peer trunks") {
  CHECK(run(R"(
[[trunk]]
name = "P1"
type = "peer"
provider = "A"
host = "203.0.113.5"

[[trunk]]
name = "P2"
type = "peer"
provider = "B"
host = "203.0.113.5"
port = 5060
)") == "site.toml:23:8: error[peer-address-duplicate]: peer trunk \"P2\" uses "
       "203.0.113.5:5060, as peer trunk \"P1\" does\n"
       "  note: site.toml:17:8: the other trunk\n");
}

TEST_CASE("route-trunk-unassigned and route-trunk-direction: site rules, not only the compiler's") {
  CHECK(run(R"(
[[trunk]]
name = "in-only"
type = "peer"
host = "203.0.113.5"
direction = "inbound"
[[trunk.tenant]]
tenant = "acme"

[[trunk]]
name = "other"
type = "peer"
provider = "B"
host = "203.0.113.6"

[[route]]
tenant = "acme"
name = "out"
match = "_X."
trunks = ["in-only", "other"]
)") ==
        "site.toml:31:11: error[route-trunk-direction]: route \"out\" sends calls out through "
        "trunk \"in-only\", whose direction is inbound\n"
        "  note: site.toml:17:13: direction set here\n"
        "site.toml:31:22: error[route-trunk-unassigned]: route \"out\" of tenant \"acme\" uses "
        "trunk \"other\", which is not assigned to the tenant\n"
        "  note: site.toml:21:1: the trunk\n"
        "  hint: add [[trunk.tenant]] tenant = \"acme\" to the trunk, or use one of the "
        "tenant's trunks\n");
}

TEST_CASE("inbound-trunk-direction: inbound rules take calls on trunks that receive them") {
  CHECK(run(R"(
[[trunk]]
name = "out-only"
type = "peer"
host = "203.0.113.5"
direction = "outbound"
[[trunk.tenant]]
tenant = "acme"
did_pool = "4155551000-4155551099"

[[inbound]]
trunk = "out-only"
did = "4155551000-4155551099"
tenant = "acme"
to = "sip:{did}@acme.example"
)") == "site.toml:23:9: error[inbound-trunk-direction]: inbound rule for "
       "\"4155551000-4155551099\" receives calls on trunk \"out-only\", whose direction is "
       "outbound\n"
       "  note: site.toml:17:13: direction set here\n");
}

TEST_CASE("duplicate-sip-domain: domains compare without case") {
  CHECK(run(R"(
[[tenant]]
name = "initech"
sip_domain = "ACME.Example"
)") == "site.toml:15:14: error[duplicate-sip-domain]: sip_domain \"ACME.Example\" of tenant "
       "\"initech\" is already the domain of tenant \"acme\"\n"
       "  note: site.toml:7:14: first defined here\n");
}

TEST_CASE("registration-duplicate: hosts compare without case, usernames with case") {
  const std::string two = R"(
[[trunk]]
name = "R1"
type = "register"
host = "SIP.XYZ.example"
auth = { username = "100", password_env = "A" }

[[trunk]]
name = "R2"
type = "register"
host = "sip.xyz.example"
auth = { username = "USER", password_env = "B" }
)";
  CHECK(run(std::string(two).replace(two.find("\"USER\""), 6, "\"100\"")) ==
        "site.toml:23:21: error[registration-duplicate]: trunk \"R2\" registers as user \"100\" "
        "at host \"sip.xyz.example\", as trunk \"R1\" already does\n"
        "  note: site.toml:17:21: the other registration\n");
  CHECK(run(two) == "");  // user 100 and user USER are two registrations
}

TEST_CASE("peer-per-provider: provider names compare without case") {
  CHECK(run(R"(
[[trunk]]
name = "P1"
type = "peer"
provider = "Provider"
host = "203.0.113.5"

[[trunk]]
name = "P2"
type = "peer"
provider = "provider"
host = "203.0.113.6"
)") == "site.toml:22:12: error[peer-per-provider]: provider \"provider\" has a second peer "
       "trunk \"P2\" besides \"P1\"\n"
       "  note: site.toml:13:1: the first peer trunk of this provider\n"
       "  hint: add the provider's further addresses to associated_ips of the first trunk\n");
}

TEST_CASE("peer-address-duplicate: hosts compare without case") {
  CHECK(run(R"(
[[trunk]]
name = "P1"
type = "peer"
provider = "A"
host = "sip.carrier.example"

[[trunk]]
name = "P2"
type = "peer"
provider = "B"
host = "SIP.Carrier.example"
)") == "site.toml:23:8: error[peer-address-duplicate]: peer trunk \"P2\" uses "
       "SIP.Carrier.example:5060, as peer trunk \"P1\" does\n"
       "  note: site.toml:17:8: the other trunk\n");
}

namespace {
// Two peers of providers A and B on one host, ports 5060 and 5070, each
// with the given verify_port.
std::string peers_on_one_host(bool first_verifies, bool second_verifies) {
  auto flag = [](bool v) { return std::string("verify_port = ") + (v ? "true" : "false"); };
  return R"(
[[trunk]]
name = "P1"
type = "peer"
provider = "A"
host = "203.0.113.5"
)" + flag(first_verifies) + R"(

[[trunk]]
name = "P2"
type = "peer"
provider = "B"
host = "203.0.113.5"
port = 5070
)" + flag(second_verifies) + "\n";
}
}  // namespace

TEST_CASE("peer-address-ambiguous: peers sharing a host must both verify the port") {
  CHECK(run(peers_on_one_host(false, false)) ==
        "site.toml:24:8: error[peer-address-ambiguous]: peer trunks \"P1\" and \"P2\" share host "
        "203.0.113.5 on ports 5060 and 5070, and \"P2\" does not check the port: its calls "
        "could be taken for the other trunk's\n"
        "  note: site.toml:17:8: the other trunk\n"
        "  hint: set verify_port = true on both trunks\n");
  CHECK(run(peers_on_one_host(false, true)) ==
        "site.toml:24:8: error[peer-address-ambiguous]: peer trunks \"P1\" and \"P2\" share host "
        "203.0.113.5 on ports 5060 and 5070, and \"P1\" does not check the port: its calls "
        "could be taken for the other trunk's\n"
        "  note: site.toml:17:8: the other trunk\n"
        "  hint: set verify_port = true on both trunks\n");
  CHECK(run(peers_on_one_host(true, true)) == "");
}

TEST_CASE("owner-required: teams and whatsapp trunks are owned by a tenant") {
  CHECK(run(R"(
[[trunk]]
name = "MS"
type = "teams"
host = "sip.pstnhub.microsoft.com"
transport = "tls"
)") == "site.toml:13:1: error[owner-required]: teams trunk \"MS\" must be owned by a tenant\n"
       "  hint: set owner = \"<tenant>\" to the tenant it serves\n");
}

TEST_CASE("foreign-assignment: a tenant's trunk serves that tenant alone") {
  CHECK(run(R"(
[[trunk]]
name = "MS"
type = "teams"
owner = "acme"
host = "sip.pstnhub.microsoft.com"
transport = "tls"
[[trunk.tenant]]
tenant = "acme"
[[trunk.tenant]]
tenant = "globex"
)") == "site.toml:22:10: error[foreign-assignment]: trunk \"MS\" is owned by tenant \"acme\" "
       "but assigned to tenant \"globex\"\n"
       "  note: site.toml:16:9: owner set here\n"
       "  hint: a tenant's own trunk serves that tenant alone; use a system-owned trunk to "
       "share\n");
}

TEST_CASE("unknown-tenant: owners and assignments name defined tenants") {
  CHECK(run(R"(
[[trunk]]
name = "GW"
type = "accept-register"
owner = "acmee"
host = "gw.example"
auth = { username = "gw", password_env = "GW_PW" }
[[trunk.tenant]]
tenant = "globx"
)") == "site.toml:16:9: error[unknown-tenant]: owner \"acmee\" of trunk \"GW\" is not a tenant\n"
       "  hint: did you mean \"acme\"?\n"
       "site.toml:20:10: error[unknown-tenant]: trunk \"GW\" is assigned to tenant \"globx\", "
       "which is not defined\n"
       "  hint: did you mean \"globex\"?\n");
}

TEST_CASE("duplicate-assignment: a tenant is assigned to a trunk once") {
  CHECK(run(R"(
[[trunk]]
name = "P"
type = "peer"
host = "203.0.113.5"
[[trunk.tenant]]
tenant = "acme"
[[trunk.tenant]]
tenant = "acme"
)") == "site.toml:20:10: error[duplicate-assignment]: trunk \"P\" is assigned to tenant "
       "\"acme\" twice\n");
}

TEST_CASE("transport-required: teams needs tls, webrtc needs wss") {
  CHECK(run(R"(
[[trunk]]
name = "MS"
type = "teams"
owner = "acme"
host = "sip.pstnhub.microsoft.com"

[[trunk]]
name = "WEB"
type = "webrtc"
host = "ws.example"
transport = "tls"
)") == "site.toml:13:1: error[transport-required]: teams trunk \"MS\" uses transport udp; "
       "teams needs tls\n"
       "  hint: set transport = \"tls\"\n"
       "site.toml:23:13: error[transport-required]: webrtc trunk \"WEB\" uses transport tls; "
       "webrtc needs wss\n"
       "  hint: set transport = \"wss\"\n");
}

TEST_CASE("transport-disabled: a trunk's transport is enabled on the site") {
  CHECK(run(R"(
[[trunk]]
name = "P"
type = "peer"
host = "203.0.113.5"
transport = "wss"
)") == "site.toml:17:13: error[transport-disabled]: trunk \"P\" uses transport wss, which is "
       "not enabled in site.transports\n"
       "  note: site.toml:3:14: site.transports\n"
       "  hint: add \"wss\" to site.transports (default: [\"udp\"])\n");
}

TEST_CASE("transport-disabled: the default transports are udp alone") {
  auto c = check_site(R"([[trunk]]
name = "P"
type = "peer"
host = "203.0.113.5"
transport = "tcp"
)");
  CHECK(c.text() == "site.toml:5:13: error[transport-disabled]: trunk \"P\" uses transport tcp, "
                    "which is not enabled in site.transports\n"
                    "  hint: add \"tcp\" to site.transports (default: [\"udp\"])\n");
}

TEST_CASE("failover-self, failover-unknown: failover names another existing trunk") {
  CHECK(run(R"(
[[trunk]]
name = "P1"
type = "peer"
provider = "A"
host = "203.0.113.5"
failover = "P1"

[[trunk]]
name = "P2"
type = "peer"
provider = "B"
host = "203.0.113.6"
failover = "P3"
)") == "site.toml:18:12: error[failover-self]: trunk \"P1\" fails over to itself\n"
       "site.toml:25:12: error[failover-unknown]: failover \"P3\" of trunk \"P2\" is not a trunk\n"
       "  hint: did you mean \"P1\"?\n");
}

TEST_CASE("failover-cycle: chains end") {
  CHECK(run(R"(
[[trunk]]
name = "P1"
type = "peer"
provider = "A"
host = "203.0.113.5"
failover = "P2"

[[trunk]]
name = "P2"
type = "peer"
provider = "B"
host = "203.0.113.6"
failover = "P3"

[[trunk]]
name = "P3"
type = "peer"
provider = "C"
host = "203.0.113.7"
failover = "P2"
)") == "site.toml:25:12: error[failover-cycle]: failover chain loops: P2 -> P3 -> P2\n"
       "  note: site.toml:32:12: the chain closes here\n"
       "  hint: end the chain at a trunk without `failover`\n");
}

TEST_CASE("unknown-trunk: routes and inbound rules reference defined trunks") {
  CHECK(run(R"(
[[trunk]]
name = "XYZ-Primary"
type = "peer"
host = "203.0.113.5"

[[route]]
tenant = "acme"
name = "all"
match = "_X."
trunks = ["XYZ-Primry"]

[[inbound]]
tenant = "acme"
trunk = "Gone"
did = "100"
to = "sip:{did}@acme.example"
)") == "site.toml:22:11: error[unknown-trunk]: route \"all\" uses trunk \"XYZ-Primry\", which "
       "is not defined\n"
       "  hint: did you mean \"XYZ-Primary\"?\n"
       "site.toml:26:9: error[unknown-trunk]: inbound rule for \"100\" uses trunk \"Gone\", which "
       "is not defined\n"
       "  hint: define the trunk, or remove it from the rule\n");
}

TEST_CASE("limits-total: a total below a direction's limit is warned") {
  auto c = check_site(std::string(kBase) + R"(
[[trunk]]
name = "P"
type = "peer"
host = "203.0.113.5"
limits = { inbound = 30, outbound = 10, total = 20 }
)");
  CHECK(c.sink.errors() == 0);
  CHECK(c.text() == "site.toml:17:49: warning[limits-total]: limits.total 20 of trunk \"P\" is "
                    "below limits.inbound 30\n"
                    "  note: site.toml:17:22: the larger limit\n"
                    "  hint: the total caps both directions; raise it or lower the other\n");
}

TEST_CASE("inline-password, weak-password: warned, the value never shown") {
  auto c = check_site(std::string(kBase) + R"(
[[trunk]]
name = "GW"
type = "accept-register"
owner = "acme"
host = "gw.example"
[trunk.auth]
username = "gw"
password = "short-pw"
)");
  CHECK(c.sink.errors() == 0);
  CHECK(c.text() ==
        "site.toml:20:1: warning[inline-password]: trunk \"GW\" has its password inline in "
        "the site\n"
        "  hint: use password_env or password_file so the secret stays out of git\n"
        "site.toml:20:1: warning[weak-password]: accept-register trunk \"GW\" has a password "
        "shorter than 12 characters\n"
        "  hint: gateways that register to the PBX are scanned for; use 12 or more "
        "characters\n");
  CHECK(c.text().find("short-pw") == std::string::npos);
}

// Trusted proxies (issue #15): trunkd takes a trusted proxy's Via for a
// request's origin, so no proxy address may be a trunk's.
TEST_CASE("duplicate-name: proxy names are unique") {
  CHECK(run(R"(
[[proxy]]
name = "edge"
addresses = ["192.0.2.10"]

[[proxy]]
name = "edge"
addresses = ["192.0.2.11"]
)") == "site.toml:18:8: error[duplicate-name]: proxy \"edge\" is defined twice\n"
       "  note: site.toml:14:8: first defined here\n");
}

TEST_CASE("proxy-address-is-trunk: a proxy address or block covers a trunk's address") {
  CHECK(run(R"(
[[trunk]]
name = "P"
type = "peer"
provider = "A"
host = "203.0.113.5"
associated_ips = ["198.51.100.0/24"]

[[trunk]]
name = "V6"
type = "peer"
provider = "B"
host = "[2001:db8::7]"

[[trunk]]
name = "R"
type = "register"
host = "sip.r.example"
auth = { username = "u1", password_env = "R_PW" }

[[proxy]]
name = "edge"
addresses = ["203.0.113.0/24", "198.51.100.77", "2001:db8::/64", "::ffff:203.0.113.5", "192.0.2.1"]
)") == "site.toml:34:14: error[proxy-address-is-trunk]: address 203.0.113.0/24 of proxy "
       "\"edge\" overlaps host 203.0.113.5 of trunk \"P\": a trunk trusted as a proxy could "
       "forge any origin with an extra Via\n"
       "  note: site.toml:17:8: the trunk's address\n"
       "  hint: list only the proxy's own addresses, never a trunk's\n"
       "site.toml:34:32: error[proxy-address-is-trunk]: address 198.51.100.77 of proxy "
       "\"edge\" overlaps associated_ips entry 198.51.100.0/24 of trunk \"P\": a trunk "
       "trusted as a proxy could forge any origin with an extra Via\n"
       "  note: site.toml:18:19: the trunk's address\n"
       "  hint: list only the proxy's own addresses, never a trunk's\n"
       "site.toml:34:49: error[proxy-address-is-trunk]: address 2001:db8::/64 of proxy "
       "\"edge\" overlaps host [2001:db8::7] of trunk \"V6\": a trunk trusted as a proxy "
       "could forge any origin with an extra Via\n"
       "  note: site.toml:24:8: the trunk's address\n"
       "  hint: list only the proxy's own addresses, never a trunk's\n"
       "site.toml:34:66: error[proxy-address-is-trunk]: address ::ffff:203.0.113.5 of proxy "
       "\"edge\" overlaps host 203.0.113.5 of trunk \"P\": a trunk trusted as a proxy could "
       "forge any origin with an extra Via\n"
       "  note: site.toml:17:8: the trunk's address\n"
       "  hint: list only the proxy's own addresses, never a trunk's\n");
}

TEST_CASE("proxy-address-is-trunk: neighbouring blocks and host names pass") {
  CHECK(run(R"(
[[trunk]]
name = "P"
type = "peer"
provider = "A"
host = "203.0.113.5"
associated_ips = ["198.51.100.0/25"]

[[trunk]]
name = "N"
type = "peer"
provider = "B"
host = "gw.b.example"

[[proxy]]
name = "edge"
addresses = ["203.0.113.4", "203.0.113.6/31", "198.51.100.128/25", "::1", "127.0.0.1"]
)") == "");
}

TEST_CASE("proxy-address-overlap: an address belongs to one proxy") {
  CHECK(run(R"(
[[proxy]]
name = "a"
addresses = ["192.0.2.0/24", "2001:db8::1"]

[[proxy]]
name = "b"
addresses = ["192.0.2.77", "2001:db8::2"]

[[proxy]]
name = "c"
addresses = ["2001:db8::/48"]
)") == "site.toml:19:14: error[proxy-address-overlap]: address 192.0.2.77 of proxy \"b\" "
       "overlaps address 192.0.2.0/24 of proxy \"a\"\n"
       "  note: site.toml:15:14: the other proxy's address\n"
       "  hint: give each address to one proxy\n"
       "site.toml:23:14: error[proxy-address-overlap]: address 2001:db8::/48 of proxy \"c\" "
       "overlaps address 2001:db8::1 of proxy \"a\"\n"
       "  note: site.toml:15:30: the other proxy's address\n"
       "  hint: give each address to one proxy\n");
}
