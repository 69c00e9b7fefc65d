// The compiler's first steps: tenants, trunks and proxies into the plan.
//
// Copies what the router and trunkd need of each tenant, trunk and trusted
// proxy into tables::Plan: names, hosts, flags, failover, call limits and
// the IP addresses and blocks that identify a trunk or proxy. The site is
// already checked (check/rules.hpp), so nothing here reports: a name
// that points nowhere becomes tables::kNone and a host that is not an
// address gives no address entry. Routes and DIDs are later steps.
#include <algorithm>

#include "route/compile_steps.hpp"
#include "site/ip_block.hpp"
#include "tables/format.hpp"

namespace trunk::route::compile_steps {

std::uint32_t Names::tenant(const std::string& name) const {
  auto it = tenant_index.find(name);
  return it == tenant_index.end() ? tables::kNone : it->second;
}

std::uint32_t Names::trunk(const std::string& name) const {
  auto it = trunk_index.find(name);
  return it == trunk_index.end() ? tables::kNone : it->second;
}

namespace {

// An address or block as the site parser reads it (site/ip_block.hpp); a
// trunk host may be a bracketed IPv6 address.
bool ip_literal(std::string_view text, tables::Plan::Address& a) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  auto block = site::parse_ip_block(text);
  if (!block) return false;
  a.address = block->address;
  a.prefix = block->prefix;
  return true;
}

std::uint32_t trunk_flags(const site::Trunk& t) {
  using namespace tables;
  return (t.verify_port.value ? kVerifyPort : 0) | (t.single_via.value ? kSingleVia : 0) |
         (t.tel_uri_request_line.value ? kTelUriRequestLine : 0) |
         (t.tel_uri_to.value ? kTelUriTo : 0) | (t.strip_plus.value ? kStripPlus : 0) |
         (t.stir_shaken.value ? kStirShaken : 0) |
         (t.direction.value != site::Direction::inbound ? kOutboundAllowed : 0) |
         (t.direction.value != site::Direction::outbound ? kInboundAllowed : 0);
}

// A call limit as the tables hold it: kNone for no limit, values past the
// largest that fits are clamped to it.
std::uint32_t limit_of(const site::Field<std::int64_t>& f) {
  if (!f.present || f.value < 0) return tables::kNone;
  return static_cast<std::uint32_t>(std::min<std::int64_t>(f.value, tables::kNone - 1));
}

// The failover codes, sorted and without repeats, as "408,503".
std::string failover_codes(const site::Trunk& t) {
  std::vector<std::int64_t> codes;
  for (const auto& c : t.failover_on.value) codes.push_back(c.value);
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  std::string out;
  for (std::int64_t c : codes) {
    if (!out.empty()) out += ',';
    out += std::to_string(c);
  }
  return out;
}

// The trunk's host, if it is an address, then its associated IPs.
void plan_trunk_addresses(const site::Trunk& t, tables::Plan& plan, tables::Plan::Trunk& p) {
  const std::uint32_t self = static_cast<std::uint32_t>(plan.trunks.size());
  p.address_first = static_cast<std::uint32_t>(plan.addresses.size());
  tables::Plan::Address a;
  if (ip_literal(t.host.value, a)) {
    a.trunk = self;
    plan.addresses.push_back(a);
  }
  for (const auto& ip : t.associated_ips.value) {
    if (!ip_literal(ip.value, a)) continue;
    a.trunk = self;
    plan.addresses.push_back(a);
  }
  p.address_count = static_cast<std::uint32_t>(plan.addresses.size()) - p.address_first;
}

void plan_trunk(const site::Trunk& t, const Names& names, tables::Plan& plan) {
  tables::Plan::Trunk p;
  p.name = t.name.value;
  p.host = t.host.value;
  p.provider = t.provider.value;
  p.request_uri_params = t.request_uri_params.value;
  p.caller_id = t.caller_id.value;
  p.match_from_host = t.match_from_host.value;
  p.outbound_proxy = t.outbound_proxy.value;
  p.port = static_cast<std::uint16_t>(t.port.value);
  p.outbound_proxy_port = static_cast<std::uint16_t>(t.outbound_proxy_port.value);
  p.transport = static_cast<std::uint8_t>(t.transport.value);
  p.type = static_cast<std::uint8_t>(t.type.value);
  p.flags = trunk_flags(t);
  p.owner = t.owned_by_system() ? tables::kNone : names.tenant(t.owner.value);
  p.failover = t.failover.present ? names.trunk(t.failover.value) : tables::kNone;
  p.failover_on = failover_codes(t);
  p.limit_inbound = limit_of(t.limits.inbound);
  p.limit_outbound = limit_of(t.limits.outbound);
  p.limit_total = limit_of(t.limits.total);
  plan_trunk_addresses(t, plan, p);
  plan.trunks.push_back(std::move(p));
}

}  // namespace

Names plan_tenants_and_trunks(const site::Site& site, tables::Plan& plan) {
  Names names;
  for (const auto& t : site.tenants) {
    names.tenant_index.emplace(t.name.value, static_cast<std::uint32_t>(plan.tenants.size()));
    plan.tenants.push_back({t.name.value, t.sip_domain.value,
                            t.caller_id.present ? t.caller_id.value : "", 0});
  }
  for (const auto& t : site.trunks)
    names.trunk_index.emplace(t.name.value, static_cast<std::uint32_t>(names.trunk_index.size()));
  for (const auto& t : site.trunks) plan_trunk(t, names, plan);
  return names;
}

// The trusted proxies, each with its blocks. A site that lists none
// trusts loopback only: one proxy "loopback" with 127.0.0.1 and ::1, so
// that a proxy beside trunkd on the same host works with no setting and
// nothing else can speak for another address.
void plan_proxies(const site::Site& site, tables::Plan& plan) {
  auto add = [&](const std::string& name, const std::vector<std::string>& blocks) {
    tables::Plan::Proxy p;
    p.name = name;
    p.address_first = static_cast<std::uint32_t>(plan.proxy_addresses.size());
    const std::uint32_t self = static_cast<std::uint32_t>(plan.proxies.size());
    for (const auto& b : blocks) {
      tables::Plan::Address a;
      if (!ip_literal(b, a)) continue;
      a.trunk = self;
      plan.proxy_addresses.push_back(a);
    }
    p.address_count = static_cast<std::uint32_t>(plan.proxy_addresses.size()) - p.address_first;
    plan.proxies.push_back(std::move(p));
  };
  if (site.proxies.empty()) {
    add(std::string(tables::kLoopbackProxy),
        {std::begin(tables::kLoopbackProxyAddresses), std::end(tables::kLoopbackProxyAddresses)});
    return;
  }
  for (const auto& proxy : site.proxies) {
    std::vector<std::string> blocks;
    for (const auto& b : proxy.addresses.value) blocks.push_back(b.value);
    add(proxy.name.value, blocks);
  }
}

}  // namespace trunk::route::compile_steps
