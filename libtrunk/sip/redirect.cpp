// Redirect decisions and response text.
#include "sip/redirect.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstring>

#include "site/model.hpp"
#include "tables/checksum.hpp"

namespace trunk::sip {

using route::kNone;

std::optional<Source> make_source(std::string_view address, std::uint16_t port) {
  std::string text(address);
  Source s;
  s.port = port;
  in_addr v4;
  in6_addr v6;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    s.address[10] = s.address[11] = 0xff;
    std::memcpy(s.address.data() + 12, &v4, 4);
    return s;
  }
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    std::memcpy(s.address.data(), &v6, 16);
    return s;
  }
  return std::nullopt;
}

void ResponseText::append(std::string_view s) {
  if (s.size() > kCapacity - size_) {
    overflow_ = true;
    return;
  }
  if (!s.empty()) std::memcpy(buf_.get() + size_, s.data(), s.size());
  size_ += s.size();
}

void ResponseText::append_number(std::uint64_t n) {
  char digits[20];
  auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  append({digits, static_cast<std::size_t>(end - digits)});
}

namespace {

// Why no trunk took a request that came from a trunk's address: its source
// port is not the trunk's and verify_port is on.
struct PortMismatch {
  std::uint32_t trunk = kNone;
  std::uint16_t port = 0;
};

// The trunk a request comes from, or kNone (with `mismatch` set when a
// trunk's address matched but not its port): the trunk whose
// match_from_host is the From host; else the trunk with the longest address
// block holding the source (its port must match when verify_port is on);
// else the trunk whose host is the From host. Each step is an index
// lookup: the cost does not grow with the trunks.
std::uint32_t identify_trunk(const tables::Tables& t, const Message& m, const Source& from,
                             PortMismatch& mismatch) {
  std::string_view from_host = m.from_host_view();
  std::uint32_t trunk = t.find_trunk_by_from_host(from_host);
  if (trunk != kNone) return trunk;
  std::uint8_t address[16];
  std::memcpy(address, from.address.data(), 16);
  trunk = t.find_trunk_by_address(address);
  if (trunk != kNone) {
    const tables::TrunkRecord& tr = t.trunks()[trunk];
    if (!(tr.flags & tables::kVerifyPort) || tr.port == from.port) return trunk;
    mismatch = {trunk, from.port};
  }
  return t.find_trunk_by_host(from_host);
}

// A stable To tag for a stateless response: the same request, the same
// tag. 16 hex digits.
std::array<char, 16> to_tag(const Message& m) {
  std::string_view id = m.call_id_view();
  std::uint64_t h = tables::name_hash_impl(id.data(), id.size());
  std::array<char, 16> out;
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = "0123456789abcdef"[h & 15];
  return out;
}

// Writes the response: the status line with the reason `reason` writes,
// the request's Via, From, To (tagged), Call-ID and CSeq, the headers
// `extra` writes, then Server and Content-Length.
template <class Reason, class Extra>
Reply respond(const Message& m, int code, Reason&& reason, Extra&& extra, ResponseText& out) {
  Reply r;
  out.clear();
  out.append("SIP/2.0 ");
  out.append_number(static_cast<std::uint64_t>(code));
  out.append(" ");
  const std::size_t reason_at = out.size();
  reason(out);
  const std::size_t reason_end = out.size();
  out.append("\r\n");
  const std::array<char, 16> tag = to_tag(m);
  std::string_view tag_text = code > 100 ? std::string_view(tag.data(), tag.size()) : "";
  if (!out.overflow()) {
    std::size_t n = m.write_response_headers(tag_text, out.room());
    if (n == Message::kTooLong) out.set_overflow();
    else out.commit(n);
  }
  extra(out);
  out.append("Server: trunkd\r\nContent-Length: 0\r\n\r\n");
  if (out.overflow()) return {};
  r.code = code;
  r.reason = out.view(reason_at, reason_end);
  r.bytes = out.view();
  return r;
}

auto text(std::string_view s) {
  return [s](ResponseText& out) { out.append(s); };
}
void nothing(ResponseText&) {}

const char* transport_param(std::uint8_t transport) {
  switch (static_cast<site::Transport>(transport)) {
    case site::Transport::tcp: return ";transport=tcp";
    case site::Transport::tls: return ";transport=tls";
    case site::Transport::wss: return ";transport=ws";
    default: return "";
  }
}

// The answer to a Request-URI user that is no dial string for the plan:
// 484 Address Incomplete for one that is no number at all (Q.850 cause
// 28, invalid number format, maps to 484: RFC 3398), 404 for '*' or '#'
// that no route of the tenant names. The reason phrase says why, in the
// words trunkctl route prints.
template <class Extra>
Reply refuse_number(const Message& m, const route::DialCheck& check, Extra&& extra,
                    ResponseText& out) {
  const bool absent = check.fault == route::DialFault::symbol_not_in_plan;
  return respond(m, absent ? 404 : 484, [&](ResponseText& o) {
    std::array<char, route::kDescribeSize> why;
    o.append(absent ? "Not Found (" : "Address Incomplete (");
    o.append(route::describe(check, why));
    o.append(")");
  }, extra, out);
}

Reply inbound(const route::Router& router, const Message& m, std::uint32_t trunk,
              ResponseText& out) {
  const tables::Tables& t = router.tables();
  std::string_view trunk_name = t.str(t.trunks()[trunk].name);
  std::string_view did = m.request_user_view();
  auto in = router.inbound(trunk, did);
  auto x_trunk = [&](ResponseText& o) {
    o.append("X-Trunk: ");
    o.append(trunk_name);
    o.append("\r\n");
  };
  Reply r;
  switch (in.status) {
    case route::Router::InboundStatus::not_a_number:
      r = refuse_number(m, in.check, x_trunk, out);
      break;
    case route::Router::InboundStatus::not_in_pool:
      r = respond(m, 404, text("Not Found (DID in no pool on this trunk)"), x_trunk, out);
      break;
    case route::Router::InboundStatus::no_rule:
      r = respond(m, 404, text("Not Found (no inbound rule for this DID)"), x_trunk, out);
      break;
    case route::Router::InboundStatus::matched: {
      std::array<char, 512> buf;
      std::uint32_t n = router.destination(in.rule, did, buf);
      if (n == kNone) {
        r = respond(m, 500, text("Server Internal Error (destination too long)"), x_trunk, out);
        break;
      }
      std::string_view tenant = t.str(t.tenants()[in.tenant].name);
      r = respond(m, 302, text("Moved Temporarily"), [&](ResponseText& o) {
        o.append("Contact: <");
        o.append({buf.data(), n});
        o.append(">\r\n");
        x_trunk(o);
        o.append("X-Tenant: ");
        o.append(tenant);
        o.append("\r\n");
      }, out);
      r.tenant = tenant;
      break;
    }
  }
  r.trunk = trunk_name;
  return r;
}

Reply outbound(const route::Router& router, const Message& m, std::uint32_t tenant,
               ResponseText& out) {
  const tables::Tables& t = router.tables();
  std::string_view number = m.request_user_view();
  route::DialCheck check;
  std::uint32_t route = router.outbound(tenant, number, &check);
  std::string_view tenant_name = t.str(t.tenants()[tenant].name);
  auto x_tenant = [&](ResponseText& o) {
    o.append("X-Tenant: ");
    o.append(tenant_name);
    o.append("\r\n");
  };
  if (!check.ok()) {
    Reply r = refuse_number(m, check, x_tenant, out);
    r.tenant = tenant_name;
    return r;
  }
  if (route == kNone) {
    Reply r = respond(m, 404, text("Not Found (no route)"), x_tenant, out);
    r.tenant = tenant_name;
    return r;
  }
  const tables::RouteRecord& rec = t.routes()[route];
  std::array<char, 256> buf;
  std::uint32_t n = router.send_number(route, number, buf);
  if (n == kNone) return respond(m, 500, text("Server Internal Error (number too long)"), nothing, out);
  const std::string_view send(buf.data(), n);
  std::string_view first_trunk;
  for (std::uint32_t i = 0; i < rec.trunk_count; ++i) {
    const tables::TrunkRecord& tr = t.trunks()[t.route_trunks()[rec.trunk_first + i]];
    if (tr.flags & tables::kOutboundAllowed) {
      first_trunk = t.str(tr.name);
      break;
    }
  }
  std::string_view route_name = t.str(rec.name);
  Reply r = respond(m, 302, text("Moved Temporarily"), [&](ResponseText& o) {
    // One Contact per trunk that may carry outbound calls, in failover
    // order, q from 1.0 down by 0.1 (not below 0.1).
    for (std::uint32_t i = 0; i < rec.trunk_count; ++i) {
      const tables::TrunkRecord& tr = t.trunks()[t.route_trunks()[rec.trunk_first + i]];
      if (!(tr.flags & tables::kOutboundAllowed)) continue;
      std::string_view user = send;
      if ((tr.flags & tables::kStripPlus) && !user.empty() && user.front() == '+')
        user.remove_prefix(1);
      o.append("Contact: <sip:");
      o.append(user);
      o.append("@");
      o.append(t.str(tr.host));
      o.append(":");
      o.append_number(tr.port);
      o.append(transport_param(tr.transport));
      std::string_view params = t.str(tr.request_uri_params);
      if (!params.empty()) {
        o.append(";");
        o.append(params);
      } else if (tr.flags & tables::kTelUriRequestLine) {
        o.append(";user=phone");
      }
      const std::uint32_t tenths = i < 9 ? 10 - i : 1;
      o.append(">;q=");
      o.append(tenths == 10 ? "1.0" : "0.");
      if (tenths < 10) o.append_number(tenths);
      o.append("\r\n");
    }
    o.append("X-Route: ");
    o.append(route_name);
    o.append("\r\nX-Trunk: ");
    o.append(first_trunk);
    o.append("\r\n");
    x_tenant(o);
  }, out);
  r.route = route_name;
  r.trunk = first_trunk;
  r.tenant = tenant_name;
  return r;
}

}  // namespace

Reply redirect(const route::Router& router, const Message& m, const Source& from,
               ResponseText& out) {
  out.clear();
  if (!m.is_request()) return {};  // responses are not ours to answer
  std::string_view method = m.method_view();
  if (method == "ACK") return {};
  if (!m.can_be_answered()) return {};
  auto malformed = m.malformed_headers();
  if (!malformed.empty()) {
    return respond(m, 400, [&](ResponseText& o) {
      o.append("Bad Request (malformed ");
      o.append(malformed.front());
      o.append(" header)");
    }, nothing, out);
  }
  // Over UDP the rest of the body never comes (RFC 3261 18.3); over TCP a
  // message is framed by its Content-Length, so it is never short.
  if (m.body_shortfall() > 0)
    return respond(m, 400, text("Bad Request (body shorter than Content-Length)"), nothing, out);
  if (method == "OPTIONS")
    return respond(m, 200, text("OK"), text("Allow: INVITE, ACK, OPTIONS\r\nAccept: application/sdp\r\n"), out);
  if (method == "CANCEL") return respond(m, 481, text("Call/Transaction Does Not Exist"), nothing, out);
  if (method != "INVITE")
    return respond(m, 405, text("Method Not Allowed"), text("Allow: INVITE, ACK, OPTIONS\r\n"), out);

  const tables::Tables& t = router.tables();
  PortMismatch mismatch;
  std::uint32_t trunk = identify_trunk(t, m, from, mismatch);
  // A tenant's own users come from its domain; trunks are checked first so
  // a provider that puts a tenant's domain in From is still a trunk.
  if (trunk != kNone) return inbound(router, m, trunk, out);
  std::uint32_t tenant = t.find_tenant_by_domain(m.from_host_view());
  if (tenant != kNone) return outbound(router, m, tenant, out);
  if (mismatch.trunk == kNone) return respond(m, 403, text("Forbidden (unknown source)"), nothing, out);
  const tables::TrunkRecord& tr = t.trunks()[mismatch.trunk];
  return respond(m, 403, [&](ResponseText& o) {
    o.append("Forbidden (source port ");
    o.append_number(mismatch.port);
    o.append(" is not trunk ");
    o.append(t.str(tr.name));
    o.append("'s ");
    o.append_number(tr.port);
    o.append(" and verify_port is on)");
  }, nothing, out);
}

}  // namespace trunk::sip
