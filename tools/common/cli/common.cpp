// Shared command-line plumbing.
#include "cli/common.hpp"

#include <iostream>

#include "check/site.hpp"
#include "site/loader.hpp"
#include "tables/writer.hpp"

namespace trunk::cli {

void add_format_option(CLI::App& app, Format& format) {
  app.add_option_function<std::string>(
         "--format",
         [&format](const std::string& v) { format = v == "json" ? Format::json : Format::text; },
         "Output format: text (default) or json (JSON on stdout)")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("text|json");
}

void add_site_option(CLI::App& app, std::string& path) {
  app.add_option("-c,--config", path,
                 "The site: a TOML file or a directory of *.toml (default: $TRUNK_SITE, "
                 "else ./site)");
}

int parse_arguments(CLI::App& app, int argc, char** argv) {
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
  print_diagnostics_text(s.sink, &s.sources, std::cerr);
  if (!s.readable) return r.code;
  std::cout << s.name_or(r.site_path) << ": " << r.counts_text << ": "
            << (r.code == kExitClean ? "ok" : "FAILED") << " (" << diag::summary(s.sink) << ")\n";
  return r.code;
}

}  // namespace trunk::cli
