// IP addresses as text: the one parser every module uses (site blocks,
// trunkd's sources and sockets, trace endpoints, host checks). An address
// is kept in the 16-byte form where IPv4 is mapped into IPv6
// (::ffff:a.b.c.d, RFC 4291 2.5.5.2), so one comparison serves both.
// Parsing allocates nothing: trunkd parses the Vias of every request.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace trunk::net {

struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 mapped: ::ffff:a.b.c.d

  bool v4() const;  // an IPv4 address (mapped)
  bool operator==(const IpAddress&) const = default;
};

// Parses an IPv4 or IPv6 address, the IPv6 one bare or in brackets
// ("[2001:db8::1]"). nullopt for anything else (names, ports, blocks,
// empty or overlong text).
std::optional<IpAddress> parse_ip(std::string_view text);

}  // namespace trunk::net
