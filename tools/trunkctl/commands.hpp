// trunkctl's subcommands. Each file sets up its CLI11 subcommand and returns
// the function that runs it; main only wires them (CLI11's subcom_in_files).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "cli/common.hpp"
#include "site/change.hpp"

namespace trunkctl {

// Options every subcommand shares.
struct Common {
  std::string site;
  trunk::cli::Format format = trunk::cli::Format::text;
};

using Run = std::function<int()>;

Run setup_validate(CLI::App& app, Common& common);
Run setup_list(CLI::App& app, Common& common);
Run setup_show(CLI::App& app, Common& common);
Run setup_route(CLI::App& app, Common& common);
Run setup_stats(CLI::App& app, Common& common);
Run setup_reload(CLI::App& app, Common& common);
Run setup_probe(CLI::App& app, Common& common);
Run setup_register_test(CLI::App& app, Common& common);
// Scripted changes to the site's files (provision.cpp).
Run setup_add(CLI::App& app, Common& common);
Run setup_set(CLI::App& app, Common& common);
Run setup_remove(CLI::App& app, Common& common);
Run setup_assign(CLI::App& app, Common& common);
Run setup_unassign(CLI::App& app, Common& common);
// A list of such changes, made as one (apply.cpp).
Run setup_apply(CLI::App& app, Common& common);
// Runs `plan` under the site's lock (none for a dry run, which writes
// nothing) and writes its result when it is clean; a lock not taken in
// `wait` seconds, or a write that fails, is exit 2 (provision.cpp).
trunk::site::ChangeResult change_site(const Common& common, bool dry_run, double wait,
                                      bool& written,
                                      const std::function<trunk::site::ChangeResult()>& plan);
// --dry-run (printing `what`) and --wait SECONDS, the flags of every
// command that changes the site (provision.cpp).
void add_write_options(CLI::App& app, bool& dry_run, double& wait, const std::string& what);
// Prints the result of a change (or of apply's batch) as text or JSON, with
// the command's own JSON fields from `fields` and, for apply, the
// diagnostics about its input; returns the exit code (provision.cpp).
int print_change(const Common& common, std::string_view command, bool dry_run, bool written,
                 const trunk::site::ChangeResult& r,
                 const std::function<void(trunk::diag::JsonWriter&)>& fields,
                 const trunk::diag::Sink* input = nullptr);
// The templates add can start from (templates.cpp).
Run setup_templates(CLI::App& app, Common& common);

// Loads and checks the site for commands that read it; prints the
// diagnostics when the site is unusable and returns false.
bool load_for_reading(const Common& common, trunk::cli::LoadedSite& out, int& exit_code);

// The trunk named `name`; otherwise prints that there is none (with the
// closest name as a hint) and returns null.
const trunk::site::Trunk* find_trunk_or_explain(const trunk::cli::LoadedSite& s,
                                                const std::string& name, const Common& common);

}  // namespace trunkctl
