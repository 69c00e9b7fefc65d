// Every site rule, by family, in the order check::site_rules runs them (spec:
// "Rules every validator enforces", "DID pools"). Each rule is a function
// from the loaded model to diagnostics: it reads the site, reports to the
// sink and keeps nothing. The loader has already checked each value on its
// own; these rules look across objects. Each has a stable code, listed in
// trunk-site(5), and where two definitions conflict it points at both.
//
//   names.cpp         duplicate-name, duplicate-sip-domain
//   proxies.cpp       proxy-address-is-trunk, proxy-address-overlap
//   registration.cpp  missing-field, missing-password, password-sources,
//                     registration-duplicate, accept-register-host,
//                     inline-password, weak-password
//   hosts.cpp         peer-owner, peer-per-provider, peer-address-duplicate,
//                     peer-address-ambiguous, transport-required,
//                     transport-disabled
//   references.cpp    unknown-tenant, owner-required, duplicate-assignment,
//                     foreign-assignment, failover-*, unknown-trunk,
//                     route-trunk-unassigned, route-trunk-direction,
//                     inbound-trunk-direction
//   limits.cpp        limits-total
//   pools.cpp         did-* (at the entry inside the string), did-overlap,
//                     inbound-outside-pool (pool_sweep.cpp: the range sweep)
//
// The route rules (route-ambiguous, duplicate-route, pattern-*,
// inbound-overlap, ...) need parsed patterns and the compiler's automata, so
// they stay in route/compile_routes.cpp and route/compile_inbound.cpp and run
// after these, from check::check_site_with, on a site these pass.
//
// Internal to check/ and its tests; tools call check/site.hpp.
#pragma once

#include "check/rule_support.hpp"
#include "check/site.hpp"
#include "diag/diagnostic.hpp"
#include "diag/render.hpp"
#include "site/model.hpp"

namespace trunk::check {

// A rule over the model: the site, its name lookups, the sink it reports to.
using SiteRule = void (*)(const site::Site& site, const Index& index, diag::Sink& sink);

void rule_unique_names(const site::Site& site, const Index& index, diag::Sink& sink);
void rule_proxies(const site::Site& site, const Index& index, diag::Sink& sink);
void rule_registration_identity(const site::Site& site, const Index& index, diag::Sink& sink);
void rule_accept_register_host(const site::Site& site, const Index& index, diag::Sink& sink);
void rule_peer(const site::Site& site, const Index& index, diag::Sink& sink);
void rule_ownership(const site::Site& site, const Index& index, diag::Sink& sink);
void rule_transport(const site::Site& site, const Index& index, diag::Sink& sink);
void rule_failover(const site::Site& site, const Index& index, diag::Sink& sink);
void rule_references(const site::Site& site, const Index& index, diag::Sink& sink);
void rule_trunk_use(const site::Site& site, const Index& index, diag::Sink& sink);
void rule_limits(const site::Site& site, const Index& index, diag::Sink& sink);
void rule_passwords(const site::Site& site, const Index& index, diag::Sink& sink);

// The order they run in; tools sort what they print by place, but a
// library caller sees the sink in this order.
inline constexpr SiteRule kSiteRules[] = {
    rule_unique_names, rule_proxies,   rule_registration_identity, rule_accept_register_host,
    rule_peer,         rule_ownership, rule_transport,             rule_failover,
    rule_references,   rule_trunk_use, rule_limits,                rule_passwords,
};

// The DID pool rules, run after kSiteRules. They need the files' text
// (`sources`) to place a diagnostic at the character inside a pool string
// (see site::place_of); a value it cannot map exactly is reported at its
// opening quote. When `stats` is given it is overwritten with the figures.
// Names that do not resolve (unknown tenants and trunks) are the other
// rules' to report; these skip what they reference, so they also run alone
// on a site the others would reject (tests do).
//
// Cost: parsing is linear in the text (spread over the cores); the overlap
// rule sorts each provider's ranges once and sweeps them, O(n log n + k) for
// n ranges and k overlapping range pairs, never comparing pools pairwise and
// never expanding a range into numbers, so a site of a million entries takes
// a fraction of a second. Never throws on bad input (only std::bad_alloc).
void rule_pools(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink,
                PoolStats* stats = nullptr);

}  // namespace trunk::check
