// A decision in words: the reason phrase of a refusal, each Contact of a
// 302, an origin as ADDRESS:PORT, and the names of the enums, exactly as
// trunkd sends them and the reports print them (decide.hpp). Written into
// the caller's buffers: nothing is allocated, so trunkd's answer path stays
// free of the allocator. The decision itself is decide.cpp's.
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

}  // namespace

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
  w.add(transport_param(tr.transport));
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

std::string_view transport_param(std::uint8_t transport) {
  switch (static_cast<site::Transport>(transport)) {
    case site::Transport::tcp: return ";transport=tcp";
    case site::Transport::tls: return ";transport=tls";
    case site::Transport::wss: return ";transport=ws";
    default: return "";
  }
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
