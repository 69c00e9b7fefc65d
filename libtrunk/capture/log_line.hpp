// The lines of a text trace: the log lines that announce a message (and say
// where it came from or went to), the lines that end one, SIP start lines
// and the Content-Length header line.
//
// Each recogniser looks at one line and never allocates. Formats:
//   asterisk         `<--- Received SIP request (1089 bytes) from UDP:203.0.113.10:5060 --->`
//                    `<--- SIP read from UDP:1.2.3.4:5060 --->`, `<------------->`
//                    `Reliably Transmitting (NAT) to 1.2.3.4:5060:`
//   freeswitch       `recv 1020 bytes from udp/[203.0.113.10]:5060 at 10:01:02.123456:`
//   ngrep            `U 2026/11/23 10:01:02.123456 203.0.113.10:5060 -> 198.51.100.7:5060 #12`, `#`
//                    (with -W single, the packet follows on the same line)
//   received-packet  `Received Packet from 203.0.113.10:5060 (UDP)`, `Sent Packet to 1.2.3.4:5060`
// Assembling messages out of these lines is text_reader.cpp's job.
#pragma once

#include <cstdint>
#include <string_view>

#include "capture/reader.hpp"

namespace trunk::capture {

struct LogLine {
  enum class Kind : std::uint8_t {
    none,      // not a log line this module knows: noise, or SIP
    announce,  // a message follows; src/dst/transport/time say what is known
    end,       // ends the message being read: `<------------->`, a line of
               // dashes, `---`, ngrep's `#`
  };
  Kind kind = Kind::none;
  // "asterisk", "freeswitch", "ngrep", "received-packet"; empty for `end`
  // lines that several formats share (dashes).
  std::string_view format;
  Endpoint src, dst;
  Transport transport = Transport::unknown;
  std::int64_t time_us = 0;
  // `<------------->` and ngrep's `#`: never part of a message body, so they
  // end one even before its Content-Length is reached.
  bool strong = false;
  // ngrep -W single: the packet, on the header's own line after it.
  std::string_view payload;
};

// What `line` is, as far as log formats go.
LogLine read_log_line(std::string_view line);

// The first full date and time in `line` (`2026-11-23 10:01:02.123`,
// `2026/11/23 10:01:02.123456`, `2026-11-23T10:01:02Z`, with an optional
// `+hh:mm` offset) in microseconds since the epoch; 0 when the line has none.
// A time without an offset is taken as UTC: logs rarely say their zone.
std::int64_t find_date_time(std::string_view line);

// `INVITE sip:bob@example.com SIP/2.0` or `SIP/2.0 200 OK` (trailing blanks
// allowed). Does not check the URI: a broken one is the SIP parser's to report.
bool is_start_line(std::string_view line);

// The value of a `Content-Length` (or compact `l`) header line; -1 when the
// line is another header or the value is not a number. Values past 10^9 are
// kept at 10^9: the message cap cuts long before.
long long content_length(std::string_view header_line);

// `s` without blanks (space, tab) at either end.
std::string_view trim_blanks(std::string_view s);

// "203.0.113.10:5060", "[2001:db8::1]:5060", and, when `port_last` (ngrep),
// "2001:db8::1:5060" with the port after the last colon. A trailing ':' or
// ',' is ignored.
bool parse_host_port(std::string_view text, bool port_last, Endpoint& out);

// "udp", "TCP", ... (any case); unknown otherwise.
Transport parse_transport(std::string_view name);

}  // namespace trunk::capture
