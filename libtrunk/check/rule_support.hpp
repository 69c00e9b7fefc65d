// What the site rules of check/ share, and nothing else: the name lookups
// built once per pass (Index), the quoting of names in messages, how host
// and provider names compare, and the "did you mean" hint. Internal to
// check/: the rules' files include it, no other folder does (the public
// entry is check/site.hpp).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "diag/diagnostic.hpp"
#include "site/model.hpp"
#include "text/ascii.hpp"

namespace trunk::check {

// Name lookups for the rules: a site may hold a million routes, so no rule
// searches the lists. Built once per pass and handed to every rule; it
// points into the site, which must outlive it.
struct Index {
  std::unordered_map<std::string_view, const site::Tenant*> tenants;
  std::unordered_map<std::string_view, const site::Trunk*> trunks;
  explicit Index(const site::Site& site) {
    for (const auto& t : site.tenants) tenants.emplace(t.name.value, &t);
    for (const auto& t : site.trunks) trunks.emplace(t.name.value, &t);
  }
  const site::Tenant* tenant(std::string_view name) const {
    auto it = tenants.find(name);
    return it == tenants.end() ? nullptr : it->second;
  }
  const site::Trunk* trunk(std::string_view name) const {
    auto it = trunks.find(name);
    return it == trunks.end() ? nullptr : it->second;
  }
};

// A name as messages show it. Built by appending: GCC 12 warns falsely
// (-Wrestrict) on "\"" + std::string.
inline std::string q(std::string_view s) { return diag::quoted(s); }

// Domain names compare without regard to case (RFC 4343), and so do
// provider names: an operator writing `XYZ` and `xyz` means one provider.
// Rules keyed by such a name key by its lower-case form.
inline bool same_domain(std::string_view a, std::string_view b) { return text::equal_ci(a, b); }
inline std::string name_key(std::string_view s) { return text::ascii_lower(s); }

inline bool is_registration(const site::Trunk& t) {
  return t.type.value == site::TrunkType::register_ ||
         t.type.value == site::TrunkType::accept_register;
}

// The names of `objects` (tenants or trunks), in site order: the
// candidates of hint_closest.
template <class T>
std::vector<std::string_view> names_of(const std::vector<T>& objects) {
  std::vector<std::string_view> names;
  names.reserve(objects.size());
  for (const auto& o : objects) names.push_back(o.name.value);
  return names;
}

// Adds "did you mean "x"?" to `d` when one of `names` is close to `word`;
// returns whether it did, so a rule may offer another hint instead.
inline bool hint_closest(diag::Diagnostic& d, std::string_view word,
                         const std::vector<std::string_view>& names) {
  std::string near = diag::closest_match(word, names);
  if (near.empty()) return false;
  diag::with_hint(d, "did you mean " + q(near) + "?");
  return true;
}

}  // namespace trunk::check
