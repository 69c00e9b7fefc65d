// Cross-object rules over a site. One function per rule, each named for it.
#include "site/validate.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "site/ip_block.hpp"
#include "text/ascii.hpp"

namespace trunk::site {
namespace {

using diag::Sink;

// Name lookups for the rules: a site may hold a million routes, so no rule
// searches the lists.
struct Index {
  std::unordered_map<std::string_view, const Tenant*> tenants;
  std::unordered_map<std::string_view, const Trunk*> trunks;
  explicit Index(const Site& site) {
    for (const auto& t : site.tenants) tenants.emplace(t.name.value, &t);
    for (const auto& t : site.trunks) trunks.emplace(t.name.value, &t);
  }
  const Tenant* tenant(std::string_view name) const {
    auto it = tenants.find(name);
    return it == tenants.end() ? nullptr : it->second;
  }
  const Trunk* trunk(std::string_view name) const {
    auto it = trunks.find(name);
    return it == trunks.end() ? nullptr : it->second;
  }
};

std::string q(std::string_view s) { return diag::quoted(s); }

// Domain names compare without regard to case (RFC 4343), and so do
// provider names: an operator writing `XYZ` and `xyz` means one provider.
// Rules keyed by such a name key by its lower-case form.
bool same_domain(std::string_view a, std::string_view b) { return text::equal_ci(a, b); }
std::string name_key(std::string_view s) { return text::ascii_lower(s); }

bool is_registration(const Trunk& t) {
  return t.type.value == TrunkType::register_ || t.type.value == TrunkType::accept_register;
}

// The objects of one kind (tenants, trunks, proxies) have unique names; a
// second one is reported with the first.
template <class T>
void unique_names(const std::vector<T>& objects, std::string_view kind, Sink& sink) {
  std::map<std::string_view, const T*> seen;
  for (const auto& o : objects) {
    if (!o.name.present) continue;
    auto [it, fresh] = seen.emplace(o.name.value, &o);
    if (!fresh)
      diag::with_related(sink.error("duplicate-name",
                                    std::string(kind) + " " + q(o.name.value) +
                                        " is defined twice",
                                    o.name.where),
                         it->second->name.where, "first defined here");
  }
}

// Names and SIP domains are unique.
void rule_unique_names(const Site& site, Sink& sink) {
  unique_names(site.tenants, "tenant", sink);
  unique_names(site.trunks, "trunk", sink);
  unique_names(site.proxies, "proxy", sink);
  std::map<std::string, const Tenant*> domains;
  for (const auto& t : site.tenants) {
    if (t.sip_domain.present) {
      auto [it, fresh] = domains.emplace(name_key(t.sip_domain.value), &t);
      if (!fresh)
        diag::with_related(
            sink.error("duplicate-sip-domain",
                       "sip_domain " + q(t.sip_domain.value) + " of tenant " +
                           q(t.name.value) + " is already the domain of tenant " +
                           q(it->second->name.value),
                       t.sip_domain.where),
            it->second->sip_domain.where, "first defined here");
    }
  }
}

// Register and accept-register trunks: (host, auth.username) unique, a
// username and a password source present. The host compares without case
// (`SIP.XYZ.example` is `sip.xyz.example`); the username, a SIP user part,
// with case (RFC 3261 19.1.4).
void rule_registration_identity(const Site& site, Sink& sink) {
  std::map<std::pair<std::string, std::string>, const Trunk*> seen;
  for (const auto& t : site.trunks) {
    if (!t.type.present || !is_registration(t)) continue;
    std::string kind(to_string(t.type.value));
    if (!t.auth.username.present) {
      auto& d = sink.error("missing-field",
                           kind + " trunk " + q(t.name.value) + " has no auth.username",
                           t.auth.present ? t.auth.where : t.where);
      diag::with_hint(d, "add [trunk.auth] with username and password_env");
    }
    if (!t.auth.has_password_source()) {
      auto& d = sink.error("missing-password",
                           kind + " trunk " + q(t.name.value) + " has no password source",
                           t.auth.present ? t.auth.where : t.where);
      diag::with_hint(d, "set auth.password_env (preferred), auth.password_file or auth.password");
    }
    int sources = t.auth.password_env.present + t.auth.password_file.present +
                  t.auth.password.present;
    if (sources > 1) {
      auto& d = sink.error("password-sources",
                           "trunk " + q(t.name.value) +
                               " has more than one password source; which one is used "
                               "would be a guess",
                           t.auth.where);
      diag::with_hint(d, "keep exactly one of password_env, password_file and password");
    }
    if (!t.host.present || !t.auth.username.present) continue;
    auto [it, fresh] = seen.emplace(std::pair{name_key(t.host.value), t.auth.username.value}, &t);
    if (!fresh)
      diag::with_related(
          sink.error("registration-duplicate",
                     "trunk " + q(t.name.value) + " registers as user " +
                         q(t.auth.username.value) + " at host " + q(t.host.value) +
                         ", as trunk " + q(it->second->name.value) + " already does",
                     t.auth.username.where),
          it->second->auth.username.where, "the other registration");
  }
}

// Accept-register trunks: host is not a tenant's sip_domain.
void rule_accept_register_host(const Site& site, Sink& sink) {
  for (const auto& t : site.trunks) {
    if (t.type.value != TrunkType::accept_register || !t.type.present || !t.host.present)
      continue;
    for (const auto& tn : site.tenants) {
      if (!tn.sip_domain.present || !same_domain(tn.sip_domain.value, t.host.value)) continue;
      auto& d = sink.error("accept-register-host",
                           "host " + q(t.host.value) + " of accept-register trunk " +
                               q(t.name.value) + " is the sip_domain of tenant " +
                               q(tn.name.value),
                           t.host.where);
      diag::with_related(d, tn.sip_domain.where, "the tenant's domain");
      diag::with_hint(d, "an accept-register trunk needs a host of its own, or REGISTERs "
                         "from the gateway are taken for the tenant's users");
    }
  }
}

// Peer trunks: owned by system, one per provider, (host, port) unique, and
// trunkd able to tell apart peers that share a host. Provider and host
// compare without case.
void rule_peer(const Site& site, Sink& sink) {
  std::map<std::string, const Trunk*> by_provider;
  std::map<std::pair<std::string, std::int64_t>, const Trunk*> by_address;
  // The first peer at each host: a request from that host is attributed by
  // source address, so a second peer there on another port is told apart
  // only when both check the port.
  std::map<std::string, const Trunk*> by_host;
  for (const auto& t : site.trunks) {
    if (!t.type.present || t.type.value != TrunkType::peer) continue;
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
    const Trunk& first = *h->second;
    if (first.verify_port.value && t.verify_port.value) continue;
    const Trunk& unchecked = t.verify_port.value ? first : t;
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

// Ownership: owners exist; teams and whatsapp trunks are owned by a tenant;
// a tenant-owned trunk is assigned to no other tenant; assignments name
// existing tenants, once each.
void rule_ownership(const Site& site, const Index& index, Sink& sink) {
  for (const auto& t : site.trunks) {
    bool tenant_owned = !t.owned_by_system();
    if (tenant_owned && t.owner.present && !index.tenant(t.owner.value)) {
      auto& d = sink.error("unknown-tenant",
                           "owner " + q(t.owner.value) + " of trunk " + q(t.name.value) +
                               " is not a tenant",
                           t.owner.where);
      std::vector<std::string_view> names;
      for (const auto& tn : site.tenants) names.push_back(tn.name.value);
      names.push_back("system");
      std::string near = diag::closest_match(t.owner.value, names);
      if (!near.empty()) diag::with_hint(d, "did you mean " + q(near) + "?");
    }
    bool needs_tenant = t.type.present && (t.type.value == TrunkType::teams ||
                                           t.type.value == TrunkType::whatsapp);
    if (needs_tenant && !tenant_owned) {
      auto& d = sink.error("owner-required",
                           std::string(to_string(t.type.value)) + " trunk " + q(t.name.value) +
                               " must be owned by a tenant",
                           t.owner.present ? t.owner.where : t.where);
      diag::with_hint(d, "set owner = \"<tenant>\" to the tenant it serves");
    }
    std::set<std::string> assigned;
    for (const auto& a : t.tenants) {
      if (!a.tenant.present) continue;
      if (!index.tenant(a.tenant.value)) {
        auto& d = sink.error("unknown-tenant",
                             "trunk " + q(t.name.value) + " is assigned to tenant " +
                                 q(a.tenant.value) + ", which is not defined",
                             a.tenant.where);
        std::vector<std::string_view> names;
        for (const auto& tn : site.tenants) names.push_back(tn.name.value);
        std::string near = diag::closest_match(a.tenant.value, names);
        if (!near.empty()) diag::with_hint(d, "did you mean " + q(near) + "?");
      }
      if (!assigned.insert(a.tenant.value).second)
        sink.error("duplicate-assignment",
                   "trunk " + q(t.name.value) + " is assigned to tenant " +
                       q(a.tenant.value) + " twice",
                   a.tenant.where);
      // An unknown owner is reported above; an assignment can't be foreign to it.
      if (tenant_owned && a.tenant.value != t.owner.value && index.tenant(t.owner.value)) {
        auto& d = sink.error("foreign-assignment",
                             "trunk " + q(t.name.value) + " is owned by tenant " +
                                 q(t.owner.value) + " but assigned to tenant " +
                                 q(a.tenant.value),
                             a.tenant.where);
        diag::with_related(d, t.owner.where, "owner set here");
        diag::with_hint(d, "a tenant's own trunk serves that tenant alone; use a "
                           "system-owned trunk to share");
      }
    }
  }
}

// Transports: enabled on the site; teams needs tls, webrtc needs wss.
void rule_transport(const Site& site, Sink& sink) {
  for (const auto& t : site.trunks) {
    std::string name = q(t.name.value);
    if (t.type.present) {
      std::optional<Transport> needed;
      if (t.type.value == TrunkType::teams) needed = Transport::tls;
      if (t.type.value == TrunkType::webrtc) needed = Transport::wss;
      if (needed && t.transport.value != *needed) {
        auto& d = sink.error("transport-required",
                             std::string(to_string(t.type.value)) + " trunk " + name +
                                 " uses transport " +
                                 std::string(to_string(t.transport.value)) + "; " +
                                 std::string(to_string(t.type.value)) + " needs " +
                                 std::string(to_string(*needed)),
                             t.transport.present ? t.transport.where : t.where);
        diag::with_hint(d, "set transport = \"" + std::string(to_string(*needed)) + "\"");
        continue;
      }
    }
    if (!site.transport_enabled(t.transport.value)) {
      auto& d = sink.error("transport-disabled",
                           "trunk " + name + " uses transport " +
                               std::string(to_string(t.transport.value)) +
                               ", which is not enabled in site.transports",
                           t.transport.present ? t.transport.where : t.where);
      if (site.info.transports.present)
        diag::with_related(d, site.info.transports.where, "site.transports");
      diag::with_hint(d, "add \"" + std::string(to_string(t.transport.value)) +
                             "\" to site.transports (default: [\"udp\"])");
    }
  }
}

// Failover names an existing other trunk; chains have no cycle.
void rule_failover(const Site& site, const Index& index, Sink& sink) {
  for (const auto& t : site.trunks) {
    if (!t.failover.present) continue;
    if (t.failover.value == t.name.value) {
      sink.error("failover-self", "trunk " + q(t.name.value) + " fails over to itself",
                 t.failover.where);
      continue;
    }
    if (!index.trunk(t.failover.value)) {
      auto& d = sink.error("failover-unknown",
                           "failover " + q(t.failover.value) + " of trunk " +
                               q(t.name.value) + " is not a trunk",
                           t.failover.where);
      std::vector<std::string_view> names;
      for (const auto& o : site.trunks) names.push_back(o.name.value);
      std::string near = diag::closest_match(t.failover.value, names);
      if (!near.empty()) diag::with_hint(d, "did you mean " + q(near) + "?");
    }
  }
  // Each trunk has at most one successor, so a cycle is found by walking
  // from every trunk; report each cycle once, at its first trunk in file order.
  std::set<std::string> reported;
  for (const auto& start : site.trunks) {
    if (reported.count(start.name.value)) continue;
    std::vector<const Trunk*> path;
    std::set<std::string> on_path;
    const Trunk* cur = &start;
    while (cur && cur->failover.present && cur->failover.value != cur->name.value) {
      if (!on_path.insert(cur->name.value).second) break;
      path.push_back(cur);
      cur = index.trunk(cur->failover.value);
    }
    if (!cur || cur != &start || path.size() < 2) continue;
    std::string chain;
    for (const Trunk* p : path) {
      chain += p->name.value + " -> ";
      reported.insert(p->name.value);
    }
    chain += start.name.value;
    auto& d = sink.error("failover-cycle", "failover chain loops: " + chain,
                         start.failover.where);
    diag::with_related(d, path.back()->failover.where, "the chain closes here");
    diag::with_hint(d, "end the chain at a trunk without `failover`");
  }
}

// Routes and inbound rules reference existing tenants and trunks. A trunk
// that rules reference cannot be removed: this is the check that says so.
void rule_references(const Site& site, const Index& index, Sink& sink) {
  std::vector<std::string_view> trunk_names, tenant_names;
  for (const auto& t : site.trunks) trunk_names.push_back(t.name.value);
  for (const auto& t : site.tenants) tenant_names.push_back(t.name.value);
  auto unknown_tenant = [&](const Field<std::string>& f, const std::string& who) {
    if (!f.present || index.tenant(f.value)) return;
    auto& d = sink.error("unknown-tenant",
                         who + " names tenant " + q(f.value) + ", which is not defined",
                         f.where);
    std::string near = diag::closest_match(f.value, tenant_names);
    if (!near.empty()) diag::with_hint(d, "did you mean " + q(near) + "?");
  };
  auto unknown_trunk = [&](const Field<std::string>& f, const std::string& who) {
    if (!f.present || index.trunk(f.value)) return;
    auto& d = sink.error("unknown-trunk",
                         who + " uses trunk " + q(f.value) + ", which is not defined",
                         f.where);
    std::string near = diag::closest_match(f.value, trunk_names);
    if (!near.empty()) diag::with_hint(d, "did you mean " + q(near) + "?");
    else diag::with_hint(d, "define the trunk, or remove it from the rule");
  };
  for (const auto& r : site.routes) {
    std::string who = "route " + q(r.name.value);
    unknown_tenant(r.tenant, who);
    for (const auto& t : r.trunks.value) unknown_trunk(t, who);
  }
  for (const auto& in : site.inbound) {
    std::string who = "inbound rule for " + q(in.did.value);
    unknown_tenant(in.tenant, who);
    unknown_trunk(in.trunk, who);
  }
}

// Routes send calls out through trunks assigned to the route's tenant whose
// direction allows outbound calls; inbound rules take calls on trunks whose
// direction allows inbound ones. These look at the model alone, so they run
// here, with every other rule, and not only when routes are compiled: a site
// `trunkctl validate` passes is one `dialplan-compile` accepts.
void rule_trunk_use(const Site& site, const Index& index, Sink& sink) {
  std::set<std::pair<const Trunk*, std::string_view>> assigned;
  for (const auto& t : site.trunks)
    for (const auto& a : t.tenants)
      if (a.tenant.present) assigned.emplace(&t, a.tenant.value);
  for (const auto& r : site.routes) {
    bool tenant_known = index.tenant(r.tenant.value) != nullptr;
    for (const auto& tf : r.trunks.value) {
      const Trunk* t = index.trunk(tf.value);
      if (!t) continue;  // unknown-trunk
      if (tenant_known && !assigned.count({t, r.tenant.value})) {
        auto& d = sink.error("route-trunk-unassigned",
                             "route " + q(r.name.value) + " of tenant " + q(r.tenant.value) +
                                 " uses trunk " + q(tf.value) +
                                 ", which is not assigned to the tenant",
                             tf.where);
        diag::with_related(d, t->where, "the trunk");
        diag::with_hint(d, "add [[trunk.tenant]] tenant = " + q(r.tenant.value) +
                               " to the trunk, or use one of the tenant's trunks");
      }
      if (t->direction.value == Direction::inbound) {
        auto& d = sink.error("route-trunk-direction",
                             "route " + q(r.name.value) + " sends calls out through trunk " +
                                 q(tf.value) + ", whose direction is inbound",
                             tf.where);
        diag::with_related(d, t->direction.where, "direction set here");
      }
    }
  }
  for (const auto& in : site.inbound) {
    const Trunk* t = index.trunk(in.trunk.value);
    if (!t || !index.tenant(in.tenant.value)) continue;  // unknown-trunk, unknown-tenant
    if (t->direction.value != Direction::outbound) continue;
    auto& d = sink.error("inbound-trunk-direction",
                         "inbound rule for " + q(in.did.value) + " receives calls on trunk " +
                             q(in.trunk.value) + ", whose direction is outbound",
                         in.trunk.where);
    diag::with_related(d, t->direction.where, "direction set here");
  }
}

// One address of a proxy or a trunk, parsed once for the proxy rules.
struct AddressEntry {
  const Field<std::string>* text;
  IpBlock block;
  std::string_view key;  // "host", "associated_ips entry", "address"
};

// A trunk's addresses: its host when that is an IP address (bracketed or
// not; a host name is not resolved here) and its associated_ips.
std::vector<AddressEntry> trunk_addresses(const Trunk& t) {
  std::vector<AddressEntry> out;
  if (t.host.present) {
    std::string_view host = t.host.value;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    // A host is one address: "10.0.0.0/8" is no host (the loader says so).
    if (host.find('/') == std::string_view::npos)
      if (auto b = parse_ip_block(host)) out.push_back({&t.host, *b, "host"});
  }
  for (const auto& ip : t.associated_ips.value)
    if (auto b = parse_ip_block(ip.value)) out.push_back({&ip, *b, "associated_ips entry"});
  return out;
}

// Trusted proxies (unique names are rule_unique_names'): no proxy address
// is a trunk's, since trunkd takes a trusted proxy's Via for where a
// request came from and a trunk trusted so could forge any origin with one
// extra Via; no address in two proxies, which would leave the proxy a
// request came through a guess. Proxies are few, so their addresses are
// compared with every trunk's directly.
void rule_proxies(const Site& site, Sink& sink) {
  if (site.proxies.empty()) return;
  std::vector<std::vector<AddressEntry>> trunks;
  trunks.reserve(site.trunks.size());
  for (const auto& t : site.trunks) trunks.push_back(trunk_addresses(t));

  std::vector<std::pair<const Proxy*, AddressEntry>> seen;
  for (const auto& p : site.proxies) {
    for (const auto& a : p.addresses.value) {
      auto block = parse_ip_block(a.value);
      if (!block) continue;  // invalid-value
      for (std::size_t i = 0; i < site.trunks.size(); ++i) {
        // One finding per proxy address and trunk, at the trunk's first
        // address it covers: the fix is one change either way.
        auto hit = std::find_if(trunks[i].begin(), trunks[i].end(),
                                [&](const AddressEntry& e) { return overlaps(*block, e.block); });
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
        if (other == &p || !overlaps(*block, e.block)) continue;
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

// Limits: total below inbound or outbound is warned (the larger can never be reached).
void rule_limits(const Site& site, Sink& sink) {
  for (const auto& t : site.trunks) {
    const Limits& l = t.limits;
    if (!l.total.present) continue;
    for (const auto* part : {&l.inbound, &l.outbound}) {
      if (!part->present || l.total.value >= part->value) continue;
      auto& d = sink.warning("limits-total",
                             "limits.total " + std::to_string(l.total.value) + " of trunk " +
                                 q(t.name.value) + " is below limits." +
                                 (part == &l.inbound ? "inbound" : "outbound") + " " +
                                 std::to_string(part->value),
                             l.total.where);
      diag::with_related(d, part->where, "the larger limit");
      diag::with_hint(d, "the total caps both directions; raise it or lower the other");
    }
  }
}

// Passwords: inline ones are warned; accept-register ones shorter than 12
// characters are warned. The value itself is never printed.
void rule_passwords(const Site& site, Sink& sink) {
  for (const auto& t : site.trunks) {
    if (!t.auth.password.present) continue;
    auto& d = sink.warning("inline-password",
                           "trunk " + q(t.name.value) + " has its password inline in the site",
                           t.auth.password.key());
    diag::with_hint(d, "use password_env or password_file so the secret stays out of git");
    if (t.type.value == TrunkType::accept_register && t.auth.password.value.size() < 12)
      diag::with_hint(
          sink.warning("weak-password",
                       "accept-register trunk " + q(t.name.value) +
                           " has a password shorter than 12 characters",
                       t.auth.password.key()),
          "gateways that register to the PBX are scanned for; use 12 or more characters");
  }
}

}  // namespace

void validate(const Site& site, Sink& sink) {
  const Index index(site);
  rule_unique_names(site, sink);
  rule_proxies(site, sink);
  rule_registration_identity(site, sink);
  rule_accept_register_host(site, sink);
  rule_peer(site, sink);
  rule_ownership(site, index, sink);
  rule_transport(site, sink);
  rule_failover(site, index, sink);
  rule_references(site, index, sink);
  rule_trunk_use(site, index, sink);
  rule_limits(site, sink);
  rule_passwords(site, sink);
}

}  // namespace trunk::site
