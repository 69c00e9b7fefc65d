// The decision: origin, identification, route or inbound rule, Contacts.
#include "route/decide.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "site/model.hpp"
#include "tables/dump.hpp"

namespace trunk::route {

namespace {

using tables::TrunkRecord;

// A fixed buffer written front to back; what does not fit is dropped.
struct Writer {
  std::span<char> out;
  std::size_t size = 0;
  void add(std::string_view s) {
    std::size_t n = std::min(s.size(), out.size() - size);
    if (n) std::memcpy(out.data() + size, s.data(), n);
    size += n;
  }
  void add(std::uint64_t n) {
    char digits[20];
    auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    add(std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }
  std::string_view view() const { return {out.data(), size}; }
};

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

std::string_view host_port_text(const HostPort& a, std::span<char> out) {
  const bool v6 = !tables::ipv4_mapped(a.address.data());
  std::array<char, tables::kAddressTextSize> text;
  Writer w{out};
  if (v6 && a.port) w.add("[");
  w.add(tables::address_text(a.address.data(), text));
  if (v6 && a.port) w.add("]");
  if (a.port) {
    w.add(":");
    w.add(std::uint64_t{a.port});
  }
  return w.view();
}

std::string_view rule_text(LeftOut why, Direction dir) {
  const bool out = dir == Direction::outbound;
  switch (why) {
    case LeftOut::direction: return out ? "direction = inbound" : "direction = outbound";
    case LeftOut::limit_direction: return out ? "limits.outbound = 0" : "limits.inbound = 0";
    case LeftOut::limit_total: return "limits.total = 0";
    case LeftOut::beyond_cap: return "beyond the 10 Contacts of an answer";
  }
  return "";
}

std::string_view reason(const Decision& d, const tables::Tables& t, std::span<char> out) {
  Writer w{out};
  auto trunk_name = [&](std::uint32_t i) { return t.str(t.trunks()[i].name); };
  std::array<char, kHostPortSize> where;
  switch (d.verdict) {
    case Verdict::redirected: w.add("Moved Temporarily"); break;
    case Verdict::unknown_origin:
      w.add("Forbidden (");
      w.add(d.origin_proxy != kNone ? "origin " : "source ");
      w.add(host_port_text(d.origin, where));
      w.add(" is no trunk's address");
      if (d.unproven_tenant != kNone) {
        w.add(", and a tenant's domain in From counts only through a trusted proxy");
      }
      w.add(")");
      break;
    case Verdict::proxy_unrecorded:
      w.add("Forbidden (trusted proxy ");
      w.add(t.str(t.proxies()[d.origin_proxy].name));
      w.add(" recorded no address on the Via below its own)");
      break;
    case Verdict::port_mismatch: {
      const TrunkRecord& tr = t.trunks()[d.mismatch_trunk];
      w.add("Forbidden (source port ");
      if (d.origin.port) w.add(std::uint64_t{d.origin.port});
      else w.add("unknown");
      w.add(" is not trunk ");
      w.add(t.str(tr.name));
      w.add("'s ");
      w.add(std::uint64_t{tr.port});
      w.add(" and verify_port is on)");
      break;
    }
    case Verdict::trunk_refuses:
    case Verdict::none_may_carry:
      w.add("Forbidden (");
      for (std::uint32_t i = 0; i < d.left_out_count; ++i) {
        if (i) w.add("; ");
        w.add("trunk ");
        w.add(trunk_name(d.left_out[i].trunk));
        w.add(": ");
        w.add(rule_text(d.left_out[i].why, d.direction));
      }
      w.add(")");
      break;
    case Verdict::not_a_number: {
      std::array<char, kDescribeSize> why;
      w.add(d.check.fault == DialFault::symbol_not_in_plan ? "Not Found (" : "Address Incomplete (");
      w.add(describe(d.check, why));
      w.add(")");
      break;
    }
    case Verdict::not_in_pool: w.add("Not Found (DID in no pool on this trunk)"); break;
    case Verdict::no_inbound_rule: w.add("Not Found (no inbound rule for this DID)"); break;
    case Verdict::no_route: w.add("Not Found (no route)"); break;
    case Verdict::too_long:
      w.add(d.direction == Direction::inbound ? "Server Internal Error (destination too long)"
                                              : "Server Internal Error (number too long)");
      break;
  }
  return w.view();
}

std::string_view contact(const Decision& d, std::uint32_t i, const tables::Tables& t,
                         std::span<char> out) {
  Writer w{out};
  const Contact& c = d.contacts[i];
  const TrunkRecord& tr = t.trunks()[c.trunk];
  auto limit = [&](std::string_view name, std::uint32_t n) {
    if (n == tables::kNone) return;
    w.add(name);
    w.add(std::uint64_t{n});
  };
  if (d.direction == Direction::inbound) {
    w.add("<");
    w.add(c.uri);
    w.add(">;trunk=");
    w.add(t.str(tr.name));
    limit(";max-calls=", tr.limit_inbound);
    limit(";max-total=", tr.limit_total);
    return w.view();
  }
  w.add("<sip:");
  w.add(c.user);
  w.add("@");
  w.add(t.str(tr.host));
  w.add(":");
  w.add(std::uint64_t{tr.port});
  switch (static_cast<site::Transport>(tr.transport)) {
    case site::Transport::tcp: w.add(";transport=tcp"); break;
    case site::Transport::tls: w.add(";transport=tls"); break;
    case site::Transport::wss: w.add(";transport=ws"); break;
    default: break;
  }
  std::string_view params = t.str(tr.request_uri_params);
  if (!params.empty()) {
    w.add(";");
    w.add(params);
  } else if (tr.flags & tables::kTelUriRequestLine) {
    w.add(";user=phone");
  }
  w.add(">;q=");
  if (c.q >= 10) w.add("1.0");
  else {
    w.add("0.");
    w.add(std::uint64_t{c.q});
  }
  w.add(";trunk=");
  w.add(t.str(tr.name));
  if (!c.caller_id.empty()) {
    w.add(";caller-id=\"");
    w.add(c.caller_id);
    w.add("\"");
  }
  std::string_view proxy = t.str(tr.outbound_proxy);
  if (!proxy.empty()) {
    w.add(";next-hop=\"sip:");
    w.add(proxy);
    w.add(":");
    w.add(std::uint64_t{tr.outbound_proxy_port});
    w.add("\"");
  }
  if (tr.flags & tables::kTelUriRequestLine) w.add(";tel-ruri");
  if (tr.flags & tables::kTelUriTo) w.add(";tel-to");
  limit(";max-calls=", tr.limit_outbound);
  limit(";max-total=", tr.limit_total);
  std::string_view codes = t.str(tr.failover_on);
  if (!codes.empty()) {
    w.add(";failover-on=\"");
    w.add(codes);
    w.add("\"");
  }
  return w.view();
}

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::inbound: return "inbound";
    case Direction::outbound: return "outbound";
    case Direction::none: break;
  }
  return "none";
}

std::string_view to_string(TrunkBy b) {
  switch (b) {
    case TrunkBy::address: return "address";
    case TrunkBy::match_from_host: return "match_from_host";
    case TrunkBy::none: break;
  }
  return "none";
}

std::string_view to_string(TenantBy b) {
  switch (b) {
    case TenantBy::did_pool: return "did_pool";
    case TenantBy::owner: return "owner";
    case TenantBy::sip_domain: return "sip_domain";
    case TenantBy::none: break;
  }
  return "none";
}

std::string_view to_string(CallerIdFrom f) {
  switch (f) {
    case CallerIdFrom::route: return "route";
    case CallerIdFrom::trunk: return "trunk";
    case CallerIdFrom::tenant: return "tenant";
    case CallerIdFrom::none: break;
  }
  return "none";
}

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::redirected: return "redirected";
    case Verdict::unknown_origin: return "unknown_origin";
    case Verdict::proxy_unrecorded: return "proxy_unrecorded";
    case Verdict::port_mismatch: return "port_mismatch";
    case Verdict::trunk_refuses: return "trunk_refuses";
    case Verdict::none_may_carry: return "none_may_carry";
    case Verdict::not_a_number: return "not_a_number";
    case Verdict::not_in_pool: return "not_in_pool";
    case Verdict::no_inbound_rule: return "no_inbound_rule";
    case Verdict::no_route: return "no_route";
    case Verdict::too_long: return "too_long";
  }
  return "";
}

}  // namespace trunk::route
