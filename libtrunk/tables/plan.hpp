// The compiled dial plan in memory, between the compiler (route/compile.hpp)
// and the tables file (writer.hpp). Plain owning data, in site order; the
// automata are already serialized into word arrays in the file's node
// format (format.hpp), so writing is a copy.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace trunk::tables {

struct Plan {
  struct Tenant {
    std::string name, sip_domain, caller_id;
    std::uint32_t outbound_root = 0;
    std::uint32_t dial_symbols = 0;  // format.hpp kPlanSymbols
  };
  struct Trunk {
    std::string name, host, provider, request_uri_params, caller_id, match_from_host,
        outbound_proxy;
    std::string failover_on;  // "408,503": the answers the proxy fails over on
    std::uint16_t port = 5060, outbound_proxy_port = 5060;
    std::uint8_t transport = 0, type = 0;
    std::uint32_t flags = 0;
    std::uint32_t owner = 0xffffffffu, failover = 0xffffffffu;
    std::uint32_t inbound_root = 0, pool_root = 0;
    std::uint32_t address_first = 0, address_count = 0;
    std::uint32_t limit_inbound = 0xffffffffu, limit_outbound = 0xffffffffu,
                  limit_total = 0xffffffffu;  // kNone: no limit
  };
  struct Route {
    std::uint32_t tenant = 0;
    std::int32_t priority = 0;
    std::string name, pattern, prepend, caller_id;
    std::uint32_t strip = 0;
    std::vector<std::uint32_t> trunks;
  };
  struct Inbound {
    std::uint32_t tenant = 0, trunk = 0;
    std::string did, to;
  };
  struct Address {
    std::array<std::uint8_t, 16> address{};
    std::uint32_t prefix = 0, trunk = 0;
  };

  struct Proxy {
    std::string name;
    std::uint32_t address_first = 0, address_count = 0;  // into proxy_addresses
  };

  std::vector<Tenant> tenants;
  std::vector<Proxy> proxies;
  std::vector<Address> proxy_addresses;  // Address::trunk is the proxy
  std::vector<Trunk> trunks;
  std::vector<Route> routes;
  std::vector<Inbound> inbound;
  std::vector<Address> addresses;
  std::vector<std::uint32_t> outbound_nodes, inbound_nodes, pool_nodes;
  std::vector<std::uint32_t> outbound_index;  // tenants x kPairs (format.hpp)
  std::array<std::uint8_t, 32> site_digest{};
};

}  // namespace trunk::tables
