// The redirect decision: one SIP request in, the response trunkd sends out.
//
// INVITEs from a trunk (identified by match_from_host, by source address
// and port, or by the trunk's host in From) are inbound: the DID in the
// Request-URI picks the tenant through the pools and the inbound rule gives
// the destination. INVITEs whose From host is a tenant's sip_domain are
// outbound: the router's trunks become Contacts in failover order. Every
// other case gets the response an operator expects (404 with the reason,
// 403, 200 for OPTIONS, 405, 400). Stateless: the same request always gets
// the same response, so retransmissions are answered alike.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "route/router.hpp"
#include "sip/message.hpp"

namespace trunk::sip {

// Where a request came from: an IPv6 or IPv4-mapped address and a port.
struct Source {
  std::array<std::uint8_t, 16> address{};
  std::uint16_t port = 0;
};
// "203.0.113.10" or "2001:db8::1"; nullopt when it is not an address.
std::optional<Source> make_source(std::string_view address, std::uint16_t port);

struct Reply {
  int code = 0;            // 0: send nothing (an ACK)
  std::string reason;      // the reason phrase
  std::string bytes;       // the whole response
  std::string trunk;       // for logs and stats: the trunk involved, if any
  std::string route;       // outbound: the route taken
  std::string tenant;
};

// The response to `request` from `from`. `router` must outlive the call.
Reply redirect(const route::Router& router, const Message& request, const Source& from);

}  // namespace trunk::sip
