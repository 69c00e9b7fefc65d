// What sip-trace-match says is wrong with a message: the faults of single
// headers (sip::what_is_wrong), of the start line and of the message as a
// whole, and the header texts sofia-sip does not keep.
#include <doctest/doctest.h>

#include "sip/malformed.hpp"
#include "sip/message.hpp"

using namespace trunk;

namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

}  // namespace

TEST_CASE("malformed: what is wrong with one header") {
  CHECK(sip::what_is_wrong("To", "<sip:1@example.com") == "'<' is never closed by '>'");
  CHECK(sip::what_is_wrong("From", "sip:1@example.com>") == "'>' without an opening '<'");
  CHECK(sip::what_is_wrong("f", "\"Bob <sip:1@example.com>") ==
        "a quoted display name is never closed");
  CHECK(sip::what_is_wrong("Contact", "<1@example.com>") ==
        "the URI has no scheme (sip:, sips: or tel:)");
  CHECK(sip::what_is_wrong("Contact", "<sip:4155550142@>") == "the URI has no host");
  CHECK(sip::what_is_wrong("To", "<sip:@example.com>") == "the URI has '@' but no user before it");
  CHECK(sip::what_is_wrong("Via", "SIP/2.0/UDP") == "the sent-by host is missing after SIP/2.0/UDP");
  CHECK(sip::what_is_wrong("Via", "SIP/2.0/ host") == "the transport is missing after SIP/2.0/");
  CHECK(sip::what_is_wrong("v", "SIP/2.0/UDP host:50x0") == "the sent-by port is not a number");
  CHECK(sip::what_is_wrong("Via", "UDP host") == "it does not start with SIP/2.0/TRANSPORT");
  CHECK(sip::what_is_wrong("CSeq", "x INVITE") == "the sequence number is not a number");
  CHECK(sip::what_is_wrong("CSeq", "12") == "the method is missing after the sequence number");
  CHECK(sip::what_is_wrong("Content-Length", "-5") == "the value is not a whole number");
  CHECK(sip::what_is_wrong("Call-ID", "a b") == "the Call-ID contains a space");
  CHECK(sip::what_is_wrong("Date", "whenever") == sip::kNoKnownFault);
  // Every fault of a header, not only the first.
  CHECK(sip::what_is_wrong("To", "12032130635@trunking-customer.15611.service>") ==
        "'>' without an opening '<' and the URI has no scheme (sip:, sips: or tel:)");
  CHECK(sip::what_is_wrong("From", "4155550142@pbx.example;tag=1") ==
        "the URI has no scheme (sip:, sips: or tel:)");
  CHECK(sip::what_is_wrong("From", "Bob sip:1@example.com;tag=1") ==
        "a display name is followed by a URI that is not in '<' '>'");
  CHECK(sip::what_is_wrong("Via", "SIP/2.0/UDP 192.0.2.44 5060;branch=z9hG4bK-1") ==
        "a space, not ':', separates the sent-by host from its port");
  // Well-formed values: nothing to say.
  for (const char* ok : {"<sip:1@example.com>;tag=1", "\"A <b>, c\" <sip:1@example.com>",
                         "sip:1@example.com:5060;transport=tcp", "<tel:+14155550142>", "*",
                         "Bob <sips:bob@[2001:db8::1]:5061>",
                         // A quoted parameter value is no display name:
                         // trunkd's own Contacts carry caller-id="...".
                         "<sip:1@192.0.2.1:5060>;q=1.0;trunk=x;caller-id=\"+15125550000\"",
                         "sip:1@example.com;caller-id=\"+1 512\";q=0.9",
                         "\"Bob\" <sip:1@example.com>;note=\"a, <b>\""})
    CHECK_MESSAGE(sip::what_is_wrong("Contact", ok) == sip::kNoKnownFault, ok);
}

TEST_CASE("malformed: header_faults reports headers sofia-sip accepted but RFC 3261 does not") {
  const std::string m =
      "INVITE sip:1@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
      "From: <sip:2@example.com>;tag=1\r\n"
      "To: 1@example.com>\r\n"
      "Contact: <sip:2@192.0.2.1>, sip:3@192.0.2.2;expires=60, \"x, y\" <sip:4@192.0.2.3>\r\n"
      "Call-ID: c1\r\n"
      "CSeq: 1 INVITE\r\n"
      "Max-Forwards: 70\r\n"
      "Content-Length: 0\r\n\r\n";
  std::string error;
  auto parsed = sip::Message::parse(m, error);
  REQUIRE(parsed);
  CHECK(parsed->malformed_header_texts().empty());  // sofia-sip took them all
  auto faults = sip::header_faults(*parsed, m);
  REQUIRE(faults.size() == 1);
  CHECK(faults[0].name == "To");
  CHECK(faults[0].value == "1@example.com>");
  CHECK(faults[0].problem ==
        "'>' without an opening '<' and the URI has no scheme (sip:, sips: or tel:)");
}

TEST_CASE("malformed: faults of the start line") {
  CHECK(joined(sip::start_line_faults("OPTIONS sip:a@example.com SIP/2.0  \r\n")) ==
        "the request line ends in white space\n");
  CHECK(joined(sip::start_line_faults("INVITE  sip:a@example.com  SIP/2.0\r\n")) ==
        "more than one space separates the parts of the request line\n");
  CHECK(joined(sip::start_line_faults("INVITE <sip:a@example.com> SIP/2.0\r\n")) ==
        "the Request-URI is enclosed in '<' '>'\n");
  CHECK(joined(sip::start_line_faults("INVITE sip:a@example.com?Route=x SIP/2.0\r\n")) ==
        "the Request-URI carries headers ('?'), which a Request-URI may not\n");
  CHECK(joined(sip::start_line_faults("SIP/2.0 100 \r\n")) == "");  // an empty reason
  CHECK(joined(sip::start_line_faults("")) == "");
}

TEST_CASE("malformed: faults of the message and the texts of broken headers") {
  const std::string m =
      "INVITE sip:1@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
      "To: <sip:1@example.com\r\n"
      "  \r\n"  // a continuation line of blanks
      "CSeq: 1 BYE\r\n"
      "Content-Length: 0\r\n\r\n";
  std::string error;
  auto parsed = sip::Message::parse(m, error);
  REQUIRE(parsed);
  auto texts = parsed->malformed_header_texts();
  REQUIRE(texts.size() == 1);
  CHECK(texts[0].name == "To");
  CHECK(texts[0].value == "<sip:1@example.com");
  CHECK(joined(parsed->message_faults()) ==
        "mandatory headers missing: From, Call-ID, Max-Forwards\n"
        "the CSeq method BYE is not the request's INVITE\n");
}
