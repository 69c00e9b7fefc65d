// The one decision for a call: a request's facts (where it came from, its
// Vias, From host and Request-URI number) in, one Decision out: its origin,
// the trunk or tenant it comes from, the direction, the route or inbound
// rule, the Contacts with everything each carries, what was left out and
// why, or the refusal. trunkd renders it as its response (sip/redirect.hpp),
// `trunkctl route` as text and JSON, sip-trace-match as its explanation, so
// the three cannot disagree.
//
// Origin: the packet's source, unless the source is a trusted proxy
// (tables' proxies; loopback when the site lists none): then the address
// and port that proxy recorded on the Via below its own (received, else
// the sent-by host; rport, else unknown), hop by hop while the origin is
// again a trusted proxy. A trusted proxy that recorded no address makes
// the origin unknown.
//
// Identification from the origin only: a trunk whose match_from_host is
// the From host and whose own blocks hold the origin; else the trunks with
// the longest block holding the origin, in site order, the first whose
// port fits (verify_port). A tenant is known by its sip_domain in From
// only for a request that a trusted proxy sent; a trunk a tenant owns
// calls out for it (a customer PBX) when the number is no DID of the trunk.
// Nothing else a caller writes identifies anyone: the rest is 403.
//
// decide() allocates nothing and its cost does not grow with the tables
// (trunks sharing one address block are looked at one by one, as many as
// the site puts there). A Decision borrows the Request's and the tables'
// text; numbers it makes live in its own buffer.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "route/router.hpp"

namespace trunk::route {

// An address (IPv6, or IPv4-mapped ::ffff:a.b.c.d) and a port; port 0:
// not known.
struct HostPort {
  std::array<std::uint8_t, 16> address{};
  std::uint16_t port = 0;
};

// What one Via records of the hop that sent it: the received address (else
// the sent-by host when it is an address) and the rport value (else 0).
struct ViaHop {
  HostPort recorded;
  bool has_address = false;
};

struct Request {
  HostPort source;               // the packet's source address and port
  std::span<const ViaHop> vias;  // the request's Vias, top first
  std::string_view from_host;    // the From URI's host
  std::string_view number;       // the Request-URI user (a tel: URI's number)
};

enum class TrunkBy : std::uint8_t { none, address, match_from_host };
enum class TenantBy : std::uint8_t { none, did_pool, owner, sip_domain };

// Why the answer is what it is; Decision::code is the SIP status.
enum class Verdict : std::uint8_t {
  redirected,        // 302
  unknown_origin,    // 403: no trunk's address, no tenant through a trusted proxy
  proxy_unrecorded,  // 403: a trusted proxy's Via below records no address
  port_mismatch,     // 403: the address is a trunk's, the port is not (verify_port)
  trunk_refuses,     // 403: the trunk may not bring inbound calls (direction, limits 0)
  none_may_carry,    // 403: every trunk of the route is left out
  not_a_number,      // 484, or 404 for '*' '#' the plan has no numbers with
  not_in_pool,       // 404: the DID is in no pool on this trunk
  no_inbound_rule,   // 404
  no_route,          // 404
  too_long,          // 500: the number or destination does not fit
};

enum class Direction : std::uint8_t { none, inbound, outbound };

// Why a trunk was left out of an answer.
enum class LeftOut : std::uint8_t {
  direction,         // its direction excludes this one
  limit_direction,   // limits.outbound (or .inbound) = 0
  limit_total,       // limits.total = 0
  beyond_cap,        // more than kMaxContacts trunks could carry the call
};
// The rule that left a trunk out of a call in `dir`: "direction = inbound",
// "limits.outbound = 0", "limits.total = 0"...
std::string_view rule_text(LeftOut why, Direction dir);

// Where the caller ID of a Contact comes from: route over trunk over
// tenant; "*" at the first that sets one keeps the caller's.
enum class CallerIdFrom : std::uint8_t { none, route, trunk, tenant };

struct Contact {
  std::uint32_t trunk = kNone;        // the trunk (inbound: the one the call came in on)
  std::uint32_t failover_of = kNone;  // the trunk whose failover chain brought it
  std::string_view user;              // outbound: the number sent to this trunk
  std::string_view uri;               // inbound: the destination
  std::string_view caller_id;         // empty: keep the caller's
  CallerIdFrom caller_id_from = CallerIdFrom::none;
  std::uint8_t q = 10;                // tenths
};

struct Excluded {
  std::uint32_t trunk = kNone;
  LeftOut why = LeftOut::direction;
};

constexpr std::uint32_t kMaxContacts = 10;
constexpr std::uint32_t kMaxLeftOut = 16;

struct Decision {
  int code = 0;
  Verdict verdict = Verdict::unknown_origin;
  HostPort origin;
  std::uint32_t source_proxy = kNone;  // the trusted proxy the packet came from
  std::uint32_t origin_proxy = kNone;  // the proxy whose Via gave the origin
  bool origin_known = true;
  std::uint32_t trunk = kNone;
  TrunkBy trunk_by = TrunkBy::none;
  std::uint32_t tenant = kNone;
  TenantBy tenant_by = TenantBy::none;
  Direction direction = Direction::none;
  std::uint32_t route = kNone;  // outbound
  std::uint32_t rule = kNone;   // inbound
  DialCheck check;              // not_a_number: why
  std::uint32_t mismatch_trunk = kNone;  // port_mismatch: the trunk whose port differs
  // unknown_origin: the From host is this tenant's domain, but no trusted
  // proxy sent the request.
  std::uint32_t unproven_tenant = kNone;
  std::string_view send;  // outbound: the number the route sends
  std::array<Contact, kMaxContacts> contacts;
  std::uint32_t contact_count = 0;
  std::array<Excluded, kMaxLeftOut> left_out;
  std::uint32_t left_out_count = 0;
  std::array<char, 1024> text;  // the numbers and destination the views above point at
  std::uint32_t text_used = 0;

  std::span<const Contact> contact_list() const { return {contacts.data(), contact_count}; }
  std::span<const Excluded> left_out_list() const { return {left_out.data(), left_out_count}; }
};

// Decides `request`; fills `out` (reset first). `router` must outlive the
// views in `out`.
void decide(const Router& router, const Request& request, Decision& out);

// Only the first steps of decide(): the origin, and the trunk (or the
// mismatch) or the tenant it identifies, with no number looked up. For the
// requests of a trace that are no new call (ACK, BYE, REGISTER...), so that
// sip-trace-match knows every request's sender exactly as trunkd would.
void identify_request(const tables::Tables& t, const Request& request, Decision& out);

// The same decision for a caller named instead of found: `tenant` dialling
// `number`, or `number` arriving on `trunk` (which, for a trunk a tenant
// owns and a number in no pool there, is the owner calling out). For
// `trunkctl route TENANT NUMBER` and `--trunk NAME DID`.
void decide_outbound(const Router& router, std::uint32_t tenant, std::string_view number,
                     Decision& out);
void decide_inbound(const Router& router, std::uint32_t trunk, std::string_view number,
                    Decision& out);

// The words of a decision, the same in trunkd's response, trunkctl route and
// sip-trace-match. Each writes into `out` and returns the view of what it
// wrote, cut to fit.
//   reason: the status line's phrase: "Moved Temporarily", "Forbidden (source
//     198.51.100.9:5060 is no trunk's address)", "Forbidden (trunk CarrierA:
//     limits.outbound = 0)".
//   contact: a Contact header value: "<sip:USER@HOST:PORT;transport=tcp;PARAMS>
//     ;q=0.9;trunk=NAME;caller-id="...";next-hop="sip:HOST:PORT";tel-ruri;
//     tel-to;max-calls=N;max-total=N" (trunkd.8 says what each carries).
std::string_view reason(const Decision& d, const tables::Tables& t, std::span<char> out);
// The Request-URI parameter a Contact names a trunk's transport (a
// site::Transport) with: ";transport=tcp", ";transport=tls",
// ";transport=ws", or "" for UDP. The proxy's dispatcher list writes the
// same text, since its script matches it against the Contact.
std::string_view transport_param(std::uint8_t transport);
std::string_view contact(const Decision& d, std::uint32_t i, const tables::Tables& t,
                         std::span<char> out);
constexpr std::size_t kReasonSize = 512;
constexpr std::size_t kContactSize = 1536;

std::string_view to_string(Direction d);      // "inbound", "outbound", "none"
std::string_view to_string(TrunkBy b);        // "address", "match_from_host", "none"
std::string_view to_string(TenantBy b);       // "did_pool", "owner", "sip_domain", "none"
std::string_view to_string(CallerIdFrom f);   // "route", "trunk", "tenant", "none"
std::string_view to_string(Verdict v);        // "redirected", "unknown_origin"...

// "203.0.113.10:5060", "[2001:db8::1]:5060"; port 0 leaves the port out.
std::string_view host_port_text(const HostPort& a, std::span<char> out);
constexpr std::size_t kHostPortSize = 56;

}  // namespace trunk::route
