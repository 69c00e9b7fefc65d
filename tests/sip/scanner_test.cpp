// The lean scanner (sip::scan): the fields it reads of plain messages, the
// messages it must leave to the full parse, that it allocates nothing, and
// that wherever it says plain, sofia-sip agrees on every field (every RFC
// 4475 torture message and every prefix of the plain examples).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "sip/scanner.hpp"
#include "support/scan_agreement.hpp"

extern std::size_t g_allocations;

namespace {

using trunk::sip::MessageView;
using trunk::sip::scan;

std::string message(std::string first, std::string headers, std::string body = "") {
  return first + "\r\n" + headers + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

const std::string kInvite = message(
    "INVITE sip:+14155550142@203.0.113.1:5060;user=phone SIP/2.0",
    "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK1;rport\r\n"
    "Via: SIP/2.0/TCP 192.0.2.9:5070;received=192.0.2.4;rport=5071;branch=z9hG4bKx\r\n"
    "Max-Forwards: 70\r\n"
    "From: \"Alice\" <sip:alice@trunking.example>;tag=a1\r\n"
    "To: <sip:+14155550142@carrier.example>\r\n"
    "Call-ID: abc123@198.51.100.7\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:alice@198.51.100.7:5060;transport=udp>\r\n"
    "User-Agent: trunkline-gen/1.0\r\n"
    "X-Custom: anything \xc3\xa9\r\n"
    "Content-Type: application/sdp\r\n",
    "v=0\r\n");

const std::string kCompact = message(
    "SIP/2.0 200 OK",
    "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK2, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK1\r\n"
    "f: Bob <sip:bob@pbx.example>;tag=1\r\n"
    "t: sip:carol@carrier.example;tag=2\r\n"
    "cALL-iD: c2@host\r\n"
    "cseq: 2 INVITE\r\n"
    "m: <sip:bob@10.0.0.1>\r\n");

// A header line put in place of `line` (its name up to ':') or added.
std::string with(std::string m, std::string_view name, std::string_view line) {
  auto at = m.find("\r\n" + std::string(name) + ":");
  if (at == std::string::npos) {
    at = m.find("\r\n");
    m.insert(at + 2, std::string(line) + "\r\n");
    return m;
  }
  const auto end = m.find("\r\n", at + 2);
  m.replace(at + 2, end - at - 2, line);
  return m;
}

}  // namespace

TEST_CASE("scan reads a plain request's fields as views into its bytes") {
  MessageView v;
  REQUIRE(scan(kInvite, v));
  CHECK(v.is_request());
  CHECK(v.method() == "INVITE");
  CHECK(v.request_uri().scheme == "sip");
  CHECK(v.request_uri().user == "+14155550142");
  CHECK(v.request_uri().host == "203.0.113.1");
  CHECK(v.request_uri().port == "5060");
  CHECK(v.from_uri().host == "trunking.example");
  CHECK(v.from_host_lenient() == "trunking.example");
  CHECK(v.to_uri().user == "+14155550142");
  CHECK_FALSE(v.to_has_tag());
  CHECK(v.call_id() == "abc123@198.51.100.7");
  CHECK(v.cseq_number() == 1);
  CHECK(v.cseq_method() == "INVITE");
  REQUIRE(v.via_count() == 2);
  CHECK(v.via_transport() == "udp");
  CHECK(v.via_branch() == "z9hG4bK1");
  CHECK(v.vias()[0].host == "198.51.100.7");
  CHECK(v.vias()[0].rport.empty());
  CHECK(v.vias()[1].received == "192.0.2.4");
  CHECK(v.vias()[1].rport == "5071");
  CHECK(v.call_id().data() >= kInvite.data());
  CHECK(v.call_id().data() < kInvite.data() + kInvite.size());
  CHECK(trunk::test::scan_disagreement(kInvite).empty());
}

TEST_CASE("scan reads compact header names, any case, and a Via list") {
  MessageView v;
  REQUIRE(scan(kCompact, v));
  CHECK_FALSE(v.is_request());
  CHECK(v.status() == 200);
  CHECK(v.phrase() == "OK");
  CHECK(v.to_has_tag());
  CHECK(v.call_id() == "c2@host");
  CHECK(v.via_count() == 2);
  CHECK(v.vias()[1].host == "10.0.0.2");
  CHECK(trunk::test::scan_disagreement(kCompact).empty());
}

TEST_CASE("scan allocates nothing") {
  MessageView v;
  const std::size_t before = g_allocations;
  CHECK(scan(kInvite, v));
  CHECK(scan(kCompact, v));
  CHECK(g_allocations == before);
}

TEST_CASE("scan leaves to the full parse what it does not fully understand") {
  MessageView v;
  const std::string cases[] = {
      with(kInvite, "User-Agent", "User-Agent: a\r\n b"),                 // folded line
      with(kInvite, "Max-Forwards", "X-Gone: 1"),                         // Max-Forwards missing
      with(kInvite, "X-Custom", "Call-ID: again"),                        // a second Call-ID
      with(kInvite, "Content-Length", "Content-Length: 4"),               // shorter than said
      with(kInvite, "Content-Length", "Content-Length: x"),
      with(kInvite, "X-Custom", std::string("X-Custom: a\0b", 13)),       // NUL
      with(kInvite, "From", "From: <sip:alice@trunking.example;tag=a1"),  // '<' never closed
      with(kInvite, "From", "From: Alice sip:alice@trunking.example"),
      with(kInvite, "To", "To: <sip:a@b>;tag=\"q\""),                     // quoted parameter
      with(kInvite, "CSeq", "CSeq: 1 BYE"),                               // not the request's
      with(kInvite, "X-Custom", "Authorization: Digest username=\"u\""),  // sofia-sip parses it
      with(kInvite, "X-Custom", "Expires: 60"),
      with(kInvite, "Via", "Via: SIP/2.0/UDP 198.51.100.7 :5060;branch=z9hG4bK1"),
      with(kInvite, "Call-ID", "Call-ID: a b"),
      message("INVITE <sip:a@b> SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"),
      std::string("INVITE sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h\n\n"),       // bare LF
      message("SIP/2.0 486 Busy Here", "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"),  // Reason read
      "INVITE sip:a@b SIP/2.0\r\n",                                        // no blank line
      "",
  };
  for (const std::string& m : cases) {
    CAPTURE(m);
    CHECK_FALSE(scan(m, v));
  }
}

TEST_CASE("wherever scan says plain, sofia-sip agrees: RFC 4475 and every prefix") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(TRUNK_SOURCE_DIR) / "tests" / "data" / "rfc4475";
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".dat") continue;
    std::ifstream in(e.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CAPTURE(e.path().filename().string());
    CHECK(trunk::test::scan_disagreement(bytes) == "");
    ++files;
  }
  CHECK(files > 40);
  for (const std::string& m : {kInvite, kCompact})
    for (std::size_t n = 0; n <= m.size(); ++n) {
      CAPTURE(n);
      CHECK(trunk::test::scan_disagreement(std::string_view(m).substr(0, n)) == "");
    }
}
