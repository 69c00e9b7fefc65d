// The host and transport rules. Peer trunks (peer-owner, peer-per-provider,
// peer-address-duplicate, peer-address-ambiguous): owned by the system, one
// per provider, (host, port) unique, and trunkd able to tell apart peers
// that share a host. Transports (transport-required, transport-disabled):
// teams needs tls, webrtc needs wss, and a trunk's transport is enabled in
// site.transports. Provider and host names compare without case.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "check/rules.hpp"

namespace trunk::check {

// Peer trunks: owned by system, one per provider, (host, port) unique, and
// trunkd able to tell apart peers that share a host. Provider and host
// compare without case.
void rule_peer(const site::Site& site, const Index&, diag::Sink& sink) {
  std::map<std::string, const site::Trunk*> by_provider;
  std::map<std::pair<std::string, std::int64_t>, const site::Trunk*> by_address;
  // The first peer at each host: a request from that host is attributed by
  // source address, so a second peer there on another port is told apart
  // only when both check the port.
  std::map<std::string, const site::Trunk*> by_host;
  for (const auto& t : site.trunks) {
    if (!t.type.present || t.type.value != site::TrunkType::peer) continue;
    if (!t.owned_by_system()) {
      auto& d = sink.error("peer-owner",
                           "peer trunk " + q(t.name.value) + " is owned by " +
                               q(t.owner.value) + "; peer trunks belong to the system",
                           t.owner.where);
      diag::with_hint(d, "remove `owner` or set owner = \"system\"; assign tenants with "
                         "[[trunk.tenant]]");
    }
    auto [p, fresh_p] = by_provider.emplace(name_key(t.provider.value), &t);
    if (!fresh_p)
      diag::with_hint(
          diag::with_related(
              sink.error("peer-per-provider",
                         "provider " + q(t.provider.value) + " has a second peer trunk " +
                             q(t.name.value) + " besides " + q(p->second->name.value),
                         t.provider.present ? t.provider.where : t.where),
              p->second->where, "the first peer trunk of this provider"),
          "add the provider's further addresses to associated_ips of the first trunk");
    if (!t.host.present) continue;
    std::string host = name_key(t.host.value);
    auto [a, fresh_a] = by_address.emplace(std::pair{host, t.port.value}, &t);
    if (!fresh_a) {
      diag::with_related(
          sink.error("peer-address-duplicate",
                     "peer trunk " + q(t.name.value) + " uses " + t.host.value + ":" +
                         std::to_string(t.port.value) + ", as peer trunk " +
                         q(a->second->name.value) + " does",
                     t.host.where),
          a->second->host.where, "the other trunk");
      continue;
    }
    auto [h, fresh_h] = by_host.emplace(host, &t);
    if (fresh_h) continue;
    const site::Trunk& first = *h->second;
    if (first.verify_port.value && t.verify_port.value) continue;
    const site::Trunk& unchecked = t.verify_port.value ? first : t;
    auto& d = sink.error("peer-address-ambiguous",
                         "peer trunks " + q(first.name.value) + " and " + q(t.name.value) +
                             " share host " + t.host.value + " on ports " +
                             std::to_string(first.port.value) + " and " +
                             std::to_string(t.port.value) + ", and " +
                             q(unchecked.name.value) +
                             " does not check the port: its calls could be taken for the "
                             "other trunk's",
                         t.host.where);
    diag::with_related(d, first.host.where, "the other trunk");
    diag::with_hint(d, "set verify_port = true on both trunks");
  }
}

// Transports: enabled on the site; teams needs tls, webrtc needs wss.
void rule_transport(const site::Site& site, const Index&, diag::Sink& sink) {
  for (const auto& t : site.trunks) {
    std::string name = q(t.name.value);
    if (t.type.present) {
      std::optional<site::Transport> needed;
      if (t.type.value == site::TrunkType::teams) needed = site::Transport::tls;
      if (t.type.value == site::TrunkType::webrtc) needed = site::Transport::wss;
      if (needed && t.transport.value != *needed) {
        auto& d = sink.error("transport-required",
                             std::string(site::to_string(t.type.value)) + " trunk " + name +
                                 " uses transport " +
                                 std::string(site::to_string(t.transport.value)) + "; " +
                                 std::string(site::to_string(t.type.value)) + " needs " +
                                 std::string(site::to_string(*needed)),
                             t.transport.present ? t.transport.where : t.where);
        diag::with_hint(d, "set transport = \"" + std::string(site::to_string(*needed)) + "\"");
        continue;
      }
    }
    if (!site.transport_enabled(t.transport.value)) {
      auto& d = sink.error("transport-disabled",
                           "trunk " + name + " uses transport " +
                               std::string(site::to_string(t.transport.value)) +
                               ", which is not enabled in site.transports",
                           t.transport.present ? t.transport.where : t.where);
      if (site.info.transports.present)
        diag::with_related(d, site.info.transports.where, "site.transports");
      diag::with_hint(d, "add \"" + std::string(site::to_string(t.transport.value)) +
                             "\" to site.transports (default: [\"udp\"])");
    }
  }
}

}  // namespace trunk::check
