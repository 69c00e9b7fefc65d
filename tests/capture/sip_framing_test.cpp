// SIP start lines and Content-Length framing: what counts as the start of a
// message, what waits for more bytes, and where a message ends.
#include <doctest/doctest.h>

#include <string>

#include "capture/sip_framing.hpp"

using namespace trunk::capture;

TEST_CASE("framing: request and status lines start a message") {
  CHECK(start_line("INVITE sip:+14155550100@gw.example.net SIP/2.0\r\n") == StartLine::yes);
  CHECK(start_line("OPTIONS sips:gw.example.net:5061 SIP/2.0\n") == StartLine::yes);
  CHECK(start_line("REGISTER tel:+14155550100 SIP/2.0\r\nVia: x") == StartLine::yes);
  CHECK(start_line("SIP/2.0 200 OK\r\n") == StartLine::yes);
  CHECK(start_line("SIP/2.0 100 \r\n") == StartLine::yes);
  CHECK(start_line("SIP/2.0 183\r\n") == StartLine::yes);
}

TEST_CASE("framing: anything else is not a start line") {
  CHECK(start_line("\x80\x08\x00\x01rtp") == StartLine::no);      // RTP
  CHECK(start_line("\r\n\r\n") == StartLine::no);                  // keepalive
  CHECK(start_line(std::string_view("\0\0\0\0", 4)) == StartLine::no);
  CHECK(start_line("\x16\x03\x01") == StartLine::no);              // TLS
  CHECK(start_line("GET / HTTP/1.1\r\n") == StartLine::no);
  CHECK(start_line("HTTP/1.1 200 OK\r\n") == StartLine::no);
  CHECK(start_line("SIP/2.0 20 OK\r\n") == StartLine::no);
  CHECK(start_line("SIP/2.0 2000 OK\r\n") == StartLine::no);
  CHECK(start_line("INVITE sip:a@b SIP/3.0\r\n") == StartLine::no);
  CHECK(start_line("INVITE nocolon SIP/2.0\r\n") == StartLine::no);
  CHECK(start_line("INVITE  SIP/2.0\r\n") == StartLine::no);
  CHECK(start_line("Invite sip:a@b SIP/2.0\r\n") == StartLine::no);
  CHECK(start_line("INVITE sip:" + std::string(5000, 'a') + " SIP/2.0\r\n") == StartLine::no);
}

TEST_CASE("framing: an unfinished line that could still be one waits") {
  CHECK(start_line("") == StartLine::more);
  CHECK(start_line("INV") == StartLine::more);
  CHECK(start_line("INVITE sip:+1415555") == StartLine::more);
  CHECK(start_line("INVITE sip:a@b SIP/2") == StartLine::more);
  CHECK(start_line("SIP/2.0 4") == StartLine::more);
  CHECK(start_line("SIP/2.0 486 Busy") == StartLine::more);
  CHECK(start_line("INVITE sip:a@b SIX") == StartLine::no);
}

TEST_CASE("framing: a message ends after Content-Length bytes of body") {
  std::string m = "INVITE sip:a@b SIP/2.0\r\nContent-Length: 4\r\n\r\nbody";
  auto e = message_extent(m + "NEXT");
  CHECK(e.status == MessageExtent::complete);
  CHECK(e.size == m.size());
  CHECK(e.body_size == 4);
  CHECK(message_extent(m.substr(0, m.size() - 1)).status == MessageExtent::need_more);
  CHECK(message_extent(m.substr(0, 30)).header_size == 0);
}

TEST_CASE("framing: Content-Length is found in any case and in its compact form") {
  CHECK(message_extent("SIP/2.0 200 OK\r\ncontent-length :  2 \r\n\r\nab").body_size == 2);
  std::string compact = "SIP/2.0 200 OK\r\nl:3\r\n\r\nabc";
  CHECK(message_extent(compact + "more").size == compact.size());
  CHECK(message_extent("SIP/2.0 200 OK\nContent-Length: 1\n\nx").status ==
        MessageExtent::complete);
}

TEST_CASE("framing: without Content-Length the message ends at the blank line") {
  std::string m = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n";
  auto e = message_extent(m + "INVITE");
  CHECK(e.status == MessageExtent::complete);
  CHECK(e.size == m.size());
}

TEST_CASE("framing: a Content-Length that is not a number is reported") {
  CHECK(message_extent("SIP/2.0 200 OK\r\nContent-Length: x\r\n\r\n").status ==
        MessageExtent::bad_length);
  CHECK(message_extent("SIP/2.0 200 OK\r\nContent-Length:\r\n\r\n").status ==
        MessageExtent::bad_length);
  CHECK(message_extent("SIP/2.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n").status ==
        MessageExtent::bad_length);
}

TEST_CASE("framing: a search resumed from where it stopped finds the blank line") {
  std::string m = "SIP/2.0 200 OK\r\nCall-ID: 1\r\n\r\n";
  std::string first = m.substr(0, m.size() - 2);
  REQUIRE(message_extent(first).header_size == 0);
  CHECK(message_extent(m, first.size() - 3).size == m.size());
}
