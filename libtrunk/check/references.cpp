// The reference rules: every name a trunk, route or inbound rule gives
// resolves, and what it names may be used so. Ownership (unknown-tenant,
// owner-required, duplicate-assignment, foreign-assignment), failover
// chains (failover-self, failover-unknown, failover-cycle), the tenants and
// trunks of routes and inbound rules (unknown-tenant, unknown-trunk), and
// which trunks they may use (route-trunk-unassigned, route-trunk-direction,
// inbound-trunk-direction). A name that does not resolve gets a "did you
// mean" hint when one is close.
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "check/rules.hpp"

namespace trunk::check {

// Ownership: owners exist; teams and whatsapp trunks are owned by a tenant;
// a tenant-owned trunk is assigned to no other tenant; assignments name
// existing tenants, once each.
void rule_ownership(const site::Site& site, const Index& index, diag::Sink& sink) {
  for (const auto& t : site.trunks) {
    bool tenant_owned = !t.owned_by_system();
    if (tenant_owned && t.owner.present && !index.tenant(t.owner.value)) {
      auto& d = sink.error("unknown-tenant",
                           "owner " + q(t.owner.value) + " of trunk " + q(t.name.value) +
                               " is not a tenant",
                           t.owner.where);
      std::vector<std::string_view> names = names_of(site.tenants);
      names.push_back("system");
      hint_closest(d, t.owner.value, names);
    }
    bool needs_tenant = t.type.present && (t.type.value == site::TrunkType::teams ||
                                           t.type.value == site::TrunkType::whatsapp);
    if (needs_tenant && !tenant_owned) {
      auto& d = sink.error("owner-required",
                           std::string(site::to_string(t.type.value)) + " trunk " +
                               q(t.name.value) + " must be owned by a tenant",
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
        hint_closest(d, a.tenant.value, names_of(site.tenants));
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

// Failover names an existing other trunk; chains have no cycle.
void rule_failover(const site::Site& site, const Index& index, diag::Sink& sink) {
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
      hint_closest(d, t.failover.value, names_of(site.trunks));
    }
  }
  // Each trunk has at most one successor, so a cycle is found by walking
  // from every trunk; report each cycle once, at its first trunk in file order.
  std::set<std::string> reported;
  for (const auto& start : site.trunks) {
    if (reported.count(start.name.value)) continue;
    std::vector<const site::Trunk*> path;
    std::set<std::string> on_path;
    const site::Trunk* cur = &start;
    while (cur && cur->failover.present && cur->failover.value != cur->name.value) {
      if (!on_path.insert(cur->name.value).second) break;
      path.push_back(cur);
      cur = index.trunk(cur->failover.value);
    }
    if (!cur || cur != &start || path.size() < 2) continue;
    std::string chain;
    for (const site::Trunk* p : path) {
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
void rule_references(const site::Site& site, const Index& index, diag::Sink& sink) {
  const std::vector<std::string_view> trunk_names = names_of(site.trunks);
  const std::vector<std::string_view> tenant_names = names_of(site.tenants);
  auto unknown_tenant = [&](const site::Field<std::string>& f, const std::string& who) {
    if (!f.present || index.tenant(f.value)) return;
    auto& d = sink.error("unknown-tenant",
                         who + " names tenant " + q(f.value) + ", which is not defined",
                         f.where);
    hint_closest(d, f.value, tenant_names);
  };
  auto unknown_trunk = [&](const site::Field<std::string>& f, const std::string& who) {
    if (!f.present || index.trunk(f.value)) return;
    auto& d = sink.error("unknown-trunk",
                         who + " uses trunk " + q(f.value) + ", which is not defined",
                         f.where);
    if (!hint_closest(d, f.value, trunk_names))
      diag::with_hint(d, "define the trunk, or remove it from the rule");
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
void rule_trunk_use(const site::Site& site, const Index& index, diag::Sink& sink) {
  std::set<std::pair<const site::Trunk*, std::string_view>> assigned;
  for (const auto& t : site.trunks)
    for (const auto& a : t.tenants)
      if (a.tenant.present) assigned.emplace(&t, a.tenant.value);
  for (const auto& r : site.routes) {
    bool tenant_known = index.tenant(r.tenant.value) != nullptr;
    for (const auto& tf : r.trunks.value) {
      const site::Trunk* t = index.trunk(tf.value);
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
      if (t->direction.value == site::Direction::inbound) {
        auto& d = sink.error("route-trunk-direction",
                             "route " + q(r.name.value) + " sends calls out through trunk " +
                                 q(tf.value) + ", whose direction is inbound",
                             tf.where);
        diag::with_related(d, t->direction.where, "direction set here");
      }
    }
  }
  for (const auto& in : site.inbound) {
    const site::Trunk* t = index.trunk(in.trunk.value);
    if (!t || !index.tenant(in.tenant.value)) continue;  // unknown-trunk, unknown-tenant
    if (t->direction.value != site::Direction::outbound) continue;
    auto& d = sink.error("inbound-trunk-direction",
                         "inbound rule for " + q(in.did.value) + " receives calls on trunk " +
                             q(in.trunk.value) + ", whose direction is outbound",
                         in.trunk.where);
    diag::with_related(d, t->direction.where, "direction set here");
  }
}

}  // namespace trunk::check
