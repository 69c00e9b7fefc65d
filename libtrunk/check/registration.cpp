// The registration rules: a register or accept-register trunk has an
// auth.username and exactly one password source (missing-field,
// missing-password, password-sources), and no two register as one user at
// one host (registration-duplicate; the host compares without case, the
// username, a SIP user part, with case: RFC 3261 19.1.4); an
// accept-register trunk's host is no tenant's sip_domain
// (accept-register-host); and the credentials' hygiene: an inline password
// is warned (inline-password), a short accept-register one too
// (weak-password). No message ever holds a password.
#include <map>
#include <string>
#include <utility>

#include "check/rules.hpp"

namespace trunk::check {

// Register and accept-register trunks: (host, auth.username) unique, a
// username and a password source present. The host compares without case
// (`SIP.XYZ.example` is `sip.xyz.example`); the username, a SIP user part,
// with case (RFC 3261 19.1.4).
void rule_registration_identity(const site::Site& site, const Index&, diag::Sink& sink) {
  std::map<std::pair<std::string, std::string>, const site::Trunk*> seen;
  for (const auto& t : site.trunks) {
    if (!t.type.present || !is_registration(t)) continue;
    std::string kind(site::to_string(t.type.value));
    if (!t.auth.username.present) {
      auto& d = sink.error("missing-field",
                           kind + " trunk " + q(t.name.value) + " has no auth.username",
                           t.auth.present ? t.auth.where : t.where);
      diag::with_hint(d, "add [trunk.auth] with username and password_env");
    }
    if (!t.auth.has_password_source()) {
      auto& d = sink.error("missing-password",
                           kind + " trunk " + q(t.name.value) + " has no password source",
                           t.auth.present ? t.auth.where : t.where);
      diag::with_hint(d, "set auth.password_env (preferred), auth.password_file or auth.password");
    }
    int sources = t.auth.password_env.present + t.auth.password_file.present +
                  t.auth.password.present;
    if (sources > 1) {
      auto& d = sink.error("password-sources",
                           "trunk " + q(t.name.value) +
                               " has more than one password source; which one is used "
                               "would be a guess",
                           t.auth.where);
      diag::with_hint(d, "keep exactly one of password_env, password_file and password");
    }
    if (!t.host.present || !t.auth.username.present) continue;
    auto [it, fresh] = seen.emplace(std::pair{name_key(t.host.value), t.auth.username.value}, &t);
    if (!fresh)
      diag::with_related(
          sink.error("registration-duplicate",
                     "trunk " + q(t.name.value) + " registers as user " +
                         q(t.auth.username.value) + " at host " + q(t.host.value) +
                         ", as trunk " + q(it->second->name.value) + " already does",
                     t.auth.username.where),
          it->second->auth.username.where, "the other registration");
  }
}

// Accept-register trunks: host is not a tenant's sip_domain.
void rule_accept_register_host(const site::Site& site, const Index&, diag::Sink& sink) {
  for (const auto& t : site.trunks) {
    if (t.type.value != site::TrunkType::accept_register || !t.type.present || !t.host.present)
      continue;
    for (const auto& tn : site.tenants) {
      if (!tn.sip_domain.present || !same_domain(tn.sip_domain.value, t.host.value)) continue;
      auto& d = sink.error("accept-register-host",
                           "host " + q(t.host.value) + " of accept-register trunk " +
                               q(t.name.value) + " is the sip_domain of tenant " +
                               q(tn.name.value),
                           t.host.where);
      diag::with_related(d, tn.sip_domain.where, "the tenant's domain");
      diag::with_hint(d, "an accept-register trunk needs a host of its own, or REGISTERs "
                         "from the gateway are taken for the tenant's users");
    }
  }
}

// Passwords: inline ones are warned; accept-register ones shorter than 12
// characters are warned. The value itself is never printed.
void rule_passwords(const site::Site& site, const Index&, diag::Sink& sink) {
  for (const auto& t : site.trunks) {
    if (!t.auth.password.present) continue;
    auto& d = sink.warning("inline-password",
                           "trunk " + q(t.name.value) + " has its password inline in the site",
                           t.auth.password.key());
    diag::with_hint(d, "use password_env or password_file so the secret stays out of git");
    if (t.type.value == site::TrunkType::accept_register && t.auth.password.value.size() < 12)
      diag::with_hint(
          sink.warning("weak-password",
                       "accept-register trunk " + q(t.name.value) +
                           " has a password shorter than 12 characters",
                       t.auth.password.key()),
          "gateways that register to the PBX are scanned for; use 12 or more characters");
  }
}

}  // namespace trunk::check
