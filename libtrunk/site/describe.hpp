// Describing trunks for people and scripts: the one place that turns a Trunk
// into printed fields, so that `trunkctl list`, `trunkctl show` and later
// tools print the same words and never a password. Passwords are shown only
// as their source ("env XYZ_PASSWORD", "file /etc/...", "inline (redacted)").
#pragma once

#include <string>

#include "diag/json.hpp"
#include "site/model.hpp"

namespace trunk::site {

// "sip.xyz.example:5060/udp"
std::string endpoint(const Trunk& t);
// Tenants the trunk is assigned to, comma-separated ("-" for none).
std::string tenant_list(const Trunk& t);
// Where the password comes from, never the password itself.
std::string password_source(const Auth& a);

// One object with every field of the trunk (password redacted).
void write_trunk_json(diag::JsonWriter& w, const Trunk& t);
// "key: value" lines for `trunkctl show`.
std::string describe_trunk_text(const Trunk& t);

}  // namespace trunk::site
