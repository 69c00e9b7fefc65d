// trunkctl apply: a list of changes (JSON lines, site/change_list.hpp) made
// to a site as one: checked once, written all together or not at all. The
// reading, planning and checking are libtrunk's (site/change_list.hpp,
// site/change.hpp); this file reads the flags and the input, and prints,
// naming the input line of a change the site refuses.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "check/site.hpp"
#include "commands.hpp"
#include "io/input_file.hpp"
#include "site/change_list.hpp"
#include "site/templates.hpp"

namespace trunkctl {

using namespace trunk;

namespace {

struct ApplyOptions {
  std::string input;
  bool dry_run = false;
  double wait = 10;
};

// The input's diagnostics about the changes: where the change that was
// refused, or that left an error in the site, is written.
diag::SourceRegion input_line(const std::string& name, const site::ListedChange& c) {
  diag::SourceRegion where{name};
  where.line = c.line;
  where.column = 1;
  return where;
}

void blame_changes(const std::string& name, const std::vector<site::ListedChange>& changes,
                   const site::ChangeResult& r, diag::Sink& out) {
  if (r.refused && *r.refused < changes.size()) {
    const site::ListedChange& c = changes[*r.refused];
    out.error(r.exit_code == cli::kExitFindings ? "change-refused" : "change-unusable",
                        "change " + std::string(site::command_word(c.request.kind)) + " of trunk " +
                            diag::quoted(c.request.trunk) + ": " + r.message +
                            "; no change was made",
                        input_line(name, c));
    return;
  }
  for (std::size_t i = 0; i < r.blame.size() && i < r.sink.all().size(); ++i) {
    if (!r.blame[i] || *r.blame[i] >= changes.size()) continue;
    const diag::Diagnostic& found = r.sink.all()[i];
    const site::ListedChange& c = changes[*r.blame[i]];
    out.error("change-breaks-site",
              "change " + std::string(site::command_word(c.request.kind)) + " of trunk " +
                  diag::quoted(c.request.trunk) + " leaves the site with error[" + found.code +
                  "] at " + found.where.to_string() + "; no change was made",
              input_line(name, c));
  }
}

int run(const Common& common, ApplyOptions& o) {
  // The input: a file (regular files only, so a FIFO or a device cannot
  // hang the tool) or standard input, both under the same cap.
  const bool from_stdin = o.input == "-";
  const std::string name = from_stdin ? "<stdin>" : o.input;
  std::string text, error;
  bool read = from_stdin ? io::read_stream(STDIN_FILENO, "standard input", io::kChangeList, text, error)
                         : io::read_input(o.input, io::kChangeList, text, error);
  if (!read) {
    std::cerr << "trunkctl apply: " << error << "\n";
    return cli::kExitUnusable;
  }
  diag::Sink input;
  std::vector<site::ListedChange> changes;
  site::ChangeResult r;
  bool written = false;
  if (!site::read_change_list(text, name, changes, input)) {
    r.exit_code = cli::kExitUnusable;
    r.message = "the list of changes has " + diag::count(input.errors(), "error") +
                "; no change was made";
  } else if (changes.empty()) {
    r.exit_code = cli::kExitClean;
    r.message = "no changes in " + name;
  } else {
    std::vector<site::ChangeRequest> requests;
    requests.reserve(changes.size());
    for (auto& c : changes) {
      if (c.request.kind == site::ChangeRequest::Kind::add)
        c.request.templates = site::template_search(c.templates_dir, common.site);
      requests.push_back(c.request);
    }
    r = change_site(common, o.dry_run, o.wait, written, [&] {
      return site::plan_changes(common.site, requests, check::check_site);
    });
    blame_changes(name, changes, r, input);
  }

  return print_change(
      common, "apply", o.dry_run, written, r,
      [&](diag::JsonWriter& w) {
        w.field("input", name).field("changes", static_cast<std::uint64_t>(changes.size()));
      },
      &input);
}

}  // namespace

Run setup_apply(CLI::App& app, Common& common) {
  auto o = std::make_shared<ApplyOptions>();
  app.add_option("FILE", o->input, "The changes, one JSON object a line; - reads standard input")
      ->required();
  add_write_options(app, o->dry_run, o->wait, "the changes as one unified diff");
  return [&common, o] { return run(common, *o); };
}

}  // namespace trunkctl
