// The site loader: schema errors at exact positions, defaults, aliases,
// fragments. Each test asserts the full diagnostic text.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "support/site_fixture.hpp"

using trunk::test::check_site;
using trunk::test::kBase;
using trunk::test::load_only;
namespace site = trunk::site;

TEST_CASE("a minimal trunk gets the documented defaults") {
  auto c = load_only(std::string(kBase) + R"(
[[trunk]]
name = "T1"
type = "ip"
host = "203.0.113.5"
)");
  CHECK(c.text() == "");
  REQUIRE(c.site.trunks.size() == 1);
  const site::Trunk& t = c.site.trunks[0];
  CHECK(t.type.value == site::TrunkType::peer);
  CHECK(t.type_text.value == "ip");
  CHECK(t.provider.value == "generic");
  CHECK(t.owner.value == "system");
  CHECK(t.port.value == 5060);
  CHECK(t.transport.value == site::Transport::udp);
  CHECK(t.direction.value == site::Direction::both);
  CHECK(t.relay_media.value == site::RelayMedia::automatic);
  CHECK(t.keepalive.interval.value == 360);
  CHECK_FALSE(t.keepalive.options.value);
  CHECK_FALSE(t.limits.total.present);
  CHECK(t.where.line == 13);
  std::vector<std::int64_t> codes;
  for (const auto& f : t.failover_on.value) codes.push_back(f.value);
  CHECK(codes == std::vector<std::int64_t>{408, 480, 500, 502, 503, 504});
  CHECK_FALSE(t.failover_on.present);
}

TEST_CASE("tls defaults to port 5061; account is accept-register") {
  auto c = load_only(std::string(kBase) + R"(
[[trunk]]
name = "T1"
type = "account"
host = "gw.example"
transport = "tls"
)");
  REQUIRE(c.site.trunks.size() == 1);
  CHECK(c.site.trunks[0].port.value == 5061);
  CHECK(c.site.trunks[0].type.value == site::TrunkType::accept_register);
}

TEST_CASE("unknown-key: an unknown key is an error at the key with a hint") {
  auto c = load_only(std::string(kBase) + R"(
[[trunk]]
name = "T1"
type = "peer"
host = "203.0.113.5"
verfy_port = true
)");
  CHECK(c.text() ==
        "site.toml:17:1: error[unknown-key]: unknown key `verfy_port` in [[trunk]]\n"
        "  hint: did you mean `verify_port`?\n");
}

TEST_CASE("unknown-key: top level and nested tables") {
  auto c = load_only(std::string(kBase) + R"(
[[trunks]]
name = "T1"

[[trunk]]
name = "T2"
type = "peer"
host = "h.example"
[trunk.limits]
totl = 3
)");
  CHECK(c.text() ==
        "site.toml:13:3: error[unknown-key]: unknown top-level key `trunks`\n"
        "  hint: did you mean `trunk`?\n"
        "site.toml:21:1: error[unknown-key]: unknown key `totl` in [trunk.limits] of trunk \"T2\"\n"
        "  hint: did you mean `total`?\n");
}

TEST_CASE("wrong-type: a value of the wrong type points at the value") {
  auto c = load_only(std::string(kBase) + R"(
[[trunk]]
name = "T1"
type = "peer"
host = "203.0.113.5"
port = "5060"
)");
  CHECK(c.text() ==
        "site.toml:17:8: error[wrong-type]: `port` in [[trunk]] must be a whole number, "
        "found a string\n");
}

TEST_CASE("wrong-type: trunk written as a plain table") {
  auto c = load_only("[trunk]\nname = \"x\"\n");
  CHECK(c.text() ==
        "site.toml:1:2: error[wrong-type]: `trunk` must be an array of tables\n"
        "  hint: write each one as [[trunk]]\n");
}

TEST_CASE("missing-field: required keys are reported at the table header") {
  auto c = load_only(std::string(kBase) + R"(
[[trunk]]
name = "T1"
type = "peer"
)");
  CHECK(c.text() ==
        "site.toml:13:1: error[missing-field]: [[trunk]] is missing required key `host`\n");
}

TEST_CASE("out-of-range: limits below zero") {
  auto c = load_only(std::string(kBase) + R"(
[[trunk]]
name = "T1"
type = "peer"
host = "203.0.113.5"
[trunk.limits]
inbound = -1
)");
  CHECK(c.text() ==
        "site.toml:18:11: error[out-of-range]: `inbound` in [trunk.limits] of trunk \"T1\" "
        "is -1, outside 0 to 1000000\n");
}

TEST_CASE("failover_on: codes 300 to 699, each once, an array of whole numbers") {
  auto ok = load_only(std::string(kBase) + R"(
[[trunk]]
name = "T1"
type = "peer"
host = "203.0.113.5"
failover_on = [503, 486]
)");
  CHECK(ok.text() == "");
  REQUIRE(ok.site.trunks[0].failover_on.value.size() == 2);
  CHECK(ok.site.trunks[0].failover_on.value[1].value == 486);
  CHECK(ok.site.trunks[0].failover_on.present);
  auto none = load_only(std::string(kBase) + R"(
[[trunk]]
name = "T1"
type = "peer"
host = "203.0.113.5"
failover_on = []
)");
  CHECK(none.text() == "");
  CHECK(none.site.trunks[0].failover_on.value.empty());
  auto bad = load_only(std::string(kBase) + R"(
[[trunk]]
name = "T1"
type = "peer"
host = "203.0.113.5"
failover_on = [200, 503, "408", 503]
)");
  CHECK(bad.text() ==
        "site.toml:17:16: error[out-of-range]: an element of `failover_on` in [[trunk]] is 200, "
        "outside 300 to 699\n"
        "site.toml:17:26: error[wrong-type]: elements of `failover_on` in [[trunk]] must be whole "
        "numbers, found a string\n"
        "site.toml:17:33: error[invalid-value]: failover_on of trunk \"T1\" lists 503 twice\n");
}

TEST_CASE("invalid-value: an enumeration with a typo") {
  auto c = load_only(std::string(kBase) + R"(
[[trunk]]
name = "T1"
type = "peer"
host = "203.0.113.5"
transport = "tpc"
)");
  CHECK(c.text() ==
        "site.toml:17:13: error[invalid-value]: `transport` in [[trunk]] is \"tpc\", "
        "not one of udp, tcp, tls, wss\n"
        "  hint: did you mean \"tcp\"?\n");
}

TEST_CASE("invalid-value: associated_ips must be addresses or CIDR blocks") {
  auto c = load_only(std::string(kBase) + R"(
[[trunk]]
name = "T1"
type = "peer"
host = "203.0.113.5"
associated_ips = ["203.0.113.16/28", "2001:db8::/32", "203.0.113.300", "10.0.0.0/33"]
)");
  CHECK(c.text() ==
        "site.toml:17:55: error[invalid-value]: associated_ips entry \"203.0.113.300\" of "
        "trunk \"T1\" is not an IP address or CIDR block\n"
        "  hint: write an address (203.0.113.10) or a block (203.0.113.16/28)\n"
        "site.toml:17:72: error[invalid-value]: associated_ips entry \"10.0.0.0/33\" of "
        "trunk \"T1\" is not an IP address or CIDR block\n"
        "  hint: write an address (203.0.113.10) or a block (203.0.113.16/28)\n");
}

TEST_CASE("invalid-name: tenant and trunk names follow the spec's alphabet") {
  auto c = load_only(R"([[tenant]]
name = "Acme Corp"
sip_domain = "acme.example"

[[trunk]]
name = "bad name!"
type = "peer"
host = "h.example"
)");
  CHECK(c.text() ==
        "site.toml:2:8: error[invalid-name]: tenant name \"Acme Corp\" is not valid\n"
        "  hint: tenant names are 1-63 of a-z, 0-9 and '-', starting with a letter or digit\n"
        "site.toml:6:8: error[invalid-name]: trunk name \"bad name!\" is not valid\n"
        "  hint: trunk names are 1-64 of A-Z, a-z, 0-9, '.', '_' and '-'\n");
}

TEST_CASE("toml-syntax: a TOML error keeps its position") {
  auto c = load_only("[site]\nname = \"x\nfoo = 1\n");
  REQUIRE(c.sink.all().size() == 1);
  const auto& d = c.sink.all()[0];
  CHECK(d.code == "toml-syntax");
  CHECK(d.where.file == "site.toml");
  CHECK(d.where.line == 2);
}

TEST_CASE("duplicate-key: a [site] key in two fragments names both places") {
  auto dir = std::filesystem::temp_directory_path() / "trunk_loader_test_dup";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "a.toml") << "[site]\nname = \"one\"\n";
  std::ofstream(dir / "b.toml") << "[[tenant]]\nname = \"x\"\nsip_domain = \"x.example\"\n\n"
                                   "[site]\nname = \"two\"\n";
  site::Site s;
  trunk::diag::Sink sink;
  trunk::diag::SourceText src;
  CHECK(site::load_site(dir, s, sink, src) == site::LoadStatus::loaded);
  std::string a = (dir / "a.toml").string(), b = (dir / "b.toml").string();
  CHECK(trunk::diag::render_text(sink, nullptr) ==
        b + ":6:1: error[duplicate-key]: `site.name` is defined in two places\n"
            "  note: " + a + ":2:1: first defined here\n");
  CHECK(s.info.name.value == "one");
  CHECK(s.tenants.size() == 1);
  CHECK(s.files == std::vector<std::string>{a, b});
  std::filesystem::remove_all(dir);
}

TEST_CASE("a missing path or an empty directory is unreadable") {
  site::Site s;
  trunk::diag::Sink sink;
  trunk::diag::SourceText src;
  CHECK(site::load_site("/nonexistent/site", s, sink, src) == site::LoadStatus::unreadable);
  auto dir = std::filesystem::temp_directory_path() / "trunk_loader_test_empty";
  std::filesystem::create_directories(dir);
  CHECK(site::load_site(dir, s, sink, src) == site::LoadStatus::unreadable);
  CHECK(sink.all().back().message == "site directory holds no *.toml files");
  std::filesystem::remove_all(dir);
}

TEST_CASE("inline passwords are masked in quoted lines after loading") {
  auto dir = std::filesystem::temp_directory_path() / "trunk_loader_test_pw";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "s.toml") << "[[trunk]]\nname = \"A\"\ntype = \"register\"\nhost = \"h\"\n"
                                   "auth.username = \"u\"\nauth.password = \"\"\"\ntop-secret\"\"\"\n";
  site::Site s;
  trunk::diag::Sink sink;
  trunk::diag::SourceText src;
  REQUIRE(site::load_site(dir, s, sink, src) == site::LoadStatus::loaded);
  std::string f = (dir / "s.toml").string();
  CHECK(src.line(f, 7).find("top-secret") == std::string::npos);
  std::filesystem::remove_all(dir);
}

// [[proxy]]: trusted proxies (issue #15). kBase has 11 lines.
TEST_CASE("proxy: name and addresses are read with their places") {
  auto c = load_only(std::string(kBase) + R"(
[[proxy]]
name = "edge"
addresses = ["127.0.0.1", "192.0.2.0/24", "2001:db8::5"]
)");
  CHECK(c.text() == "");
  REQUIRE(c.site.proxies.size() == 1);
  const site::Proxy& p = c.site.proxies[0];
  CHECK(p.where.line == 13);
  CHECK(p.name.value == "edge");
  REQUIRE(p.addresses.value.size() == 3);
  CHECK(p.addresses.value[1].value == "192.0.2.0/24");
  CHECK(p.addresses.value[1].where.line == 15);
  CHECK(p.addresses.value[1].where.column == 27);
}

TEST_CASE("proxy: missing-field for name and addresses, at the header") {
  auto c = load_only(std::string(kBase) + R"(
[[proxy]]
)");
  CHECK(c.text() ==
        "site.toml:13:1: error[missing-field]: [[proxy]] is missing required key `name`\n"
        "site.toml:13:1: error[missing-field]: [[proxy]] is missing required key `addresses`\n");
}

TEST_CASE("proxy: invalid-value for an address that is no address or block, and for none") {
  auto c = load_only(std::string(kBase) + R"(
[[proxy]]
name = "edge"
addresses = ["192.0.2.10", "proxy.example", "192.0.2.0/40"]

[[proxy]]
name = "empty"
addresses = []
)");
  CHECK(c.text() ==
        "site.toml:15:28: error[invalid-value]: addresses entry \"proxy.example\" of proxy "
        "\"edge\" is not an IP address or CIDR block\n"
        "  hint: write an address (203.0.113.10) or a block (203.0.113.16/28)\n"
        "site.toml:15:45: error[invalid-value]: addresses entry \"192.0.2.0/40\" of proxy "
        "\"edge\" is not an IP address or CIDR block\n"
        "  hint: write an address (203.0.113.10) or a block (203.0.113.16/28)\n"
        "site.toml:19:13: error[invalid-value]: proxy \"empty\" has no addresses\n"
        "  hint: list the addresses the proxy sends from, or remove the [[proxy]]\n");
}

TEST_CASE("proxy: unknown-key, wrong-type and invalid-name as for trunks") {
  auto c = load_only(std::string(kBase) + R"(
[[proxy]]
name = "edge proxy"
adresses = ["192.0.2.10"]
addresses = "192.0.2.10"
)");
  CHECK(c.text() ==
        "site.toml:14:8: error[invalid-name]: proxy name \"edge proxy\" is not valid\n"
        "  hint: proxy names are 1-64 of A-Z, a-z, 0-9, '.', '_' and '-'\n"
        "site.toml:15:1: error[unknown-key]: unknown key `adresses` in [[proxy]]\n"
        "  hint: did you mean `addresses`?\n"
        "site.toml:16:13: error[wrong-type]: `addresses` in [[proxy]] must be an array of "
        "strings, found a string\n");
  auto table = load_only("[proxy]\nname = \"edge\"\n");
  CHECK(table.text() ==
        "site.toml:1:2: error[wrong-type]: `proxy` must be an array of tables\n"
        "  hint: write each one as [[proxy]]\n");
}

TEST_CASE("proxy: the proxies of all fragments are appended in file order") {
  site::Site s;
  trunk::diag::Sink sink;
  trunk::diag::SourceText src;
  site::load_texts({{"site/00-site.toml", std::string(kBase) +
                                              "\n[[proxy]]\nname = \"a\"\naddresses = [\"::1\"]\n"},
                    {"site/10-edge.toml", "[[proxy]]\nname = \"b\"\naddresses = [\"192.0.2.1\"]\n"}},
                   s, sink, src);
  CHECK(trunk::diag::render_text(sink, nullptr) == "");
  REQUIRE(s.proxies.size() == 2);
  CHECK(s.proxies[0].name.value == "a");
  CHECK(s.proxies[1].name.value == "b");
  CHECK(s.proxies[1].where.file.str() == "site/10-edge.toml");
}

// The schema marks auth.password secret: its value is hidden from every
// quoted line however it is written, even when it has the wrong type and
// so never reaches the model (a multi-line array's inner lines carry no
// key that the line mask could recognise).
TEST_CASE("secrets: a schema secret is hidden from quoted lines whatever its type") {
  site::Site s;
  trunk::diag::Sink sink;
  trunk::diag::SourceText src;
  site::load_texts({{"s.toml",
                     "[[trunk]]\nname = \"t\"\ntype = \"register\"\nhost = \"sip.example\"\n"
                     "[trunk.auth]\nusername = \"u\"\npassword = [\n  \"hunter2-secret\",\n]\n"
                     "[[trunk]]\nname = \"u\"\nhost = \"sip.example\"\n"
                     "auth = { password = \"\"\"\nline-two-secret\"\"\" }\n"}},
                   s, sink, src);
  CHECK(src.line("s.toml", 8).find("hunter2") == std::string::npos);
  CHECK(src.line("s.toml", 7).find("password") == 0);
  CHECK(src.line("s.toml", 14).find("line-two") == std::string::npos);
  CHECK(src.line("s.toml", 6) == "username = \"u\"");
}
