// The differential test of trunkd's fast path: for hand-written odd
// requests and generated ones, the answer redirect() writes from the
// scanner's view and the one it writes after sofia-sip's full parse must
// be byte-identical and be counted alike (support/redirect_agreement.hpp),
// whenever the fast path answers; and the common shapes must take the fast
// path, so that this test cannot pass by the fast path declining all.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "support/redirect_agreement.hpp"

using namespace trunk;

namespace {

// Where requests come from: the site's proxy (loopback), a carrier's
// address, and nobody the site knows.
const char* const kSources[] = {"127.0.0.1", "203.0.113.10", "198.51.100.99", "192.0.2.99"};

struct Parts {
  std::string method = "INVITE";
  std::string ruri = "sip:14155550123@pbx.example";
  std::vector<std::string> via_lines = {
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-one;rport=5060",
      "Via: SIP/2.0/UDP 192.0.2.8:5070;branch=z9hG4bK-two;received=192.0.2.9;rport=5071"};
  std::string from = "From: <sip:alice@acme.pbx.example>;tag=f1";
  std::string to = "To: <sip:14155550123@pbx.example>";
  std::string call_id = "Call-ID: call-1@192.0.2.7";
  std::string cseq;  // "CSeq: 7 METHOD" when empty
  std::string max_forwards = "Max-Forwards: 70";
  std::string contact = "Contact: <sip:caller@192.0.2.7:5060>";
  std::string extra;  // more header lines, each ending in CR LF
  std::string body;
  std::string length;  // "Content-Length: N" of the body when empty

  std::string text() const {
    std::string m = method + " " + ruri + " SIP/2.0\r\n";
    for (const auto& v : via_lines) m += v + "\r\n";
    for (const std::string* h : {&from, &to, &call_id})
      if (!h->empty()) m += *h + "\r\n";
    m += (cseq.empty() ? "CSeq: 7 " + method : cseq) + "\r\n";
    if (!max_forwards.empty()) m += max_forwards + "\r\n";
    if (!contact.empty()) m += contact + "\r\n";
    m += extra;
    m += (length.empty() ? "Content-Length: " + std::to_string(body.size()) : length) + "\r\n\r\n";
    return m + body;
  }
};

// Checks agreement from every source; returns how many took the fast path.
std::size_t agree(const std::string& text) {
  const route::Router* router = test::example_router();
  REQUIRE(router);
  std::size_t fast_count = 0;
  for (const char* address : kSources) {
    auto from = sip::make_source(address, 5060);
    REQUIRE(from.has_value());
    bool fast = false;
    const std::string why = test::redirect_disagreement(*router, text, *from, &fast);
    INFO("request:\n", text, "\nfrom ", address);
    CHECK_MESSAGE(why.empty(), why);
    fast_count += fast;
  }
  return fast_count;
}

bool fast(const std::string& text) { return agree(text) == std::size(kSources); }

}  // namespace

TEST_CASE("fast path: plain requests are answered from the scanned bytes, as after the full parse") {
  Parts p;
  CHECK(fast(p.text()));
  // Every method and answer: 302, 403, 404, 484, OPTIONS 200, CANCEL 481,
  // 405, and the ACK counted and not answered.
  for (const char* ruri : {"sip:14155550123@pbx.example", "sip:999@pbx.example",
                           "sip:0114420-1@pbx.example", "sip:+4155551042@198.51.100.7",
                           "sip:5125550042@pbx.example", "tel:+14155550123"}) {
    for (const char* method : {"INVITE", "OPTIONS", "CANCEL", "BYE", "ACK", "REGISTER", "INFO",
                               "MESSAGE", "SUBSCRIBE", "UPDATE"}) {
      Parts q;
      q.ruri = ruri;
      q.method = method;
      CHECK(fast(q.text()));
    }
  }
  // To with a tag keeps it; without one it gains ours.
  p.to = "To: <sip:14155550123@pbx.example>;tag=abc";
  CHECK(fast(p.text()));
  p.to = "To: sip:14155550123@pbx.example;TAG=abc";
  CHECK(fast(p.text()));
  p.to = "To: sip:14155550123@pbx.example";
  CHECK(fast(p.text()));
}

TEST_CASE("fast path: compact forms, case and spacing are re-encoded as sofia-sip does") {
  Parts p;
  p.via_lines = {"v: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-one",
                 "VIA:SIP/2.0/TCP 192.0.2.8;branch=z9hG4bK-two;rport"};
  p.from = "f:    <sip:alice@acme.pbx.example>;tag=f1   ";
  p.to = "t:<sip:14155550123@pbx.example>";
  p.call_id = "i: call-2@192.0.2.7";
  p.cseq = "cseq: 0007 INVITE";
  p.length = "l: 0";
  p.contact = "m: <sip:caller@192.0.2.7>";
  CHECK(fast(p.text()));
  // Several Vias in one line, with and without blanks after the comma,
  // and beside another Via line.
  Parts q;
  q.via_lines = {"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1,SIP/2.0/UDP 192.0.2.8;branch=z9hG4bK-2,   SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK-3",
                 "Via: SIP/2.0/TLS gw.example.com;branch=z9hG4bK-4;received=198.51.100.4"};
  CHECK(fast(q.text()));
  // Display names: a token run, a quoted string, with one blank before
  // '<' (written as is) and with none or several (sofia-sip writes one:
  // the full parse answers, the same).
  for (const char* from : {"From: Alice <sip:alice@acme.pbx.example>;tag=f1",
                           "From: Alice Smith <sip:alice@acme.pbx.example>;tag=f1",
                           "From: \"Alice, Smith\" <sip:alice@acme.pbx.example>;tag=f1",
                           "From: \"Alice\"<sip:alice@acme.pbx.example>;tag=f1",
                           "From: \"Alice\"   <sip:alice@acme.pbx.example>;tag=f1",
                           "From: \"Alice\"\t<sip:alice@acme.pbx.example>;tag=f1",
                           "From: Alice<sip:alice@acme.pbx.example>;tag=f1",
                           "From: sip:alice@acme.pbx.example;tag=f1",
                           "From: <sip:alice@acme.pbx.example;user=phone>;tag=f1;x=y"}) {
    Parts r;
    r.from = from;
    r.to = std::string(from).replace(0, 4, "To").replace(std::string(from).find(";tag=f1") - 2,
                                                         7, "");
    agree(r.text());
  }
  // Transports: known ones in upper case are written as they came, in
  // lower case sofia-sip writes them in upper case (left to it).
  for (const char* t : {"UDP", "TCP", "TLS", "SCTP", "WS", "WSS", "udp", "Tcp", "ws", "FOO", "foo"}) {
    Parts r;
    r.via_lines = {std::string("Via: SIP/2.0/") + t + " 127.0.0.1:5060;branch=z9hG4bK-1"};
    agree(r.text());
  }
}

TEST_CASE("fast path: what the scanner does not call plain takes the full parse") {
  Parts p;
  // Folded lines, a missing header, Max-Forwards 0, 1 and missing, a bad
  // or mismatched CSeq, an unknown method, a short body, a response.
  std::vector<std::string> odd;
  Parts q = p;
  q.from = "From: <sip:alice@acme.pbx.example>\r\n ;tag=f1";
  odd.push_back(q.text());
  for (std::string Parts::*h : {&Parts::from, &Parts::to, &Parts::call_id, &Parts::max_forwards}) {
    q = p;
    q.*h = "";
    odd.push_back(q.text());
  }
  q = p;
  q.via_lines.clear();
  odd.push_back(q.text());
  for (const char* mf : {"Max-Forwards: 0", "Max-Forwards: 1", "Max-Forwards: 256"}) {
    q = p;
    q.max_forwards = mf;
    odd.push_back(q.text());
  }
  for (const char* cseq : {"CSeq: x INVITE", "CSeq: 1 BYE", "CSeq: 1", "CSeq: 1  INVITE",
                           "CSeq: 4294967296 INVITE"}) {
    q = p;
    q.cseq = cseq;
    odd.push_back(q.text());
  }
  q = p;
  q.method = "FOO";
  odd.push_back(q.text());
  q = p;
  q.body = "v=0\r\n";
  q.length = "Content-Length: 50";
  odd.push_back(q.text());
  q = p;
  q.body = "v=0\r\n";
  q.extra = "Content-Type: application/sdp\r\n";
  odd.push_back(q.text());
  odd.push_back("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-1\r\n"
                "From: <sip:a@b.example>;tag=1\r\nTo: <sip:c@d.example>;tag=2\r\n"
                "Call-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
  odd.push_back("hello\r\n\r\n");
  odd.push_back("INVITE sip:1@pbx.example SIP/2.0\r\n\r\n");
  for (const auto& text : odd) agree(text);
}

TEST_CASE("fast path: generated requests, plain and odd, agree with the full parse") {
  std::mt19937 rng(18);
  auto pick = [&](std::initializer_list<std::string> xs) {
    return xs.begin()[std::uniform_int_distribution<std::size_t>(0, xs.size() - 1)(rng)];
  };
  auto coin = [&] { return rng() % 2 == 0; };
  std::size_t fast_total = 0, total = 0;
  for (int i = 0; i < 1500; ++i) {
    Parts p;
    p.method = pick({"INVITE", "INVITE", "INVITE", "OPTIONS", "CANCEL", "BYE", "ACK", "MESSAGE"});
    const std::string user = pick({"14155550123", "+4155551042", "999", "0114420-1", "5125550042",
                                   "011442071234567", "1", "5*1"});
    p.ruri = pick({"sip:", "sip:", "sips:"}) + user + "@" +
             pick({"pbx.example", "198.51.100.7", "[2001:db8::7]", "pbx.example:5080"}) +
             pick({"", ";user=phone", ";transport=tcp"});
    p.via_lines.clear();
    const int vias = 1 + static_cast<int>(rng() % 4);
    std::string line;
    for (int v = 0; v < vias; ++v) {
      const std::string entry =
          "SIP/2.0/" + pick({"UDP", "TCP", "TLS", "udp", "WS"}) + " " +
          pick({"127.0.0.1", "192.0.2.8", "[2001:db8::1]", "gw.example"}) +
          pick({"", ":5060", ":5070"}) + ";branch=z9hG4bK-" + std::to_string(rng() % 1000) +
          pick({"", ";rport", ";rport=5071", ";received=192.0.2.9", ";received=192.0.2.9;rport=9"});
      if (line.empty()) {
        line = pick({"Via: ", "v: ", "VIA:", "via:  "}) + entry;
      } else if (coin()) {
        line += pick({",", ", ", ",  "}) + entry;
      } else {
        p.via_lines.push_back(line);
        line = pick({"Via: ", "v: "}) + entry;
      }
    }
    p.via_lines.push_back(line);
    const std::string from_host =
        pick({"acme.pbx.example", "initech.pbx.example", "carriera.example", "Trunking-Customer.15611.SERVICE"});
    p.from = pick({"From: ", "f: ", "FROM:"}) +
             pick({"", "Alice ", "\"Alice\" ", "Alice Smith ", "\"A\"", "Bob  "}) +
             "<sip:" + pick({"alice", "a.b", "+1415"}) + "@" + from_host + ">;tag=" +
             std::to_string(rng() % 100);
    p.to = pick({"To: ", "t: ", "TO:"}) +
           pick({"<" + p.ruri + ">", "sip:" + user + "@pbx.example", "\"Bob\" <" + p.ruri + ">"}) +
           pick({"", "", ";tag=x1", ";Tag=y"});
    p.call_id = pick({"Call-ID: ", "i: ", "call-id:"}) + std::to_string(rng()) + pick({"", "@192.0.2.7", "@[2001:db8::1]"});
    p.cseq = pick({"CSeq: ", "cseq:"}) + pick({"1", "007", "4294967295", "123456789"}) + " " + p.method;
    p.max_forwards = pick({"Max-Forwards: 70", "Max-Forwards: 0", "max-forwards:1", ""});
    p.extra = pick({"", "User-Agent: bench/1.0\r\n", "Supported: timer, 100rel\r\n",
                    "X-Custom: anything at all\r\n"});
    if (coin()) {
      p.body = "v=0\r\no=- 1 1 IN IP4 192.0.2.7\r\n";
      p.extra += "Content-Type: application/sdp\r\n";
    }
    const std::string text = p.text();
    fast_total += agree(text);
    ++total;
    // A byte changed, dropped or doubled: mostly suspect, at times plain
    // in a form not written above.
    std::string mutated = text;
    const std::size_t at = rng() % mutated.size();
    switch (rng() % 4) {
      case 0: mutated[at] = static_cast<char>(" \t,;:<>\"aZ0"[rng() % 11]); break;
      case 1: mutated.erase(at, 1); break;
      case 2: mutated.insert(at, 1, mutated[at]); break;
      case 3: mutated[at] = static_cast<char>(std::toupper(static_cast<unsigned char>(mutated[at]))); break;
    }
    agree(mutated);
  }
  // About a quarter of the generated requests are plain (the odd choices
  // above make the rest suspect): the fast path must have answered them,
  // or this test would prove nothing.
  CHECK(fast_total > total * std::size(kSources) / 5);
}
