// Where SIP messages start and end in bytes off the wire.
//
// Two questions a capture reader asks of every payload: does a SIP start
// line begin here (a request line "INVITE sip:... SIP/2.0" or a status line
// "SIP/2.0 200 ..."), and where does the message that starts here end (the
// blank line after the headers plus Content-Length, or the blank line alone
// when there is no Content-Length). The checks look at the bytes only: no
// port numbers, no parsing beyond what framing needs, no allocation. Parsing
// the message itself is sip/message.hpp's job.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace trunk::capture {

enum class StartLine : std::uint8_t {
  no,    // these bytes do not begin a SIP start line
  yes,   // a whole start line, through its line end, is here
  more,  // could be one: the line is not finished yet
};

// Whether `bytes` begins with a SIP start line. The first byte decides most
// non-SIP traffic (RTP, keepalives, TLS): a start line begins with a capital.
StartLine start_line(std::string_view bytes);

// The end of the headers of the message at the start of `bytes`.
struct MessageExtent {
  enum Status : std::uint8_t {
    complete,         // `size` bytes make the whole message
    need_more,        // the headers or the body are not all here yet
    bad_length,       // a Content-Length that is not a number
  } status = need_more;
  std::size_t header_size = 0;  // through the blank line; 0 when not found
  std::size_t body_size = 0;    // Content-Length (0 when absent)
  std::size_t size = 0;         // header_size + body_size when known
};

// Frames the message at the start of `bytes` (which begins with a start
// line). A caller that already looked at a prefix without finding the blank
// line passes `scan_from` (the prefix's size less 3, as the blank line may
// straddle it) so that a message arriving in many pieces is scanned once.
MessageExtent message_extent(std::string_view bytes, std::size_t scan_from = 0);

}  // namespace trunk::capture
