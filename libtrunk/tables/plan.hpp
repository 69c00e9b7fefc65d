// The compiled dial plan in memory, between the compiler (route/compile.hpp)
// and the tables file (writer.hpp). Plain owning data, in site order; the
// automata are already serialized into word arrays in the file's node
// format (format.hpp), so writing is a copy.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
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
  // A route holds no string and no vector of its own: its texts are one
  // run of route_text (name, pattern, prepend, caller_id, one after the
  // other) and its trunks one run of route_trunks, so that a million routes
  // cost a million small records, not millions of strings and vectors
  // alive beside the site model while the automata are built.
  struct Route {
    std::uint32_t tenant = 0;
    std::int32_t priority = 0;
    std::uint32_t strip = 0;
    std::uint32_t name_size = 0, pattern_size = 0, prepend_size = 0, caller_id_size = 0;
    std::uint32_t trunk_first = 0, trunk_count = 0;  // in route_trunks
    std::size_t text = 0;                             // in route_text
  };
  struct RouteText {
    std::string_view name, pattern, prepend, caller_id;
  };
  // Appends route r's texts and trunks to the runs (routes are added in
  // order, so each run follows the previous route's).
  void add_route_text(Route& r, std::string_view name, std::string_view pattern,
                      std::string_view prepend, std::string_view caller_id,
                      const std::vector<std::uint32_t>& trunks) {
    r.text = route_text.size();
    r.name_size = static_cast<std::uint32_t>(name.size());
    r.pattern_size = static_cast<std::uint32_t>(pattern.size());
    r.prepend_size = static_cast<std::uint32_t>(prepend.size());
    r.caller_id_size = static_cast<std::uint32_t>(caller_id.size());
    route_text.append(name).append(pattern).append(prepend).append(caller_id);
    r.trunk_first = static_cast<std::uint32_t>(route_trunks.size());
    r.trunk_count = static_cast<std::uint32_t>(trunks.size());
    route_trunks.insert(route_trunks.end(), trunks.begin(), trunks.end());
  }
  RouteText text_of(const Route& r) const {
    std::string_view t(route_text);
    std::size_t at = r.text;
    RouteText out;
    for (auto [field, size] : {std::pair{&out.name, r.name_size}, {&out.pattern, r.pattern_size},
                               {&out.prepend, r.prepend_size}, {&out.caller_id, r.caller_id_size}}) {
      *field = t.substr(at, size);
      at += size;
    }
    return out;
  }
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
  std::string route_text;                   // the routes' texts (Route::text)
  std::vector<std::uint32_t> route_trunks;  // the routes' trunks (Route::trunk_first)
  std::vector<Inbound> inbound;
  std::vector<Address> addresses;
  std::vector<std::uint32_t> outbound_nodes, inbound_nodes, pool_nodes;
  std::vector<std::uint32_t> outbound_index;  // tenants x kPairs (format.hpp)
  std::array<std::uint8_t, 32> site_digest{};
};

}  // namespace trunk::tables
