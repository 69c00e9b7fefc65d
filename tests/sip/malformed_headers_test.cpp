// Message::malformed_headers() names each header sofia-sip set aside: one it
// could not parse, and each extra copy of a header that may appear once.
// sofia-sip files the extra copies on its error list as the headers
// themselves, so reading them as error objects once crashed (a second
// Content-Length) or returned the header's value as its name (a second
// Call-ID).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sip/message.hpp"

using trunk::sip::Message;

namespace {

std::vector<std::string> malformed(const std::string& headers) {
  std::string text = "OPTIONS sip:user@example.com SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
                     "From: <sip:caller@example.net>;tag=1\r\n"
                     "To: <sip:user@example.com>\r\n"
                     "Max-Forwards: 70\r\n" +
                     headers + "\r\n";
  std::string error;
  auto m = Message::parse(text, error);
  REQUIRE_MESSAGE(m.has_value(), error);
  return m->malformed_headers();
}

}  // namespace

TEST_CASE("malformed_headers names a header it could not parse") {
  CHECK(malformed("Call-ID: a@b\r\nCSeq: 1 OPTIONS\r\nDate: not a date\r\n") ==
        std::vector<std::string>{"Date"});
}

TEST_CASE("malformed_headers names a repeated single header by its name") {
  CHECK(malformed("Call-ID: a@b\r\nCSeq: 1 OPTIONS\r\n"
                  "Content-Length: 0\r\nContent-Length: 5\r\n") ==
        std::vector<std::string>{"Content-Length"});
  CHECK(malformed("Call-ID: first@b\r\nCall-ID: second@b\r\nCSeq: 1 OPTIONS\r\n"
                  "CSeq: 2 OPTIONS\r\n") == std::vector<std::string>{"Call-ID", "CSeq"});
}

TEST_CASE("malformed_headers is empty for a clean message") {
  CHECK(malformed("Call-ID: a@b\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n").empty());
}
