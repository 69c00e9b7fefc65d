// Shared command-line plumbing.
#include "cli/common.hpp"

#include <iostream>
#include <system_error>

#include "check/site.hpp"
#include "diag/github.hpp"
#include "diag/sarif.hpp"
#include "site/loader.hpp"
#include "tables/writer.hpp"

namespace trunk::cli {

namespace {
// The tool's name for SARIF's tool.driver: set by parse_arguments, which
// every tool calls once with its top-level app.
std::string tool_name = "trunkline";
}  // namespace

void add_format_option(CLI::App& app, Format& format, Formats which) {
  const bool findings = which == Formats::with_findings;
  app.add_option_function<std::string>(
         "--format",
         [&format](const std::string& v) {
           format = v == "json"     ? Format::json
                    : v == "github" ? Format::github
                    : v == "sarif"  ? Format::sarif
                                    : Format::text;
         },
         findings ? "Output format: text (default), json (JSON on stdout), github (GitHub "
                    "Actions annotations on stdout) or sarif (a SARIF 2.1.0 log on stdout)"
                  : "Output format: text (default) or json (JSON on stdout)")
      ->check(findings ? CLI::IsMember({"text", "json", "github", "sarif"})
                       : CLI::IsMember({"text", "json"}))
      ->type_name(findings ? "text|json|github|sarif" : "text|json");
}

void add_site_option(CLI::App& app, std::string& path) {
  app.add_option("-c,--config", path,
                 "The site: a TOML file or a directory of *.toml (default: $TRUNK_SITE, "
                 "else ./site)");
}

int parse_arguments(CLI::App& app, int argc, char** argv) {
  tool_name = app.get_name();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUnusable;
  }
  return -1;
}

LoadedSite load_and_check(const std::filesystem::path& path, check::PoolStats* pool_stats,
                          route::CompileStats* compile_stats) {
  LoadedSite out;
  auto status = site::load_site(path, out.site, out.sink, out.sources);
  out.readable = status == site::LoadStatus::loaded;
  if (out.readable)
    check::check_site_with(out.site, out.sources, out.sink,
                           {pool_stats, &out.plan, compile_stats});
  out.sink.sort();
  return out;
}

void print_diagnostics_text(const diag::Sink& sink, const diag::SourceText* sources,
                            std::ostream& err) {
  err << diag::render_text(sink, sources);
}

void print_findings(const diag::Sink& sink, const diag::SourceText* sources, Format format) {
  if (format == Format::github) {
    std::cout << diag::render_github(sink);
  } else if (format == Format::sarif) {
    std::error_code ec;
    auto cwd = std::filesystem::current_path(ec);
    std::cout << diag::render_sarif(
        sink, {tool_name, TRUNK_VERSION, TRUNK_HOMEPAGE, ec ? std::string() : cwd.string()});
  } else {
    print_diagnostics_text(sink, sources, std::cerr);
  }
}

std::ostream& report_out(Format format) {
  return format == Format::sarif ? std::cerr : std::cout;
}

void write_diagnostics_json(diag::JsonWriter& w, const diag::Sink& sink) {
  w.begin_array();
  for (const auto& d : sink.all()) diag::write_json(w, d);
  w.end_array();
}

int exit_code_for(const diag::Sink& sink, bool strict) {
  if (sink.errors() > 0) return kExitFindings;
  if (strict && sink.warnings() > 0) return kExitFindings;
  return kExitClean;
}

bool tables_in_memory(const LoadedSite& s, std::string& storage, tables::Tables& tables,
                      std::string& error) {
  storage = tables::serialize(s.plan);
  return tables.view_bytes(storage, error);
}

int print_site_report(const SiteReport& r, Format format) {
  const LoadedSite& s = r.site;
  if (format == Format::json) {
    diag::JsonWriter w;
    w.begin_object().field("site", r.site_path);
    if (r.list_files) {
      w.key("files").begin_array();
      for (const auto& f : s.site.files) w.value(f);
      w.end_array();
    }
    w.field("ok", r.code == kExitClean)
        .field("errors", static_cast<std::uint64_t>(s.sink.errors()))
        .field("warnings", static_cast<std::uint64_t>(s.sink.warnings()));
    if (s.readable && r.counts_json) r.counts_json(w);
    w.key("diagnostics");
    write_diagnostics_json(w, s.sink);
    w.end_object();
    std::cout << w.str() << "\n";
    return r.code;
  }
  print_findings(s.sink, &s.sources, format);
  if (!s.readable) return r.code;
  report_out(format) << s.name_or(r.site_path) << ": " << r.counts_text << ": "
            << (r.code == kExitClean ? "ok" : "FAILED") << " (" << diag::summary(s.sink) << ")\n";
  return r.code;
}

}  // namespace trunk::cli
