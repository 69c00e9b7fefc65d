// trunkctl validate: every rule over the whole site; diagnostics and a summary.
#include <iostream>

#include "commands.hpp"

namespace trunkctl {

using namespace trunk;

bool load_for_reading(const Common& common, cli::LoadedSite& out, int& exit_code) {
  out = cli::load_and_check(common.site);
  if (out.readable && out.sink.errors() == 0) return true;
  exit_code = out.readable ? cli::kExitFindings : cli::kExitUnusable;
  if (common.format == cli::Format::json) {
    diag::JsonWriter w;
    w.begin_object().field("site", common.site).field("ok", false);
    w.key("diagnostics");
    cli::write_diagnostics_json(w, out.sink);
    w.end_object();
    std::cout << w.str() << "\n";
  } else {
    cli::print_diagnostics_text(out.sink, &out.sources, std::cerr);
    if (out.readable)
      std::cerr << "trunkctl: the site has errors (" << diag::summary(out.sink)
                << "); run `trunkctl validate` for details\n";
  }
  return false;
}

const site::Trunk* find_trunk_or_explain(const cli::LoadedSite& s, const std::string& name,
                                         const Common& common) {
  if (const site::Trunk* t = s.site.find_trunk(name)) return t;
  std::vector<std::string_view> names;
  for (const auto& o : s.site.trunks) names.push_back(o.name.value);
  std::string near = diag::closest_match(name, names);
  std::cerr << "trunkctl: no trunk named \"" << name << "\" in " << common.site << "\n";
  if (!near.empty()) std::cerr << "  hint: did you mean \"" << near << "\"?\n";
  else std::cerr << "  hint: `trunkctl list` shows the trunks\n";
  return nullptr;
}

Run setup_validate(CLI::App& app, Common& common) {
  auto strict = std::make_shared<bool>(false);
  app.add_flag("--strict", *strict, "Treat warnings as errors (exit 1)");
  return [&common, strict] {
    cli::LoadedSite s = cli::load_and_check(common.site);
    int code = s.readable ? cli::exit_code_for(s.sink, *strict) : cli::kExitUnusable;
    cli::SiteReport r{s, common.site, code, true, {}, {}};
    r.counts_text = diag::count(s.site.tenants.size(), "tenant") + ", " +
                    diag::count(s.site.trunks.size(), "trunk") + ", " +
                    diag::count(s.site.routes.size(), "route") + ", " +
                    diag::count(s.site.inbound.size(), "inbound rule");
    r.counts_json = [&](diag::JsonWriter& w) {
      w.key("counts")
          .begin_object()
          .field("tenants", static_cast<std::uint64_t>(s.site.tenants.size()))
          .field("trunks", static_cast<std::uint64_t>(s.site.trunks.size()))
          .field("routes", static_cast<std::uint64_t>(s.site.routes.size()))
          .field("inbound", static_cast<std::uint64_t>(s.site.inbound.size()))
          .end_object();
    };
    return cli::print_site_report(r, common.format);
  };
}

}  // namespace trunkctl
