// trunkctl: check, inspect and change a site from shells, CI and scripts.
#include <algorithm>
#include <iostream>
#include <vector>

#include "commands.hpp"
#include "site/loader.hpp"

int main(int argc, char** argv) {
  CLI::App app{"trunkctl: check, inspect and change a trunkline site", "trunkctl"};
  app.set_version_flag("--version", std::string("trunkctl ") + TRUNK_VERSION);
  app.require_subcommand(1);
  trunkctl::Common common;
  common.site = trunk::site::default_site_path().string();

  struct Sub {
    const char* name;
    const char* help;
    trunkctl::Run (*setup)(CLI::App&, trunkctl::Common&);
    // Reports findings about the site: also --format github|sarif.
    bool findings = false;
  };
  const Sub subs[] = {
      {"validate", "Check a site against every rule; exit 1 on errors", trunkctl::setup_validate,
       true},
      {"list", "One line per trunk", trunkctl::setup_list},
      {"show", "Everything about one trunk (password redacted)", trunkctl::setup_show},
      {"route", "Where a number goes, and why (TENANT NUMBER, or --trunk NAME DID)",
       trunkctl::setup_route},
      {"stats", "A running trunkd's counters (over its control socket)", trunkctl::setup_stats},
      {"reload", "Make a running trunkd reload its tables", trunkctl::setup_reload},
      {"probe", "Send OPTIONS to trunks: online or offline, code and round-trip time",
       trunkctl::setup_probe},
      {"register-test", "REGISTER a trunk with its credentials and report the outcome",
       trunkctl::setup_register_test},
      {"add", "Add a trunk (--type, or --template), checked as a whole site",
       trunkctl::setup_add, true},
      {"apply", "Make a list of changes (JSON lines: add, set, remove, assign, unassign) as one",
       trunkctl::setup_apply},
      {"templates", "The templates add --template can start from, one line each",
       trunkctl::setup_templates},
      {"set", "Set keys of a trunk: NAME KEY=VALUE...", trunkctl::setup_set, true},
      {"remove", "Remove a trunk no route, rule or failover uses", trunkctl::setup_remove, true},
      {"assign", "Assign a trunk to a tenant with its DID pool", trunkctl::setup_assign, true},
      {"unassign", "Take a trunk from a tenant", trunkctl::setup_unassign, true},
  };
  std::vector<std::pair<CLI::App*, trunkctl::Run>> runs;
  for (const auto& s : subs) {
    CLI::App* sub = app.add_subcommand(s.name, s.help);
    trunk::cli::add_site_option(*sub, common.site);
    trunk::cli::add_format_option(*sub, common.format,
                                  s.findings ? trunk::cli::Formats::with_findings
                                             : trunk::cli::Formats::text_json);
    runs.emplace_back(sub, s.setup(*sub, common));
  }
  // Name an unknown command rather than CLI11's "a subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    std::vector<std::string_view> names;
    for (const auto& s : subs) names.push_back(s.name);
    if (std::find(names.begin(), names.end(), argv[1]) == names.end()) {
      std::cerr << "trunkctl: unknown command \"" << argv[1] << "\"\n";
      std::string near = trunk::diag::closest_match(argv[1], names);
      if (!near.empty()) std::cerr << "  hint: did you mean \"" << near << "\"?\n";
      std::cerr << "Run with --help for the list of commands.\n";
      return trunk::cli::kExitUnusable;
    }
  }
  if (int code = trunk::cli::parse_arguments(app, argc, argv); code >= 0) return code;
  try {
    for (auto& [sub, run] : runs)
      if (sub->parsed()) return run();
  } catch (const std::exception& e) {
    std::cerr << "trunkctl: internal error: " << e.what() << "\n";
  }
  return trunk::cli::kExitUnusable;
}
