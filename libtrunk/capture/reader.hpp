// Capture readers: SIP messages out of captures (pcap, pcapng) and text
// logs. This is capture/'s interface: everything below it in this folder
// (frames, IP reassembly, TCP streams, log lines) serves a Reader, and
// nothing here knows the site. What a message means (its trunk, tenant,
// rule and call) is trace/'s business (trace/analyze.hpp), which starts
// from the Captured handed out here.
//
// A Reader streams one SIP message at a time with where it was seen: source
// and destination, transport, time, and the frame or line it came from.
// Memory stays bounded whatever the size of the input: a reader keeps only
// what reassembly needs (IP fragments, TCP streams mid-message) and caps that.
// Problems in the input (a truncated capture, a gap in a TCP stream, a log
// line that cannot be understood) are reported as warnings in the Sink and
// reading goes on; only an input that cannot be read at all makes open()
// fail. Parsing the SIP text is not done here (see sip/message.hpp). The
// warning codes keep their "trace-" prefix: they are what the operator sees
// from sip-trace-match (man/sip-trace-match.1).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "diag/diagnostic.hpp"

namespace trunk::capture {

enum class Transport : std::uint8_t { unknown, udp, tcp, tls, sctp, ws, wss };
std::string_view to_string(Transport t);  // "udp", "tcp", ... "unknown"

// An address and port as seen on the wire or in a log line.
struct Endpoint {
  std::array<std::uint8_t, 16> addr{};  // IPv4 in the first 4 bytes
  std::uint8_t family = 0;              // 4, 6, or 0 when not known
  std::uint16_t port = 0;               // 0 when not known
  bool known() const { return family != 0; }
  // "192.0.2.1:5060", "[2001:db8::1]:5060", "192.0.2.1" (no port), "" (unknown).
  std::string to_string() const;
  void append_to(std::string& out) const;  // to_string() appended, without allocating
  std::string address() const;  // without the port: "192.0.2.1", "2001:db8::1"
  void append_address(std::string& out) const;  // address() appended, without allocating
  // Parses "192.0.2.1", "192.0.2.1:5060", "[2001:db8::1]:5060", "2001:db8::1".
  static bool parse(std::string_view text, Endpoint& out);
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// One SIP message as read from a trace.
struct Captured {
  // The message, start line through body. Owned by the reader and valid
  // until the next call to next().
  std::string_view bytes;
  Endpoint src, dst;
  Transport transport = Transport::unknown;
  std::int64_t time_us = 0;  // microseconds since the epoch; 0 when unknown
  std::uint64_t frame = 0;   // captures: 1-based frame that completed it
  std::uint32_t line = 0;    // text: 1-based line of the start line
};

enum class Format { automatic, pcap, text };

class Reader {
 public:
  virtual ~Reader() = default;
  // Fills `out` with the next message and returns true, or returns false at
  // the end of the input. Problems met on the way go to `sink` as warnings
  // (code "trace-..."), with the frame or line in the message.
  virtual bool next(Captured& out, diag::Sink& sink) = 0;
  // "pcap", "pcapng", "text", "asterisk", "freeswitch", "ngrep", ...: what
  // was detected, for the report.
  virtual std::string_view format_name() const = 0;
};

// Opens `path` ("-" for standard input) and picks the reader by content
// unless `format` forces one. Returns null when the input cannot be read at
// all, with an error ("trace-open", "trace-format") in `sink`. A named path
// must be a regular file: a FIFO, a device or a directory is refused at
// once (io/input_file.hpp); a stream is read only as "-".
std::unique_ptr<Reader> open(const std::string& path, Format format,
                             diag::Sink& sink);

}  // namespace trunk::capture
