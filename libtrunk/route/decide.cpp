// The decision: origin, identification, route or inbound rule, Contacts.
// Its words (reason phrases, Contacts) are decide_text.cpp's.
#include "route/decide.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "site/model.hpp"
#include "tables/dump.hpp"

namespace trunk::route {

namespace {

using tables::TrunkRecord;

// Copies `s` into the decision's own text; empty when it does not fit.
std::string_view keep(Decision& d, std::string_view s, bool& fits) {
  if (s.size() > d.text.size() - d.text_used) {
    fits = false;
    return {};
  }
  char* at = d.text.data() + d.text_used;
  if (!s.empty()) std::memcpy(at, s.data(), s.size());
  d.text_used += static_cast<std::uint32_t>(s.size());
  return {at, s.size()};
}

// The origin: the source, or what the trusted proxies recorded below their
// own Vias. Sets source_proxy, origin_proxy, origin_known.
void find_origin(const tables::Tables& t, const Request& r, Decision& d) {
  d.origin = r.source;
  std::uint8_t address[16];
  std::memcpy(address, r.source.address.data(), 16);
  d.source_proxy = t.find_proxy_by_address(address);
  std::uint32_t proxy = d.source_proxy;
  // Via i+1 is what proxy i recorded of the hop before it; the chain ends
  // at the first origin that is no trusted proxy.
  for (std::size_t i = 0; proxy != kNone && i + 1 < r.vias.size(); ++i) {
    const ViaHop& below = r.vias[i + 1];
    if (!below.has_address) {
      d.origin_known = false;
      d.origin_proxy = proxy;
      return;
    }
    d.origin = below.recorded;
    d.origin_proxy = proxy;
    std::memcpy(address, d.origin.address.data(), 16);
    proxy = t.find_proxy_by_address(address);
  }
}

bool port_fits(const TrunkRecord& tr, std::uint16_t port) {
  return !(tr.flags & tables::kVerifyPort) || (port != 0 && port == tr.port);
}

// The trunk the origin is: see decide.hpp.
void identify(const tables::Tables& t, const Request& r, Decision& d) {
  std::uint8_t address[16];
  std::memcpy(address, d.origin.address.data(), 16);
  std::uint32_t named = t.find_trunk_by_from_host(r.from_host);
  if (named != kNone && t.trunk_holds_address(named, address)) {
    if (port_fits(t.trunks()[named], d.origin.port)) {
      d.trunk = named;
      d.trunk_by = TrunkBy::match_from_host;
      return;
    }
    d.mismatch_trunk = named;
  }
  // The trunks on the longest block, in site order: the first whose port
  // fits. The chain holds only trunks the site put on that very block.
  for (std::uint32_t a = t.find_address_block(address); a != kNone;
       a = t.addresses()[a].next_same) {
    std::uint32_t trunk = t.addresses()[a].trunk;
    if (port_fits(t.trunks()[trunk], d.origin.port)) {
      d.trunk = trunk;
      d.trunk_by = TrunkBy::address;
      d.mismatch_trunk = kNone;
      return;
    }
    if (d.mismatch_trunk == kNone) d.mismatch_trunk = trunk;
  }
}

void refuse(Decision& d, int code, Verdict v) {
  d.code = code;
  d.verdict = v;
}

// The reason a trunk may not carry a call in `dir`, or false.
bool excluded(const TrunkRecord& tr, Direction dir, LeftOut& why) {
  const bool out = dir == Direction::outbound;
  if (!(tr.flags & (out ? tables::kOutboundAllowed : tables::kInboundAllowed))) {
    why = LeftOut::direction;
    return true;
  }
  if ((out ? tr.limit_outbound : tr.limit_inbound) == 0) {
    why = LeftOut::limit_direction;
    return true;
  }
  if (tr.limit_total == 0) {
    why = LeftOut::limit_total;
    return true;
  }
  return false;
}

void inbound(const Router& router, const Request& r, Decision& d) {
  const tables::Tables& t = router.tables();
  const TrunkRecord& tr = t.trunks()[d.trunk];
  auto in = router.inbound(d.trunk, r.number);
  if (in.status == Router::InboundStatus::not_in_pool && tr.owner != kNone) return;  // the owner calls out
  d.direction = Direction::inbound;
  LeftOut why;
  if (excluded(tr, Direction::inbound, why)) {
    d.left_out[d.left_out_count++] = {d.trunk, why};
    return refuse(d, 403, Verdict::trunk_refuses);
  }
  d.tenant = in.tenant;
  if (in.tenant != kNone) d.tenant_by = TenantBy::did_pool;
  switch (in.status) {
    case Router::InboundStatus::not_a_number:
      d.check = in.check;
      return refuse(d, d.check.fault == DialFault::symbol_not_in_plan ? 404 : 484,
                    Verdict::not_a_number);
    case Router::InboundStatus::not_in_pool: return refuse(d, 404, Verdict::not_in_pool);
    case Router::InboundStatus::no_rule: return refuse(d, 404, Verdict::no_inbound_rule);
    case Router::InboundStatus::matched: break;
  }
  d.rule = in.rule;
  std::array<char, 512> buf;
  std::uint32_t n = router.destination(in.rule, r.number, buf);
  bool fits = n != kNone;
  std::string_view uri = fits ? keep(d, {buf.data(), n}, fits) : std::string_view();
  if (!fits) return refuse(d, 500, Verdict::too_long);
  Contact& c = d.contacts[d.contact_count++];
  c.trunk = d.trunk;
  c.uri = uri;
  refuse(d, 302, Verdict::redirected);
}

// The caller ID for a call on `trunk`: the route's, else the trunk's, else
// the tenant's; "*" keeps the caller's.
void caller_id(const tables::Tables& t, const Decision& d, std::uint32_t trunk, Contact& c) {
  const std::pair<tables::Str, CallerIdFrom> order[] = {
      {t.routes()[d.route].caller_id, CallerIdFrom::route},
      {t.trunks()[trunk].caller_id, CallerIdFrom::trunk},
      {t.tenants()[d.tenant].caller_id, CallerIdFrom::tenant}};
  for (auto [s, from] : order) {
    std::string_view v = t.str(s);
    if (v.empty()) continue;
    c.caller_id_from = from;
    c.caller_id = v == "*" ? std::string_view() : v;
    return;
  }
}

// Adds `trunk` (brought by `failover_of`'s chain, or a route trunk) to the
// Contacts, or to what was left out; false when it was there already.
bool consider(const tables::Tables& t, Decision& d, std::uint32_t trunk,
              std::uint32_t failover_of, std::span<std::uint32_t> seen, std::uint32_t& n_seen) {
  if (std::find(seen.begin(), seen.begin() + n_seen, trunk) != seen.begin() + n_seen) return false;
  if (n_seen == seen.size()) return false;
  seen[n_seen++] = trunk;
  const TrunkRecord& tr = t.trunks()[trunk];
  LeftOut why;
  const bool out = excluded(tr, Direction::outbound, why);
  if (!out && d.contact_count == kMaxContacts) why = LeftOut::beyond_cap;
  if (!out && d.contact_count < kMaxContacts) {
    Contact& c = d.contacts[d.contact_count];
    c = Contact{};
    c.trunk = trunk;
    c.failover_of = failover_of;
    c.user = d.send;
    if ((tr.flags & tables::kStripPlus) && !c.user.empty() && c.user.front() == '+')
      c.user.remove_prefix(1);
    c.q = static_cast<std::uint8_t>(10 - d.contact_count);
    caller_id(t, d, trunk, c);
    ++d.contact_count;
    return true;
  }
  if (d.left_out_count < kMaxLeftOut) d.left_out[d.left_out_count++] = {trunk, why};
  return true;
}

void outbound(const Router& router, const Request& r, Decision& d) {
  const tables::Tables& t = router.tables();
  d.direction = Direction::outbound;
  d.route = router.outbound(d.tenant, r.number, &d.check);
  if (!d.check.ok())
    return refuse(d, d.check.fault == DialFault::symbol_not_in_plan ? 404 : 484,
                  Verdict::not_a_number);
  if (d.route == kNone) return refuse(d, 404, Verdict::no_route);
  std::array<char, 256> buf;
  std::uint32_t n = router.send_number(d.route, r.number, buf);
  bool fits = n != kNone;
  if (fits) d.send = keep(d, {buf.data(), n}, fits);
  if (!fits) return refuse(d, 500, Verdict::too_long);
  // Each route trunk, then its failover chain, each trunk once.
  const tables::RouteRecord& rec = t.routes()[d.route];
  std::array<std::uint32_t, kMaxContacts + kMaxLeftOut> seen;
  std::uint32_t n_seen = 0;
  for (std::uint32_t i = 0; i < rec.trunk_count; ++i) {
    const std::uint32_t first = t.route_trunks()[rec.trunk_first + i];
    consider(t, d, first, kNone, seen, n_seen);
    for (std::uint32_t f = t.trunks()[first].failover; f != kNone; f = t.trunks()[f].failover)
      if (!consider(t, d, f, first, seen, n_seen)) break;
  }
  if (d.contact_count == 0) return refuse(d, 403, Verdict::none_may_carry);
  refuse(d, 302, Verdict::redirected);
}

}  // namespace

namespace {

void reset(Decision& d) {
  d.code = 0;
  d.verdict = Verdict::unknown_origin;
  d.origin = {};
  d.source_proxy = d.origin_proxy = kNone;
  d.origin_known = true;
  d.trunk = d.tenant = d.route = d.rule = d.mismatch_trunk = d.unproven_tenant = kNone;
  d.trunk_by = TrunkBy::none;
  d.tenant_by = TenantBy::none;
  d.direction = Direction::none;
  d.check = {};
  d.send = {};
  d.contact_count = d.left_out_count = d.text_used = 0;
}

}  // namespace

void decide(const Router& router, const Request& r, Decision& d) {
  const tables::Tables& t = router.tables();
  identify_request(t, r, d);
  if (!d.origin_known) return refuse(d, 403, Verdict::proxy_unrecorded);
  if (d.trunk != kNone) {
    inbound(router, r, d);
    if (d.code != 0) return;
    // A customer's PBX calling out through its own trunk.
    d.tenant = t.trunks()[d.trunk].owner;
    d.tenant_by = TenantBy::owner;
    return outbound(router, r, d);
  }
  if (d.mismatch_trunk != kNone) return refuse(d, 403, Verdict::port_mismatch);
  if (d.tenant != kNone) return outbound(router, r, d);
  refuse(d, 403, Verdict::unknown_origin);
}

void identify_request(const tables::Tables& t, const Request& r, Decision& d) {
  reset(d);
  find_origin(t, r, d);
  if (!d.origin_known) return;
  identify(t, r, d);
  if (d.trunk != kNone || d.mismatch_trunk != kNone) return;
  std::uint32_t tenant = t.find_tenant_by_domain(r.from_host);
  if (tenant != kNone && d.source_proxy != kNone) {
    d.tenant = tenant;
    d.tenant_by = TenantBy::sip_domain;
    d.direction = Direction::outbound;
  } else {
    d.unproven_tenant = tenant;
  }
}

void decide_outbound(const Router& router, std::uint32_t tenant, std::string_view number,
                     Decision& d) {
  reset(d);
  d.tenant = tenant;
  Request r;
  r.number = number;
  outbound(router, r, d);
}

void decide_inbound(const Router& router, std::uint32_t trunk, std::string_view number,
                    Decision& d) {
  reset(d);
  d.trunk = trunk;
  Request r;
  r.number = number;
  inbound(router, r, d);
  if (d.code != 0) return;
  d.tenant = router.tables().trunks()[trunk].owner;
  d.tenant_by = TenantBy::owner;
  outbound(router, r, d);
}

}  // namespace trunk::route
