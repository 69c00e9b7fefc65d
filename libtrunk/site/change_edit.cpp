// Each kind of site change made on the texts being planned: add, set,
// remove, assign, unassign, then the request's --set settings. The steps
// around them (arguments, the site before, the trunk, the site after) are
// change.cpp's; what they share is change_steps.hpp.
#include <string>
#include <vector>

#include "site/change_steps.hpp"
#include "site/edit.hpp"
#include "site/templates.hpp"

namespace trunk::site::change_steps {
namespace {

ChangeResult template_not_found(const ChangeRequest& req) {
  std::vector<std::string> names = template_names(req.templates);
  std::vector<std::string_view> views(names.begin(), names.end());
  std::string near = diag::closest_match(req.template_name, views);
  std::vector<std::string> hints;
  if (!near.empty()) hints.push_back("did you mean " + q(near) + "?");
  hints.push_back("looked in " + describe_search(req.templates) +
                  (names.empty() ? "" : "; templates there: " + join(names)));
  return unusable("no template " + q(req.template_name), hints);
}

// The body of a new [[trunk]] below its name: the template's (with --type
// set first, before the --set settings), or `type = ...` alone.
Stop new_trunk_body(Plan& p, std::string& body) {
  const ChangeRequest& req = p.req();
  if (req.template_name.empty()) {
    body = "type = " + edit::toml_string(req.type) + "\n";
    return std::nullopt;
  }
  auto found = find_template(req.template_name, req.templates);
  if (!found) return template_not_found(req);
  std::string text, read_error;
  if (!read_template(*found, text, read_error))
    return unusable("cannot read template: " + read_error);
  body = template_body(text);
  if (!req.type.empty()) p.settings.insert(p.settings.begin(), {"type", edit::toml_string(req.type)});
  return std::nullopt;
}

Stop edit_add(Plan& p) {
  std::string body;
  if (auto stop = new_trunk_body(p, body)) return stop;
  p.file = file_for_new_trunk(p.files, p.trunks);
  SiteFile& f = p.files[p.file];
  edit::append_trunk(f.text, "[[trunk]]\nname = " + edit::toml_string(p.req().trunk) + "\n" + body);
  p.ordinal = edit::count_trunks(f.text) - 1;
  p.message = "trunk " + q(p.req().trunk) + " added to " + f.path;
  if (!p.req().template_name.empty()) p.message += " from template " + q(p.req().template_name);
  return std::nullopt;
}

Stop edit_set(Plan& p) {
  std::vector<std::string> keys;
  for (const auto& s : p.settings) keys.push_back(s.key);
  p.message = join(keys) + " of trunk " + q(p.req().trunk) + " set in " + p.files[p.file].path;
  return std::nullopt;
}

Stop edit_remove(Plan& p) {
  Checked c;
  std::size_t uses = report_uses(p.before.site, p.trunks, p.req().trunk, "", c.sink);
  if (uses > 0) {
    c.sources = std::move(p.before.sources);
    return findings(c, "trunk " + q(p.req().trunk) + " is in use (" +
                           diag::count(uses, "reference") + "); nothing was changed");
  }
  SiteFile& f = p.files[p.file];
  std::string error;
  if (!edit::remove_trunk(f.text, p.ordinal, error)) return edit_failed(f.path, error);
  p.message = "trunk " + q(p.req().trunk) + " removed from " + f.path;
  return std::nullopt;
}

Stop edit_assign(Plan& p) {
  const ChangeRequest& req = p.req();
  bool assigned = std::any_of(p.trunk->tenants.begin(), p.trunk->tenants.end(),
                              [&](const TrunkTenant& a) { return a.tenant.value == req.tenant; });
  SiteFile& f = p.files[p.file];
  std::string error;
  bool ok = true;
  if (!assigned)
    ok = edit::add_assignment(f.text, p.ordinal, req.tenant, req.did_pool, error);
  else if (req.did_pool)
    ok = edit::set_assignment_pool(f.text, p.ordinal, req.tenant, *req.did_pool, error);
  if (!ok) return edit_failed(f.path, error);
  p.message = "trunk " + q(req.trunk) + " assigned to tenant " + q(req.tenant) +
              (assigned ? " (DID pool changed)" : "") + " in " + f.path;
  return std::nullopt;
}

Stop edit_unassign(Plan& p) {
  const ChangeRequest& req = p.req();
  Checked c;
  bool assigned = false;
  std::vector<std::string> tenants;
  for (const auto& a : p.trunk->tenants) {
    tenants.push_back(q(a.tenant.value));
    assigned = assigned || a.tenant.value == req.tenant;
  }
  if (!assigned) {
    auto& d = c.sink.error("not-assigned",
                           "trunk " + q(req.trunk) + " is not assigned to tenant " +
                               q(req.tenant),
                           p.trunk->where);
    diag::with_hint(d, tenants.empty() ? "the trunk has no tenants"
                                       : "its tenants: " + join(tenants));
    c.sources = std::move(p.before.sources);
    return findings(c, "nothing was changed");
  }
  std::size_t uses = report_uses(p.before.site, p.trunks, req.trunk, req.tenant, c.sink);
  if (uses > 0) {
    c.sources = std::move(p.before.sources);
    return findings(c, "tenant " + q(req.tenant) + " uses trunk " + q(req.trunk) +
                           " (" + diag::count(uses, "reference") + "); nothing was changed");
  }
  SiteFile& f = p.files[p.file];
  std::string error;
  if (!edit::remove_assignment(f.text, p.ordinal, req.tenant, error))
    return edit_failed(f.path, error);
  p.message = "trunk " + q(req.trunk) + " unassigned from tenant " + q(req.tenant) +
              " in " + f.path;
  return std::nullopt;
}

}  // namespace

// The request's own edit, then its --set settings, on the trunk's file.
Stop edit_texts(Plan& p) {
  Stop stop;
  switch (p.req().kind) {
    case Kind::add: stop = edit_add(p); break;
    case Kind::set: stop = edit_set(p); break;
    case Kind::remove: stop = edit_remove(p); break;
    case Kind::assign: stop = edit_assign(p); break;
    case Kind::unassign: stop = edit_unassign(p); break;
  }
  if (stop) return stop;
  SiteFile& f = p.files[p.file];
  std::string error;
  for (const auto& s : p.settings)
    if (!edit::set_key(f.text, p.ordinal, s.key, s.toml, error)) return edit_failed(f.path, error);
  return std::nullopt;
}

}  // namespace trunk::site::change_steps
