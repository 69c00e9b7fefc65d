// The rules every validator enforces over a loaded site (spec: "Rules every
// validator enforces").
//
// The loader has already checked each value on its own; these rules look
// across objects: uniqueness, ownership, references, which trunks routes
// and inbound rules may use, failover chains, transports, password
// hygiene, and the addresses of trusted proxies (none a trunk's, none in
// two proxies). Host names, domains and provider names compare without case. Each rule has a stable code (listed in
// trunk-site(5)) and, where two definitions conflict, points at both.
// DID pool rules live in did/ (pool contents, cross-tenant overlap); this
// file does not parse pools.
#pragma once

#include "diag/diagnostic.hpp"
#include "site/model.hpp"

namespace trunk::site {

// Reports every rule violation in `site` to `sink`. Never prints a password.
void validate(const Site& site, diag::Sink& sink);

}  // namespace trunk::site
