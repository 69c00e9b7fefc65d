// A change to a site, as trunkctl's add, set, remove, assign and unassign
// make it: planned on the files' text, checked as a whole site, then
// written, or not at all.
//
// plan_change loads and checks the site (a site that already has errors is
// not changed), finds the trunk, edits the text of the file that holds it
// (site/edit.hpp: untouched bytes and comments stay as they are), and loads
// and checks the edited texts with every rule `trunkctl validate` applies:
// the caller hands it that rule set (check::check_site), which site/ cannot
// name because the compiler's rules live above it.
// plan_changes does the same for a batch of changes, checking the site once.
// It writes nothing; apply_change writes the changed files, each atomically.
// Where a new trunk goes: after the last trunk of the file holding the most
// [[trunk]] tables (the first of them in name order on a tie), or at the end
// of the first file when no file has one; a one-file site is that file.
//
// Exit codes follow the command-line contract: 0 the change is valid (or
// there is nothing to change); 1 a finding about the input (an unknown
// trunk, a trunk still in use, a site that would not validate), with
// diagnostics; 2 the change could not be made (bad arguments, an unreadable
// site, a template not found, text the editor cannot edit), with a message.
// Nothing here holds a password in a message or in the diff: the diff is
// of the texts as diagnostics quote them, masked.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "diag/render.hpp"
#include "site/loader.hpp"
#include "site/templates.hpp"

namespace trunk::site {

struct ChangeRequest {
  enum class Kind { add, set, remove, assign, unassign };
  Kind kind = Kind::set;
  std::string trunk;                          // the trunk's name
  std::string type;                           // add: --type (overrides the template's)
  std::string template_name;                  // add: --template
  TemplateSearch templates;                   // add: where --template is looked up
  std::vector<std::string> settings;          // add --set, set: KEY=VALUE
  std::string tenant;                         // assign, unassign
  std::optional<std::string> did_pool;        // assign
};

// The command's name for a kind of change: "add", "set", ...; the op of
// `trunkctl apply`'s lines (site/change_list.hpp).
std::string_view command_word(ChangeRequest::Kind kind);

struct ChangeResult {
  int exit_code = 2;
  // One line for people: what was (or would be) done, or why not.
  std::string message;
  std::vector<std::string> hints;  // for exit 2
  // Findings about the change and the edited site's diagnostics (warnings
  // the site already had are left out), sorted, and the text to quote them.
  diag::Sink sink;
  diag::SourceText sources;
  std::vector<SiteFile> files;        // every file of the site after the change
  std::vector<std::string> changed;   // the paths the change touches, in site order
  std::string diff;                   // `--- a/FILE` / `+++ b/FILE`, secrets masked
  // A batch (plan_changes): the change that stopped it before the site
  // was checked (a bad argument, a refusal), by its index in the batch.
  std::optional<std::size_t> refused;
  // A batch whose result would not validate: for each diagnostic of
  // `sink`, the index of the change that made it, when it is an error
  // inside the tables of a trunk a change names (the last such change);
  // empty when the result validates.
  std::vector<std::optional<std::size_t>> blame;
};

// The rule set a change is checked with, before and after: every rule over
// a site, reporting into the sink (check::check_site).
using SiteRules =
    std::function<void(const Site& site, const diag::SourceText& sources, diag::Sink& sink)>;

// Plans the change to the site at `site`, checking the site before and
// after with `rules`. Never writes, never throws.
ChangeResult plan_change(const std::filesystem::path& site, const ChangeRequest& request,
                         const SiteRules& rules);

// Plans the changes in order, as one: the site is loaded and checked once,
// each change is made on the texts as the ones before it left them (its
// trunk found anew), and the result is checked once, with `rules`. The
// result is all the changes' (files, diff) or, when one is refused, that
// one's, with `refused` naming it; nothing of the others is kept. A batch of
// one is plan_change. Never writes, never throws.
ChangeResult plan_changes(const std::filesystem::path& site,
                          std::span<const ChangeRequest> requests, const SiteRules& rules);

// Writes the files of `r.changed`, each through a temporary file and a
// rename. Returns false with `error` (naming the file) on the first failure.
bool apply_change(const ChangeResult& r, std::string& error);

}  // namespace trunk::site
