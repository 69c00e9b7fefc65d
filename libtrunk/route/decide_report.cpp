// A Decision in words and in JSON.
#include "route/decide_report.hpp"

namespace trunk::route {

namespace {

std::string trunk_name(const tables::Tables& t, std::uint32_t i) {
  return i == kNone ? std::string() : std::string(t.str(t.trunks()[i].name));
}

std::string tenant_name(const tables::Tables& t, std::uint32_t i) {
  return i == kNone ? std::string() : std::string(t.str(t.tenants()[i].name));
}

std::string origin_text(const Decision& d, const tables::Tables& t) {
  std::array<char, kHostPortSize> where;
  std::string out(host_port_text(d.origin, where));
  if (d.origin_proxy != kNone)
    out += " (recorded by trusted proxy " + std::string(t.str(t.proxies()[d.origin_proxy].name)) + ")";
  else
    out += d.source_proxy != kNone ? " (the source, a trusted proxy)" : " (the source)";
  return out;
}

// "4155550100 (the route's)", "the caller's (the tenant's caller_id is *)".
std::string caller_id_text(const Contact& c) {
  const std::string whose = c.caller_id_from == CallerIdFrom::none
                                ? ""
                                : "the " + std::string(to_string(c.caller_id_from)) + "'s";
  if (!c.caller_id.empty()) return std::string(c.caller_id) + " (" + whose + ")";
  if (c.caller_id_from == CallerIdFrom::none) return "the caller's (none is set)";
  return "the caller's (" + whose + " caller_id is *)";
}

std::string by_text(const Decision& d) {
  switch (d.trunk_by) {
    case TrunkBy::address: return "by its address";
    case TrunkBy::match_from_host: return "by match_from_host, from one of its addresses";
    case TrunkBy::none: break;
  }
  return "";
}

std::string tenant_by_text(const Decision& d, const tables::Tables& t) {
  switch (d.tenant_by) {
    case TenantBy::did_pool: return "the DID is in its pool on " + trunk_name(t, d.trunk);
    case TenantBy::owner: return "it owns trunk " + trunk_name(t, d.trunk) + " and calls out";
    case TenantBy::sip_domain: return "its sip_domain in From, through a trusted proxy";
    case TenantBy::none: break;
  }
  return "";
}

}  // namespace

std::string describe_decision(const Decision& d, const tables::Tables& t, bool with_origin) {
  std::string out;
  auto line = [&](std::string_view key, const std::string& value) {
    out += "  ";
    out += key;
    out.append(key.size() < 11 ? 11 - key.size() : 1, ' ');
    out += value + "\n";
  };
  if (with_origin) {
    if (d.origin_known) line("origin", origin_text(d, t));
    if (d.trunk != kNone) line("trunk", trunk_name(t, d.trunk) + " (" + by_text(d) + ")");
    if (d.tenant != kNone) line("tenant", tenant_name(t, d.tenant) + " (" + tenant_by_text(d, t) + ")");
    if (d.direction != Direction::none) line("direction", std::string(to_string(d.direction)));
  }
  std::array<char, kReasonSize> why;
  line("answer", std::to_string(d.code) + " " + std::string(reason(d, t, why)));
  for (std::uint32_t i = 0; i < d.contact_count; ++i) {
    const Contact& c = d.contacts[i];
    std::array<char, kContactSize> value;
    line("contact " + std::to_string(i + 1), std::string(contact(d, i, t, value)));
    if (d.direction != Direction::outbound) continue;
    std::string notes;
    if (c.failover_of != kNone) notes = "failover of " + trunk_name(t, c.failover_of) + "; ";
    line("", notes + "caller ID " + caller_id_text(c));
  }
  for (const Excluded& e : d.left_out_list())
    line("left out", trunk_name(t, e.trunk) + ": " + std::string(rule_text(e.why, d.direction)));
  return out;
}

void write_decision(const Decision& d, const tables::Tables& t, bool with_origin,
                    diag::JsonWriter& w) {
  std::array<char, kReasonSize> why;
  if (with_origin) {
    std::array<char, kHostPortSize> where;
    if (d.origin_known) w.field("origin", host_port_text(d.origin, where));
    if (d.origin_proxy != kNone) w.field("origin_proxy", t.str(t.proxies()[d.origin_proxy].name));
    w.field("trunk_by", to_string(d.trunk_by)).field("tenant_by", to_string(d.tenant_by));
  }
  w.field("trunk", trunk_name(t, d.trunk)).field("tenant", tenant_name(t, d.tenant));
  w.field("direction", to_string(d.direction));
  w.field("code", static_cast<std::int64_t>(d.code)).field("reason", reason(d, t, why));
  w.field("verdict", to_string(d.verdict));
  w.key("contacts").begin_array();
  for (std::uint32_t i = 0; i < d.contact_count; ++i) {
    const Contact& c = d.contacts[i];
    const tables::TrunkRecord& tr = t.trunks()[c.trunk];
    std::array<char, kContactSize> value;
    w.begin_object().field("trunk", trunk_name(t, c.trunk)).field("contact", contact(d, i, t, value));
    if (d.direction == Direction::outbound) {
      w.field("number", c.user).field("q", c.q / 10.0);
      w.field("caller_id", c.caller_id).field("caller_id_from", to_string(c.caller_id_from));
      w.field("failover_of", trunk_name(t, c.failover_of));
      if (tr.outbound_proxy.length)
        w.field("next_hop", std::string(t.str(tr.outbound_proxy)) + ":" +
                                std::to_string(tr.outbound_proxy_port));
      w.field("tel_ruri", (tr.flags & tables::kTelUriRequestLine) != 0);
      w.field("tel_to", (tr.flags & tables::kTelUriTo) != 0);
    } else {
      w.field("uri", c.uri);
    }
    const std::uint32_t max_calls =
        d.direction == Direction::outbound ? tr.limit_outbound : tr.limit_inbound;
    if (max_calls != kNone) w.field("max_calls", static_cast<std::uint64_t>(max_calls));
    if (tr.limit_total != kNone) w.field("max_total", static_cast<std::uint64_t>(tr.limit_total));
    w.end_object();
  }
  w.end_array().key("left_out").begin_array();
  for (const Excluded& e : d.left_out_list())
    w.begin_object().field("trunk", trunk_name(t, e.trunk)).field("rule", rule_text(e.why, d.direction)).end_object();
  w.end_array();
}

}  // namespace trunk::route
