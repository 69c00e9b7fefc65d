// The trusted-proxy rules: no proxy address is a trunk's
// (proxy-address-is-trunk), since trunkd takes a trusted proxy's Via for
// where a request came from and a trunk trusted so could forge any origin
// with one extra Via; and no address is in two proxies
// (proxy-address-overlap), which would leave the proxy a request came
// through a guess. Unique proxy names are names.cpp's; an address that does
// not parse is the loader's (invalid-value).
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check/rules.hpp"
#include "site/ip_block.hpp"

namespace trunk::check {
namespace {

// One address of a proxy or a trunk, parsed once for the proxy rules.
struct AddressEntry {
  const site::Field<std::string>* text;
  site::IpBlock block;
  std::string_view key;  // "host", "associated_ips entry", "address"
};

// A trunk's addresses: its host when that is an IP address (bracketed or
// not; a host name is not resolved here) and its associated_ips.
std::vector<AddressEntry> trunk_addresses(const site::Trunk& t) {
  std::vector<AddressEntry> out;
  if (t.host.present) {
    std::string_view host = t.host.value;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    // A host is one address: "10.0.0.0/8" is no host (the loader says so).
    if (host.find('/') == std::string_view::npos)
      if (auto b = site::parse_ip_block(host)) out.push_back({&t.host, *b, "host"});
  }
  for (const auto& ip : t.associated_ips.value)
    if (auto b = site::parse_ip_block(ip.value)) out.push_back({&ip, *b, "associated_ips entry"});
  return out;
}

}  // namespace

// Trusted proxies (unique names are rule_unique_names'): no proxy address
// is a trunk's, since trunkd takes a trusted proxy's Via for where a
// request came from and a trunk trusted so could forge any origin with one
// extra Via; no address in two proxies, which would leave the proxy a
// request came through a guess. Proxies are few, so their addresses are
// compared with every trunk's directly.
void rule_proxies(const site::Site& site, const Index&, diag::Sink& sink) {
  if (site.proxies.empty()) return;
  std::vector<std::vector<AddressEntry>> trunks;
  trunks.reserve(site.trunks.size());
  for (const auto& t : site.trunks) trunks.push_back(trunk_addresses(t));

  std::vector<std::pair<const site::Proxy*, AddressEntry>> seen;
  for (const auto& p : site.proxies) {
    for (const auto& a : p.addresses.value) {
      auto block = site::parse_ip_block(a.value);
      if (!block) continue;  // invalid-value
      for (std::size_t i = 0; i < site.trunks.size(); ++i) {
        // One finding per proxy address and trunk, at the trunk's first
        // address it covers: the fix is one change either way.
        auto hit =
            std::find_if(trunks[i].begin(), trunks[i].end(),
                         [&](const AddressEntry& e) { return site::overlaps(*block, e.block); });
        if (hit == trunks[i].end()) continue;
        auto& d = sink.error("proxy-address-is-trunk",
                             "address " + a.value + " of proxy " + q(p.name.value) +
                                 " overlaps " + std::string(hit->key) + " " + hit->text->value +
                                 " of trunk " + q(site.trunks[i].name.value) +
                                 ": a trunk trusted as a proxy could forge any origin with an "
                                 "extra Via",
                             a.where);
        diag::with_related(d, hit->text->where, "the trunk's address");
        diag::with_hint(d, "list only the proxy's own addresses, never a trunk's");
      }
      for (const auto& [other, e] : seen) {
        if (other == &p || !site::overlaps(*block, e.block)) continue;
        auto& d = sink.error("proxy-address-overlap",
                             "address " + a.value + " of proxy " + q(p.name.value) +
                                 " overlaps address " + e.text->value + " of proxy " +
                                 q(other->name.value),
                             a.where);
        diag::with_related(d, e.text->where, "the other proxy's address");
        diag::with_hint(d, "give each address to one proxy");
        break;
      }
      seen.push_back({&p, {&a, *block, "address"}});
    }
  }
}

}  // namespace trunk::check
