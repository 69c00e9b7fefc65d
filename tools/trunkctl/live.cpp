// trunkctl probe | register-test: is a trunk up, and do its credentials work.
// Both send real SIP (libtrunk/sip/live_check) to the trunk's host, port and
// transport, through its outbound proxy when it has one.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "site/credentials.hpp"
#include "sip/live_check.hpp"

namespace trunkctl {

using namespace trunk;

namespace {

struct LiveFlags {
  double timeout_s = 2.0;
  std::string bind = "*";
  bool no_fallback = false;
};

void add_live_flags(CLI::App& app, LiveFlags& f) {
  app.add_option("--timeout", f.timeout_s, "Seconds to wait for an answer (default 2)")
      ->check(CLI::Range(0.05, 120.0));
  app.add_option("--bind", f.bind,
                 "Local address to send from (default *: any; e.g. 127.0.0.1)");
  app.add_flag("--no-fallback", f.no_fallback,
               "Do not try the other transports when the trunk's own gets no answer");
}

sip::LiveOptions live_options(const LiveFlags& f) {
  sip::LiveOptions o;
  o.timeout = std::chrono::milliseconds(static_cast<long>(f.timeout_s * 1000));
  o.bind = "sip:" + (f.bind.find(':') != std::string::npos ? "[" + f.bind + "]" : f.bind) + ":*";
  o.user_agent = std::string("trunkctl/") + TRUNK_VERSION;
  o.try_other_transports = !f.no_fallback;
  return o;
}

sip::Peer peer_of(const site::Trunk& t) {
  sip::Peer p;
  p.host = t.host.value;
  p.port = static_cast<std::uint16_t>(t.port.value);
  p.transport = std::string(site::to_string(t.transport.value));
  if (t.outbound_proxy.present) {
    p.proxy_host = t.outbound_proxy.value;
    p.proxy_port = static_cast<std::uint16_t>(
        t.outbound_proxy_port.present ? t.outbound_proxy_port.value : 0);
  }
  return p;
}

// The trunk's user name and password when it has both (a probe answers a
// challenge with them); none when its password cannot be read, which a
// probe does not need.
sip::Credentials credentials_of(const site::Trunk& t) {
  sip::Credentials c;
  if (!t.auth.username.present) return c;
  std::string error;
  auto password = site::read_password(t.auth, error);
  if (!password) return c;
  c.username = t.auth.username.value;
  c.password = std::move(*password);
  return c;
}

std::string ms_text(double ms) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(ms < 10 ? 1 : 0) << ms << " ms";
  return o.str();
}

}  // namespace

namespace {

void print_probe_json(const site::Trunk& t, const sip::Peer& p, const sip::ProbeResult& r) {
  diag::JsonWriter w;
  w.begin_object()
      .field("trunk", t.name.value)
      .field("status", sip::to_string(r.status))
      .field("target", p.uri());
  if (!p.proxy_host.empty()) w.field("outbound_proxy", p.proxy_host);
  if (r.code) w.field("code", static_cast<std::int64_t>(r.code));
  w.field("phrase", r.phrase);
  if (r.code) w.field("rtt_ms", r.rtt_ms);
  if (!r.answered_over.empty()) w.field("answers_over", r.answered_over);
  if (!r.auth.empty()) w.field("auth", r.auth);
  if (!r.auth_error.empty()) w.field("auth_error", r.auth_error);
  w.end_object();
  std::cout << w.str() << "\n";
}

// One line; names are padded to `width` so the statuses line up.
void print_probe_text(const site::Trunk& t, const sip::Peer& p, const sip::ProbeResult& r,
                      std::size_t width) {
  std::cout << std::left << std::setw(static_cast<int>(width) + 2) << t.name.value + ":";
  switch (r.status) {
    case sip::ProbeStatus::online:
      std::cout << "online (" << r.code << " " << r.phrase << ", " << ms_text(r.rtt_ms) << ")";
      break;
    case sip::ProbeStatus::offline:
      std::cout << "offline (" << r.phrase << ")";
      break;
    case sip::ProbeStatus::transport_inconsistent:
      std::cout << "offline: transport type inconsistent (no answer over " << p.transport
                << "; the server answers over " << r.answered_over << ")";
      break;
  }
  std::cout << " " << p.uri();
  if (!p.proxy_host.empty()) std::cout << " via " << p.proxy_host;
  if (!r.auth.empty()) std::cout << "; auth: " << r.auth;
  if (!r.auth_error.empty()) std::cout << "; cannot answer the challenge: " << r.auth_error;
  std::cout << "\n";
}

}  // namespace

Run setup_probe(CLI::App& app, Common& common) {
  struct Opts {
    std::vector<std::string> names;
    bool all = false;
    LiveFlags live;
  };
  auto o = std::make_shared<Opts>();
  app.add_option("NAME", o->names, "Trunks to probe");
  app.add_flag("--all", o->all,
               "Every trunk that sends to a server (accept-register trunks are skipped)");
  add_live_flags(app, o->live);
  return [&common, o] {
    if (o->names.empty() == !o->all) {
      std::cerr << "trunkctl probe: name the trunks to probe, or give --all\n";
      return cli::kExitUnusable;
    }
    cli::LoadedSite s;
    int code;
    if (!load_for_reading(common, s, code)) return code;
    std::vector<const site::Trunk*> trunks;
    if (o->all) {
      for (const auto& t : s.site.trunks)
        if (t.type.value != site::TrunkType::accept_register) trunks.push_back(&t);
    } else {
      for (const auto& n : o->names) {
        const site::Trunk* t = find_trunk_or_explain(s, n, common);
        if (!t) return cli::kExitUnusable;
        trunks.push_back(t);
      }
    }
    std::vector<sip::Peer> peers;
    std::vector<sip::Credentials> credentials(trunks.size());
    for (std::size_t i = 0; i < trunks.size(); ++i) {
      peers.push_back(peer_of(*trunks[i]));
      credentials[i] = credentials_of(*trunks[i]);
    }
    auto results = sip::probe(peers, credentials, live_options(o->live));
    for (auto& c : credentials) c.password.assign(c.password.size(), '\0');

    bool all_online = true;
    std::size_t width = 0;
    for (const auto* t : trunks) width = std::max(width, t->name.value.size());
    for (std::size_t i = 0; i < trunks.size(); ++i) {
      const auto& r = results[i];
      const auto& p = peers[i];
      all_online = all_online && r.status == sip::ProbeStatus::online;
      if (common.format == cli::Format::json) print_probe_json(*trunks[i], p, r);
      else print_probe_text(*trunks[i], p, r, width);
    }
    return all_online ? cli::kExitClean : cli::kExitFindings;
  };
}

namespace {

struct RegisterOpts {
  std::string name;
  bool keep = false;
  int expires = 0;
  LiveFlags live;
};

// The REGISTER the test sends for trunk `t`; false (said on stderr) when
// `t` is not a register trunk with auth.username, or has no password.
bool register_request(const site::Trunk& t, const RegisterOpts& o, sip::RegisterRequest& req) {
  if (t.type.value != site::TrunkType::register_ || !t.auth.username.present) {
    std::cerr << "trunkctl register-test: \"" << t.name.value << "\" is a "
              << site::to_string(t.type.value)
              << " trunk; only register trunks (with auth.username) register to a server\n";
    return false;
  }
  std::string error;
  auto password = site::read_password(t.auth, error);
  if (!password) {
    std::cerr << "trunkctl register-test: no password for \"" << t.name.value
              << "\": " << error << "\n";
    return false;
  }
  req.peer = peer_of(t);
  req.username = t.auth.username.value;
  req.password = std::move(*password);
  req.keep = o.keep;
  req.expires = o.expires ? o.expires
                : t.auth.register_interval.present
                    ? static_cast<int>(t.auth.register_interval.value) : 3600;
  return true;
}

void print_register_json(const site::Trunk& t, const sip::RegisterRequest& req,
                         const sip::RegisterResult& r) {
  diag::JsonWriter w;
  w.begin_object()
      .field("trunk", t.name.value)
      .field("status", sip::to_string(r.status))
      .field("target", req.peer.uri())
      .field("username", req.username);
  if (r.code) w.field("code", static_cast<std::int64_t>(r.code));
  w.field("phrase", r.phrase).field("challenges", static_cast<std::int64_t>(r.challenges));
  if (r.status == sip::RegisterStatus::registered) {
    w.field("expires", static_cast<std::int64_t>(r.granted_expires));
    w.field("kept", req.keep);
    if (!req.keep) {
      w.field("unregistered", r.unregistered);
      if (r.unregister_code)
        w.field("unregister_code", static_cast<std::int64_t>(r.unregister_code));
    }
  }
  if (!r.answered_over.empty()) w.field("answers_over", r.answered_over);
  if (!r.auth.empty()) w.field("auth", r.auth);
  if (!r.auth_error.empty()) w.field("auth_error", r.auth_error);
  w.end_object();
  std::cout << w.str() << "\n";
}

void print_register_text(const site::Trunk& t, const sip::RegisterRequest& req,
                         const sip::RegisterResult& r) {
  std::cout << t.name.value << ": " << sip::describe(r.status);
  switch (r.status) {
    case sip::RegisterStatus::registered:
      std::cout << " (" << r.code << " " << r.phrase << ", expires " << r.granted_expires
                << " s, " << ms_text(r.rtt_ms) << ")";
      if (req.keep) std::cout << "; kept";
      else if (r.unregistered) std::cout << "; unregistered";
      else std::cout << "; unregistering failed ("
                     << (r.unregister_code ? std::to_string(r.unregister_code) : "no response")
                     << ")";
      break;
    case sip::RegisterStatus::auth_failed:
      std::cout << " (" << r.code << " " << r.phrase << " after credentials were sent)";
      break;
    case sip::RegisterStatus::rejected:
      std::cout << " (" << r.code << " " << r.phrase;
      if (!r.auth_error.empty()) std::cout << "; cannot answer: " << r.auth_error;
      std::cout << ")";
      break;
    case sip::RegisterStatus::no_response:
      std::cout << " (" << r.phrase << ")";
      break;
    case sip::RegisterStatus::transport_inconsistent:
      std::cout << " (no answer over " << req.peer.transport << "; the server answers over "
                << r.answered_over << ")";
      break;
  }
  std::cout << " " << req.peer.uri() << " as " << req.username;
  if (!r.auth.empty()) std::cout << "; auth: " << r.auth;
  std::cout << "\n";
}

}  // namespace

Run setup_register_test(CLI::App& app, Common& common) {
  auto o = std::make_shared<RegisterOpts>();
  app.add_option("NAME", o->name, "The register trunk to test")->required();
  app.add_flag("--keep", o->keep, "Leave the registration in place (no Expires: 0 afterwards)");
  app.add_option("--expires", o->expires,
                 "Expiry to ask for, in seconds (default: auth.register_interval, else 3600)")
      ->check(CLI::Range(1, 86400 * 7));
  add_live_flags(app, o->live);
  return [&common, o] {
    cli::LoadedSite s;
    int code;
    if (!load_for_reading(common, s, code)) return code;
    const site::Trunk* t = find_trunk_or_explain(s, o->name, common);
    if (!t) return cli::kExitUnusable;
    sip::RegisterRequest req;
    if (!register_request(*t, *o, req)) return cli::kExitUnusable;
    auto r = sip::register_test(req, live_options(o->live));
    req.password.assign(req.password.size(), '\0');
    if (common.format == cli::Format::json) print_register_json(*t, req, r);
    else print_register_text(*t, req, r);
    return r.status == sip::RegisterStatus::registered ? cli::kExitClean : cli::kExitFindings;
  };
}

}  // namespace trunkctl
