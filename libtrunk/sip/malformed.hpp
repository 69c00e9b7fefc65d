// What is wrong with a header sofia-sip could not parse, in words.
//
// sofia-sip sets a malformed header aside and says only which one it was.
// An operator reading a trace needs the reason ("the URI is missing its
// closing '>'"), so this looks at the header's text for the usual faults
// of address headers (From, To, Contact, Route...), Via, CSeq and the
// numeric headers. It only describes; it never repairs the message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trunk::sip {

// What what_is_wrong() says when it recognises no particular fault.
inline constexpr std::string_view kNoKnownFault = "not valid SIP syntax for this header";

// The fault in header `name` whose value is `value`, e.g. "'<' is never
// closed by '>'". Falls back to "not valid SIP syntax for this header".
std::string what_is_wrong(std::string_view name, std::string_view value);

// Faults of the start line of `message` that sofia-sip lets through: white
// space at the end of a request line, more than one space between its parts, a Request-URI
// in '<' '>' or carrying headers ('?').
std::vector<std::string> start_line_faults(std::string_view message);

}  // namespace trunk::sip
