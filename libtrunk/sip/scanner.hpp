// A lean reader of plain SIP messages: what matching and a redirect need,
// straight from the bytes, without sofia-sip and without allocating.
//
// scan() reads one whole message (a datagram, or one framed out of a TCP
// stream): the start line (method and Request-URI, or status and phrase),
// the Vias (sent-by host and port, branch, received, rport), From and To
// (URI, To tag), Call-ID, CSeq, Contact and Content-Length, long and
// compact header names in any case. It says "plain" only for a message
// that is well formed in every way sip-trace-match's fault checks look at
// (sip::header_faults, Message::message_faults, start_line_faults) and
// whose every header it understands or sofia-sip leaves unparsed (an
// extension header). Anything else, folded lines and quoted parameters
// included, it calls suspect: the caller then parses the message with
// sip::Message, which gives the same fields with the full diagnosis.
// The differential test (tests/cli/test_trace_fast_path.py) and the
// scanner's fuzz target (tests/fuzz/sip_scanner_fuzzer.cpp) hold the two
// to the same answers.
#pragma once

#include <string_view>

#include "sip/message_view.hpp"

namespace trunk::sip {

// Reads `bytes` (one whole message) into `out`; true when the message is
// plain. `out`'s views point into `bytes`. On false `out` holds whatever
// was read before the scanner gave up: use the full parse instead.
// Allocates nothing; never reads outside `bytes`.
bool scan(std::string_view bytes, MessageView& out);

}  // namespace trunk::sip
