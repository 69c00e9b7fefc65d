// The tables file back as readable text (`dialplan-compile --dump`): header,
// tenants, trunks, routes in site order, inbound rules and trusted proxies, plus the sizes of
// the automata. Deterministic, so two dumps can be diffed.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "tables/reader.hpp"

namespace trunk::tables {

std::string dump_text(const Tables& t);
// An address block as written in a site: "203.0.113.0/24", "::1".
std::string block_text(const AddressRecord& a);
// The 16 bytes of an address (IPv6, or IPv4-mapped ::ffff:a.b.c.d) as
// text, "203.0.113.10" or "2001:db8::1", written into `out`; allocates
// nothing, so trunkd's answer path can use it.
constexpr std::size_t kAddressTextSize = 46;  // INET6_ADDRSTRLEN
std::string_view address_text(const std::uint8_t* address, std::span<char, kAddressTextSize> out);
bool ipv4_mapped(const std::uint8_t* address);

}  // namespace trunk::tables
