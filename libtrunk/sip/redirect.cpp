// Redirect decisions and response text.
#include "sip/redirect.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cstring>

#include "net/ip_address.hpp"
#include "route/decide.hpp"
#include "sip/response_echo.hpp"
#include "tables/checksum.hpp"

namespace trunk::sip {

using route::kNone;

std::optional<Source> make_source(std::string_view address, std::uint16_t port) {
  auto ip = net::parse_ip(address);  // allocates nothing: this runs per request
  if (!ip) return std::nullopt;
  Source s;
  s.port = port;
  s.address = ip->bytes;
  return s;
}

namespace {

// The facts of a request whose Vias, From host and dialled number are
// these: one rule for a parsed Message and a scanned MessageView.
route::Request facts_of(std::span<const ViaView> vias, std::string_view from_host,
                        std::string_view number, const Source& from,
                        std::span<route::ViaHop> hops) {
  const std::size_t n = std::min(vias.size(), hops.size());
  for (std::size_t i = 0; i < n; ++i) {
    const ViaView& v = vias[i];
    std::uint16_t port = 0;
    std::from_chars(v.rport.data(), v.rport.data() + v.rport.size(), port);
    auto at = make_source(v.received.empty() ? v.host : v.received, port);
    hops[i] = at ? route::ViaHop{*at, true} : route::ViaHop{};
  }
  route::Request r;
  r.source = from;
  r.vias = hops.first(n);
  r.from_host = from_host;
  r.number = number;
  return r;
}

}  // namespace

route::Request request_facts(const Message& m, const Source& from,
                             std::span<route::ViaHop> hops) {
  std::array<Message::ViaView, kMaxViaHops> vias;
  const std::size_t n = std::min(m.vias(vias), vias.size());
  return facts_of(std::span<const ViaView>(vias.data(), n), m.from_host_view(),
                  m.request_user_view(), from, hops);
}

route::Request request_facts(const MessageView& m, const Source& from,
                             std::span<route::ViaHop> hops) {
  return facts_of(m.vias(), m.from_host(), m.request_user(), from, hops);
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

// A request as redirect() reads it, from sofia-sip's full parse or from
// the scanner: the same few reads, so that the decision and every byte of
// the response are produced by one code for both.
struct Parsed {
  const Message& m;
  std::string_view method() const { return m.method_view(); }
  std::string_view call_id() const { return m.call_id_view(); }
  route::Request facts(const Source& from, std::span<route::ViaHop> hops) const {
    return request_facts(m, from, hops);
  }
  std::size_t write_response_headers(std::string_view tag, std::span<char> out) const {
    return m.write_response_headers(tag, out);
  }
};
struct Scanned {
  const MessageView& m;
  std::string_view method() const { return m.method(); }
  std::string_view call_id() const { return m.call_id(); }
  route::Request facts(const Source& from, std::span<route::ViaHop> hops) const {
    return request_facts(m, from, hops);
  }
  std::size_t write_response_headers(std::string_view tag, std::span<char> out) const {
    return sip::write_response_headers(m, tag, out);
  }
};

// A stable To tag for a stateless response: the same request, the same
// tag. 16 hex digits.
template <class Request>
std::array<char, 16> to_tag(const Request& m) {
  std::string_view id = m.call_id();
  std::uint64_t h = tables::name_hash_impl(id.data(), id.size());
  std::array<char, 16> out;
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = "0123456789abcdef"[h & 15];
  return out;
}

// Writes the response: the status line with the reason `reason` writes,
// the request's Via, From, To (tagged), Call-ID and CSeq, the headers
// `extra` writes, then Server and Content-Length.
template <class Request, class Reason, class Extra>
Reply respond(const Request& m, int code, Reason&& reason, Extra&& extra, ResponseText& out) {
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

// The 302 or refusal for an INVITE: decide() says what, this writes it.
template <class Request>
Reply answer_invite(const route::Router& router, const Request& m, const Source& from,
                    ResponseText& out) {
  const tables::Tables& t = router.tables();
  std::array<route::ViaHop, kMaxViaHops> hops;
  // The Decision is large and per worker thread: a thread_local keeps it
  // off the stack and out of the allocator.
  thread_local route::Decision d;
  route::decide(router, m.facts(from, hops), d);
  std::string_view trunk, tenant, route_name;
  if (d.direction == route::Direction::inbound && d.trunk != kNone) trunk = t.str(t.trunks()[d.trunk].name);
  if (d.direction == route::Direction::outbound && d.contact_count)
    trunk = t.str(t.trunks()[d.contacts[0].trunk].name);
  if (d.tenant != kNone) tenant = t.str(t.tenants()[d.tenant].name);
  if (d.route != kNone) route_name = t.str(t.routes()[d.route].name);
  Reply r = respond(m, d.code, [&](ResponseText& o) {
    std::array<char, route::kReasonSize> why;
    o.append(route::reason(d, t, why));
  }, [&](ResponseText& o) {
    std::array<char, route::kContactSize> value;
    for (std::uint32_t i = 0; i < d.contact_count; ++i) {
      o.append("Contact: ");
      std::string_view c = route::contact(d, i, t, value);
      if (c.size() == value.size()) o.set_overflow();  // cut: never send half a Contact
      o.append(c);
      o.append("\r\n");
    }
    if (!route_name.empty()) {
      o.append("X-Route: ");
      o.append(route_name);
      o.append("\r\n");
    }
    if (!trunk.empty()) {
      o.append("X-Trunk: ");
      o.append(trunk);
      o.append("\r\n");
    }
    // Which way the call goes: the proxy counts a Contact's trunk=NAME
    // against that direction's limit (max-calls).
    if (d.contact_count) {
      o.append("X-Direction: ");
      o.append(route::to_string(d.direction));
      o.append("\r\n");
    }
    if (!tenant.empty()) {
      o.append("X-Tenant: ");
      o.append(tenant);
      o.append("\r\n");
    }
    // Only an origin a proxy recorded: with none recorded, d.origin is
    // still the proxy's own address, which is no caller's.
    if (d.origin_proxy != kNone && d.origin_known) {
      std::array<char, route::kHostPortSize> where;
      o.append("X-Origin: ");
      o.append(route::host_port_text(d.origin, where));
      o.append(";proxy=");
      o.append(t.str(t.proxies()[d.origin_proxy].name));
      o.append("\r\n");
    }
  }, out);
  r.trunk = trunk;
  r.route = route_name;
  r.tenant = tenant;
  return r;
}

// The answer to a well-formed request, by its method.
template <class Request>
Reply answer(const route::Router& router, const Request& m, const Source& from,
             ResponseText& out) {
  std::string_view method = m.method();
  if (method == "ACK") return {};
  if (method == "OPTIONS")
    return respond(m, 200, text("OK"), text("Allow: INVITE, ACK, OPTIONS\r\nAccept: application/sdp\r\n"), out);
  if (method == "CANCEL") return respond(m, 481, text("Call/Transaction Does Not Exist"), nothing, out);
  if (method != "INVITE")
    return respond(m, 405, text("Method Not Allowed"), text("Allow: INVITE, ACK, OPTIONS\r\n"), out);
  return answer_invite(router, m, from, out);
}

}  // namespace

Reply redirect(const route::Router& router, const Message& m, const Source& from,
               ResponseText& out) {
  out.clear();
  if (!m.is_request()) return {};  // responses are not ours to answer
  if (m.method_view() == "ACK") return {};
  if (!m.can_be_answered()) return {};
  auto malformed = m.malformed_headers();
  if (!malformed.empty()) {
    return respond(Parsed{m}, 400, [&](ResponseText& o) {
      o.append("Bad Request (malformed ");
      o.append(malformed.front());
      o.append(" header)");
    }, nothing, out);
  }
  // Over UDP the rest of the body never comes (RFC 3261 18.3); over TCP a
  // message is framed by its Content-Length, so it is never short.
  if (m.body_shortfall() > 0)
    return respond(Parsed{m}, 400, text("Bad Request (body shorter than Content-Length)"), nothing,
                   out);
  return answer(router, Parsed{m}, from, out);
}

std::optional<Reply> redirect(const route::Router& router, const MessageView& m,
                              const Source& from, ResponseText& out) {
  out.clear();
  // What the full parse checks first holds of any request the scanner
  // calls plain: every header to echo is there and parsed, none is set
  // aside, the body is as long as Content-Length says.
  if (m.parsed() || !m.is_request()) return std::nullopt;
  if (m.method() != "ACK" && !echoes_as_written(m)) return std::nullopt;
  return answer(router, Scanned{m}, from, out);
}

}  // namespace trunk::sip
