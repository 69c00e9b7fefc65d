// Turns an X3 expectation failure in a pool into words an operator reads:
// the 1-based column, what the rule expected (named as the spec names it,
// not by rule id) and what was found instead, with advice for the mistakes
// people make when pasting number lists (',' between entries, an en dash in
// a range, two numbers without ';'). The map from rule ids to
// words follows Spirit's rexpr_full/error_handler.hpp.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "grammar/did_pool/config.hpp"

namespace trunk::grammar::pool {

// Rule id (x3::rule name) -> what the user was expected to write there.
inline std::string_view expected_words(std::string_view which, bool after_single_number) {
  if (which == "body" || which == "entry") return "a number";
  if (which == "range_end") return "a number to end the range";
  if (which == "end")
    return after_single_number ? "'-', ';' or end of pool" : "';' or end of pool";
  return which;  // unreachable: every expectation point is named above
}

// The UTF-8 character starting at `it`, as its code point, or -1 when the
// bytes there are not well-formed UTF-8 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF). `size` gets its byte length.
inline long decode_utf8(iterator_type it, iterator_type end, int& size) {
  auto byte = [](char c) { return static_cast<unsigned char>(c); };
  unsigned char b0 = byte(*it);
  unsigned char lo = 0x80, hi = 0xBF;
  long cp;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    size = 2, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    size = 3, cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    size = 4, cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return -1;
  }
  if (end - it < size) return -1;
  for (int i = 1; i < size; ++i) {
    unsigned char b = byte(it[i]);
    if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF)) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  return cp;
}

// "end of pool", "'x'", "'–' (U+2013)" or "byte 0xff": quoted text is
// always printable, so a message stays one readable line.
inline std::string describe_found(iterator_type it, iterator_type end, long& code_point) {
  code_point = -1;
  if (it == end) return "end of pool";
  unsigned char c = static_cast<unsigned char>(*it);
  char buf[24];
  if (c > 0x20 && c < 0x7F) {
    code_point = c;
    return std::string{'\'', static_cast<char>(c), '\''};
  }
  int size = 0;
  if (c >= 0x80) {
    long cp = decode_utf8(it, end, size);
    if (cp > 0x9F) {  // C1 controls are not shown quoted
      code_point = cp;
      std::snprintf(buf, sizeof buf, "U+%04lX", static_cast<unsigned long>(cp));
      std::string out = "'";  // appended: GCC 12 warns falsely on "'" + std::string
      out.append(it, it + size);
      return out.append("' (").append(buf).append(")");
    }
  }
  std::snprintf(buf, sizeof buf, "byte 0x%02x", static_cast<unsigned>(c));
  return buf;
}

// Advice for a found character that is a known look-alike or slip.
inline std::string_view advice_for(long cp, std::string_view which) {
  switch (cp) {
    case ',':
      return "; separate entries with ';'";
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
    case 0x2212: case 0xFE63: case 0xFF0D:
      return "; write ranges with the ASCII hyphen '-'";
    case 0x037E: case 0xFF1B:
      return "; separate entries with the ASCII ';'";
    default:
      break;
  }
  if (which == "end" && cp >= '0' && cp <= '9') return "; separate numbers with ';'";
  return {};
}

// Mixed into the top rule's id, so every expectation failure inside the
// pool ends here: the error is recorded in the ParseState and the parse
// fails (nothing is thrown out of parse_did_pool).
struct error_handler_base {
  template <typename Iterator, typename Exception, typename Context>
  x3::error_handler_result on_error(Iterator& /*first*/, Iterator const& last,
                                    Exception const& x, Context const& context) const {
    ParseState& state = x3::get<state_tag>(context).get();
    // The failing parser had not skipped yet: point at the offending token.
    Iterator where = x.where();
    while (where != last && (*where == ' ' || (*where >= '\t' && *where <= '\r'))) ++where;
    const std::string which = x.which();
    long cp = -1;
    std::string found = describe_found(where, last, cp);
    PoolSyntaxError& err = *state.error;
    err.column = state.column(where);
    err.message = "expected ";
    err.message += expected_words(which, !state.last_was_range);
    err.message += ", found ";
    err.message += found;
    err.message += advice_for(cp, which);
    return x3::error_handler_result::fail;
  }
};

}  // namespace trunk::grammar::pool
