// The headers a response copies from its request (RFC 3261 8.2.6.2: every
// Via in order, From, To, Call-ID, CSeq), written straight from the bytes
// of a request sip::scan() called plain: byte for byte what
// Message::write_response_headers writes from sofia-sip's parse of it, so
// trunkd answers a plain request without that parse.
//
// sofia-sip does not echo a header as written: it encodes what it parsed.
// It writes the long canonical names ("v:" gives "Via:"), one Via per line
// (a line "Via: a, b" gives two), the CSeq number without leading zeros,
// one blank between a display name and its '<', and a known transport in
// upper case ("SIP/2.0/udp" gives "SIP/2.0/UDP"). The scanner lets no
// other re-encoded form through (blanks inside a value, escapes, quoted
// parameters, a password, folded lines, an upper-case scheme): those
// messages are suspect and take the full parse. echoes_as_written() says
// whether a plain request's values are already in sofia-sip's form; the
// differential test (tests/sip/redirect_fast_path_test.cpp) and the fuzz
// target (tests/fuzz/redirect_fuzzer.cpp) hold the two writers equal.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "sip/message_view.hpp"

namespace trunk::sip {

// Whether `request` (filled by sip::scan(), which called it plain) holds
// its Vias, From and To as sofia-sip would encode them. Allocates nothing.
bool echoes_as_written(const MessageView& request);

// The headers of `request` (filled by sip::scan(), plain, and
// echoes_as_written()) encoded for a response into `out`, each
// "Name: value\r\n"; To gains ";tag=" `to_tag` when it has no tag and
// `to_tag` is not empty. Returns the length, or Message::kTooLong (`out`
// then holds something unfinished) when the text and the NUL that sofia-sip
// would write after it do not fit, as for Message. Allocates nothing.
std::size_t write_response_headers(const MessageView& request, std::string_view to_tag,
                                   std::span<char> out);

}  // namespace trunk::sip
