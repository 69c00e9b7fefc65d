// Planning a site change: load, find, edit the text, check the result,
// diff; and writing it.
#include "site/change.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "io/atomic_write.hpp"
#include "io/input_file.hpp"
#include "site/edit.hpp"
#include "site/settings.hpp"
#include "site/templates.hpp"
#include "text/line_diff.hpp"

namespace trunk::site {
namespace {

std::string q(std::string_view s) { return diag::quoted(s); }
using Kind = ChangeRequest::Kind;

struct Checked {
  Site site;
  diag::SourceText sources;
  diag::Sink sink;
};

// A file's text as diagnostics quote it: secrets masked. The diff is made
// of these, so no password reaches it.
std::string masked(const diag::SourceText& sources, const std::string& path) {
  std::string_view raw = sources.text(path);
  std::string out;
  std::uint32_t n = 0;
  for (std::string_view line : text::split_lines(raw)) {
    out += sources.line(path, ++n);
    if (line.ends_with('\n')) out += '\n';
  }
  return out;
}

ChangeResult unusable(std::string message, std::vector<std::string> hints = {}) {
  ChangeResult r;
  r.exit_code = 2;
  r.message = std::move(message);
  r.hints = std::move(hints);
  return r;
}

ChangeResult findings(Checked& c, std::string message) {
  ChangeResult r;
  r.exit_code = 1;
  r.message = std::move(message);
  c.sink.sort();
  r.sink = std::move(c.sink);
  r.sources = std::move(c.sources);
  return r;
}

std::string trunk_names_hint(const Site& site, const std::string& name) {
  std::vector<std::string_view> names;
  for (const auto& t : site.trunks) names.push_back(t.name.value);
  std::string near = diag::closest_match(name, names);
  return near.empty() ? "`trunkctl list` shows the trunks" : "did you mean " + q(near) + "?";
}

// The rules that use the trunk (for `tenant`, only that tenant's): routes,
// inbound rules, other trunks' failover and expectations. One finding each.
std::size_t report_uses(const Site& site, const std::string& name, const std::string& tenant,
                        diag::Sink& sink) {
  std::size_t uses = 0;
  auto report = [&](const diag::SourceRegion& where, std::string what) {
    auto& d = sink.error("trunk-in-use", what, where);
    diag::with_hint(d, tenant.empty() ? "take the trunk out of it first"
                                      : "take the trunk out of it, or the rule out of the tenant, first");
    ++uses;
  };
  bool all = tenant.empty();
  for (const auto& r : site.routes) {
    if (!all && r.tenant.value != tenant) continue;
    for (const auto& t : r.trunks.value)
      if (t.value == name)
        report(t.where, "route " + q(r.name.value) + " of tenant " + q(r.tenant.value) +
                            " sends calls to trunk " + q(name));
  }
  for (const auto& in : site.inbound) {
    if (in.trunk.value != name || (!all && in.tenant.value != tenant)) continue;
    report(in.trunk.where, "inbound rule for " + q(in.did.value) + " of tenant " +
                               q(in.tenant.value) + " takes calls from trunk " +
                               q(name));
  }
  if (all) {
    for (const auto& t : site.trunks)
      if (t.failover.present && t.failover.value == name && t.name.value != name)
        report(t.failover.where,
               "trunk " + q(t.name.value) + " fails over to trunk " + q(name));
  }
  for (const auto& ex : site.expects) {
    if (!all && ex.tenant.value != tenant) continue;
    if (ex.trunk.present && ex.trunk.value == name)
      report(ex.trunk.where, "an expectation ([[expect]]) names trunk " + q(name));
    for (const auto& t : ex.trunks.value)
      if (t.value == name)
        report(t.where, "an expectation ([[expect]]) names trunk " + q(name));
  }
  return uses;
}

// The file a new trunk goes into (see change.hpp).
std::size_t file_for_new_trunk(const std::vector<SiteFile>& files) {
  std::size_t best = 0, most = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::size_t n = edit::count_trunks(files[i].text);
    if (n > most) {
      most = n;
      best = i;
    }
  }
  return best;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

ChangeResult plan_change(const std::filesystem::path& path, const ChangeRequest& req,
                         const SiteRules& rules) {
  // Arguments first: a bad one is a usage error, whatever the site holds.
  std::vector<Setting> settings;
  for (const auto& arg : req.settings) {
    Setting s;
    SettingError e;
    if (!parse_setting(arg, s, e)) {
      std::vector<std::string> hints;
      if (!e.hint.empty()) hints.push_back(e.hint);
      return unusable(e.message, hints);
    }
    settings.push_back(std::move(s));
  }
  if (req.kind == Kind::add && req.type.empty() && req.template_name.empty())
    return unusable("a new trunk needs --type TYPE or --template NAME",
                    {"for example: trunkctl add NAME --type peer --set host=192.0.2.10"});

  Checked before;
  if (load_site(path, before.site, before.sink, before.sources) != LoadStatus::loaded) {
    ChangeResult r = findings(before, "cannot read the site");
    r.exit_code = 2;
    return r;
  }
  rules(before.site, before.sources, before.sink);
  if (before.sink.errors() > 0)
    return findings(before, "the site has errors before the change (" +
                                diag::summary(before.sink) +
                                "); fix them first (`trunkctl validate` shows them)");

  std::vector<SiteFile> files;
  for (const auto& f : before.site.files) files.push_back({f, std::string(before.sources.text(f))});

  const Trunk* trunk = before.site.find_trunk(req.trunk);
  std::size_t file = 0, ordinal = 0;
  if (req.kind == Kind::add) {
    if (trunk) {
      Checked c;
      auto& d = c.sink.error("duplicate-name",
                             "a trunk named " + q(req.trunk) + " already exists",
                             trunk->name.where);
      diag::with_hint(d, "choose another name, or change this one with `trunkctl set`");
      c.sources = std::move(before.sources);
      return findings(c, "nothing was changed");
    }
  } else {
    if (!trunk) {
      Checked c;
      auto& d = c.sink.error("unknown-trunk", "no trunk named " + q(req.trunk) + " in the site",
                             diag::SourceRegion{path.string()});
      diag::with_hint(d, trunk_names_hint(before.site, req.trunk));
      return findings(c, "nothing was changed");
    }
    auto it = std::find_if(files.begin(), files.end(),
                           [&](const SiteFile& f) { return f.path == trunk->where.file.str(); });
    std::optional<std::size_t> o;
    if (it != files.end()) o = edit::trunk_ordinal(it->text, trunk->where.line);
    if (!o)
      return unusable("cannot find the [[trunk]] table of " + q(req.trunk) + " in " +
                      trunk->where.file.str());
    file = static_cast<std::size_t>(it - files.begin());
    ordinal = *o;
  }

  std::string error, message;
  auto edit_failed = [&](const std::string& name) {
    return unusable("cannot edit " + name + ": " + error);
  };
  switch (req.kind) {
    case Kind::add: {
      std::string body;
      if (!req.template_name.empty()) {
        auto found = find_template(req.template_name, req.template_dirs);
        if (!found) {
          std::vector<std::string> names = template_names(req.template_dirs);
          std::vector<std::string_view> views(names.begin(), names.end());
          std::string near = diag::closest_match(req.template_name, views);
          std::vector<std::string> hints;
          if (!near.empty()) hints.push_back("did you mean " + q(near) + "?");
          std::vector<std::string> dirs;
          for (const auto& d : req.template_dirs) dirs.push_back(d.string());
          hints.push_back("looked in " + join(dirs) +
                          (names.empty() ? "" : "; templates there: " + join(names)));
          return unusable("no template " + q(req.template_name), hints);
        }
        std::string text, read_error;
        if (!io::read_input(*found, io::kTemplateFile, text, read_error))
          return unusable("cannot read template: " + read_error);
        body = template_body(text);
        if (!req.type.empty()) settings.insert(settings.begin(), {"type", edit::toml_string(req.type)});
      } else {
        body = "type = " + edit::toml_string(req.type) + "\n";
      }
      file = file_for_new_trunk(files);
      edit::append_trunk(files[file].text,
                         "[[trunk]]\nname = " + edit::toml_string(req.trunk) + "\n" + body);
      ordinal = edit::count_trunks(files[file].text) - 1;
      message = "trunk " + q(req.trunk) + " added to " + files[file].path;
      if (!req.template_name.empty()) message += " from template " + q(req.template_name);
      break;
    }
    case Kind::set: {
      std::vector<std::string> keys;
      for (const auto& s : settings) keys.push_back(s.key);
      message = join(keys) + " of trunk " + q(req.trunk) + " set in " + files[file].path;
      break;
    }
    case Kind::remove: {
      Checked c;
      std::size_t uses = report_uses(before.site, req.trunk, "", c.sink);
      if (uses > 0) {
        c.sources = std::move(before.sources);
        return findings(c, "trunk " + q(req.trunk) + " is in use (" +
                               diag::count(uses, "reference") + "); nothing was changed");
      }
      if (!edit::remove_trunk(files[file].text, ordinal, error)) return edit_failed(files[file].path);
      message = "trunk " + q(req.trunk) + " removed from " + files[file].path;
      break;
    }
    case Kind::assign: {
      bool assigned = std::any_of(trunk->tenants.begin(), trunk->tenants.end(),
                                  [&](const TrunkTenant& a) { return a.tenant.value == req.tenant; });
      bool ok = true;
      if (!assigned)
        ok = edit::add_assignment(files[file].text, ordinal, req.tenant, req.did_pool, error);
      else if (req.did_pool)
        ok = edit::set_assignment_pool(files[file].text, ordinal, req.tenant, *req.did_pool, error);
      if (!ok) return edit_failed(files[file].path);
      message = "trunk " + q(req.trunk) + " assigned to tenant " + q(req.tenant) +
                (assigned ? " (DID pool changed)" : "") + " in " + files[file].path;
      break;
    }
    case Kind::unassign: {
      Checked c;
      bool assigned = false;
      std::vector<std::string> tenants;
      for (const auto& a : trunk->tenants) {
        tenants.push_back(q(a.tenant.value));
        assigned = assigned || a.tenant.value == req.tenant;
      }
      if (!assigned) {
        auto& d = c.sink.error("not-assigned",
                               "trunk " + q(req.trunk) + " is not assigned to tenant " +
                                   q(req.tenant),
                               trunk->where);
        diag::with_hint(d, tenants.empty() ? "the trunk has no tenants"
                                           : "its tenants: " + join(tenants));
        c.sources = std::move(before.sources);
        return findings(c, "nothing was changed");
      }
      std::size_t uses = report_uses(before.site, req.trunk, req.tenant, c.sink);
      if (uses > 0) {
        c.sources = std::move(before.sources);
        return findings(c, "tenant " + q(req.tenant) + " uses trunk " + q(req.trunk) +
                               " (" + diag::count(uses, "reference") + "); nothing was changed");
      }
      if (!edit::remove_assignment(files[file].text, ordinal, req.tenant, error))
        return edit_failed(files[file].path);
      message = "trunk " + q(req.trunk) + " unassigned from tenant " + q(req.tenant) +
                " in " + files[file].path;
      break;
    }
  }
  for (const auto& s : settings)
    if (!edit::set_key(files[file].text, ordinal, s.key, s.toml, error))
      return edit_failed(files[file].path);

  ChangeResult r;
  r.message = std::move(message);
  for (const auto& f : files)
    if (f.text != before.sources.text(f.path)) r.changed.push_back(f.path);
  if (r.changed.empty()) {
    r.exit_code = 0;
    r.message = "nothing to change: the site already says so";
    r.files = std::move(files);
    return r;
  }

  // The edited site, checked as `trunkctl validate` checks it.
  Checked after;
  load_texts(files, after.site, after.sink, after.sources);
  rules(after.site, after.sources, after.sink);
  after.sink.sort();
  std::set<std::pair<std::string, std::string>> known;
  for (const auto& d : before.sink.all()) known.emplace(d.code, d.message);
  for (const auto& d : after.sink.all())
    if (d.severity == diag::Severity::error || !known.count({d.code, d.message})) r.sink.add(d);
  for (const auto& p : r.changed) {
    std::string name = p.substr(std::min(p.find_first_not_of('/'), p.size()));
    r.diff += text::unified_diff("a/" + name, "b/" + name, masked(before.sources, p),
                                 masked(after.sources, p));
  }
  r.sources = std::move(after.sources);
  r.files = std::move(files);
  r.exit_code = r.sink.errors() > 0 ? 1 : 0;
  if (r.exit_code == 1)
    r.message = "the change was not made: the site would have " + diag::summary(r.sink);
  return r;
}

bool apply_change(const ChangeResult& r, std::string& error) {
  for (const auto& path : r.changed) {
    auto it = std::find_if(r.files.begin(), r.files.end(),
                           [&](const SiteFile& f) { return f.path == path; });
    if (it == r.files.end()) {
      error = "internal error: no text for " + path;
      return false;
    }
    if (!io::write_atomically(path, it->text, error)) return false;
  }
  return true;
}

}  // namespace trunk::site
