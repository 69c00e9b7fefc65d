// trunkctl add | set | remove | assign | unassign: scripted changes to a
// site's files. The change is planned, checked as a whole site and written
// by libtrunk (site/change.hpp); this file reads the flags and prints.
#include <filesystem>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "io/atomic_write.hpp"
#include "io/dir_lock.hpp"
#include "check/site.hpp"
#include "site/change.hpp"
#include "site/templates.hpp"

namespace trunkctl {

using namespace trunk;

namespace {

struct ProvisionOptions {
  site::ChangeRequest request;
  std::string templates;
  std::string did_pool;
  CLI::Option* did_pool_option = nullptr;
  bool dry_run = false;
  double wait = 10;  // seconds to wait for another writer's lock
};

// The directory a change to `site` locks: the site's own, or the one that
// holds a one-file site (the file a link to it leads to, where the write
// goes); empty when there is no such directory (then there is nothing to
// change, and plan_change says why).
std::filesystem::path lock_dir(const std::string& site) {
  std::filesystem::path p(site);
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) return p;
  std::string error;
  if (!io::write_target(site, p, error)) return {};
  p = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  return std::filesystem::is_directory(p, ec) ? p : std::filesystem::path();
}

int run(const Common& common, ProvisionOptions& o) {
  site::ChangeRequest& req = o.request;
  if (req.kind == site::ChangeRequest::Kind::add)
    req.templates = site::template_search(o.templates, common.site);
  if (o.did_pool_option && o.did_pool_option->count() > 0) req.did_pool = o.did_pool;
  bool written = false;
  site::ChangeResult r = change_site(common, o.dry_run, o.wait, written, [&] {
    return site::plan_change(common.site, req, check::check_site);
  });
  return print_change(common, site::command_word(req.kind), o.dry_run, written, r,
                      [&](diag::JsonWriter& w) { w.field("trunk", req.trunk); });
}

std::shared_ptr<ProvisionOptions> common_options(CLI::App& app, site::ChangeRequest::Kind kind) {
  auto o = std::make_shared<ProvisionOptions>();
  o->request.kind = kind;
  app.add_option("NAME", o->request.trunk, "The trunk's name")->required();
  add_write_options(app, o->dry_run, o->wait, "the change as a unified diff");
  return o;
}

}  // namespace

void add_write_options(CLI::App& app, bool& dry_run, double& wait, const std::string& what) {
  app.add_flag("--dry-run", dry_run,
               "Print " + what + " and write nothing; exit 1 if the site would not validate");
  app.add_option("--wait", wait,
                 "Seconds to wait while another trunkctl changes the site (default 10; 0: "
                 "do not wait)")
      ->check(CLI::Range(0.0, 3600.0))
      ->type_name("SECONDS");
}

int print_change(const Common& common, std::string_view command, bool dry_run, bool written,
                 const site::ChangeResult& r,
                 const std::function<void(diag::JsonWriter&)>& fields, const diag::Sink* input) {
  if (common.format == cli::Format::json) {
    diag::Sink all;
    for (const auto& d : r.sink.all()) all.add(d);
    if (input)
      for (const auto& d : input->all()) all.add(d);
    diag::JsonWriter w;
    w.begin_object().field("site", common.site).field("command", command);
    fields(w);
    w.field("dry_run", dry_run)
        .field("ok", r.exit_code == cli::kExitClean)
        .field("written", written)
        .field("message", r.message);
    w.key("changed").begin_array();
    for (const auto& f : r.changed) w.value(f);
    w.end_array().key("hints").begin_array();
    for (const auto& h : r.hints) w.value(h);
    w.end_array().field("diff", r.diff).key("diagnostics");
    cli::write_diagnostics_json(w, all);
    std::cout << w.end_object().str() << "\n";
    return r.exit_code;
  }
  cli::print_findings(r.sink, &r.sources, common.format);
  // An input's lines are not quoted: a change may carry a password.
  if (input) cli::print_findings(*input, nullptr, common.format);
  if (dry_run) cli::report_out(common.format) << r.diff;
  if (r.exit_code == cli::kExitClean) {
    (dry_run ? std::cerr : cli::report_out(common.format))
        << r.message << (dry_run && !r.changed.empty() ? " (dry run: nothing written)" : "")
        << "\n";
  } else {
    std::cerr << "trunkctl " << command << ": " << r.message << "\n";
    for (const auto& h : r.hints) std::cerr << "  hint: " << h << "\n";
  }
  return r.exit_code;
}

site::ChangeResult change_site(const Common& common, bool dry_run, double wait, bool& written,
                               const std::function<site::ChangeResult()>& plan) {
  // Read, change and write under the site's lock, so that two changes at
  // once take turns instead of one undoing the other. A dry run writes
  // nothing and takes no lock; a site that is not there is reported by
  // the plan.
  io::DirLock lock;
  std::string lock_error;
  site::ChangeResult r;
  written = false;
  const std::filesystem::path dir = dry_run ? std::filesystem::path() : lock_dir(common.site);
  if (!dir.empty() && !lock.acquire(dir, wait, lock_error)) {
    r.exit_code = cli::kExitUnusable;
    r.message = lock_error;
    r.hints.push_back("run the change again when the other one is done, or wait longer "
                      "with --wait SECONDS");
    return r;
  }
  r = plan();
  if (r.exit_code == cli::kExitClean && !dry_run && !r.changed.empty()) {
    std::string error;
    written = site::apply_change(r, error);
    if (!written) {
      r.exit_code = cli::kExitUnusable;
      r.message = error;
    }
  }
  return r;
}

Run setup_add(CLI::App& app, Common& common) {
  auto o = common_options(app, site::ChangeRequest::Kind::add);
  app.add_option("--type", o->request.type,
                 "register, accept-register, peer, teams, webrtc or whatsapp (overrides the "
                 "template's)");
  app.add_option("--template", o->request.template_name,
                 "Start from this template: a NAME (`trunkctl templates` lists them) or a "
                 "file's path holding a '/'");
  app.add_option("--templates", o->templates,
                 "Look templates up in DIR only (default: $TRUNK_TEMPLATES, SITE/templates, "
                 "then the built-in ones)")
      ->type_name("DIR");
  app.add_option("--set", o->request.settings, "KEY=VALUE to set on the new trunk (repeatable)")
      ->allow_extra_args(false)
      ->type_name("KEY=VALUE");
  return [&common, o] { return run(common, *o); };
}

Run setup_set(CLI::App& app, Common& common) {
  auto o = common_options(app, site::ChangeRequest::Kind::set);
  app.add_option("SETTINGS", o->request.settings,
                 "KEY=VALUE: port=5080, transport=tcp, limits.total=40, "
                 "associated_ips=203.0.113.10,203.0.113.16/28")
      ->required()
      ->type_name("KEY=VALUE");
  return [&common, o] { return run(common, *o); };
}

Run setup_remove(CLI::App& app, Common& common) {
  auto o = common_options(app, site::ChangeRequest::Kind::remove);
  return [&common, o] { return run(common, *o); };
}

Run setup_assign(CLI::App& app, Common& common) {
  auto o = common_options(app, site::ChangeRequest::Kind::assign);
  app.add_option("--tenant", o->request.tenant, "The tenant")->required();
  o->did_pool_option =
      app.add_option("--did-pool", o->did_pool, "The tenant's DIDs on the trunk: \"1000-1999; 2500\"")
          ->type_name("POOL");
  return [&common, o] { return run(common, *o); };
}

Run setup_unassign(CLI::App& app, Common& common) {
  auto o = common_options(app, site::ChangeRequest::Kind::unassign);
  app.add_option("--tenant", o->request.tenant, "The tenant")->required();
  return [&common, o] { return run(common, *o); };
}

}  // namespace trunkctl
