// Well-formed UTF-8 and printable text: what a terminal and a JSON reader
// are given from a trace.
#include <doctest/doctest.h>

#include "diag/json.hpp"
#include "text/utf8.hpp"

using namespace trunk;

TEST_CASE("utf8: well-formed sequences and the ill-formed ones") {
  CHECK(text::utf8_sequence("a", 0) == 1);
  CHECK(text::utf8_sequence("\xC3\xA9", 0) == 2);          // é
  CHECK(text::utf8_sequence("\xE2\x82\xAC", 0) == 3);      // €
  CHECK(text::utf8_sequence("\xF0\x9F\x98\x80", 0) == 4);  // an emoji
  CHECK(text::utf8_sequence("\x80", 0) == 0);              // a stray continuation byte
  CHECK(text::utf8_sequence("\xC0\xAF", 0) == 0);          // overlong '/'
  CHECK(text::utf8_sequence("\xE0\x80\xAF", 0) == 0);      // overlong
  CHECK(text::utf8_sequence("\xED\xA0\x80", 0) == 0);      // a surrogate
  CHECK(text::utf8_sequence("\xF4\x90\x80\x80", 0) == 0);  // beyond U+10FFFF
  CHECK(text::utf8_sequence("\xE2\x82", 0) == 0);          // cut short
  CHECK(text::utf8_sequence("\xFF", 0) == 0);
}

TEST_CASE("utf8: printable escapes C0, DEL, C1 and bad bytes, and keeps the rest") {
  CHECK(text::printable("sip:alice@example.com\tok") == "sip:alice@example.com\tok");
  CHECK(text::printable("Caf\xC3\xA9 \xE2\x82\xAC") == "Caf\xC3\xA9 \xE2\x82\xAC");
  CHECK(text::printable("\x1b[2J\x1b]0;owned\x07") == "\\x1b[2J\\x1b]0;owned\\x07");
  CHECK(text::printable(std::string("a\0b\r\n\x7f", 6)) == "a\\x00b\\x0d\\x0a\\x7f");
  CHECK(text::printable("\xC2\x9B" "31m") == "\\u009b31m");  // C1 CSI, as UTF-8
  CHECK(text::printable("\x9B" "31m\xFF") == "\\x9b31m\\xff");  // a raw CSI byte
  CHECK(text::printable("\xC2\xA0") == "\xC2\xA0");            // U+00A0 is no control
}

TEST_CASE("json: every string comes out as valid UTF-8") {
  std::string out;
  diag::append_json_string(out, "ok \xC3\xA9 \xFF\xFE bad \xC0\xAF \xED\xA0\x80 cut \xE2\x82");
  CHECK(out ==
        "\"ok \xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD bad \xEF\xBF\xBD\xEF\xBF\xBD "
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD cut \xEF\xBF\xBD\xEF\xBF\xBD\"");
  out.clear();
  diag::append_json_string(out, "\x1b[31m \xC2\x9B \x7f \t");
  CHECK(out == "\"\\u001b[31m \\u009b \\u007f \\t\"");
  diag::JsonWriter w;
  w.begin_object().field("k\xFF", "v\x80").end_object();
  CHECK(w.str() == "{\"k\xEF\xBF\xBD\":\"v\xEF\xBF\xBD\"}");
}

TEST_CASE("utf8: append_printable appends what printable gives, copying plain text whole") {
  std::string out = "kept ";
  text::append_printable(out, "sip:bob@example.com\t1");
  CHECK(out == "kept sip:bob@example.com\t1");
  text::append_printable(out, "\x1b[2J \xC2\x9B \xFF");
  CHECK(out == "kept sip:bob@example.com\t1\\x1b[2J \\u009b \\xff");
  CHECK(text::printable_as_is("INVITE sip:+1@a SIP/2.0\t"));
  CHECK_FALSE(text::printable_as_is("caf\xC3\xA9"));  // printable keeps it, after the full check
  CHECK_FALSE(text::printable_as_is("a\x7f"));
  // Words of eight bytes are checked at once: each odd byte in each place.
  const std::string plain = "abcdefghijklmnopqrstuvwxyz 0123456789~!";
  CHECK(text::printable_as_is(plain));
  for (std::size_t at = 0; at < plain.size(); ++at)
    for (const char odd : {'\x00', '\x1f', '\x7f', '\x80', '\xff', '\t'}) {
      std::string s = plain;
      s[at] = odd;
      CHECK(text::printable_as_is(s) == (odd == '\t'));
    }
}

TEST_CASE("json: a reused writer starts again from nothing, numbers as before") {
  diag::JsonWriter w;
  w.begin_object().field("a", std::uint64_t{18446744073709551615u}).key("b").begin_array();
  w.clear();
  w.begin_object().field("n", std::int64_t{-9223372036854775807 - 1}).field("s", "x\"y").end_object();
  CHECK(w.str() == "{\"n\":-9223372036854775808,\"s\":\"x\\\"y\"}");
}
