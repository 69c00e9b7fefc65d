// Parsing and comparing IP blocks; see ip_block.hpp.
#include "site/ip_block.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "net/ip_address.hpp"

namespace trunk::site {

std::optional<IpBlock> parse_ip_block(std::string_view text) {
  std::string addr(text);
  std::optional<std::uint32_t> prefix;
  if (auto slash = addr.find('/'); slash != std::string::npos) {
    std::string digits = addr.substr(slash + 1);
    addr.resize(slash);
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    prefix = static_cast<std::uint32_t>(std::stoul(digits));
  }
  // Bare addresses only: a block is written without brackets.
  if (addr.empty() || addr.front() == '[') return std::nullopt;
  auto ip = net::parse_ip(addr);
  if (!ip) return std::nullopt;
  IpBlock b;
  b.address = ip->bytes;
  if (ip->v4()) {
    if (prefix && *prefix > 32) return std::nullopt;
    b.prefix = 96 + prefix.value_or(32);
  } else {
    if (prefix && *prefix > 128) return std::nullopt;
    b.prefix = prefix.value_or(128);
  }
  return b;
}

bool overlaps(const IpBlock& a, const IpBlock& b) {
  std::uint32_t bits = std::min(a.prefix, b.prefix);
  std::size_t whole = bits / 8;
  if (std::memcmp(a.address.data(), b.address.data(), whole) != 0) return false;
  std::uint32_t rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a.address[whole] & mask) == (b.address[whole] & mask);
}

}  // namespace trunk::site
