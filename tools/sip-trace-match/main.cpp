// sip-trace-match: which trunk, tenant and rule each SIP message of a trace
// belongs to, and why not when it does not.
#include <iostream>

#include "capture/reader.hpp"
#include "cli/common.hpp"
#include "report.hpp"
#include "route/router.hpp"
#include "site/loader.hpp"
#include "trace/analyze.hpp"

using namespace trunk;

int main(int argc, char** argv) {
  CLI::App app{"sip-trace-match: match every SIP message of a trace to its trunk, tenant and "
               "rule, and explain every mismatch",
               "sip-trace-match"};
  app.set_version_flag("--version", std::string("sip-trace-match ") + TRUNK_VERSION);
  std::string site_path = site::default_site_path().string();
  cli::Format format = cli::Format::text;
  std::string input, input_format = "auto";
  sip_trace_match::Filters filters;
  cli::add_site_option(app, site_path);
  cli::add_format_option(app, format);
  app.add_option("TRACE", input, "A pcap or pcapng capture, or a text log; - for standard input")
      ->required();
  app.add_option("--input-format", input_format, "auto (by content), pcap or text")
      ->check(CLI::IsMember({"auto", "pcap", "text"}));
  app.add_option("--call-id", filters.call_id, "Only the messages and call with this Call-ID");
  app.add_option("--method", filters.method,
                 "Only requests of this method (INVITE, REGISTER...) and their responses");
  app.add_option("--trunk", filters.trunk, "Only messages matched to this trunk");
  app.add_flag("--unmatched", filters.unmatched,
               "Only requests that matched no trunk or tenant, or failed a step");
  app.add_flag("--summary", filters.summary_only,
               "No line per message: only the calls, the trunks and the summary");
  if (int code = cli::parse_arguments(app, argc, argv); code >= 0) return code;

  try {
    cli::LoadedSite s = cli::load_and_check(site_path);
    std::string storage, error;
    tables::Tables tables;
    if (!s.readable || s.sink.errors() || !cli::tables_in_memory(s, storage, tables, error)) {
      s.sink.sort();
      cli::print_diagnostics_text(s.sink, &s.sources, std::cerr);
      std::cerr << "sip-trace-match: cannot match against " << site_path << ": "
                << (!error.empty() ? error
                    : s.readable ? "the site has errors (see trunkctl validate, "
                                   "dialplan-compile --check)"
                                 : "the site cannot be read")
                << "\n";
      return cli::kExitUnusable;
    }
    if (!filters.trunk.empty() && !s.site.find_trunk(filters.trunk)) {
      std::cerr << "sip-trace-match: no trunk named \"" << filters.trunk << "\" in " << site_path
                << "\n";
      return cli::kExitUnusable;
    }
    diag::Sink warnings;
    auto reader = capture::open(input,
                                input_format == "pcap"   ? capture::Format::pcap
                                : input_format == "text" ? capture::Format::text
                                                         : capture::Format::automatic,
                                warnings);
    if (!reader) {
      cli::print_diagnostics_text(warnings, nullptr, std::cerr);
      return cli::kExitUnusable;
    }
    route::Router router(tables);
    trace::Analyzer analyzer(s.site, router);
    std::ios::sync_with_stdio(false);
    sip_trace_match::Report report(s.site, tables, filters, format,
                                   input == "-" ? "stdin" : input, std::cout);
    analyzer.on_call_closed([&report](const trace::Call& call) { report.call(call); });
    capture::Captured c;
    trace::MessageReport r;
    while (reader->next(c, warnings)) {
      analyzer.process(c, r);
      report.message(c, r);
    }
    analyzer.finish(warnings, diag::FilePath(input == "-" ? "<stdin>" : input));
    int code = report.finish(analyzer, reader->format_name(), warnings);
    std::cout.flush();
    return std::cout ? code : cli::kExitUnusable;
  } catch (const std::exception& e) {
    std::cerr << "sip-trace-match: internal error: " << e.what() << "\n";
    return cli::kExitUnusable;
  }
}
