// Matching traced requests against the site (see match.hpp): which trunk
// sends or receives a request, whether the request fits that trunk, and why
// no trunk was found. The tenant and the rule are match_route.cpp's.
#include "trace/match.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <tuple>

#include "diag/diagnostic.hpp"
#include "sip/redirect.hpp"
#include "text/ascii.hpp"

namespace trunk::trace {
namespace {

bool mapped_address(const capture::Endpoint& e, std::uint8_t (&out)[16]) {
  if (e.family == 6) {
    std::memcpy(out, e.addr.data(), 16);
    return true;
  }
  if (e.family == 4) {
    std::memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    std::memcpy(out + 12, e.addr.data(), 4);
    return true;
  }
  return false;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

bool is_initial_call_request(std::string_view method) { return method == "INVITE"; }

}  // namespace

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::from_trunk: return "from-trunk";
    case Direction::to_trunk: return "to-trunk";
    case Direction::from_tenant: return "from-tenant";
    case Direction::unknown: break;
  }
  return "unknown";
}

Matcher::Matcher(const site::Site& site, const route::Router& router)
    : site_(&site), router_(&router) {
  const auto& t = router.tables();
  site_of_table_.assign(t.trunks().size(), kNone);
  table_of_site_.assign(site.trunks.size(), kNone);
  for (std::uint32_t i = 0; i < site.trunks.size(); ++i) {
    std::uint32_t k = t.find_trunk(site.trunks[i].name.value);
    if (k == kNone) continue;
    table_of_site_[i] = k;
    site_of_table_[k] = i;
  }
  senders_.resize(site.trunks.size());
  for (const tables::RouteRecord& rr : t.routes()) {
    for (std::uint32_t x : t.route_trunks().subspan(rr.trunk_first, rr.trunk_count)) {
      std::uint32_t i = site_trunk(x);
      if (i == kNone) continue;
      Sender s{rr.tenant, std::string(t.str(rr.prepend)), rr.strip > 0, std::string(t.str(rr.name))};
      auto& list = senders_[i];
      if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(std::move(s));
    }
  }
}

std::uint32_t Matcher::site_trunk(std::uint32_t k) const {
  return k == kNone || k >= site_of_table_.size() ? kNone : site_of_table_[k];
}

std::uint32_t Matcher::table_trunk(std::uint32_t i) const {
  return i == kNone || i >= table_of_site_.size() ? kNone : table_of_site_[i];
}

Match Matcher::match_request(const sip::MessageView& m, const capture::Captured& c,
                             bool in_dialog) const {
  Match out;
  const std::string_view method = m.method();
  identify(m, c, !in_dialog && is_initial_call_request(method), out);
  if (out.trunk == kNone && out.tenant == kNone) {
    explain_no_trunk(m, c, out);
    return out;
  }
  if (out.trunk != kNone) check_trunk_fit(m, c, out);
  if (in_dialog || !is_initial_call_request(method)) return out;
  switch (out.direction) {
    case Direction::from_trunk: route_inbound(m, out); break;
    case Direction::to_trunk: route_to_trunk(m, out); break;
    case Direction::from_tenant: route_from_tenant(m, out); break;
    case Direction::unknown: break;
  }
  return out;
}

void Matcher::identify(const sip::MessageView& m, const capture::Captured& c, bool new_call,
                       Match& out) const {
  const auto& t = router_->tables();
  std::uint8_t address[16];
  if (!mapped_address(c.src, address)) return identify_by_headers(m, out);

  // The sender, found as trunkd finds it (route/decide.hpp): a trace of
  // trunkd's own traffic explains each answer as trunkd gave it.
  route::HostPort src;
  std::memcpy(src.address.data(), address, 16);
  src.port = c.src.port;
  std::array<route::ViaHop, sip::kMaxViaHops> hops;
  const route::Request facts = sip::request_facts(m, src, hops);
  // A new call's decision is kept with the Match; any other request's
  // identification is scratch.
  std::shared_ptr<route::Decision> kept = new_call ? std::make_shared<route::Decision>() : nullptr;
  route::Decision scratch;
  route::Decision* const d = kept ? kept.get() : &scratch;
  if (new_call) route::decide(*router_, facts, *d);
  else route::identify_request(t, facts, *d);
  std::array<char, route::kHostPortSize> where;
  const std::string origin(route::host_port_text(d->origin, where));
  const std::string through =
      d->origin_proxy == kNone
          ? std::string()
          : ", recorded by trusted proxy " + std::string(t.str(t.proxies()[d->origin_proxy].name));
  out.decision = std::move(kept);
  const std::string from_address =
      d->origin_proxy == kNone ? "source address " + c.src.address() : "origin " + origin + through;
  if (d->trunk != kNone) {
    out.trunk = site_trunk(d->trunk);
    out.trunk_by = d->trunk_by == route::TrunkBy::match_from_host
                       ? "From host " + diag::quoted(text::ascii_lower(facts.from_host)) +
                             " is its match_from_host, from its " + from_address
                       : from_address;
    out.direction = Direction::from_trunk;
    return;
  }
  if (d->mismatch_trunk != kNone) {
    // The trunk's address from another port: trunkd refuses it (403), the
    // fit check below says why.
    out.trunk = site_trunk(d->mismatch_trunk);
    out.trunk_by = from_address;
    out.direction = Direction::from_trunk;
    return;
  }
  if (d->tenant_by == route::TenantBy::sip_domain) {
    out.tenant = d->tenant < site_->tenants.size() ? d->tenant : kNone;
    out.tenant_by = "From host " + diag::quoted(text::ascii_lower(facts.from_host)) +
                    " is its sip_domain, sent by trusted proxy " +
                    std::string(t.str(t.proxies()[d->source_proxy].name));
    out.direction = Direction::from_tenant;
    return;
  }
  // No trunk and no tenant sends it: traffic sent to a trunk (a capture
  // on the PBX's side), found by where it goes.
  if (mapped_address(c.dst, address)) {
    std::uint32_t i = site_trunk(t.find_trunk_by_address(address));
    if (i != kNone) {
      out.trunk = i;
      out.trunk_by = "destination address " + c.dst.address();
      out.direction = Direction::to_trunk;
      return;
    }
  }
  // Customers register to an accept-register trunk's host (trunkd takes no
  // REGISTER: the registrar knows them by their credentials); any other
  // request to such a host proves nothing about its sender.
  if (identify_by_request_uri(m, m.method() == "REGISTER", out)) return;
  if (!d->origin_known) {
    // A trusted proxy that recorded nothing: trunkd's words for it.
    std::array<char, route::kReasonSize> why;
    out.refusal = route::reason(*d, t, why);
  } else if (d->origin_proxy != kNone) {
    out.refusal = "the origin " + origin + through + " is no trunk's host or associated_ips";
  }
}

// The trunk whose host is the Request-URI host: where the request goes,
// or, for an accept-register trunk (when `customers_register`), the
// customer registering to it, sending to us.
bool Matcher::identify_by_request_uri(const sip::MessageView& m, bool customers_register,
                                      Match& out) const {
  const auto& t = router_->tables();
  const std::string ruri_host = text::ascii_lower(m.request_uri().host);
  if (ruri_host.empty()) return false;
  std::uint32_t i = site_trunk(t.find_trunk_by_host(ruri_host));
  if (i == kNone) return false;
  const bool customer = site_->trunks[i].type.value == site::TrunkType::accept_register;
  if (customer && !customers_register) return false;
  out.trunk = i;
  out.trunk_by = "Request-URI host " + diag::quoted(ruri_host) + " is its host";
  out.direction = customer ? Direction::from_trunk : Direction::to_trunk;
  return true;
}

// A trace with no addresses (a log, a pasted message): only the headers
// tell, so the trunk is named by them, as trunkd never would; the note
// says so.
void Matcher::identify_by_headers(const sip::MessageView& m, Match& out) const {
  const auto& t = router_->tables();
  const std::string from_host = text::ascii_lower(m.from_host_lenient());
  const char* unproven =
      "the trace shows no source address: trunkd takes a trunk only from its addresses";
  if (!from_host.empty()) {
    std::uint32_t i = site_trunk(t.find_trunk_by_from_host(from_host));
    if (i != kNone && site_->trunks[i].match_from_host.present &&
        text::ascii_lower(site_->trunks[i].match_from_host.value) == from_host) {
      out.trunk = i;
      out.trunk_by = "From host " + diag::quoted(from_host) + " is its match_from_host";
      out.direction = Direction::from_trunk;
      out.notes.push_back(unproven);
      return;
    }
  }
  const std::string ruri_host = text::ascii_lower(m.request_uri().host);
  if (!from_host.empty()) {
    std::uint32_t i = site_trunk(t.find_trunk_by_host(from_host));
    if (i != kNone) {
      out.trunk = i;
      out.trunk_by = "From host " + diag::quoted(from_host) + " is its host";
      // A register trunk's From is our account at the provider's domain:
      // with the Request-URI at that domain too, we are sending to it.
      const bool to_it = ruri_host == text::ascii_lower(site_->trunks[i].host.value) &&
                         site_->trunks[i].type.value != site::TrunkType::accept_register;
      out.direction = to_it ? Direction::to_trunk : Direction::from_trunk;
      if (!to_it) out.notes.push_back(unproven);
      return;
    }
  }
  if (identify_by_request_uri(m, true, out)) return;
  if (!from_host.empty()) {
    std::uint32_t k = t.find_tenant_by_domain(from_host);
    // Tenants keep the site's order in the tables.
    if (k != kNone && k < site_->tenants.size()) {
      out.tenant = k;
      out.tenant_by = "From host " + diag::quoted(from_host) + " is its sip_domain";
      out.direction = Direction::from_tenant;
    }
  }
}

void Matcher::check_trunk_fit(const sip::MessageView& m, const capture::Captured& c, Match& out) const {
  const site::Trunk& tr = site_->trunks[out.trunk];
  const std::string& name = tr.name.value;
  const std::string_view method = m.method();

  // The transport the message travelled over: the capture's, else the Via's.
  std::string seen = c.transport != capture::Transport::unknown
                         ? std::string(capture::to_string(c.transport))
                         : m.via_transport();
  std::string want(site::to_string(tr.transport.value));
  if (want == "wss" && (seen == "ws" || seen == "wss")) seen = want;
  if (!seen.empty() && seen != want)
    out.problems.push_back("transport type inconsistent: the message came over " + upper(seen) +
                           ", trunk " + diag::quoted(name) + " is set to " + upper(want));

  if (out.direction == Direction::from_trunk && c.src.known() && c.src.port != 0 &&
      tr.verify_port.value && c.src.port != tr.port.value &&
      out.trunk_by.rfind("source address", 0) == 0)
    out.problems.push_back("the source port " + std::to_string(c.src.port) + " differs from trunk " +
                           diag::quoted(name) + "'s port " + std::to_string(tr.port.value) +
                           " while verify_port is on");
  if (out.direction == Direction::to_trunk && c.dst.known() && c.dst.port != 0 &&
      c.dst.port != tr.port.value && tr.type.value != site::TrunkType::accept_register &&
      !tr.outbound_proxy.present)
    out.problems.push_back("sent to port " + std::to_string(c.dst.port) + ", trunk " +
                           diag::quoted(name) + "'s port is " + std::to_string(tr.port.value));
  if (out.direction == Direction::from_trunk && tr.match_from_host.present &&
      out.trunk_by.rfind("From host", 0) != 0) {
    std::string fh = text::ascii_lower(m.from_host_lenient());
    if (fh != text::ascii_lower(tr.match_from_host.value))
      out.notes.push_back("the From host " + diag::quoted(fh) + " is not the trunk's match_from_host " +
                          diag::quoted(tr.match_from_host.value));
  }

  if (method == "INVITE" && out.direction != Direction::from_tenant) {
    const std::string scheme = text::ascii_lower(m.request_uri().scheme);
    if (tr.tel_uri_request_line.value && scheme != "tel")
      out.problems.push_back("trunk " + diag::quoted(name) +
                             " requires tel: in the Request-Line (tel_uri_request_line) but the "
                             "message uses " + scheme + ":");
    else if (!tr.tel_uri_request_line.value && scheme == "tel")
      out.problems.push_back("the Request-Line uses tel: but trunk " + diag::quoted(name) +
                             " does not set tel_uri_request_line");
    if (tr.direction.value == site::Direction::inbound && out.direction == Direction::to_trunk)
      out.problems.push_back("trunk " + diag::quoted(name) +
                             "'s direction is inbound: it takes no outbound calls");
    if (tr.direction.value == site::Direction::outbound && out.direction == Direction::from_trunk)
      out.problems.push_back("trunk " + diag::quoted(name) +
                             "'s direction is outbound: it brings no inbound calls");
  }

  if (method == "REGISTER") {
    const bool registers_here = tr.type.value == site::TrunkType::accept_register ||
                                tr.type.value == site::TrunkType::register_;
    if (!registers_here) {
      out.problems.push_back("trunk " + diag::quoted(name) + " is a " +
                             std::string(site::to_string(tr.type.value)) +
                             " trunk: it does not register");
    } else if (tr.auth.username.present) {
      std::string_view user = m.from_uri().user;
      if (user.empty()) user = m.to_uri().user;
      if (user != tr.auth.username.value)
        out.problems.push_back("the REGISTER user " + diag::quoted(user) + " is not trunk " +
                               diag::quoted(name) + "'s auth.username " +
                               diag::quoted(tr.auth.username.value));
    }
  }
}

void Matcher::explain_no_trunk(const sip::MessageView& m, const capture::Captured& c,
                               Match& out) const {
  if (!out.refusal.empty()) out.problems.push_back(out.refusal);
  else if (c.src.known())
    out.problems.push_back("the source address " + c.src.address() +
                           " is no trunk's host or associated_ips");
  const std::string from_host = text::ascii_lower(m.from_host_lenient());
  if (from_host.empty()) {
    out.problems.push_back("the From header has no host to match");
    return;
  }
  std::vector<std::string_view> names;
  std::vector<std::uint32_t> owner;
  for (std::uint32_t i = 0; i < site_->trunks.size(); ++i) {
    const auto& tr = site_->trunks[i];
    if (tr.match_from_host.present) {
      names.push_back(tr.match_from_host.value);
      owner.push_back(i);
    }
    names.push_back(tr.host.value);
    owner.push_back(i);
  }
  for (const auto& tn : site_->tenants) names.push_back(tn.sip_domain.value);
  // A From host that does name a trunk or a tenant proves nothing on its
  // own: say what is missing.
  const auto& t = router_->tables();
  std::uint32_t named = site_trunk(t.find_trunk_by_from_host(from_host));
  if (named == kNone) named = site_trunk(t.find_trunk_by_host(from_host));
  if (named != kNone) {
    out.problems.push_back("the From host " + diag::quoted(from_host) + " names trunk " +
                           diag::quoted(site_->trunks[named].name.value) +
                           ", but the request does not come from one of its addresses");
    return;
  }
  if (std::uint32_t k = t.find_tenant_by_domain(from_host); k != kNone && k < site_->tenants.size()) {
    out.problems.push_back("the From host " + diag::quoted(from_host) + " is tenant " +
                           diag::quoted(site_->tenants[k].name.value) +
                           "'s sip_domain, but no trusted proxy ([[proxy]]) sent the request");
    return;
  }
  std::string problem = "the From host " + diag::quoted(from_host) +
                        " is no trunk's match_from_host or host and no tenant's sip_domain";
  std::string near = diag::closest_match(from_host, names);
  if (!near.empty()) {
    auto it = std::find(names.begin(), names.end(), near);
    auto at = static_cast<std::size_t>(it - names.begin());
    if (at < owner.size())
      problem += "; the closest is " + diag::quoted(near) + " (trunk " +
                 diag::quoted(site_->trunks[owner[at]].name.value) + ")";
    else
      problem += "; the closest is " + diag::quoted(near) + " (a tenant's sip_domain)";
  }
  out.problems.push_back(problem);
  const std::string ruri_host = text::ascii_lower(m.request_uri().host);
  if (!ruri_host.empty() && ruri_host != from_host)
    out.problems.push_back("the Request-URI host " + diag::quoted(ruri_host) + " is no trunk's host");
}

}  // namespace trunk::trace
