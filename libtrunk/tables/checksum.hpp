// The tables file checksum: 64-bit, eight bytes at a time, so verifying a
// large file stays far below the time budget of a load. Each step is a
// bijection of the state and of the input word, so changing any one word
// (and so any single byte) always changes the result. Not a MAC: it guards
// against damage, not against an attacker who can write the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "text/ascii.hpp"

namespace trunk::tables {

// `size` must be a multiple of 8; the checksum field (bytes 24-31) is read as 0.
inline std::uint64_t checksum(const char* data, std::size_t size) {
  constexpr std::uint64_t kPrime = 0x9e3779b97f4a7c15ull;  // odd: multiplication is a bijection
  std::uint64_t h = 0x243f6a8885a308d3ull ^ size;
  for (std::size_t off = 0; off + 8 <= size; off += 8) {
    std::uint64_t w;
    std::memcpy(&w, data + off, 8);
    if (off == 24) w = 0;
    h = (h ^ w) * kPrime;
    h ^= h >> 29;
  }
  return h;
}

inline std::uint64_t name_hash_impl(const char* s, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(s[i]);
    h *= 0x100000001b3ull;
  }
  return h;
}

inline std::uint64_t host_hash_impl(const char* s, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a over the lower-case bytes
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(text::ascii_lower(s[i]));
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace trunk::tables
