// The naming rules: tenants, trunks and proxies each have unique names
// (duplicate-name), and a SIP domain belongs to one tenant
// (duplicate-sip-domain; domains compare without case). A second
// definition is reported with the first.
#include <map>
#include <string>
#include <vector>

#include "check/rules.hpp"

namespace trunk::check {
namespace {

// The objects of one kind (tenants, trunks, proxies) have unique names; a
// second one is reported with the first.
template <class T>
void unique_names(const std::vector<T>& objects, std::string_view kind, diag::Sink& sink) {
  std::map<std::string_view, const T*> seen;
  for (const auto& o : objects) {
    if (!o.name.present) continue;
    auto [it, fresh] = seen.emplace(o.name.value, &o);
    if (!fresh)
      diag::with_related(sink.error("duplicate-name",
                                    std::string(kind) + " " + q(o.name.value) +
                                        " is defined twice",
                                    o.name.where),
                         it->second->name.where, "first defined here");
  }
}

}  // namespace

// Names and SIP domains are unique.
void rule_unique_names(const site::Site& site, const Index&, diag::Sink& sink) {
  unique_names(site.tenants, "tenant", sink);
  unique_names(site.trunks, "trunk", sink);
  unique_names(site.proxies, "proxy", sink);
  std::map<std::string, const site::Tenant*> domains;
  for (const auto& t : site.tenants) {
    if (t.sip_domain.present) {
      auto [it, fresh] = domains.emplace(name_key(t.sip_domain.value), &t);
      if (!fresh)
        diag::with_related(
            sink.error("duplicate-sip-domain",
                       "sip_domain " + q(t.sip_domain.value) + " of tenant " +
                           q(t.name.value) + " is already the domain of tenant " +
                           q(it->second->name.value),
                       t.sip_domain.where),
            it->second->sip_domain.where, "first defined here");
    }
  }
}

}  // namespace trunk::check
