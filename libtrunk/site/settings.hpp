// The trunk keys a script may set (`trunkctl add --set`, `trunkctl set`),
// each with the TOML type the loader reads it as, and the parsing of one
// KEY=VALUE argument into the TOML text to write.
//
// Keys are the site's own (trunk-site(5)); a sub-table's key is dotted:
// `limits.total`, `keepalive.interval`, `auth.username`. Not settable here:
// `name` (routes and rules refer to it: remove and add instead), `tenant`
// (use assign and unassign) and `auth.password` (an inline secret; set
// `auth.password_env` or `auth.password_file`). Values are checked for their
// type only; the loader and the validator check the rest on the edited site.
// Messages name the key and never repeat a value, which may be a secret
// typed under a misspelt key.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace trunk::site {

enum class SettingType { string, integer, boolean, strings };

struct SettableKey {
  std::string_view key;
  SettingType type;
};

// Every settable key, in the order trunk-site(5) lists them: the fields
// site/schema.hpp marks settable.
std::span<const SettableKey> settable_keys();

// One parsed KEY=VALUE.
struct Setting {
  std::string key;
  std::string toml;  // the value as TOML text: "tcp" quoted, 5060, true, ["a", "b"]
};

// Why an argument was refused (a usage error): one line, and a hint or "".
struct SettingError {
  std::string message;
  std::string hint;
};

// Parses `arg`: KEY=VALUE where VALUE is read by KEY's type (true/false; a
// whole number; a string as is; for arrays, items separated by commas, an
// empty VALUE being the empty array). Returns false with `error` for a
// missing '=', an unknown or refused key, or a value of the wrong type.
bool parse_setting(std::string_view arg, Setting& out, SettingError& error);

}  // namespace trunk::site
