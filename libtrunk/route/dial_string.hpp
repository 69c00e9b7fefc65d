// The one rule for what trunkd routes: is a Request-URI user (or a number
// given to trunkctl route, or to the control socket's lookup) a dial
// string for this plan? Digits, a '+' only as the first character, and '*'
// or '#' only where the tenant has a route whose pattern names them
// (TenantRecord::dial_symbols); anything else is refused with the reason,
// before any automaton is walked. DIDs follow the same rule with no '*'
// or '#'. Checking allocates nothing, so trunkd's redirect path can use it;
// the words for people are written into a caller's buffer.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace trunk::route {

enum class DialFault : std::uint8_t {
  none,
  empty,               // no number at all (or only "+")
  not_a_symbol,        // a character that is no dial symbol: "12abc", "0114420-1"
  plus_not_first,      // '+' anywhere but first: "1+2"
  symbol_not_in_plan,  // '*' or '#', and no route of the tenant names it
};

struct DialCheck {
  DialFault fault = DialFault::none;
  std::uint32_t at = 0;  // 0-based place of the refused character
  char symbol = 0;       // the refused character
  bool ok() const { return fault == DialFault::none; }
};

// `plan_symbols`: a mask over dial symbol indexes (grammar/dial_pattern/ast.hpp)
// of the non-digit symbols the tenant's routes name; only '*' and '#' bits
// count ('+' is always allowed first, never elsewhere).
DialCheck check_dial_string(std::string_view number, std::uint32_t plan_symbols);

// Why `c` refuses the number, in the words trunkd's reason phrase and
// trunkctl route both give ("not a dial string: '-' at position 8 is not
// a dial symbol", "not a dial string here: the plan has no numbers with
// '*'"), written into `out` and returned as a view of it; empty when `c`
// is ok. Positions
// count from 1; a character that is not printable ASCII is shown as a
// byte ("byte 0x00"), so the text is safe in a SIP reason phrase.
// kDescribeSize bytes are always enough; the text is cut to fit `out`.
std::string_view describe(const DialCheck& c, std::span<char> out);
constexpr std::size_t kDescribeSize = 96;

}  // namespace trunk::route
