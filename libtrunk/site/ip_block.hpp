// IP addresses and CIDR blocks as a site writes them ("203.0.113.10",
// "203.0.113.16/28", "2001:db8::1", "2001:db8::/32"): the one parser for
// associated_ips and proxy addresses, and the overlap test the rules that
// compare them use (a proxy address that is a trunk's, one address in two
// proxies).
//
// An IPv4 address is held as its IPv4-mapped IPv6 form (::ffff:a.b.c.d,
// prefix + 96), so IPv4 and IPv6 blocks compare in one space and
// "::ffff:203.0.113.10" is 203.0.113.10, as trunkd sees a source on a
// dual-stack socket. Host names are not addresses here: they are not
// resolved.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace trunk::site {

struct IpBlock {
  std::array<std::uint8_t, 16> address{};  // as written; bits past the prefix kept
  std::uint32_t prefix = 128;              // 0 to 128, in the mapped space

  bool operator==(const IpBlock&) const = default;
};

// Parses an address, or an address, '/' and a prefix of 1 to 3 digits no
// longer than the address family's (32 or 128). Anything else, brackets
// and zone ids included, is nullopt; never throws.
std::optional<IpBlock> parse_ip_block(std::string_view text);

// True when some address is in both blocks. CIDR blocks are nested or
// disjoint, so this is "the shorter prefix's bits agree".
bool overlaps(const IpBlock& a, const IpBlock& b);

}  // namespace trunk::site
