// What is wrong with a header sofia-sip could not parse, in words.
//
// sofia-sip sets a malformed header aside and says only which one it was.
// An operator reading a trace needs the reason ("the URI is missing its
// closing '>'"), so this looks at the header's text for the usual faults
// of address headers (From, To, Contact, Route...), Via, CSeq and the
// numeric headers. It only describes; it never repairs the message.
// header_faults() gathers them for one message: the headers sofia-sip set
// aside, and the From, To, Contact and Via it accepted although their text
// breaks the grammar (sofia-sip takes "12032130635@host>" as a To).
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

class Message;

// One header with a fault: its name and value as written, and what is wrong.
struct HeaderFault {
  std::string name;     // "To"
  std::string value;    // "12032130635@trunking-customer.15611.service>"
  std::string problem;  // "'>' without an opening '<' and the URI has no scheme (...)"
};

// Every header of `m`, parsed from `bytes`, with a fault, in message order:
// those sofia-sip set
// aside (a copy of a header allowed once says so), then From, To, Contact
// and Via lines it accepted whose text what_is_wrong() finds a fault in.
// A value of several comma-separated entries is judged entry by entry.
std::vector<HeaderFault> header_faults(const Message& m, std::string_view bytes);

// Faults of the start line of `message` that sofia-sip lets through: white
// space at the end of a request line, more than one space between its parts, a Request-URI
// in '<' '>' or carrying headers ('?').
std::vector<std::string> start_line_faults(std::string_view message);

}  // namespace trunk::sip
