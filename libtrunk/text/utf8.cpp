// UTF-8 checks and printable text (see utf8.hpp).
#include "text/utf8.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace trunk::text {

std::size_t utf8_sequence(std::string_view s, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b = byte(at);
  if (b < 0x80) return 1;
  // The first continuation byte's range depends on the lead byte (Unicode
  // table 3-7): that is what rules out overlong forms, surrogates and code
  // points beyond U+10FFFF.
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) n = 2;
  else if (b == 0xE0) n = 3, lo = 0xA0;
  else if (b == 0xED) n = 3, hi = 0x9F;
  else if (b >= 0xE1 && b <= 0xEF) n = 3;
  else if (b == 0xF0) n = 4, lo = 0x90;
  else if (b == 0xF4) n = 4, hi = 0x8F;
  else if (b >= 0xF1 && b <= 0xF3) n = 4;
  else return 0;
  if (s.size() - at < n) return 0;
  if (byte(at + 1) < lo || byte(at + 1) > hi) return 0;
  for (std::size_t i = 2; i < n; ++i)
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
  return n;
}

bool printable_as_is(std::string_view s) {
  // Tab and 0x20-0x7E: the bytes printable() keeps one for one. Checked
  // first so that a plain line (nearly all of a report) is copied whole,
  // eight bytes at a time: a word with no byte below 0x20 and none at or
  // above 0x7F is plain; one with a tab or worse is looked at byte by byte.
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
    const std::uint64_t high_or_del = (w | (w + kOnes)) & kHigh;
    if (below_space | high_or_del) break;
  }
  for (const char ch : s.substr(i)) {
    const auto b = static_cast<unsigned char>(ch);
    if ((b < 0x20 && b != '\t') || b >= 0x7F) return false;
  }
  return true;
}

void append_printable(std::string& out, std::string_view s) {
  if (printable_as_is(s)) {
    out.append(s);
    return;
  }
  char buf[8];
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if ((b < 0x20 && b != '\t') || b == 0x7F) {
        std::snprintf(buf, sizeof buf, "\\x%02x", b);
        out += buf;
      } else {
        out += static_cast<char>(b);
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0) {
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      out += buf;
      ++i;
      continue;
    }
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (b == 0xC2 && second < 0xA0) {  // U+0080 to U+009F: C1 controls, CSI among them
      std::snprintf(buf, sizeof buf, "\\u%04x", second);
      out += buf;
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
}

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_printable(out, s);
  return out;
}

}  // namespace trunk::text
