// Text dump of a verified tables file.
#include "tables/dump.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>

#include "site/model.hpp"
#include "tables/sha256.hpp"

namespace trunk::tables {

static_assert(kAddressTextSize == INET6_ADDRSTRLEN);

bool ipv4_mapped(const std::uint8_t* address) {
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(address, kMapped, sizeof kMapped) == 0;
}

std::string_view address_text(const std::uint8_t* address, std::span<char, kAddressTextSize> out) {
  const bool v4 = ipv4_mapped(address);
  if (!inet_ntop(v4 ? AF_INET : AF_INET6, address + (v4 ? 12 : 0), out.data(), out.size()))
    return {};
  return out.data();
}

// "203.0.113.0/24", "2001:db8::/32"; a whole address has no prefix.
std::string block_text(const AddressRecord& a) {
  const bool v4 = ipv4_mapped(a.address) && a.prefix >= 96;
  std::array<char, kAddressTextSize> text{};
  std::string out(address_text(a.address, text));
  const std::uint32_t prefix = v4 ? a.prefix - 96 : a.prefix;
  if (prefix != (v4 ? 32u : 128u)) out += "/" + std::to_string(prefix);
  return out;
}

namespace {

// A trunk or tenant index as the dump names it: "-" for no trunk, "system"
// for no tenant (a trunk the system owns, a route of no tenant).
std::string trunk_text(const Tables& t, std::uint32_t i) {
  return i == kNone ? std::string("-") : std::string(t.str(t.trunks()[i].name));
}
std::string tenant_text(const Tables& t, std::uint32_t i) {
  return i == kNone ? std::string("system") : std::string(t.str(t.tenants()[i].name));
}

// One trunk's line: name, type, where, and every field that is set.
std::string trunk_line(const Tables& t, const TrunkRecord& r) {
  std::string out;
  auto s = [&](Str x) { return std::string(t.str(x)); };
  out += s(r.name) + " " +
         std::string(site::to_string(static_cast<site::TrunkType>(r.type))) + " " + s(r.host) +
         ":" + std::to_string(r.port) + "/" +
         std::string(site::to_string(static_cast<site::Transport>(r.transport))) +
         " provider=" + s(r.provider) + " owner=" + tenant_text(t, r.owner);
  if (r.failover != kNone) out += " failover=" + trunk_text(t, r.failover);
  if (r.outbound_proxy.length)
    out += " proxy=" + s(r.outbound_proxy) + ":" + std::to_string(r.outbound_proxy_port);
  static const std::pair<std::uint32_t, const char*> kFlags[] = {
      {kVerifyPort, "verify_port"},   {kSingleVia, "single_via"},
      {kTelUriRequestLine, "tel_uri_request_line"}, {kTelUriTo, "tel_uri_to"},
      {kStripPlus, "strip_plus"},     {kStirShaken, "stir_shaken"},
      {kOutboundAllowed, "out"},      {kInboundAllowed, "in"}};
  out += " flags=";
  bool first = true;
  for (auto [bit, name] : kFlags) {
    if (!(r.flags & bit)) continue;
    out.append(first ? "" : ",").append(name);
    first = false;
  }
  if (r.request_uri_params.length) out += " ruri_params=" + s(r.request_uri_params);
  if (r.match_from_host.length) out += " match_from_host=" + s(r.match_from_host);
  if (r.caller_id.length) out += " caller_id=" + s(r.caller_id);
  out += " failover_on=" + (r.failover_on.length ? s(r.failover_on) : std::string("none"));
  for (auto [limit, name] : {std::pair{r.limit_inbound, " max_inbound="},
                             {r.limit_outbound, " max_outbound="},
                             {r.limit_total, " max_total="}})
    if (limit != kNone) out += name + std::to_string(limit);
  if (r.address_count) {
    out += " addresses=";
    for (std::uint32_t i = 0; i < r.address_count; ++i)
      out.append(i ? "," : "").append(block_text(t.addresses()[r.address_first + i]));
  }
  out += "\n";
  return out;
}

}  // namespace

std::string dump_text(const Tables& t) {
  std::string out;
  auto s = [&](Str x) { return std::string(t.str(x)); };
  out += "format-version " + std::to_string(t.version()) + "\n";
  out += "site-digest " + to_hex(t.site_digest()) + "\n";
  out += "bytes " + std::to_string(t.size()) + "\n";
  out += "automata outbound " + std::to_string(t.outbound_nodes().size()) + " words, inbound " +
         std::to_string(t.inbound_nodes().size()) + " words, pools " +
         std::to_string(t.pool_nodes().size()) + " words\n";
  out += "\n[tenants] " + std::to_string(t.tenants().size()) + "\n";
  for (const auto& r : t.tenants()) {
    out += s(r.name) + " domain=" + s(r.sip_domain);
    if (r.caller_id.length) out += " caller_id=" + s(r.caller_id);
    out += "\n";
  }
  out += "\n[trunks] " + std::to_string(t.trunks().size()) + "\n";
  for (const auto& r : t.trunks()) out += trunk_line(t, r);
  out += "\n[routes] " + std::to_string(t.routes().size()) + "\n";
  for (const auto& r : t.routes()) {
    out += tenant_text(t, r.tenant) + "/" + s(r.name) + " match=" + s(r.pattern) +
           " priority=" + std::to_string(r.priority) + " strip=" + std::to_string(r.strip);
    if (r.prepend.length) out += " prepend=" + s(r.prepend);
    if (r.caller_id.length) out += " caller_id=" + s(r.caller_id);
    out += " trunks=";
    for (std::uint32_t i = 0; i < r.trunk_count; ++i)
      out.append(i ? "," : "").append(trunk_text(t, t.route_trunks()[r.trunk_first + i]));
    out += "\n";
  }
  out += "\n[inbound] " + std::to_string(t.inbound().size()) + "\n";
  for (const auto& r : t.inbound())
    out += trunk_text(t, r.trunk) + " did=" + s(r.did) + " -> " + tenant_text(t, r.tenant) + " " +
           s(r.to) + "\n";
  out += "\n[proxies] " + std::to_string(t.proxies().size()) + "\n";
  for (const auto& p : t.proxies()) {
    out += s(p.name) + " addresses=";
    for (std::uint32_t i = 0; i < p.address_count; ++i)
      out.append(i ? "," : "").append(block_text(t.proxy_addresses()[p.address_first + i]));
    out += "\n";
  }
  return out;
}

}  // namespace trunk::tables
