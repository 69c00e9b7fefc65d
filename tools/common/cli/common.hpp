// What every trunkline command line shares (spec: "Command-line contract").
//
// The exit codes, the --format and -c options, loading a site with its
// diagnostics, and printing diagnostics as text, JSON, GitHub workflow
// commands or SARIF. Each tool's main
// wires these to CLI11 and stays thin; anything a tool prints about the
// input goes through here, so all tools speak the same way.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>

#include "check/site.hpp"
#include "diag/diagnostic.hpp"
#include "diag/json.hpp"
#include "diag/render.hpp"
#include "route/compile.hpp"
#include "site/model.hpp"
#include "tables/plan.hpp"
#include "tables/reader.hpp"

namespace trunk::cli {

// Stable exit codes.
constexpr int kExitClean = 0;
constexpr int kExitFindings = 1;  // the input has errors (or warnings under --strict)
constexpr int kExitUnusable = 2;  // bad arguments, unreadable input, I/O error

// text and json on every command; github (workflow commands that annotate
// a pull request) and sarif (a SARIF 2.1.0 log) on the commands that report
// findings about a site, which are what those formats carry.
enum class Format { text, json, github, sarif };
enum class Formats { text_json, with_findings };

// Adds `--format` to `app`: text|json, or text|json|github|sarif.
void add_format_option(CLI::App& app, Format& format, Formats which = Formats::text_json);
// Adds `-c,--config SITE`; `path` keeps its default when the flag is absent.
void add_site_option(CLI::App& app, std::string& path);

// Runs CLI11's parse; on a parse error prints it and returns the exit code
// to use (0 for --help/--version, 2 otherwise). Returns -1 when parsing went
// through and the tool should go on.
int parse_arguments(CLI::App& app, int argc, char** argv);

// A site read and checked: the model, the text of its files (for quoting),
// every diagnostic from loading and from the one rule set
// (check::check_site), and the dial plan that check compiled.
struct LoadedSite {
  site::Site site;
  diag::SourceText sources;
  diag::Sink sink;
  bool readable = false;
  // Complete only when the site has no error (the compiler's rules are part
  // of the check, so the plan comes from the same pass).
  tables::Plan plan;
  // The site's [site] name, else the path it was read from.
  std::string name_or(const std::string& path) const {
    return site.info.name.present ? site.info.name.value : path;
  }
};
// Loads the site at `path` and runs every rule on it (check::check_site,
// which fills `pool_stats` and `compile_stats` when given). Never throws.
LoadedSite load_and_check(const std::filesystem::path& path,
                          check::PoolStats* pool_stats = nullptr,
                          route::CompileStats* compile_stats = nullptr);

// Lays out the plan load_and_check compiled as `tables`, in memory:
// `storage` keeps the bytes the tables read. Call it on a site without
// errors; returns false with `error` set when the tables fail verification
// (an internal failure).
bool tables_in_memory(const LoadedSite& s, std::string& storage, tables::Tables& tables,
                      std::string& error);

// Prints diagnostics as text (to `err`, with quoted lines) or as a JSON array
// value (into `w`, which the caller has positioned after a key).
void print_diagnostics_text(const diag::Sink& sink, const diag::SourceText* sources,
                            std::ostream& err);
void write_diagnostics_json(diag::JsonWriter& w, const diag::Sink& sink);

// The one place a findings tool prints its diagnostics outside JSON (which
// the tool writes inside its own object): text to stderr with quoted
// lines; github, one workflow command a line on stdout; sarif, one SARIF
// log on stdout naming the tool (parse_arguments' app) and this version.
void print_findings(const diag::Sink& sink, const diag::SourceText* sources, Format format);
// Where a findings tool prints its other lines (a summary, a diff): stdout,
// but stderr under sarif, whose stdout is the log alone, for a consumer
// to read whole.
std::ostream& report_out(Format format);

// The exit code a checking tool returns for these diagnostics.
int exit_code_for(const diag::Sink& sink, bool strict);

// The report of a tool that checks a whole site (trunkctl validate,
// didpool-check -c), exit `code`. JSON: {"site", ["files"], "ok", "errors",
// "warnings", what `counts_json` writes (only for a readable site),
// "diagnostics"}. Text: the diagnostics on stderr, then
// "NAME: COUNTS: ok|FAILED (N errors, M warnings)" for a readable site.
struct SiteReport {
  const LoadedSite& site;
  const std::string& site_path;   // as given with -c
  int code = kExitClean;
  bool list_files = false;        // JSON "files": the files read
  std::string counts_text;        // "3 tenants, 6 trunks, ..."
  std::function<void(diag::JsonWriter&)> counts_json;
};
int print_site_report(const SiteReport& r, Format format);

}  // namespace trunk::cli
