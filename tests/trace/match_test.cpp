// Matching traced messages against tests/data/trace/site.toml: each way a
// trunk is found, each reason matching fails, the SkySwitch trace with its
// broken headers, and the calls' outcomes and the trunks' status.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "capture/reader.hpp"
#include "route/compile.hpp"
#include "check/site.hpp"
#include "site/loader.hpp"
#include "tables/writer.hpp"
#include "sip/register_status.hpp"
#include "trace/analyze.hpp"

using namespace trunk;
using trace::kNone;

extern std::size_t g_allocations;  // tests/support/alloc_count.cpp

namespace {

struct TraceSite {
  site::Site site;
  std::string bytes;
  tables::Tables tables;
  std::unique_ptr<route::Router> router;
  TraceSite() {
    diag::Sink sink;
    diag::SourceText src;
    REQUIRE(site::load_site(std::string(TRUNK_SOURCE_DIR) + "/tests/data/trace/site.toml", site,
                            sink, src) == site::LoadStatus::loaded);
    trunk::check::site_rules(site, src, sink);
    REQUIRE(sink.errors() == 0);
    tables::Plan plan;
    REQUIRE(route::compile(site, src, sink, plan));
    bytes = tables::serialize(plan);
    std::string error;
    REQUIRE(tables.load_bytes(bytes, error));
    router = std::make_unique<route::Router>(tables);
  }
  std::string trunk(std::uint32_t i) const { return i == kNone ? "" : site.trunks[i].name.value; }
  std::string tenant(std::uint32_t i) const {
    return i == kNone ? "" : site.tenants[i].name.value;
  }
};

const TraceSite& trace_site() {
  static TraceSite s;
  return s;
}

capture::Endpoint ep(const char* text) {
  capture::Endpoint e;
  REQUIRE(capture::Endpoint::parse(text, e));
  return e;
}

struct Msg {
  std::string method = "INVITE";
  std::string ruri = "sip:4155550242@198.51.100.7";
  std::string from = "<sip:caller@203.0.113.10>;tag=f1";
  std::string to;  // default: the Request-URI
  std::string call_id = "call-1";
  std::string via = "SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-1";
  std::string extra;
  int cseq = 1;
  std::string text() const {
    return method + " " + ruri + " SIP/2.0\r\nVia: " + via + "\r\nFrom: " + from +
           "\r\nTo: " + (to.empty() ? "<" + ruri + ">" : to) + "\r\nCall-ID: " + call_id +
           "\r\nCSeq: " + std::to_string(cseq) + " " + method + "\r\n" + extra +
           "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  }
};

// A REGISTER to trunk cybercity with its auth.username.
Msg cybercity_register(const std::string& call_id) {
  Msg m;
  m.method = "REGISTER";
  m.ruri = "sip:sip.cybercity.dk";
  m.from = "<sip:voi18062@sip.cybercity.dk>;tag=r1";
  m.to = "<sip:voi18062@sip.cybercity.dk>";
  m.call_id = call_id;
  return m;
}

std::string response(int code, const std::string& phrase, const std::string& method,
                     const std::string& call_id = "call-1", int cseq = 1,
                     const std::string& extra = "") {
  return "SIP/2.0 " + std::to_string(code) + " " + phrase +
         "\r\nVia: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-1\r\n"
         "From: <sip:caller@203.0.113.10>;tag=f1\r\nTo: <sip:x@198.51.100.7>;tag=t1\r\n"
         "Call-ID: " + call_id + "\r\nCSeq: " + std::to_string(cseq) + " " + method + "\r\n" +
         extra + "Content-Length: 0\r\n\r\n";
}

struct Run {
  trace::Analyzer analyzer{trace_site().site, *trace_site().router};
  trace::MessageReport last;
  const trace::MessageReport& feed(const std::string& bytes, const char* src = "203.0.113.10:5060",
                                   const char* dst = "198.51.100.7:5060",
                                   capture::Transport t = capture::Transport::udp) {
    capture::Captured c;
    c.bytes = bytes;
    c.src = src ? ep(src) : capture::Endpoint{};
    c.dst = dst ? ep(dst) : capture::Endpoint{};
    c.transport = t;
    analyzer.process(c, last);
    return last;
  }
};

// The first message of a sample in tests/data/trace, read by the text
// reader and analyzed.
struct SampleRun {
  diag::Sink warnings;
  std::unique_ptr<capture::Reader> reader;
  capture::Captured captured;
  Run run;
  const trace::MessageReport& report = run.last;
  explicit SampleRun(const std::string& name) {
    reader = capture::open(std::string(TRUNK_SOURCE_DIR) + "/tests/data/trace/" + name,
                           capture::Format::automatic, warnings);
    REQUIRE(reader);
    REQUIRE(reader->next(captured, warnings));
    run.analyzer.process(captured, run.last);
    REQUIRE(report.parsed);
  }
  bool only_message() { return !reader->next(captured, warnings); }
};

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

}  // namespace

TEST_CASE("trace match: inbound by source address, tenant by pool, rule by DID") {
  Run run;
  const auto& s = trace_site();
  Msg m;
  m.ruri = "sip:+4155550242@198.51.100.7";
  const auto& r = run.feed(m.text());
  CHECK(r.parsed);
  CHECK(s.trunk(r.match.trunk) == "CarrierA");
  CHECK(r.match.trunk_by == "source address 203.0.113.10");
  CHECK(r.match.direction == trace::Direction::from_trunk);
  CHECK(joined(r.match.problems) == "");
  CHECK(s.tenant(r.match.tenant) == "acme");
  CHECK(r.match.tenant_by == "DID 4155550242 is in its pool on CarrierA (leading + removed)");
  CHECK(r.match.destination == "sip:4155550242@acme.pbx.example");
  CHECK(r.match.matched());
}

TEST_CASE("trace match: the associated_ips block and verify_port") {
  Run run;
  Msg m;
  const auto& r = run.feed(m.text(), "203.0.113.20:5080");
  CHECK(trace_site().trunk(r.match.trunk) == "CarrierA");
  CHECK(joined(r.match.problems) ==
        "the source port 5080 differs from trunk \"CarrierA\"'s port 5060 while verify_port is "
        "on\n");
  CHECK_FALSE(r.match.matched());
}

TEST_CASE("trace match: a DID in no pool, with the reason") {
  const auto& s = trace_site();
  SUBCASE("a country code the pools hold the number without") {
    Run run;
    Msg m;
    m.ruri = "sip:+444155550242@198.51.100.7";
    const auto& r = run.feed(m.text());
    CHECK(joined(r.match.problems) ==
          "DID 444155550242 is in no tenant's pool on trunk \"CarrierA\"; the DID carries +44 "
          "while the pools hold it without: 4155550242 is in tenant \"acme\"'s pool\n");
  }
  SUBCASE("in a pool on another trunk") {
    Run run;
    Msg m;
    m.ruri = "sip:6505550250@198.51.100.7";
    const auto& r = run.feed(m.text());
    CHECK(s.trunk(r.match.trunk) == "CarrierA");
    CHECK(joined(r.match.problems) ==
          "DID 6505550250 is in no tenant's pool on trunk \"CarrierA\"; it is in tenant "
          "\"globex\"'s pool on trunk \"CarrierT\"\n");
  }
  SUBCASE("in a pool, without a rule") {
    Run run;
    Msg m;
    m.ruri = "sip:4155550260@198.51.100.7";
    const auto& r = run.feed(m.text());
    CHECK(s.tenant(r.match.tenant) == "acme");
    CHECK(joined(r.match.problems) ==
          "DID 4155550260 is in tenant \"acme\"'s pool on trunk \"CarrierA\" but no [[inbound]] "
          "rule covers it\n");
  }
  SUBCASE("nowhere") {
    Run run;
    Msg m;
    m.ruri = "sip:999@198.51.100.7";
    const auto& r = run.feed(m.text());
    CHECK(joined(r.match.problems) ==
          "DID 999 is in no tenant's pool on trunk \"CarrierA\"; its pools: acme "
          "\"4155550200-4155550299\", globex \"6505550100-6505550199\"\n");
  }
}

TEST_CASE("trace match: From host, closest name, transport and tel: URIs") {
  const auto& s = trace_site();
  SUBCASE("match_from_host names the trunk from one of its addresses only (#15)") {
    Run run;
    Msg m;
    m.from = "<sip:4155550142@trunking-customer.15611.service>;tag=1";
    m.ruri = "sip:4155550142@198.51.100.7";
    const auto& r = run.feed(m.text(), "192.0.2.44:5060");
    CHECK(s.trunk(r.match.trunk) == "skyswitch-customer");
    CHECK(r.match.trunk_by == "From host \"trunking-customer.15611.service\" is its "
                              "match_from_host, from its source address 192.0.2.44");
    CHECK(r.match.destination == "sip:4155550142@acme.pbx.example");
    CHECK(r.match.matched());
    REQUIRE(r.match.decision);
    CHECK(r.match.decision->code == 302);
    // The same From host from elsewhere is anyone's: trunkd refuses it.
    Run other;
    const auto& f = other.feed(m.text(), "192.0.2.99:5060");
    CHECK(f.match.trunk == kNone);
    CHECK(joined(f.match.problems) ==
          "the source address 192.0.2.99 is no trunk's host or associated_ips\n"
          "the From host \"trunking-customer.15611.service\" names trunk \"skyswitch-customer\", "
          "but the request does not come from one of its addresses\n");
    REQUIRE(f.match.decision);
    CHECK(f.match.decision->code == 403);
  }
  SUBCASE("a From host one letter off") {
    Run run;
    Msg m;
    m.from = "<sip:4155550142@trunking-customer.15611.servce>;tag=1";
    const auto& r = run.feed(m.text(), "192.0.2.99:5060", "198.51.100.7:5060");
    CHECK(r.match.trunk == kNone);
    CHECK(joined(r.match.problems) ==
          "the source address 192.0.2.99 is no trunk's host or associated_ips\n"
          "the From host \"trunking-customer.15611.servce\" is no trunk's match_from_host or host "
          "and no tenant's sip_domain; the closest is \"trunking-customer.15611.service\" (trunk "
          "\"skyswitch-customer\")\n"
          "the Request-URI host \"198.51.100.7\" is no trunk's host\n");
  }
  SUBCASE("the transport differs from the trunk's") {
    Run run;
    Msg m;
    m.ruri = "tel:+6505550250";
    m.via = "SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK-2";
    const auto& r = run.feed(m.text(), "198.51.100.20:5060");
    CHECK(s.trunk(r.match.trunk) == "CarrierT");
    CHECK(joined(r.match.problems) ==
          "transport type inconsistent: the message came over UDP, trunk \"CarrierT\" is set to "
          "TCP\n");
    CHECK(s.tenant(r.match.tenant) == "globex");
  }
  SUBCASE("tel: required in the Request-Line") {
    Run run;
    Msg m;
    m.ruri = "sip:6505550250@198.51.100.7";
    const auto& r = run.feed(m.text(), "198.51.100.20:5060", "198.51.100.7:5060",
                             capture::Transport::tcp);
    CHECK(joined(r.match.problems) ==
          "trunk \"CarrierT\" requires tel: in the Request-Line (tel_uri_request_line) but the "
          "message uses sip:\n");
    CHECK(r.match.destination == "sip:6505550250@globex.pbx.example");
  }
}

TEST_CASE("trace match: outbound, from a tenant and to a trunk") {
  const auto& s = trace_site();
  SUBCASE("from a tenant's phone, through the trusted proxy: the route the router picks") {
    Run run;
    Msg m;
    m.from = "<sip:alice@acme.pbx.example>;tag=1";
    m.ruri = "sip:01144207123456@acme.pbx.example";
    // No [[proxy]] in the site: the proxy on loopback is trusted.
    const auto& r = run.feed(m.text(), "127.0.0.1:5060", "198.51.100.7:5060");
    CHECK(s.tenant(r.match.tenant) == "acme");
    CHECK(r.match.direction == trace::Direction::from_tenant);
    CHECK(r.match.route == "intl");
    CHECK(r.match.send == "+44207123456");
    CHECK(r.match.trunks == std::vector<std::string>{"CarrierA"});
  }
  SUBCASE("from a tenant's domain, straight from a phone: trunkd refuses it (#15)") {
    Run run;
    Msg m;
    m.from = "<sip:alice@acme.pbx.example>;tag=1";
    m.ruri = "sip:01144207123456@acme.pbx.example";
    const auto& r = run.feed(m.text(), "192.0.2.50:5060", "198.51.100.7:5060");
    CHECK(r.match.tenant == kNone);
    REQUIRE(r.match.decision);
    CHECK(r.match.decision->code == 403);
    CHECK(joined(r.match.problems) ==
          "the source address 192.0.2.50 is no trunk's host or associated_ips\n"
          "the From host \"acme.pbx.example\" is tenant \"acme\"'s sip_domain, but no trusted "
          "proxy ([[proxy]]) sent the request\n");
  }
  SUBCASE("to a trunk: which route sent it, failover position") {
    Run run;
    Msg m;
    m.from = "<sip:6505550101@198.51.100.7>;tag=1";
    m.ruri = "tel:14155551234";
    m.via = "SIP/2.0/TCP 198.51.100.7:5060;branch=z9hG4bK-3";
    const auto& r = run.feed(m.text(), "198.51.100.7:5060", "198.51.100.20:5060",
                             capture::Transport::tcp);
    CHECK(s.trunk(r.match.trunk) == "CarrierT");
    CHECK(r.match.direction == trace::Direction::to_trunk);
    CHECK(joined(r.match.problems) == "");
    CHECK(r.match.route == "us");
    CHECK(s.tenant(r.match.tenant) == "globex");
    CHECK(joined(r.match.notes) ==
          "trunk \"CarrierT\" is number 2 of route \"us\"'s trunks: a failover attempt\n");
  }
  SUBCASE("to a trunk no route sends it to") {
    Run run;
    Msg m;
    m.ruri = "tel:999";
    const auto& r = run.feed(m.text(), "198.51.100.7:5060", "198.51.100.20:5060",
                             capture::Transport::tcp);
    CHECK(joined(r.match.problems) == "no route of tenant \"globex\" sends 999 to trunk \"CarrierT\"\n");
  }
}

TEST_CASE("trace match: the SkySwitch trace with broken To, Via and Contact") {
  // The message as pasted from the guide, read by the text reader.
  SampleRun sample("skyswitch.txt");
  const auto& r = sample.report;
  CHECK(r.method == "INVITE");
  CHECK(trace_site().trunk(r.match.trunk) == "skyswitch-customer");
  CHECK(r.match.trunk_by == "From host \"trunking-customer.15611.service\" is its match_from_host");
  std::string malformed;
  for (const auto& h : r.malformed) malformed += h.name + ": " + h.problem + ": " + h.value + "\n";
  CHECK(malformed ==
        "Via: the sent-by host is missing after SIP/2.0/UDP: SIP/2.0/UDP\n"
        "To: '<' is never closed by '>': <sip:18005550123@trunking.example.net\n"
        "Contact: '<' is never closed by '>' and the URI has no host: <sip:4155550142@\n");
  // The customer's PBX calls out: acme's route takes the number.
  CHECK(trace_site().tenant(r.match.tenant) == "acme");
  CHECK(r.match.route == "us");
  CHECK(joined(r.match.problems) == "");
  // A pasted message has no addresses: the trunk is named by its From
  // host only, which trunkd would not do, and the note says so.
  CHECK(joined(r.match.notes) ==
        "the trace shows no source address: trunkd takes a trunk only from its addresses\n"
        "18005550123 is in no pool on trunk \"skyswitch-customer\": taken as a call from tenant "
        "\"acme\"'s PBX, going out\n");
  CHECK(sample.only_message());
}

TEST_CASE("trace match: the SkySwitch guide's INVITE, every broken header named") {
  // sofia-sip sets aside only the Via and the From; it takes the To and the
  // Contact, with no scheme and no '<', as they are. Each is still reported,
  // and the scheme-less From still names the trunk by its match_from_host.
  SampleRun sample("skyswitch_guide.txt");
  const auto& r = sample.report;
  std::string malformed;
  for (const auto& h : r.malformed) malformed += h.name + ": " + h.problem + ": " + h.value + "\n";
  CHECK(malformed ==
        "Via: a space, not ':', separates the sent-by host from its port: SIP/2.0/UDP 192.0.2.44 "
        "5060;branch=z9hG4bK-524287-1---3b5f8d0e\n"
        "Contact: '>' without an opening '<' and the URI has no scheme (sip:, sips: or tel:): "
        "4155550142@192.0.2.44:5060>\n"
        "To: '>' without an opening '<' and the URI has no scheme (sip:, sips: or tel:): "
        "12032130635@trunking-customer.15611.service>\n"
        "From: '>' without an opening '<' and the URI has no scheme (sip:, sips: or tel:): "
        "\"Acme Sales\" 4155550142@trunking-customer.15611.service>;tag=3d0a1f55\n");
  CHECK(trace_site().trunk(r.match.trunk) == "skyswitch-customer");
  CHECK(r.match.trunk_by == "From host \"trunking-customer.15611.service\" is its match_from_host");
  CHECK(trace_site().tenant(r.match.tenant) == "acme");
  CHECK(r.match.route == "us");
  CHECK(sample.only_message());
}

TEST_CASE("trace match: a customer PBX registering to an accept-register trunk") {
  const auto& s = trace_site();
  Msg m;
  m.method = "REGISTER";
  m.ruri = "sip:office.trunks.example";
  m.from = "<sip:office-1@office.trunks.example>;tag=r";
  m.to = "<sip:office-1@office.trunks.example>";
  m.via = "SIP/2.0/UDP 192.0.2.60:5060;branch=z9hG4bK-r";
  SUBCASE("its user") {
    Run run;
    const auto& r = run.feed(m.text(), "192.0.2.60:5060", "198.51.100.7:5060");
    CHECK(s.trunk(r.match.trunk) == "office-pbx");
    CHECK(r.match.direction == trace::Direction::from_trunk);
    CHECK(r.match.matched());
  }
  SUBCASE("another user") {
    m.from = "<sip:office-2@office.trunks.example>;tag=r";
    m.to = "<sip:office-2@office.trunks.example>";
    Run run;
    const auto& r = run.feed(m.text(), "192.0.2.60:5060", "198.51.100.7:5060");
    CHECK(s.trunk(r.match.trunk) == "office-pbx");
    CHECK(joined(r.match.problems) ==
          "the REGISTER user \"office-2\" is not trunk \"office-pbx\"'s auth.username "
          "\"office-1\"\n");
  }
}

TEST_CASE("trace calls: outcomes and trunk status") {
  const auto& s = trace_site();
  SUBCASE("registration: challenged, credentials, 403 is authentication failed") {
    Run run;
    Msg m = cybercity_register("reg-1");
    run.feed(m.text(), "192.0.2.5:5060", "192.0.2.200:5060");
    CHECK(s.trunk(run.last.match.trunk) == "cybercity");
    CHECK(run.last.match.direction == trace::Direction::to_trunk);
    run.feed(response(401, "Unauthorized", "REGISTER", "reg-1"), "192.0.2.200:5060",
             "192.0.2.5:5060");
    m.cseq = 2;
    m.extra = "Authorization: Digest username=\"voi18062\", realm=\"x\", nonce=\"n\", "
              "uri=\"sip:sip.cybercity.dk\", response=\"0123456789abcdef0123456789abcdef\"\r\n";
    run.feed(m.text(), "192.0.2.5:5060", "192.0.2.200:5060");
    run.feed(response(403, "Wrong password", "REGISTER", "reg-1", 2), "192.0.2.200:5060",
             "192.0.2.5:5060");
    const auto calls = run.analyzer.calls().held();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0]->outcome() == trace::Outcome::auth_failed);
    CHECK(calls[0]->describe() == "registration failed: authentication failed (403 Wrong password)");
    CHECK(calls[0]->failed());
    auto status = run.analyzer.calls().trunk_status();
    CHECK(status[3].describe(s.site.trunks[3]) == "registration failed: authentication failed");
  }
  SUBCASE("registered, with the granted expiry") {
    Run run;
    Msg m = cybercity_register("reg-2");
    run.feed(m.text(), "192.0.2.5:5060", "192.0.2.200:5060");
    run.feed(response(200, "OK", "REGISTER", "reg-2", 1,
                      "Contact: <sip:voi18062@192.0.2.5>;expires=1800\r\n"),
             "192.0.2.200:5060", "192.0.2.5:5060");
    const auto& call = *run.analyzer.calls().held().at(0);
    CHECK(call.describe() == "registered (200 OK), expires 1800 s");
    CHECK(run.analyzer.calls().trunk_status()[3].describe(s.site.trunks[3]) ==
          "registered (expires 1800 s)");
  }
  SUBCASE("busy: maximum channels reached: the trunk at its limit and an answer that says so") {
    // CarrierA has limits.total 2: the third call finds both channels taken.
    auto third_call_answered = [](const std::string& answer) {
      auto run = std::make_unique<Run>();
      for (int i = 1; i <= 3; ++i) {
        Msg m;
        m.call_id = "c" + std::to_string(i);
        run->feed(m.text());
        if (i < 3) run->feed(response(200, "OK", "INVITE", m.call_id), "198.51.100.7:5060",
                             "203.0.113.10:5060");
      }
      run->feed(answer, "198.51.100.7:5060", "203.0.113.10:5060");
      return run;
    };
    const std::string at_limit = "; trunk \"CarrierA\" already had 2 calls, its limits.total is 2";
    struct Case {
      std::string answer, description;
      bool channels;
    };
    const Case cases[] = {
        {response(503, "Maximum Channels Reached", "INVITE", "c3"),
         "busy: maximum channels reached (503 Maximum Channels Reached)" + at_limit, true},
        {response(486, "Busy Here", "INVITE", "c3", 1,
                  "Reason: Q.850;cause=34;text=\"No circuit/channel available\"\r\n"),
         "busy: maximum channels reached (486 Busy Here)" + at_limit, true},
        {response(503, "Service Unavailable", "INVITE", "c3", 1,
                  "Reason: SIP;cause=503;text=\"Call limit exceeded\"\r\n"),
         "busy: maximum channels reached (503 Service Unavailable)" + at_limit, true},
        // The answer does not say channels ran out: not that verdict.
        {response(503, "Service Unavailable", "INVITE", "c3"),
         "failed (503 Service Unavailable)" + at_limit, false},
        {response(486, "Busy Here", "INVITE", "c3"), "busy (486 Busy Here)" + at_limit, false},
        // Says so, but the trace does not show the limit: see the next subcase.
    };
    for (const Case& c : cases) {
      CAPTURE(c.description);
      auto run = third_call_answered(c.answer);
      const auto calls = run->analyzer.calls().held();
      REQUIRE(calls.size() == 3);
      CHECK(calls[0]->outcome() == trace::Outcome::answered);
      CHECK(calls[2]->describe() == c.description);
      CHECK(calls[2]->busy_channels() == c.channels);
      const auto status = run->analyzer.calls().trunk_status()[1].describe(s.site.trunks[1]);
      CHECK((status.find("busy: maximum channels reached") != std::string::npos) == c.channels);
    }
  }
  SUBCASE("a single 486 is the callee's busy, even when it names channels") {
    Run run;
    Msg m;
    run.feed(m.text());
    run.feed(response(486, "Busy Here", "INVITE"), "198.51.100.7:5060", "203.0.113.10:5060");
    const auto& call = *run.analyzer.calls().held().at(0);
    CHECK(call.outcome() == trace::Outcome::busy);
    CHECK(call.describe() == "busy (486 Busy Here)");
    CHECK_FALSE(call.failed());
    const auto status = run.analyzer.calls().trunk_status()[1];
    CHECK(status.channel_refusals == 0);
    CHECK(status.describe(s.site.trunks[1]) == "1 call: 1 busy");
    Run limit_words;
    Msg m2;
    m2.call_id = "call-2";
    limit_words.feed(m2.text());
    limit_words.feed(response(486, "Channel Limit", "INVITE", "call-2"), "198.51.100.7:5060",
                     "203.0.113.10:5060");
    CHECK(limit_words.analyzer.calls().held().at(0)->describe() == "busy (486 Channel Limit)");
    CHECK(limit_words.analyzer.calls().trunk_status()[1].describe(s.site.trunks[1]) ==
          "1 call: 1 busy");
  }
  SUBCASE("calls answered above the trunk's limit are not busy") {
    Run run;
    for (int i = 1; i <= 3; ++i) {
      Msg m;
      m.call_id = "c" + std::to_string(i);
      run.feed(m.text());
      run.feed(response(200, "OK", "INVITE", m.call_id), "198.51.100.7:5060", "203.0.113.10:5060");
    }
    const auto calls = run.analyzer.calls().held();
    REQUIRE(calls.size() == 3);
    CHECK(calls[2]->describe() == "answered (200 OK)");
    CHECK(run.analyzer.calls().trunk_status()[1].describe(s.site.trunks[1]) ==
          "3 calls: 3 answered; peak 3 concurrent calls");
  }
  SUBCASE("a 403 to the first REGISTER is rejected, in register-test's words") {
    Run run;
    run.feed(cybercity_register("reg-403").text(), "192.0.2.5:5060", "192.0.2.200:5060");
    run.feed(response(403, "Forbidden", "REGISTER", "reg-403"), "192.0.2.200:5060",
             "192.0.2.5:5060");
    const auto& call = *run.analyzer.calls().held().at(0);
    CHECK(call.outcome() == trace::Outcome::rejected);
    CHECK(call.describe() == std::string(sip::describe(sip::RegisterStatus::rejected)) +
                                 " (403 Forbidden)");
    CHECK(call.describe() == "registration failed: rejected (403 Forbidden)");
    CHECK(run.analyzer.calls().trunk_status()[3].describe(s.site.trunks[3]) ==
          "registration failed: rejected (403)");
  }
  SUBCASE("a trunk whose REGISTERs are never answered gets a status line") {
    Run run;
    run.feed(cybercity_register("reg-a").text(), "192.0.2.5:5060", "192.0.2.200:5060");
    run.feed(cybercity_register("reg-b").text(), "192.0.2.5:5060", "192.0.2.200:5060");
    const auto status = run.analyzer.calls().trunk_status()[3];
    CHECK(status.registers_unanswered == 2);
    CHECK(status.describe(s.site.trunks[3]) == "registration failed: no response to 2 REGISTERs");
    CHECK(run.analyzer.calls().held().at(0)->describe() == "registration failed: no response");
  }
  SUBCASE("in-dialog requests belong to their call") {
    Run run;
    Msg m;
    run.feed(m.text());
    run.feed(response(200, "OK", "INVITE"), "198.51.100.7:5060", "203.0.113.10:5060");
    Msg bye;
    bye.method = "BYE";
    bye.ruri = "sip:caller@192.0.2.77";
    bye.to = "<sip:4155550242@198.51.100.7>;tag=t1";
    bye.cseq = 2;
    bye.from = "<sip:4155550242@198.51.100.7>;tag=t1";
    const auto& r = run.feed(bye.text(), "198.51.100.7:5060", "192.0.2.77:5060");
    CHECK(r.in_dialog);
    CHECK(trace_site().trunk(r.match.trunk) == "CarrierA");
    CHECK(r.match.trunk_by == "its call");
    CHECK(r.match.matched());
    CHECK(run.analyzer.calls().held().at(0)->describe() == "answered (200 OK), ended by BYE");
  }
}

// The call tracker's bounds: calls are handed out and forgotten as they
// close, in capture time, so a trace of any length holds only its open
// calls.
namespace {

struct Timed {
  trace::Analyzer analyzer;
  trace::MessageReport last;
  std::vector<std::string> closed;  // "CALL-ID outcome messages", in close order
  explicit Timed(std::size_t max_calls = trace::CallTracker::kMaxCalls)
      : analyzer(trace_site().site, *trace_site().router, max_calls) {
    analyzer.on_call_closed([this](const trace::Call& call) {
      closed.push_back(call.call_id + " " + std::string(trace::to_string(call.outcome())) + " " +
                       std::to_string(call.messages));
    });
  }
  Timed(const Timed&) = delete;
  void feed(const std::string& bytes, double seconds, const char* src = "203.0.113.10:5060",
            const char* dst = "198.51.100.7:5060") {
    capture::Captured c;
    c.bytes = bytes;
    c.src = ep(src);
    c.dst = ep(dst);
    c.transport = capture::Transport::udp;
    c.time_us = 1'700'000'000'000'000 + static_cast<std::int64_t>(seconds * 1e6);
    analyzer.process(c, last);
  }
  std::size_t held() const { return analyzer.calls().held().size(); }
};

Msg invite(const std::string& call_id) {
  Msg m;
  m.call_id = call_id;
  return m;
}

}  // namespace

TEST_CASE("trace calls: a call that is over closes 32 s of capture time after its last message") {
  Timed t;
  t.feed(invite("c1").text(), 0);
  t.feed(response(486, "Busy Here", "INVITE", "c1"), 1, "198.51.100.7:5060", "203.0.113.10:5060");
  Msg ack = invite("c1");
  ack.method = "ACK";
  t.feed(ack.text(), 2);  // after the final response: still the same call
  t.feed(invite("c2").text(), 20);
  CHECK(t.held() == 2);
  CHECK(t.closed.empty());
  t.feed(invite("c2").text(), 34.5);  // c1 idle 32.5 s
  CHECK(t.closed == std::vector<std::string>{"c1 busy 3"});
  CHECK(t.held() == 1);
  diag::Sink warnings;
  t.analyzer.finish(warnings, "x.pcap");
  CHECK(t.closed.back() == "c2 no-response 2");
  CHECK(warnings.empty());
  // Closed calls still count for their trunk.
  CHECK(t.analyzer.calls().trunk_status()[1].calls == 2);
}

TEST_CASE("trace calls: unanswered INVITEs are held no longer than a transaction lives") {
  Timed t;
  // 268 characters, as in issue 14.
  auto id = [](int i) {
    std::string s = std::to_string(i) + "@192.0.2.1";
    return s.insert(0, 268 - s.size(), 'x');
  };
  auto key = [&](int i) { return trace::CallTracker::call_key(id(i)) + " "; };
  std::size_t most = 0;
  for (int i = 0; i < 2000; ++i) {
    t.feed(invite(id(i)).text(), i * 0.1);
    most = std::max(most, t.held());
  }
  // 32 s of INVITEs 0.1 s apart, and the one that has just come.
  CHECK(most <= 322);
  CHECK(t.closed.size() >= 2000 - 322);
  CHECK(t.closed.front() == key(0) + "no-response 1");
  auto status = t.analyzer.calls().trunk_status();
  CHECK(status[1].calls == 2000);
  // Far more than limits.total 2 at once, but nothing said channels ran
  // out: unanswered, not busy.
  CHECK(status[1].busy == 0);
  CHECK(status[1].channel_refusals == 0);
  CHECK(status[1].unanswered == 2000);
  CHECK(status[1].describe(trace_site().site.trunks[1]).rfind("2000 calls: 2000 unanswered; peak ", 0) == 0);
  diag::Sink warnings;
  t.analyzer.finish(warnings, "x.pcap");
  REQUIRE(t.closed.size() == 2000);
  // Closed in the order they timed out, the order they came here, and the
  // last ones by finish() in the order they started.
  for (int i = 0; i < 2000; ++i) CHECK(t.closed[i].rfind(key(i), 0) == 0);
  CHECK(t.analyzer.calls().trunk_status()[1].calls == 2000);
}

TEST_CASE("trace calls: ringing, challenged, answered and registered calls wait longer") {
  Timed t;
  t.feed(invite("ring").text(), 0);
  t.feed(response(180, "Ringing", "INVITE", "ring"), 0.1, "198.51.100.7:5060",
         "203.0.113.10:5060");
  t.feed(invite("talk").text(), 0);
  t.feed(response(200, "OK", "INVITE", "talk"), 0.1, "198.51.100.7:5060", "203.0.113.10:5060");
  Msg reg = cybercity_register("reg");
  t.feed(reg.text(), 0, "192.0.2.5:5060", "192.0.2.200:5060");
  t.feed(response(200, "OK", "REGISTER", "reg"), 0.1, "192.0.2.200:5060", "192.0.2.5:5060");
  t.feed(invite("other").text(), 299);
  CHECK(t.closed.empty());
  t.feed(invite("other").text(), 301);  // ringing for 5 minutes: over
  CHECK(t.closed == std::vector<std::string>{"ring in-progress 2"});
  reg.cseq = 2;
  t.feed(reg.text(), 3000, "192.0.2.5:5060", "192.0.2.200:5060");  // the refresh joins it
  t.feed(invite("other").text(), 4 * 3600 + 1);
  CHECK(t.closed.size() == 4);  // "other" (32 s), the registration (1 h), "talk" (4 h)
  CHECK(t.closed[2] == "reg registered 3");
  CHECK(t.closed[3] == "talk answered 2");
}

TEST_CASE("trace calls: past the cap, the call nearest its timeout closes early") {
  Timed t(3);
  for (int i = 1; i <= 5; ++i) t.feed(invite("c" + std::to_string(i)).text(), i);
  CHECK(t.held() == 3);
  CHECK(t.closed == std::vector<std::string>{"c1 no-response 1", "c2 no-response 1"});
  CHECK(t.analyzer.calls().closed_early() == 2);
  diag::Sink warnings;
  t.analyzer.finish(warnings, "x.pcap");
  REQUIRE(warnings.all().size() == 1);
  CHECK(warnings.all()[0].code == "trace-calls-limit");
  CHECK(warnings.all()[0].message ==
        "2 calls closed early: more than 3 calls were open at once, and those nearest their "
        "idle timeout made room; their outcomes are what had been seen by then");
  CHECK(t.closed.size() == 5);
}

TEST_CASE("trace calls: a long Call-ID is kept shortened and still told apart") {
  Timed t;
  const std::string a(300, 'a'), b = std::string(299, 'a') + "b";
  t.feed(invite(a).text(), 0);
  t.feed(invite(b).text(), 0);
  t.feed(response(486, "Busy Here", "INVITE", a), 0.1, "198.51.100.7:5060", "203.0.113.10:5060");
  const auto calls = t.analyzer.calls().held();
  REQUIRE(calls.size() == 2);
  CHECK(calls[0]->call_id.size() == trace::CallTracker::kMaxCallIdBytes);
  CHECK(calls[0]->call_id == trace::CallTracker::call_key(a));
  CHECK(calls[0]->call_id == a.substr(0, 118) + "..." + a.substr(300 - 118) + "#" +
                              calls[0]->call_id.substr(240));
  CHECK(calls[1]->call_id.substr(0, 240) == a.substr(0, 118) + "..." + b.substr(300 - 118) + "#");
  CHECK(calls[0]->call_id != calls[1]->call_id);
  CHECK(calls[0]->messages == 2);
  CHECK(calls[0]->final_code == 486);
  CHECK(trace::CallTracker::call_key("short@host") == "short@host");
}

// Every message looks its call up (in_dialog, then on_request or
// on_response); with a Call-ID longer than kMaxCallIdBytes each lookup
// made its shortened key as a new string (issue 18: unanswered INVITEs
// with 268-character Call-IDs).
TEST_CASE("trace calls: looking a call up by a long Call-ID allocates nothing") {
  trace::CallTracker tracker(trace_site().site);
  const std::string id = std::string(268 - 11, 'x') + "@192.0.2.1";
  std::string error;
  const auto m = sip::Message::parse(invite(id).text(), error);
  REQUIRE(m.has_value());
  sip::MessageView view;
  m->fill_view(view);
  capture::Captured c;
  c.bytes = invite(id).text();
  const trace::Call& call = tracker.on_request(view, c, trace::Match{});
  REQUIRE(call.call_id == trace::CallTracker::call_key(id));
  const std::size_t before = g_allocations;
  const trace::Call* found = tracker.find(id);
  const bool in_dialog = tracker.in_dialog(view);
  const std::size_t made = g_allocations - before;
  CHECK(found == &call);
  CHECK_FALSE(in_dialog);  // an INVITE without a To tag starts a call
  CHECK(made == 0);
}
