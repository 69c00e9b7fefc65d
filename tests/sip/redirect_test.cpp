// The redirect decision over the example site's compiled tables: outbound
// with failover Contacts, inbound through pools and rules, trunks found by
// address, port and From host, and every refusal with its reason.
#include <doctest/doctest.h>

#include <filesystem>

#include "route/compile.hpp"
#include "sip/redirect.hpp"
#include "check/site.hpp"
#include "site/loader.hpp"
#include "support/compiled.hpp"
#include "support/redirect_agreement.hpp"
#include "tables/writer.hpp"

using namespace trunk;

extern std::size_t g_allocations;  // tests/support/alloc_count.cpp

namespace {

std::string invite(std::string_view ruri, std::string_view from, std::string_view method = "INVITE",
                   std::string_view contact = "<sip:caller@192.0.2.7:5060>") {
  std::string m(method);
  return m + " " + std::string(ruri) + " SIP/2.0\r\n" +
         "Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-one\r\n"
         "Via: SIP/2.0/UDP 192.0.2.8:5070;branch=z9hG4bK-two\r\n"
         "From: <" + std::string(from) + ">;tag=f1\r\n"
         "To: <" + std::string(ruri) + ">\r\n"
         "Call-ID: call-1@192.0.2.7\r\n"
         "CSeq: 7 " + m + "\r\n"
         "Contact: " + std::string(contact) + "\r\n"
         "Max-Forwards: 70\r\n"
         "Content-Length: 0\r\n\r\n";
}

// A Reply's fields copied out of the buffer they point into, so that two
// answers can be compared.
struct Answer {
  int code = 0;
  std::string reason, bytes, trunk, route, tenant;
};

Answer ask(const std::string& text, const char* address, std::uint16_t port) {
  std::string error;
  auto m = sip::Message::parse(text, error);
  REQUIRE_MESSAGE(m.has_value(), error);
  auto from = sip::make_source(address, port);
  REQUIRE(from.has_value());
  REQUIRE(test::example_router());
  const route::Router& router = *test::example_router();
  sip::ResponseText out;
  sip::Reply r = sip::redirect(router, *m, *from, out);
  return {r.code, std::string(r.reason), std::string(r.bytes), std::string(r.trunk),
          std::string(r.route), std::string(r.tenant)};
}

}  // namespace

TEST_CASE("outbound: the route's trunks become Contacts in failover order") {
  auto r = ask(invite("sip:14155550123@pbx.example", "sip:alice@acme.pbx.example"), "127.0.0.1",
               5060);
  CHECK(r.code == 302);
  CHECK(r.route == "us-national");
  CHECK(r.bytes ==
        "SIP/2.0 302 Moved Temporarily\r\n"
        "Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-one\r\n"
        "Via: SIP/2.0/UDP 192.0.2.8:5070;branch=z9hG4bK-two\r\n"
        "From: <sip:alice@acme.pbx.example>;tag=f1\r\n"
        "To: <sip:14155550123@pbx.example>;tag=" +
            r.bytes.substr(r.bytes.find(";tag=", r.bytes.find("To:")) + 5, 16) +
            "\r\n"
            "Call-ID: call-1@192.0.2.7\r\n"
            "CSeq: 7 INVITE\r\n"
            // Each route trunk, then its failover chain; the tenant's caller
            // ID; XYZ-Primary's outbound proxy and limits.
            "Contact: <sip:14155550123@sip.xyz.example:5060;user=phone>;q=1.0;trunk=XYZ-Primary;"
            "caller-id=\"4155550100\";next-hop=\"sip:proxy.xyz.example:5060\";max-calls=30;"
            "max-total=40;failover-on=\"408,480,500,502,503,504\"\r\n"
            "Contact: <sip:14155550123@sip2.xyz.example:5060;transport=tcp>;q=0.9;"
            "trunk=XYZ-Backup;caller-id=\"4155550100\";failover-on=\"408,480,500,502,503,504\"\r\n"
            "Contact: <sip:14155550123@203.0.113.10:5060>;q=0.8;trunk=CarrierA;"
            "caller-id=\"4155550100\";max-total=200;failover-on=\"408,480,500,502,503,504\"\r\n"
            "Contact: <sip:14155550123@sbc.carrierb.example:5061;transport=tls;user=phone>;q=0.7;"
            "trunk=CarrierB;caller-id=\"4155550100\";tel-ruri;failover-on=\"408,480,500,502,503,504\"\r\n"
            "X-Route: us-national\r\n"
            "X-Trunk: XYZ-Primary\r\n"
            "X-Direction: outbound\r\n"
            "X-Tenant: acme\r\n"
            // The site's proxy (on loopback) sent it: the origin is what it recorded
            // on the Via below its own (no rport: the port is unknown).
            "X-Origin: 192.0.2.8;proxy=kamailio\r\n"
            "Server: trunkd\r\n"
            "Content-Length: 0\r\n\r\n");
}

TEST_CASE("outbound: strip and prepend, transport, strip_plus per trunk") {
  auto r = ask(invite("sip:011442071234567@pbx.example", "sip:bob@acme.pbx.example"),
               "127.0.0.1", 5060);
  CHECK(r.code == 302);
  CHECK(r.route == "international");
  // The route's caller ID wins over the tenant's.
  CHECK(r.bytes.find("Contact: <sip:+442071234567@203.0.113.10:5060>;q=1.0;trunk=CarrierA;"
                     "caller-id=\"4155550100\";max-total=200;failover-on=\"408,480,500,502,503,504\"\r\n") !=
        std::string::npos);
  r = ask(invite("sip:008613812345678@pbx.example", "sip:carol@initech.pbx.example"),
          "127.0.0.1", 5060);
  CHECK(r.route == "mobile-cn");
  CHECK(r.bytes.find("Contact: <sip:008613812345678@sbc.carrierb.example:5061;transport=tls;"
                     "user=phone>;q=1.0;trunk=CarrierB") != std::string::npos);
}

TEST_CASE("outbound: no route is 404 with the reason") {
  auto r = ask(invite("sip:123@pbx.example", "sip:alice@acme.pbx.example"), "127.0.0.1", 5060);
  CHECK(r.code == 404);
  CHECK(r.bytes.rfind("SIP/2.0 404 Not Found (no route)\r\n", 0) == 0);
}

TEST_CASE("outbound: a Request-URI user that is no dial string is 484, saying why") {
  const char* acme = "sip:alice@acme.pbx.example";
  auto r = ask(invite("sip:12abc@pbx.example", acme), "127.0.0.1", 5060);
  CHECK(r.code == 484);
  CHECK(r.bytes.rfind("SIP/2.0 484 Address Incomplete (not a dial string: 'a' at position 3 is "
                      "not a dial symbol)\r\n", 0) == 0);
  CHECK(r.bytes.find("X-Tenant: acme\r\n") != std::string::npos);
  CHECK(r.tenant == "acme");
  CHECK(r.route.empty());
  // "_011." is a tail route: it took the '-' before the rule.
  r = ask(invite("sip:0114420-1@pbx.example", acme), "127.0.0.1", 5060);
  CHECK(r.code == 484);
  CHECK(r.reason == "Address Incomplete (not a dial string: '-' at position 8 is not a dial "
                    "symbol)");
  r = ask(invite("sip:1+4155550123@pbx.example", acme), "127.0.0.1", 5060);
  CHECK(r.code == 484);
  CHECK(r.reason == "Address Incomplete (not a dial string: '+' at position 2 is not first)");
  r = ask(invite("sip:+@pbx.example", acme), "127.0.0.1", 5060);
  CHECK(r.code == 484);
  CHECK(r.reason == "Address Incomplete (not a dial string: no number)");
}

TEST_CASE("outbound: '*' and '#' are dialled only where a route of the tenant names them") {
  // initech's "_X." would take "5*1" as a wildcard; no initech route names '*'.
  auto r = ask(invite("sip:5*1@pbx.example", "sip:carol@initech.pbx.example"), "127.0.0.1", 5060);
  CHECK(r.code == 404);
  CHECK(r.reason == "Not Found (not a dial string here: the plan has no numbers with '*')");
  CHECK(r.tenant == "initech");
  // A plan with a '*' route: '*' routes there, and in the tail of "_X." too.
  auto c = test::compile_site(std::string(test::kBase) + R"(
[[trunk]]
name = "gw"
type = "peer"
host = "203.0.113.5"
[[trunk.tenant]]
tenant = "acme"
[[route]]
tenant = "acme"
name = "feature"
match = "_*72X."
trunks = ["gw"]
[[route]]
tenant = "acme"
name = "all"
match = "_X."
trunks = ["gw"]
)");
  REQUIRE_MESSAGE(c->ok, c->text());
  CHECK(c->tables.tenants()[0].dial_symbols == 1u << 10);  // '*' of acme's routes
  CHECK(c->tables.tenants()[1].dial_symbols == 0);
  route::Router router(c->tables);
  auto answer = [&](const char* user, const char* from) {
    std::string error;
    auto m = sip::Message::parse(invite(std::string("sip:") + user + "@pbx.example", from), error);
    REQUIRE(m.has_value());
    sip::ResponseText out;
    sip::Reply reply = sip::redirect(router, *m, *sip::make_source("127.0.0.1", 5060), out);
    return std::pair{reply.code, std::string(reply.route)};
  };
  CHECK(answer("*7212", "sip:a@acme.example") == std::pair{302, std::string("feature")});
  CHECK(answer("1*2", "sip:a@acme.example") == std::pair{302, std::string("all")});
  CHECK(answer("*7212", "sip:a@globex.example").first == 404);
}

TEST_CASE("inbound: a DID that is no dial string is 484, saying why") {
  auto r = ask(invite("sip:41555510a2@pbx.example", "sip:+12125550000@carrier-a.example"),
               "203.0.113.10", 5060);
  CHECK(r.code == 484);
  CHECK(r.trunk == "CarrierA");
  CHECK(r.reason == "Address Incomplete (not a dial string: 'a' at position 9 is not a dial "
                    "symbol)");
  r = ask(invite("sip:4155551*42@pbx.example", "sip:+12125550000@carrier-a.example"),
          "203.0.113.10", 5060);
  CHECK(r.code == 404);
  CHECK(r.reason == "Not Found (not a dial string here: the plan has no numbers with '*')");
}

TEST_CASE("inbound: a trunk found by address and port; the DID picks the destination") {
  auto r = ask(invite("sip:+4155551042@pbx.example", "sip:+12125550000@carrier-a.example"),
               "203.0.113.10", 5060);
  CHECK(r.code == 302);
  CHECK(r.trunk == "CarrierA");
  CHECK(r.tenant == "acme");
  CHECK(r.bytes.find("Contact: <sip:4155551042@acme.pbx.example>;trunk=CarrierA;max-total=200\r\n"
                     "X-Trunk: CarrierA\r\nX-Direction: inbound\r\nX-Tenant: acme\r\n") !=
        std::string::npos);
}

TEST_CASE("inbound: associated_ips blocks identify the trunk too") {
  auto r = ask(invite("sip:5125550042@pbx.example", "sip:anon@gw.example"), "203.0.113.20", 5060);
  CHECK(r.code == 302);
  CHECK(r.trunk == "CarrierA");
  CHECK(r.tenant == "initech");
}

TEST_CASE("inbound: verify_port refuses a known address from another port, saying why") {
  auto r = ask(invite("sip:4155551042@pbx.example", "sip:x@carrier-a.example"), "203.0.113.10",
               5099);
  CHECK(r.code == 403);
  CHECK(r.bytes.rfind("SIP/2.0 403 Forbidden (source port 5099 is not trunk CarrierA's 5060 and "
                      "verify_port is on)\r\n",
                      0) == 0);
}

TEST_CASE("inbound: match_from_host, and the two 404 reasons") {
  auto r = ask(invite("sip:5125550042@pbx.example", "sip:x@trunking-customer.15611.service"),
               "198.51.100.99", 5060);
  CHECK(r.trunk == "CarrierB");
  CHECK(r.code == 404);
  CHECK(r.reason == "Not Found (no inbound rule for this DID)");
  r = ask(invite("sip:9999999@pbx.example", "sip:x@trunking-customer.15611.service"),
          "198.51.100.99", 5060);
  CHECK(r.reason == "Not Found (DID in no pool on this trunk)");
}

TEST_CASE("an unknown source is 403") {
  auto r = ask(invite("sip:4155551042@pbx.example", "sip:x@nowhere.example"), "198.51.100.1",
               5060);
  CHECK(r.code == 403);
  CHECK(r.reason == "Forbidden (source 198.51.100.1:5060 is no trunk's address)");
}

TEST_CASE("OPTIONS 200, BYE 405 with Allow, ACK nothing, CANCEL 481") {
  auto r = ask(invite("sip:pbx.example", "sip:monitor@proxy.example", "OPTIONS"), "127.0.0.1",
               5060);
  CHECK(r.code == 200);
  CHECK(r.bytes.find("Allow: INVITE, ACK, OPTIONS\r\n") != std::string::npos);
  r = ask(invite("sip:1@pbx.example", "sip:a@acme.pbx.example", "BYE"), "127.0.0.1", 5060);
  CHECK(r.code == 405);
  CHECK(r.bytes.find("Allow: INVITE, ACK, OPTIONS\r\n") != std::string::npos);
  r = ask(invite("sip:1@pbx.example", "sip:a@acme.pbx.example", "ACK"), "127.0.0.1", 5060);
  CHECK(r.code == 0);
  CHECK(r.bytes.empty());
  r = ask(invite("sip:1@pbx.example", "sip:a@acme.pbx.example", "CANCEL"), "127.0.0.1", 5060);
  CHECK(r.code == 481);
}

TEST_CASE("a malformed header is 400 naming it") {
  auto r = ask(invite("sip:14155550123@pbx.example", "sip:alice@acme.pbx.example", "INVITE",
                      "<sip:broken@192.0.2.7"),
               "192.0.2.7", 5060);
  CHECK(r.code == 400);
  CHECK(r.reason == "Bad Request (malformed Contact header)");
}

TEST_CASE("a datagram shorter than its Content-Length is 400; extra bytes are ignored") {
  std::string text = invite("sip:14155550123@pbx.example", "sip:alice@acme.pbx.example");
  std::string cut = text;
  cut.replace(cut.find("Content-Length: 0"), 17, "Content-Length: 120");
  auto r = ask(cut + "v=0\r\n", "127.0.0.1", 5060);
  CHECK(r.code == 400);
  CHECK(r.reason == "Bad Request (body shorter than Content-Length)");
  CHECK(ask(text + "trailing bytes", "127.0.0.1", 5060).code == 302);
  std::string error;
  auto m = sip::Message::parse(cut + "v=0\r\n", error);
  REQUIRE(m.has_value());
  CHECK(m->body_shortfall() == 115);
  CHECK(m->message_faults() ==
        std::vector<std::string>{"the body is 115 bytes shorter than its Content-Length of 120"});
}

TEST_CASE("the same request gets the same response (stateless retransmissions)") {
  std::string text = invite("sip:14155550123@pbx.example", "sip:alice@acme.pbx.example");
  CHECK(ask(text, "127.0.0.1", 5060).bytes == ask(text, "127.0.0.1", 5060).bytes);
}

TEST_CASE("bytes that are not SIP are refused by the parser") {
  std::string error;
  CHECK_FALSE(sip::Message::parse("hello world\r\n\r\n", error).has_value());
  CHECK_FALSE(sip::Message::parse("", error).has_value());
  CHECK(error == "empty message");
}

TEST_CASE("From hosts are matched without regard to case") {
  auto r = ask(invite("sip:5125550042@pbx.example", "sip:x@Trunking-Customer.15611.SERVICE"),
               "198.51.100.99", 5060);
  CHECK(r.trunk == "CarrierB");
}

TEST_CASE("answering a well-formed request allocates nothing") {
  REQUIRE(test::example_router());
  const route::Router& router = *test::example_router();
  sip::ResponseText out;
  struct Case {
    std::string text;
    const char* address;
    std::uint16_t port;
    int code;
  };
  const Case cases[] = {
      {invite("sip:14155550123@pbx.example", "sip:alice@acme.pbx.example"), "127.0.0.1", 5060,
       302},
      {invite("sip:+4155551042@198.51.100.7", "sip:carrier@carriera.example"), "203.0.113.10",
       5060, 302},
      {invite("sip:999@pbx.example", "sip:alice@acme.pbx.example"), "127.0.0.1", 5060, 404},
      {invite("sip:0114420-1@pbx.example", "sip:alice@acme.pbx.example"), "127.0.0.1", 5060,
       484},
      {invite("sip:5*1@pbx.example", "sip:carol@initech.pbx.example"), "127.0.0.1", 5060, 404},
      {invite("sip:1@pbx.example", "sip:x@nowhere.example"), "192.0.2.99", 5060, 403},
      {invite("sip:1@pbx.example", "sip:a@acme.pbx.example", "OPTIONS"), "127.0.0.1", 5060, 200},
      {invite("sip:1@pbx.example", "sip:a@acme.pbx.example", "BYE"), "127.0.0.1", 5060, 405},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    std::string error;
    auto m = sip::Message::parse(c.text, error);
    REQUIRE(m.has_value());
    auto from = sip::make_source(c.address, c.port);
    REQUIRE(from.has_value());
    const std::size_t before = g_allocations;
    sip::Reply r = sip::redirect(router, *m, *from, out);
    const std::size_t made = g_allocations - before;
    CHECK(r.code == c.code);
    CHECK(made == 0);
    // trunkd's fast path: the scan and the answer from the scanned bytes.
    sip::MessageView view;
    const std::size_t before_fast = g_allocations;
    REQUIRE(sip::scan(c.text, view));
    auto fast = sip::redirect(router, view, *from, out);
    const std::size_t made_fast = g_allocations - before_fast;
    REQUIRE(fast.has_value());
    CHECK(fast->code == c.code);
    CHECK(made_fast == 0);
  }
}

TEST_CASE("a long Via is echoed whole (headers past 2 KiB were dropped before)") {
  std::string text = invite("sip:1@pbx.example", "sip:a@acme.pbx.example", "OPTIONS");
  const std::string branch = "z9hG4bK-" + std::string(3000, 'x');
  text.replace(text.find("z9hG4bK-one"), 11, branch);
  auto r = ask(text, "127.0.0.1", 5060);
  CHECK(r.code == 200);
  CHECK(r.bytes.find("Via: SIP/2.0/UDP 192.0.2.7:5060;branch=" + branch + "\r\n") !=
        std::string::npos);
}

TEST_CASE("a tel: Request-URI gives its number as the user, in both accessors") {
  std::string text = invite("tel:+14155550123", "sip:alice@acme.pbx.example");
  std::string error;
  auto m = sip::Message::parse(text, error);
  REQUIRE(m.has_value());
  CHECK(m->request_uri().scheme == "tel");
  CHECK(m->request_uri().user == "+14155550123");
  CHECK(m->request_uri().host.empty());
  CHECK(m->request_user_view() == "+14155550123");
  // Routed as the same number in a sip: URI is.
  auto tel = ask(text, "127.0.0.1", 5060);
  auto sip_uri = ask(invite("sip:+14155550123@pbx.example", "sip:alice@acme.pbx.example"),
                     "127.0.0.1", 5060);
  CHECK(tel.code == sip_uri.code);
  CHECK(tel.reason == sip_uri.reason);
}

