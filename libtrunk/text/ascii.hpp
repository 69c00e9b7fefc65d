// ASCII case for protocol words: SIP header names and parameters,
// transports, host and domain names (RFC 4343). Not for text in general:
// bytes outside A-Z are left as they are, whatever the locale.
#pragma once

#include <string>
#include <string_view>

namespace trunk::text {

inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

inline bool equal_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

}  // namespace trunk::text
