// Planning site changes, in named steps (the site before, then for each
// change its arguments, its trunk and its edit, then the site after and its
// diff); and writing them. One change is a batch of one, so `trunkctl set`
// and `trunkctl apply` cannot disagree.
#include "site/change.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <span>

#include "io/atomic_write.hpp"
#include "io/input_file.hpp"
#include "site/change_steps.hpp"
#include "site/edit.hpp"
#include "site/settings.hpp"
#include "site/templates.hpp"
#include "text/line_diff.hpp"

namespace trunk::site {
namespace change_steps {

ChangeResult unusable(std::string message, std::vector<std::string> hints) {
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

// The rules that use the trunk (for `tenant`, only that tenant's): routes,
// inbound rules, other trunks' failover and expectations. One finding each.
// `trunks` are the trunks as the earlier changes of the batch left them
// (the edits touch nothing else, so `site` holds the other rules as they are).
std::size_t report_uses(const Site& site, const std::vector<Trunk>& trunks,
                        const std::string& name, const std::string& tenant, diag::Sink& sink) {
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
    for (const auto& t : trunks)
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

// The file a new trunk goes into (see change.hpp). The trunks are counted
// in the model (`trunks`, as the edits so far left them), not by scanning
// every file's text again: a site of many route files would pay that for
// each trunk a batch adds.
std::size_t file_for_new_trunk(const std::vector<SiteFile>& files,
                               const std::vector<Trunk>& trunks) {
  std::map<std::string_view, std::size_t> count;
  for (const auto& t : trunks) ++count[t.where.file.str()];
  std::size_t best = 0, most = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto it = count.find(files[i].path);
    std::size_t n = it == count.end() ? 0 : it->second;
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

ChangeResult edit_failed(const std::string& file, const std::string& error) {
  return unusable("cannot edit " + file + ": " + error);
}

}  // namespace change_steps

namespace {

using namespace change_steps;

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


std::string trunk_names_hint(const std::vector<Trunk>& trunks, const std::string& name) {
  std::vector<std::string_view> names;
  for (const auto& t : trunks) names.push_back(t.name.value);
  std::string near = diag::closest_match(name, names);
  return near.empty() ? "`trunkctl list` shows the trunks" : "did you mean " + q(near) + "?";
}

// Arguments first: a bad one is a usage error, whatever the site holds.
Stop parse_arguments(Plan& p) {
  p.settings.clear();
  for (const auto& arg : p.req().settings) {
    Setting s;
    SettingError e;
    if (!parse_setting(arg, s, e)) {
      std::vector<std::string> hints;
      if (!e.hint.empty()) hints.push_back(e.hint);
      return unusable(e.message, hints);
    }
    p.settings.push_back(std::move(s));
  }
  if (p.req().kind == Kind::add && p.req().type.empty() && p.req().template_name.empty())
    return unusable("a new trunk needs --type TYPE or --template NAME",
                    {"for example: trunkctl add NAME --type peer --set host=192.0.2.10"});
  return std::nullopt;
}

// The site loaded and checked, and its files' texts to edit; a site that
// already has errors is not changed.
Stop load_before(const std::filesystem::path& path, const SiteRules& rules, Plan& p) {
  Checked& before = p.before;
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
  for (const auto& f : before.site.files) p.files.push_back({f, std::string(before.sources.text(f))});
  p.trunks = before.site.trunks;
  return std::nullopt;
}

// The trunk the request names, with its file and ordinal there; for add,
// that no trunk has the name yet.
Stop locate_trunk(const std::filesystem::path& path, Plan& p) {
  const ChangeRequest& req = p.req();
  auto found = std::find_if(p.trunks.begin(), p.trunks.end(),
                            [&](const Trunk& t) { return t.name.value == req.trunk; });
  p.trunk = found == p.trunks.end() ? nullptr : &*found;
  if (req.kind == Kind::add) {
    if (!p.trunk) return std::nullopt;
    Checked c;
    auto& d = c.sink.error("duplicate-name",
                           "a trunk named " + q(req.trunk) + " already exists",
                           p.trunk->name.where);
    diag::with_hint(d, "choose another name, or change this one with `trunkctl set`");
    c.sources = std::move(p.before.sources);
    return findings(c, "nothing was changed");
  }
  if (!p.trunk) {
    Checked c;
    auto& d = c.sink.error("unknown-trunk", "no trunk named " + q(req.trunk) + " in the site",
                           diag::SourceRegion{path.string()});
    diag::with_hint(d, trunk_names_hint(p.trunks, req.trunk));
    return findings(c, "nothing was changed");
  }
  const Trunk* trunk = p.trunk;
  auto it = std::find_if(p.files.begin(), p.files.end(),
                         [&](const SiteFile& f) { return f.path == trunk->where.file.str(); });
  std::optional<std::size_t> o;
  if (it != p.files.end()) o = edit::trunk_ordinal(it->text, trunk->where.line);
  if (!o)
    return unusable("cannot find the [[trunk]] table of " + q(req.trunk) + " in " +
                    trunk->where.file.str());
  p.file = static_cast<std::size_t>(it - p.files.begin());
  p.ordinal = *o;
  return std::nullopt;
}

// Reads the trunks of the file an edit changed again, so that the next
// change of the batch finds them (their lines, tenants, failover) as they
// are now. Only that file is read: the site's other files did not change.
// Its diagnostics are left to the check of the whole site after the batch.
// Of the file, only the [[trunk]] tables and their sub-tables are read:
// the other lines are blanked (line and column numbers stay), so a file that
// also holds a thousand tenants is not parsed again for each change.
std::string trunk_tables_only(const std::string& text) {
  edit::Layout layout = edit::scan(text);
  if (!layout.ok) return text;
  std::vector<bool> keep(layout.line_starts.size(), false);
  bool in_trunk = false;
  for (const auto& st : layout.statements) {
    if (st.kind == edit::Statement::Kind::header)
      in_trunk = st.name == "trunk" || st.name.starts_with("trunk.");
    if (in_trunk)
      for (std::size_t l = st.line; l <= st.last_line && l < keep.size(); ++l) keep[l] = true;
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t l = 0; l < layout.line_starts.size(); ++l) {
    std::size_t begin = layout.line_starts[l];
    std::size_t end = l + 1 < layout.line_starts.size() ? layout.line_starts[l + 1] : text.size();
    if (keep[l])
      out.append(text, begin, end - begin);
    else if (end > begin && text[end - 1] == '\n')
      out += '\n';
  }
  return out;
}

void reread_trunks(Plan& p, std::size_t file) {
  const std::string& path = p.files[file].path;
  Site fragment;
  diag::Sink ignored;
  load_fragment(trunk_tables_only(p.files[file].text), path, fragment, ignored);
  std::erase_if(p.trunks, [&](const Trunk& t) { return t.where.file.str() == path; });
  for (auto& t : fragment.trunks) p.trunks.push_back(std::move(t));
}

// The last change of the batch that names the trunk whose tables hold
// `where`, if `where` is inside a [[trunk]] table (or one of its
// sub-tables) of the edited texts; `p.trunks` are the trunks after the batch.
std::optional<std::size_t> change_at(const Plan& p, std::span<const ChangeRequest> requests,
                                     const diag::SourceRegion& where) {
  if (!where.known()) return std::nullopt;
  auto f = std::find_if(p.files.begin(), p.files.end(),
                        [&](const SiteFile& sf) { return sf.path == where.file.str(); });
  if (f == p.files.end()) return std::nullopt;
  edit::Layout layout = edit::scan(f->text);
  // The table the line is in: the last header on or above it.
  const edit::Statement* table = nullptr;
  std::size_t ordinal = 0, trunks = 0;
  for (const auto& st : layout.statements) {
    if (st.line + 1 > where.line) break;
    if (st.kind != edit::Statement::Kind::header) continue;
    table = &st;
    if (st.array && st.name == "trunk") ordinal = trunks++;
  }
  if (!table || trunks == 0 || !(table->name == "trunk" || table->name.starts_with("trunk.")))
    return std::nullopt;
  // The trunk's name, from the trunks as the batch left them.
  for (const auto& t : p.trunks) {
    if (t.where.file.str() != f->path) continue;
    std::optional<std::size_t> o = edit::trunk_ordinal(f->text, t.where.line);
    if (!o || *o != ordinal) continue;
    for (std::size_t i = requests.size(); i-- > 0;)
      if (requests[i].trunk == t.name.value) return i;
  }
  return std::nullopt;
}

// The edited site, checked as `trunkctl validate` checks it, with the
// findings the changes bring (warnings the site already had left out), the
// diff of the changed files and, for each error inside a trunk a change
// touched, that change.
ChangeResult check_after(Plan& p, std::span<const ChangeRequest> requests, const SiteRules& rules) {
  ChangeResult r;
  for (const auto& f : p.files)
    if (f.text != p.before.sources.text(f.path)) r.changed.push_back(f.path);
  r.message = requests.size() == 1
                  ? std::move(p.message)
                  : diag::count(requests.size(), "change") + " made in " + join(r.changed);
  if (r.changed.empty()) {
    r.exit_code = 0;
    r.message = "nothing to change: the site already says so";
    r.files = std::move(p.files);
    return r;
  }

  Checked after;
  load_texts(p.files, after.site, after.sink, after.sources);
  rules(after.site, after.sources, after.sink);
  after.sink.sort();
  std::set<std::pair<std::string, std::string>> known;
  for (const auto& d : p.before.sink.all()) known.emplace(d.code, d.message);
  for (const auto& d : after.sink.all())
    if (d.severity == diag::Severity::error || !known.count({d.code, d.message})) r.sink.add(d);
  for (const auto& path : r.changed) {
    std::string name = path.substr(std::min(path.find_first_not_of('/'), path.size()));
    r.diff += text::unified_diff("a/" + name, "b/" + name, masked(p.before.sources, path),
                                 masked(after.sources, path));
  }
  r.exit_code = r.sink.errors() > 0 ? 1 : 0;
  if (r.exit_code == 1) {
    r.message = std::string(requests.size() == 1 ? "the change was" : "the changes were") +
                " not made: the site would have " + diag::summary(r.sink);
    p.trunks = after.site.trunks;
    for (const auto& d : r.sink.all())
      r.blame.push_back(d.severity == diag::Severity::error ? change_at(p, requests, d.where)
                                                            : std::nullopt);
  }
  r.sources = std::move(after.sources);
  r.files = std::move(p.files);
  return r;
}

}  // namespace

ChangeResult plan_changes(const std::filesystem::path& path,
                          std::span<const ChangeRequest> requests, const SiteRules& rules) {
  Plan p;
  // Every change's arguments first: a bad one is a usage error, whatever
  // the site holds, and is found before the site is read.
  std::vector<std::vector<Setting>> settings(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    p.current = &requests[i];
    if (auto stop = parse_arguments(p)) {
      stop->refused = i;
      return std::move(*stop);
    }
    settings[i] = std::move(p.settings);
  }
  if (auto stop = load_before(path, rules, p)) return std::move(*stop);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    p.current = &requests[i];
    p.settings = std::move(settings[i]);
    p.trunk = nullptr;
    p.file = p.ordinal = 0;
    if (auto stop = locate_trunk(path, p)) {
      stop->refused = i;
      return std::move(*stop);
    }
    if (auto stop = edit_texts(p)) {
      stop->refused = i;
      return std::move(*stop);
    }
    // An edit changes the trunk's file only.
    if (i + 1 < requests.size()) reread_trunks(p, p.file);
  }
  return check_after(p, requests, rules);
}

std::string_view command_word(ChangeRequest::Kind kind) {
  switch (kind) {
    case Kind::add: return "add";
    case Kind::set: return "set";
    case Kind::remove: return "remove";
    case Kind::assign: return "assign";
    case Kind::unassign: return "unassign";
  }
  return "?";
}

ChangeResult plan_change(const std::filesystem::path& path, const ChangeRequest& req,
                         const SiteRules& rules) {
  return plan_changes(path, std::span<const ChangeRequest>(&req, 1), rules);
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
