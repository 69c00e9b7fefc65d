// The settable keys and KEY=VALUE parsing.
#include "site/settings.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "site/edit.hpp"
#include "site/schema.hpp"

namespace trunk::site {
namespace {


std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool whole_number(std::string_view s) {
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         (s.size() == 1 || s.front() != '0');
}

std::string ticked(std::string_view key) {
  std::string out = "`";
  out += key;
  out += '`';
  return out;
}

// A key that looks like it holds a secret (auth.password, a misspelling of
// it, anything naming a pass or a secret), but not the keys that say where
// the secret is. Its value is never written nor repeated.
bool secret_key(std::string_view key) {
  // A key of the schema is a secret when the schema says so (auth.password;
  // not auth.password_env, which says where one is); any other key is
  // judged by its name, to catch a misspelt secret.
  std::size_t dot = key.find('.');
  const schema::Field* f =
      dot == std::string_view::npos
          ? schema::find("trunk", key)
          : schema::find("trunk." + std::string(key.substr(0, dot)), key.substr(dot + 1));
  if (f) return f->secret;
  std::string_view leaf = key.substr(key.rfind('.') + 1);
  return key.find("pass") != std::string_view::npos ||
         key.find("secret") != std::string_view::npos ||
         key.find("pwd") != std::string_view::npos || diag::edit_distance(leaf, "password") <= 2;
}

}  // namespace

std::span<const SettableKey> settable_keys() {
  // The schema's settable fields; a sub-table's key dotted ("limits.total").
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& f : schema::fields()) {
      if (!f.settable) continue;
      std::string_view table = f.table;
      out.push_back(table == "trunk" ? std::string(f.key)
                                     : std::string(table.substr(table.find('.') + 1)) + "." +
                                           std::string(f.key));
    }
    return out;
  }();
  static const std::vector<SettableKey> keys = [] {
    std::vector<SettableKey> out;
    std::size_t i = 0;
    for (const auto& f : schema::fields()) {
      if (!f.settable) continue;
      SettingType type = f.type == schema::Type::integer   ? SettingType::integer
                         : f.type == schema::Type::boolean ? SettingType::boolean
                         : f.type == schema::Type::strings ? SettingType::strings
                                                           : SettingType::string;
      out.push_back({names[i++], type});
    }
    return out;
  }();
  return keys;
}

bool parse_setting(std::string_view arg, Setting& out, SettingError& error) {
  std::size_t eq = arg.find('=');
  if (eq == std::string_view::npos) {
    error = {"expected KEY=VALUE", "for example: trunkctl set NAME port=5080 transport=tcp"};
    return false;
  }
  std::string key(trim(arg.substr(0, eq)));
  std::string_view value = arg.substr(eq + 1);
  if (key == "name") {
    error = {"the trunk's name is not changed with a setting",
             "routes and rules refer to it: remove the trunk and add it under the new name"};
    return false;
  }
  if (key == "tenant" || key.starts_with("tenant.")) {
    error = {"assignments are not settings",
             "use `trunkctl assign NAME --tenant T --did-pool POOL` or `trunkctl unassign`"};
    return false;
  }
  const std::span<const SettableKey> keys = settable_keys();
  auto it = std::find_if(keys.begin(), keys.end(),
                         [&](const SettableKey& k) { return k.key == key; });
  if (secret_key(key)) {
    error = {"trunkctl does not write passwords into the site",
             "set auth.password_env=VAR or auth.password_file=PATH: secrets stay out of git"};
    return false;
  }
  if (it == keys.end()) {
    std::vector<std::string_view> names;
    for (const auto& k : keys) names.push_back(k.key);
    // Also the key without its table: "interval" means keepalive.interval.
    std::string near = diag::closest_match(key, names);
    if (near.empty())
      for (const auto& k : keys)
        if (std::size_t dot = k.key.find('.');
            dot != std::string_view::npos && k.key.substr(dot + 1) == key)
          near = k.key;
    error = {"unknown key " + ticked(key),
             near.empty() ? "trunkctl set --help lists the keys"
                          : "did you mean " + ticked(near) + "?"};
    return false;
  }
  out.key = key;
  switch (it->type) {
    case SettingType::string:
      out.toml = edit::toml_string(value);
      return true;
    case SettingType::integer:
      if (!whole_number(trim(value))) {
        error = {ticked(key) + " takes a whole number", ""};
        return false;
      }
      out.toml = std::string(trim(value));
      return true;
    case SettingType::boolean: {
      std::string_view v = trim(value);
      if (v != "true" && v != "false") {
        error = {ticked(key) + " takes true or false", ""};
        return false;
      }
      out.toml = std::string(v);
      return true;
    }
    case SettingType::strings: {
      out.toml = "[";
      bool first = true;
      while (!trim(value).empty()) {
        std::size_t comma = value.find(',');
        std::string_view item = trim(value.substr(0, comma));
        value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
        if (item.empty()) continue;
        if (!first) out.toml += ", ";
        out.toml += edit::toml_string(item);
        first = false;
      }
      out.toml += "]";
      return true;
    }
  }
  return false;
}

}  // namespace trunk::site
