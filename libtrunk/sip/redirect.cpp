// Redirect decisions and response text.
#include "sip/redirect.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
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

namespace {

// The trunk a request comes from, or kNone with `why` saying what failed:
// the trunk whose match_from_host is the From host; else the trunk with the
// longest address block holding the source (its port must match when
// verify_port is on); else the trunk whose host is the From host. Each
// step is an index lookup: the cost does not grow with the trunks.
std::uint32_t identify_trunk(const tables::Tables& t, const Message& m, const Source& from,
                             std::string& why) {
  std::string from_host = m.from_uri().host;
  std::uint32_t trunk = t.find_trunk_by_from_host(from_host);
  if (trunk != kNone) return trunk;
  std::uint8_t address[16];
  std::memcpy(address, from.address.data(), 16);
  trunk = t.find_trunk_by_address(address);
  if (trunk != kNone) {
    const tables::TrunkRecord& tr = t.trunks()[trunk];
    if (!(tr.flags & tables::kVerifyPort) || tr.port == from.port) return trunk;
    why = "source port " + std::to_string(from.port) + " is not trunk " +
          std::string(t.str(tr.name)) + "'s " + std::to_string(tr.port) +
          " and verify_port is on";
  }
  return t.find_trunk_by_host(from_host);
}

// A stable To tag for a stateless response: the same request, the same tag.
std::string to_tag(const Message& m) {
  std::string id = m.call_id();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(tables::name_hash_impl(id.data(), id.size())));
  return buf;
}

Reply respond(const Message& m, int code, std::string reason, std::string_view extra) {
  Reply r;
  r.code = code;
  r.reason = std::move(reason);
  r.bytes = "SIP/2.0 " + std::to_string(code) + " " + r.reason + "\r\n";
  r.bytes += m.response_headers(code > 100 ? to_tag(m) : "");
  r.bytes += extra;
  r.bytes += "Server: trunkd\r\nContent-Length: 0\r\n\r\n";
  return r;
}

const char* transport_param(std::uint8_t transport) {
  switch (static_cast<site::Transport>(transport)) {
    case site::Transport::tcp: return ";transport=tcp";
    case site::Transport::tls: return ";transport=tls";
    case site::Transport::wss: return ";transport=ws";
    default: return "";
  }
}

Reply inbound(const route::Router& router, const Message& m, std::uint32_t trunk) {
  const tables::Tables& t = router.tables();
  std::string trunk_name(t.str(t.trunks()[trunk].name));
  std::string did = m.request_uri().user;
  auto in = router.inbound(trunk, did);
  Reply r;
  std::string extra = "X-Trunk: " + trunk_name + "\r\n";
  switch (in.status) {
    case route::Router::InboundStatus::not_a_number:
      r = respond(m, 404, "Not Found (no DID in the Request-URI)", extra);
      break;
    case route::Router::InboundStatus::not_in_pool:
      r = respond(m, 404, "Not Found (DID in no pool on this trunk)", extra);
      break;
    case route::Router::InboundStatus::no_rule:
      r = respond(m, 404, "Not Found (no inbound rule for this DID)", extra);
      break;
    case route::Router::InboundStatus::matched: {
      std::array<char, 512> buf;
      std::uint32_t n = router.destination(in.rule, did, buf);
      if (n == kNone) {
        r = respond(m, 500, "Server Internal Error (destination too long)", extra);
        break;
      }
      std::string tenant(t.str(t.tenants()[in.tenant].name));
      r = respond(m, 302, "Moved Temporarily",
                  "Contact: <" + std::string(buf.data(), n) + ">\r\n" + extra +
                      "X-Tenant: " + tenant + "\r\n");
      r.tenant = tenant;
      break;
    }
  }
  r.trunk = trunk_name;
  return r;
}

Reply outbound(const route::Router& router, const Message& m, std::uint32_t tenant) {
  const tables::Tables& t = router.tables();
  std::string number = m.request_uri().user;
  std::uint32_t route = router.outbound(tenant, number);
  std::string tenant_name(t.str(t.tenants()[tenant].name));
  if (route == kNone) {
    Reply r = respond(m, 404, "Not Found (no route)", "X-Tenant: " + tenant_name + "\r\n");
    r.tenant = tenant_name;
    return r;
  }
  const tables::RouteRecord& rec = t.routes()[route];
  std::array<char, 256> buf;
  std::uint32_t n = router.send_number(route, number, buf);
  if (n == kNone) return respond(m, 500, "Server Internal Error (number too long)", "");
  std::string send(buf.data(), n);
  std::string contacts, first_trunk;
  for (std::uint32_t i = 0; i < rec.trunk_count; ++i) {
    const tables::TrunkRecord& tr = t.trunks()[t.route_trunks()[rec.trunk_first + i]];
    if (!(tr.flags & tables::kOutboundAllowed)) continue;
    std::string user = send;
    if ((tr.flags & tables::kStripPlus) && !user.empty() && user.front() == '+') user.erase(0, 1);
    std::string uri = "sip:" + user + "@" + std::string(t.str(tr.host)) + ":" +
                      std::to_string(tr.port) + transport_param(tr.transport);
    std::string_view params = t.str(tr.request_uri_params);
    if (!params.empty()) uri.append(";").append(params);
    else if (tr.flags & tables::kTelUriRequestLine) uri += ";user=phone";
    char q[8];
    std::snprintf(q, sizeof q, "%.1f", std::max(0.1, 1.0 - 0.1 * i));
    contacts += "Contact: <" + uri + ">;q=" + q + "\r\n";
    if (first_trunk.empty()) first_trunk = std::string(t.str(tr.name));
  }
  std::string route_name(t.str(rec.name));
  Reply r = respond(m, 302, "Moved Temporarily",
                    contacts + "X-Route: " + route_name + "\r\nX-Trunk: " + first_trunk +
                        "\r\nX-Tenant: " + tenant_name + "\r\n");
  r.route = route_name;
  r.trunk = first_trunk;
  r.tenant = tenant_name;
  return r;
}

}  // namespace

Reply redirect(const route::Router& router, const Message& m, const Source& from) {
  if (!m.is_request()) return {};  // responses are not ours to answer
  std::string method = m.method();
  if (method == "ACK") return {};
  if (!m.can_be_answered()) return {};
  auto malformed = m.malformed_headers();
  if (!malformed.empty())
    return respond(m, 400, "Bad Request (malformed " + malformed.front() + " header)", "");
  // Over UDP the rest of the body never comes (RFC 3261 18.3); over TCP a
  // message is framed by its Content-Length, so it is never short.
  if (m.body_shortfall() > 0)
    return respond(m, 400, "Bad Request (body shorter than Content-Length)", "");
  if (method == "OPTIONS")
    return respond(m, 200, "OK", "Allow: INVITE, ACK, OPTIONS\r\nAccept: application/sdp\r\n");
  if (method == "CANCEL") return respond(m, 481, "Call/Transaction Does Not Exist", "");
  if (method != "INVITE")
    return respond(m, 405, "Method Not Allowed", "Allow: INVITE, ACK, OPTIONS\r\n");

  const tables::Tables& t = router.tables();
  std::string why;
  std::uint32_t trunk = identify_trunk(t, m, from, why);
  // A tenant's own users come from its domain; trunks are checked first so
  // a provider that puts a tenant's domain in From is still a trunk.
  if (trunk != kNone) return inbound(router, m, trunk);
  std::uint32_t tenant = t.find_tenant_by_domain(m.from_uri().host);
  if (tenant != kNone) return outbound(router, m, tenant);
  return respond(m, 403, why.empty() ? "Forbidden (unknown source)" : "Forbidden (" + why + ")",
                 "");
}

}  // namespace trunk::sip
