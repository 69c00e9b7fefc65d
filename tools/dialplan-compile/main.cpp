// dialplan-compile: prove a dial plan sound and compile it into a tables file.
#include <iostream>

#include "cli/common.hpp"
#include "compile_site.hpp"
#include "site/loader.hpp"

int main(int argc, char** argv) {
  CLI::App app{"dialplan-compile: check a site's routes and compile them into a tables file",
               "dialplan-compile"};
  app.set_version_flag("--version", std::string("dialplan-compile ") + TRUNK_VERSION);
  dialplan::Options o;
  o.site = trunk::site::default_site_path().string();
  trunk::cli::add_site_option(app, o.site);
  trunk::cli::add_format_option(app, o.format, trunk::cli::Formats::with_findings);
  auto* output = app.add_option("-o,--output", o.output, "Write the tables here (atomically)");
  auto* check = app.add_flag("--check", o.check, "Check only; write nothing")->excludes(output);
  app.add_option("--dump", o.dump, "Print a tables file as text, then exit");
  auto* test = app.add_option("--test", o.test, "Run the [[expect]] cases of this TOML file");
  app.add_option("--junit", o.junit, "With --test: write the results as JUnit XML here "
                                     "(atomically), whatever --format")
      ->type_name("FILE")
      ->needs(test);
  app.add_flag("--strict", o.strict, "Treat warnings as errors");
  auto* emit = app.add_option("--emit", o.emit,
                              "Write the proxy's configuration: --emit kamailio DIR")
                   ->expected(2)
                   ->type_name("kamailio DIR")
                   ->excludes(check);
  app.add_option("--listen", o.listen,
                 "With --emit: the proxy's own SIP address, udp:ADDR:PORT (repeatable; "
                 "default udp:127.0.0.1:5060)")
      ->needs(emit);
  app.add_option("--trunkd", o.trunkd,
                 "With --emit: a trunkd to ask, udp:ADDR:PORT (repeatable; default "
                 "udp:127.0.0.1:5070)")
      ->needs(emit);
  auto* dmq = app.add_option("--dmq", o.dmq,
                             "With --emit: this node's DMQ address, udp:ADDR:PORT (turns on "
                             "sharing call counts with --dmq-peer nodes)")
                  ->needs(emit);
  app.add_option("--dmq-peer", o.dmq_peers,
                 "With --dmq: another node's DMQ address, udp:ADDR:PORT (repeatable)")
      ->needs(dmq);
  app.add_option("--kamailio-ctl", o.kamailio_ctl,
                 "With --emit: Kamailio's control socket, for kamcmd")
      ->needs(emit)
      ->capture_default_str();
  app.add_option("--children", o.children, "With --emit: Kamailio's worker processes per socket")
      ->needs(emit)
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_flag("-v,--verbose", o.verbose, "Print the time each phase took (stderr)");
  if (int code = trunk::cli::parse_arguments(app, argc, argv); code >= 0) return code;
  try {
    if (!o.dump.empty()) return dialplan::run_dump(o);
    if (o.output.empty() && !o.check && o.test.empty() && o.emit.empty()) {
      std::cerr << "dialplan-compile: nothing to do: give -o FILE, --check, --test FILE or "
                   "--emit kamailio DIR\n"
                << "Run with --help for more information.\n";
      return trunk::cli::kExitUnusable;
    }
    return dialplan::run_compile(o);
  } catch (const std::exception& e) {
    std::cerr << "dialplan-compile: internal error: " << e.what() << "\n";
    return trunk::cli::kExitUnusable;
  }
}
