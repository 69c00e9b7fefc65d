// UTF-8 as the tools write it: what is well-formed, and text from a trace
// made safe to print on a terminal.
//
// Traces carry whatever bytes a peer sent. JSON must be valid UTF-8 and a
// terminal must never receive an escape sequence it would obey, so both
// writers ask here, byte by byte, what they are looking at. Nothing here
// allocates except printable()'s result and what append_printable() adds
// to its caller's string.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace trunk::text {

// The length (1 to 4) of the well-formed UTF-8 sequence that starts at
// s[at], or 0 when the bytes there are not one (a stray continuation byte,
// an overlong form, a surrogate, beyond U+10FFFF, cut short). `at` must be
// less than s.size().
std::size_t utf8_sequence(std::string_view s, std::size_t at);

// `s` with every control character written as a visible escape: C0 controls
// but tab, and DEL, as \x1b; C1 controls (U+0080 to U+009F) as \u009b;
// bytes that are not well-formed UTF-8 as \xff. Everything else, other
// scripts included, is kept as it is.
std::string printable(std::string_view s);
// printable(s) appended to `out`: for writers that build their output in one
// buffer (sip-trace-match's report) and must not allocate per line.
void append_printable(std::string& out, std::string_view s);
// Whether printable(s) == s: every byte a tab or 0x20 to 0x7E.
bool printable_as_is(std::string_view s);

}  // namespace trunk::text
