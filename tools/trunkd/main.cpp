// trunkd: the routing daemon. Answers SIP INVITEs with 302 redirects from a
// compiled tables file, reloads it atomically on SIGHUP or on request, and
// stops cleanly on SIGTERM.
#include <iostream>
#include <thread>

#include "cli/common.hpp"
#include "control_loop.hpp"
#include "daemon.hpp"

int main(int argc, char** argv) {
  CLI::App app{"trunkd: SIP redirect server for a compiled dial plan", "trunkd"};
  app.set_version_flag("--version", std::string("trunkd ") + TRUNK_VERSION);
  std::string tables, check, control, metrics, level = "info", log_format = "text";
  std::vector<std::string> listens;
  int workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  trunkd::TcpLimits tcp;
  app.add_option("--tables", tables, "The tables file to serve (dialplan-compile -o)");
  app.add_option("--listen", listens, "udp:ADDRESS:PORT or tcp:ADDRESS:PORT to answer on (repeatable)");
  app.add_option("--control", control, "Unix socket for stats, lookup and reload (JSON lines)");
  app.add_option("--workers", workers, "Threads per listen address")->check(CLI::Range(1, 64));
  app.add_option("--tcp-idle-timeout", tcp.idle_seconds,
                 "Close a TCP connection that sends nothing for this many seconds (0: never; "
                 "default 120)")
      ->check(CLI::Range(0, 86400));
  app.add_option("--tcp-max-connections", tcp.max_connections,
                 "TCP connections open at once per listen address (default: as many as the "
                 "descriptor limit leaves room for)")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--log-level", level, "error, warning, info or debug")
      ->check(CLI::IsMember({"error", "warning", "info", "debug"}));
  app.add_option("--metrics", metrics,
                 "ADDRESS:PORT to serve Prometheus metrics on, at /metrics (default: none)");
  app.add_option("--log-format", log_format, "text (default) or json: one JSON object per line")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--check", check, "Verify a tables file and exit (0 good, 1 refused)");
  if (int code = trunk::cli::parse_arguments(app, argc, argv); code >= 0) return code;
  trunkd::set_log_level(level == "error"     ? trunkd::Level::error
                        : level == "warning" ? trunkd::Level::warning
                        : level == "debug"   ? trunkd::Level::debug
                                             : trunkd::Level::info);
  trunkd::set_log_json(log_format == "json");
  if (!check.empty()) {
    std::string error;
    auto loaded = trunkd::load_tables(check, error);
    if (!loaded) {
      std::cerr << "trunkd: " << error << "\n";
      return trunk::cli::kExitFindings;
    }
    std::cout << check << ": ok (format " << loaded->tables.version() << ", site digest "
              << loaded->digest << ", "
              << trunk::diag::count(loaded->tables.routes().size(), "route") << ")\n";
    return trunk::cli::kExitClean;
  }
  if (tables.empty() || listens.empty()) {
    std::cerr << "trunkd: give --tables FILE and at least one --listen udp:ADDRESS:PORT\n";
    return trunk::cli::kExitUnusable;
  }
  return trunkd::run(tables, listens, control, workers, tcp, metrics);
}
