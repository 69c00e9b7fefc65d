// The text log lines each trace format announces and ends messages with, the
// dates taken from them, and SIP start lines.
#include <doctest/doctest.h>

#include "capture/log_line.hpp"

using namespace trunk::capture;

namespace {

std::string ep(const Endpoint& e) { return e.known() ? e.to_string() : "-"; }

// "FORMAT TRANSPORT SRC > DST TIME" for an announcement, "end" or "none".
std::string read(std::string_view line) {
  LogLine l = read_log_line(line);
  if (l.kind == LogLine::Kind::none) return "none";
  if (l.kind == LogLine::Kind::end) return std::string("end ") + (l.strong ? "strong" : "weak");
  return std::string(l.format) + ' ' + std::string(to_string(l.transport)) + ' ' + ep(l.src) +
         " > " + ep(l.dst) + ' ' + std::to_string(l.time_us);
}

}  // namespace

TEST_CASE("text log lines: Asterisk pjsip logger") {
  CHECK(read("<--- Received SIP request (1089 bytes) from UDP:203.0.113.10:5060 --->") ==
        "asterisk udp 203.0.113.10:5060 > - 0");
  CHECK(read("[Nov 23 10:01:02] VERBOSE[2351] res_pjsip_logger.c: <--- Transmitting SIP "
             "response (512 bytes) to TLS:198.51.100.7:5061 --->") ==
        "asterisk tls - > 198.51.100.7:5061 0");
  CHECK(read("[2026-11-23 10:01:02.5] VERBOSE[1] res_pjsip_logger.c: <--- Received SIP "
             "response (512 bytes) from WSS:[2001:db8::7]:8089 --->") ==
        "asterisk wss [2001:db8::7]:8089 > - 1795428062500000");
}

TEST_CASE("text log lines: Asterisk chan_sip debug") {
  CHECK(read("<--- SIP read from UDP:1.2.3.4:5060 --->") == "asterisk udp 1.2.3.4:5060 > - 0");
  CHECK(read("<--- Transmitting (NAT) to 192.0.2.1:5060 --->") ==
        "asterisk unknown - > 192.0.2.1:5060 0");
  CHECK(read("Reliably Transmitting (NAT) to 192.0.2.1:5060:") ==
        "asterisk unknown - > 192.0.2.1:5060 0");
  CHECK(read("Retransmitting #1 (no NAT) to 192.0.2.1:5060:") ==
        "asterisk unknown - > 192.0.2.1:5060 0");
  CHECK(read("<------------->") == "end strong");
  CHECK(read("<------------>") == "end strong");
  CHECK(read("---") == "end weak");
  CHECK(read("<--- SIP read from nowhere --->") == "none");
}

TEST_CASE("text log lines: FreeSWITCH siptrace") {
  CHECK(read("recv 1020 bytes from udp/[203.0.113.10]:5060 at 10:01:02.123456:") ==
        "freeswitch udp 203.0.113.10:5060 > - 0");
  CHECK(read("send 512 bytes to tcp/[2001:db8::1]:5060 at 10:01:02.123456:") ==
        "freeswitch tcp - > [2001:db8::1]:5060 0");
  CHECK(read("   ------------------------------------------------------------------------") ==
        "end weak");
  CHECK(read("recv what bytes from udp/[203.0.113.10]:5060") == "none");
}

TEST_CASE("text log lines: ngrep") {
  CHECK(read("U 2026/11/23 10:01:02.123456 203.0.113.10:5060 -> 198.51.100.7:5060 #12") ==
        "ngrep udp 203.0.113.10:5060 > 198.51.100.7:5060 1795428062123456");
  CHECK(read("T 198.51.100.7:5060 -> 203.0.113.10:41234 [AP] #3") ==
        "ngrep tcp 198.51.100.7:5060 > 203.0.113.10:41234 0");
  CHECK(read("U +0.000120 2001:db8::7:5060 -> 2001:db8::10:5060") ==
        "ngrep udp [2001:db8::7]:5060 > [2001:db8::10]:5060 0");
  CHECK(read("#") == "end strong");
  CHECK(read("####") == "end strong");
  CHECK(read("# not a separator") == "none");
  CHECK(read("T nothing -> here") == "none");
  // -W single: the packet follows the header on its line.
  auto single = read_log_line(
      "T 198.51.100.7:5060 -> 203.0.113.10:41234 [AP] #3 OPTIONS sip:x SIP/2.0..CSeq: 1 ..");
  CHECK(single.payload == "OPTIONS sip:x SIP/2.0..CSeq: 1 ..");
  CHECK(read_log_line("U 1.2.3.4:5060 -> 5.6.7.8:5060 #12").payload.empty());
}

TEST_CASE("text log lines: Received Packet from ADDRESS") {
  CHECK(read("Received Packet from 203.0.113.10:5060 (UDP)") ==
        "received-packet udp 203.0.113.10:5060 > - 0");
  CHECK(read("2026-11-23T10:01:02.250Z sbc[88]: Sent Packet to 192.0.2.1:5061 (TLS)") ==
        "received-packet tls - > 192.0.2.1:5061 1795428062250000");
  CHECK(read("2026-11-23 11:01:02+01:00 Sending to tcp:192.0.2.1:5060") ==
        "received-packet tcp - > 192.0.2.1:5060 1795428062000000");
  CHECK(read("RECEIVED FROM [2001:db8::5]:5060") == "received-packet unknown [2001:db8::5]:5060 > - 0");
  CHECK(read("Received from the upstream team: please retry") == "none");
  CHECK(read("To: <sip:bob@192.0.2.1:5060>") == "none");
}

TEST_CASE("text log lines: dates need a year") {
  CHECK(find_date_time("[Nov 23 10:01:02]") == 0);
  CHECK(find_date_time("at 10:01:02.123456:") == 0);
  CHECK(find_date_time("1970-01-01 00:00:01") == 1000000);
  CHECK(find_date_time("x 2026-11-23 10:01:02,5") == 1795428062500000);
  CHECK(find_date_time("2026-13-23 10:01:02") == 0);
  CHECK(find_date_time("12026-11-23 10:01:02") == 0);
}

TEST_CASE("text log lines: SIP start lines") {
  CHECK(is_start_line("INVITE sip:+14155550199@198.51.100.7 SIP/2.0"));
  CHECK(is_start_line("SIP/2.0 200 OK"));
  CHECK(is_start_line("SIP/2.0 100"));
  CHECK(is_start_line("OPTIONS sip:192.0.2.1 SIP/2.0  "));
  CHECK(!is_start_line("Via: SIP/2.0/UDP"));
  CHECK(!is_start_line("Via: SIP/2.0/UDP 192.0.2.1 SIP/2.0"));
  // Lenient where the parser can say what is wrong (RFC 4475's torture
  // messages): an overlong code, an unknown version, odd spacing, a method
  // of any token characters.
  CHECK(is_start_line("SIP/2.0 4294967301 better not break the receiver"));
  CHECK(is_start_line("INVITE sip:user@example.com SIP/7.0"));
  CHECK(is_start_line("INVITE  sip:user@example.com  SIP/2.0"));
  CHECK(is_start_line("!interesting-Method0123456789_*+`.%indeed'~ sip:x@example.com SIP/2.0"));
  CHECK(!is_start_line("SIP/2.0 20 OK"));
  CHECK(!is_start_line("SIP/2.0x 200 OK"));
  CHECK(!is_start_line("a log line about sip:x@example.com SIP/2.0 (noise)"));
  CHECK(!is_start_line("INVITE nowhere SIP/2.0"));
  CHECK(!is_start_line(""));
}

TEST_CASE("text log lines: Content-Length, long and compact") {
  CHECK(content_length("Content-Length: 245") == 245);
  CHECK(content_length("content-length :0  ") == 0);
  CHECK(content_length("l: 16") == 16);
  CHECK(content_length("Content-Length: 99999999999999999999") == 1000000000);
  CHECK(content_length("Content-Length: 12a") == -1);
  CHECK(content_length("Content-Length:") == -1);
  CHECK(content_length("Content-Type: application/sdp") == -1);
  CHECK(content_length("v=0") == -1);
}

TEST_CASE("endpoints: text forms, IPv4 written by hand as inet_ntop writes it") {
  const auto text = [](std::string_view s) {
    Endpoint e;
    REQUIRE(Endpoint::parse(s, e));
    std::string appended = "x";
    e.append_to(appended);
    CHECK(appended == "x" + e.to_string());
    return e.to_string();
  };
  CHECK(text("0.0.0.0") == "0.0.0.0");
  CHECK(text("255.255.255.255:65535") == "255.255.255.255:65535");
  CHECK(text("10.0.100.9:5060") == "10.0.100.9:5060");
  CHECK(text("[2001:db8::1]:5061") == "[2001:db8::1]:5061");
  CHECK(text("2001:db8::1") == "2001:db8::1");
  CHECK(Endpoint{}.to_string().empty());
}
