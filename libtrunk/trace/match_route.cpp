// The tenant and the rule of a request whose trunk match.cpp has found:
// inbound, the DID looked up in the trunk's pools and its [[inbound]] rule;
// outbound, the route that sends the number to the trunk (or that a
// tenant's PBX calls out by). When a step fails, the reason names what is
// nearest: the DID with a prefix the pools hold it without, the pool on
// another trunk that holds it, the route the number would take instead.
// Part of the Matcher (see match.hpp); which trunk a request is about, and
// whether it fits that trunk, stay in match.cpp.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "text/ascii.hpp"
#include "trace/match.hpp"

namespace trunk::trace {
namespace {

// The number a request is about: the Request-URI's user, else the To user.
std::string dialled_number(const sip::MessageView& m) {
  std::string n(m.request_uri().user);
  if (n.empty()) n = std::string(m.to_uri().user);
  return n;
}

}  // namespace

void Matcher::route_inbound(const sip::MessageView& m, Match& out) const {
  const auto& t = router_->tables();
  const std::string did = dialled_number(m);
  out.did = did;
  const std::uint32_t k = table_trunk(out.trunk);
  if (k == kNone) return;
  auto r = router_->inbound(k, did);
  const std::string& trunk_name = site_->trunks[out.trunk].name.value;
  switch (r.status) {
    case route::Router::InboundStatus::not_a_number:
      out.problems.push_back("the Request-URI's user " + diag::quoted(did) +
                             " is not a number: no DID to look up");
      return;
    case route::Router::InboundStatus::not_in_pool:
      if (!route_from_trunk_tenant(did, out)) explain_did(did, out.trunk, out);
      return;
    case route::Router::InboundStatus::no_rule:
    case route::Router::InboundStatus::matched:
      break;
  }
  std::string bare = did.empty() || did.front() != '+' ? did : did.substr(1);
  out.tenant = r.tenant;  // tenants keep the site's order in the tables
  std::string tenant_name(t.str(t.tenants()[r.tenant].name));
  out.tenant_by = "DID " + bare + " is in its pool on " + trunk_name +
                  (bare.size() != did.size() ? " (leading + removed)" : "");
  if (r.status == route::Router::InboundStatus::no_rule) {
    out.problems.push_back("DID " + bare + " is in tenant " + diag::quoted(tenant_name) +
                           "'s pool on trunk " + diag::quoted(trunk_name) +
                           " but no [[inbound]] rule covers it");
    return;
  }
  std::array<char, 1024> buf;
  std::uint32_t n = router_->destination(r.rule, did, buf);
  if (n != kNone) out.destination.assign(buf.data(), n);
}

bool Matcher::route_from_trunk_tenant(const std::string& number, Match& out) const {
  const auto& t = router_->tables();
  const site::Trunk& tr = site_->trunks[out.trunk];
  // A trunk a tenant owns is that tenant's PBX: what it sends to a number
  // in no pool there is the tenant calling out, as trunkd decides it
  // (route/decide.hpp). A system trunk's tenants are not its callers.
  if (tr.owned_by_system()) return false;
  const std::uint32_t found_tenant = t.find_tenant(tr.owner.value);
  if (found_tenant == kNone) return false;
  const std::uint32_t found_route = router_->outbound(found_tenant, number);
  if (found_route == kNone) return false;
  const auto& rr = t.routes()[found_route];
  out.did.clear();
  out.tenant = found_tenant;
  out.tenant_by = "its route " + diag::quoted(t.str(rr.name)) + " takes " + number +
                  " from trunk " + tr.name.value;
  take_route(found_route, number, out);
  out.notes.push_back(number + " is in no pool on trunk " + diag::quoted(tr.name.value) +
                      ": taken as a call from tenant " +
                      diag::quoted(t.str(t.tenants()[found_tenant].name)) + "'s PBX, going out");
  return true;
}

void Matcher::explain_did(const std::string& did, std::uint32_t trunk, Match& out) const {
  const auto& t = router_->tables();
  const std::string& trunk_name = site_->trunks[trunk].name.value;
  const std::uint32_t k = table_trunk(trunk);
  std::string bare = !did.empty() && did.front() == '+' ? did.substr(1) : did;
  std::string problem = "DID " + bare + " is in no tenant's pool on trunk " + diag::quoted(trunk_name);
  auto tenant_of = [&](std::uint32_t tk, const std::string& n) {
    auto r = router_->inbound(tk, n);
    return r.status == route::Router::InboundStatus::not_in_pool ||
                   r.status == route::Router::InboundStatus::not_a_number
               ? std::string()
               : std::string(t.str(t.tenants()[r.tenant].name));
  };
  // A country code or international prefix the pools hold the number without.
  std::string prefix_hint;
  std::string_view rest = bare;
  std::string lead;
  if (rest.rfind("00", 0) == 0) {
    rest.remove_prefix(2);
    lead = "00";
  }
  for (std::size_t cc = 1; cc <= 3 && cc < rest.size() && prefix_hint.empty(); ++cc) {
    std::string shorter(rest.substr(cc));
    std::string owner = tenant_of(k, shorter);
    if (!owner.empty())
      prefix_hint = "the DID carries " + (did.front() == '+' ? std::string("+") : lead) +
                    std::string(rest.substr(0, cc)) + " while the pools hold it without: " +
                    shorter + " is in tenant " + diag::quoted(owner) + "'s pool";
  }
  if (prefix_hint.empty() && did.front() == '+') {
    // "+" and a national number: the pools may hold it with a trunk prefix.
    for (const char* p : {"0", "1"}) {
      std::string longer = p + bare;
      std::string owner = tenant_of(k, longer);
      if (!owner.empty()) {
        prefix_hint = "the DID carries + while the pools hold it as " + longer +
                      " (tenant " + diag::quoted(owner) + ")";
        break;
      }
    }
  }
  if (!prefix_hint.empty()) {
    out.problems.push_back(problem + "; " + prefix_hint);
    return;
  }
  // The number is in a pool, on another trunk.
  for (std::uint32_t j = 0; j < site_->trunks.size(); ++j) {
    if (j == trunk) continue;
    std::uint32_t tj = table_trunk(j);
    if (tj == kNone) continue;
    std::string owner = tenant_of(tj, bare);
    if (!owner.empty()) {
      out.problems.push_back(problem + "; it is in tenant " + diag::quoted(owner) +
                             "'s pool on trunk " + diag::quoted(site_->trunks[j].name.value));
      return;
    }
  }
  std::string pools;
  std::size_t shown = 0;
  for (const auto& a : site_->trunks[trunk].tenants) {
    if (shown++ == 3) {
      pools += ", ...";
      break;
    }
    pools += (pools.empty() ? "" : ", ") + a.tenant.value + " \"" + a.did_pool.value + "\"";
  }
  out.problems.push_back(problem + (pools.empty() ? "; the trunk has no tenant assigned"
                                                  : "; its pools: " + pools));
}

void Matcher::route_to_trunk(const sip::MessageView& m, Match& out) const {
  const auto& t = router_->tables();
  const site::Trunk& tr = site_->trunks[out.trunk];
  const std::string number = dialled_number(m);
  // The tenants that may send on this trunk: the From host's, else those
  // assigned to the trunk.
  std::vector<std::uint32_t> tenants;
  std::uint32_t by_domain = t.find_tenant_by_domain(text::ascii_lower(m.from_uri().host));
  if (by_domain != kNone) {
    tenants.push_back(by_domain);
  } else {
    for (const auto& a : tr.tenants) {
      std::uint32_t k = t.find_tenant(a.tenant.value);
      if (k != kNone) tenants.push_back(k);
    }
  }
  std::string guess;  // a route whose strip hides the dialled digits
  for (const Sender& sender : senders_[out.trunk]) {
    const std::uint32_t tk = sender.tenant;
    if (std::find(tenants.begin(), tenants.end(), tk) == tenants.end()) continue;
    if (number.rfind(sender.prepend, 0) != 0) continue;
    if (sender.strips) {
      if (guess.empty()) guess = sender.route;
      continue;
    }
    const std::string rest = number.substr(sender.prepend.size());
    for (const std::string& dialled : {rest, "+" + rest}) {
      const std::uint32_t ri = router_->outbound(tk, dialled);
      if (ri == kNone) continue;
      const tables::RouteRecord& rr = t.routes()[ri];
      if (rr.strip != 0 || t.str(rr.prepend) != sender.prepend) continue;
      auto trunks = t.route_trunks().subspan(rr.trunk_first, rr.trunk_count);
      std::uint32_t pos = kNone;
      for (std::uint32_t p = 0; p < trunks.size() && pos == kNone; ++p)
        if (site_trunk(trunks[p]) == out.trunk) pos = p;
      if (pos == kNone) continue;
      out.tenant = tk;
      out.tenant_by = "its route " + diag::quoted(t.str(rr.name)) + " sends " + number +
                      " to this trunk";
      take_route(ri, dialled, out);
      if (pos > 0)
        out.notes.push_back("trunk " + diag::quoted(tr.name.value) + " is number " +
                            std::to_string(pos + 1) + " of route " + diag::quoted(out.route) +
                            "'s trunks: a failover attempt");
      return;
    }
  }
  if (!guess.empty()) {
    out.notes.push_back("route " + diag::quoted(guess) +
                        " may have sent it: its strip hides the digits that were dialled");
    return;
  }
  std::string who;
  for (std::uint32_t tk : tenants)
    who += (who.empty() ? "" : ", ") + diag::quoted(t.str(t.tenants()[tk].name));
  std::string problem = "no route of " + (who.empty() ? std::string("any tenant") : "tenant " + who) +
                        " sends " + number + " to trunk " + diag::quoted(tr.name.value);
  if (tenants.size() == 1) {
    std::uint32_t ri = router_->outbound(tenants[0], number);
    if (ri != kNone) {
      const auto& rr = t.routes()[ri];
      std::string list;
      for (std::uint32_t x : t.route_trunks().subspan(rr.trunk_first, rr.trunk_count))
        list += (list.empty() ? "" : ", ") + std::string(t.str(t.trunks()[x].name));
      problem += "; dialled as is, it takes route " + diag::quoted(t.str(rr.name)) + " via " + list;
    }
  }
  out.problems.push_back(problem);
}

void Matcher::route_from_tenant(const sip::MessageView& m, Match& out) const {
  const auto& t = router_->tables();
  const std::string number = dialled_number(m);
  const std::string tenant_name = site_->tenants[out.tenant].name.value;
  std::uint32_t tk = t.find_tenant(tenant_name);
  if (tk == kNone) return;
  std::uint32_t ri = router_->outbound(tk, number);
  if (ri == kNone) {
    out.problems.push_back("no route of tenant " + diag::quoted(tenant_name) + " matches " +
                           diag::quoted(number));
    return;
  }
  take_route(ri, number, out);
}

void Matcher::take_route(std::uint32_t route, std::string_view dialled, Match& out) const {
  const auto& t = router_->tables();
  const auto& rr = t.routes()[route];
  out.route = std::string(t.str(rr.name));
  std::array<char, 256> buf;
  std::uint32_t n = router_->send_number(route, dialled, buf);
  if (n != kNone) out.send.assign(buf.data(), n);
  for (std::uint32_t x : t.route_trunks().subspan(rr.trunk_first, rr.trunk_count))
    out.trunks.emplace_back(t.str(t.trunks()[x].name));
}

}  // namespace trunk::trace
