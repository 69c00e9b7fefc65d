// dialplan_bench: compile a generated site of 1,000,000 routes over 1,000
// tenants with the real dialplan-compile, then load-and-verify the tables
// and time lookups through the router.
//
//   build/bin/dialplan_bench [--routes N] [--tenants N] [--dir DIR] [--lookups N] [--runs N]
//
// Figures: compile wall time, CPU time and peak memory (the dialplan-compile
// process, from wait4) beside the parse floor (toml_parse_floor: toml++
// alone parsing the same files on one thread, its own child process), each
// run --runs times, alternating, as min/median/max, and the ratio of the
// compile's wall time to the floor's (issue 18: at most 1.5, peak under
// 600 MB); then tables file size, load-and-verify time (Tables::read as
// trunkd loads, and Tables::open as the tools do; best and median of 7),
// and lookup latency (median and p99 of single lookups of random numbers
// drawn from the routes, less the clock's own cost), beside the machine's
// latency of one dependent memory load.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "gen_site.hpp"
#include "measure.hpp"
#include "pattern/dial_pattern.hpp"
#include "route/router.hpp"
#include "tables/reader.hpp"

using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  bench::RouteSiteShape shape;
  std::string dir = "/tmp/trunkline-dialplan-bench";
  std::size_t lookups = 1'000'000;
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--routes") shape.routes = std::atoi(argv[i + 1]);
    else if (a == "--tenants") shape.tenants = std::atoi(argv[i + 1]);
    else if (a == "--dir") dir = argv[i + 1];
    else if (a == "--lookups") lookups = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "usage: dialplan_bench [--routes N] [--tenants N] [--dir DIR] "
                           "[--lookups N] [--runs N]\n");
      return 2;
    }
  }
  std::string site = dir + "/site", out = dir + "/site.tables";
  std::printf("generating %d routes over %d tenants in %s\n", shape.routes, shape.tenants,
              site.c_str());
  bench::write_route_site(site, shape);

  // The compile and its floor alternate, so that a change in the machine's
  // load reaches both alike.
  std::string compiler = bench::self_dir() + "/dialplan-compile";
  std::string floor = bench::self_dir() + "/toml_parse_floor";
  std::vector<double> wall, cpu, peak_mb, floor_wall, floor_cpu, ratio;
  for (int i = 0; i < runs; ++i) {
    auto run = bench::run_child({compiler, "-c", site, "-o", out});
    if (run.exit_code != 0) {
      std::fprintf(stderr, "dialplan-compile failed (exit %d)\n", run.exit_code);
      return 1;
    }
    auto parse = bench::run_child({floor, site});
    if (parse.exit_code != 0) {
      std::fprintf(stderr, "toml_parse_floor failed (exit %d)\n", parse.exit_code);
      return 1;
    }
    wall.push_back(run.wall_s);
    cpu.push_back(run.user_s + run.sys_s);
    peak_mb.push_back(run.max_rss_kb / 1024.0);
    floor_wall.push_back(parse.wall_s);
    floor_cpu.push_back(parse.user_s + parse.sys_s);
    ratio.push_back(run.wall_s / parse.wall_s);
  }
  // min / median / max of a figure over the runs.
  auto spread = [](std::vector<double> v) {
    char text[96];
    std::snprintf(text, sizeof text, "%.2f / %.2f / %.2f", *std::min_element(v.begin(), v.end()),
                  bench::percentile(v, 50), *std::max_element(v.begin(), v.end()));
    return std::string(text);
  };
  std::printf("%d runs, min / median / max:\n", runs);
  std::printf("compile:          %s s wall, %s s CPU, peak %s MB\n", spread(wall).c_str(),
              spread(cpu).c_str(), spread(peak_mb).c_str());
  std::printf("toml++ alone:     %s s wall, %s s CPU (one thread, same files)\n",
              spread(floor_wall).c_str(), spread(floor_cpu).c_str());
  std::printf("ratio:            %s (compile wall / toml++ wall, each run; goal <= 1.5, peak "
              "< 600 MB)\n",
              spread(ratio).c_str());
  std::printf("tables file:      %.1f MB\n", std::filesystem::file_size(out) / 1048576.0);

  // Load and verify, both ways: open() maps the file (the tools), read()
  // reads it into memory of its own (trunkd).
  auto time_load = [&](bool daemon, trunk::tables::Tables& keep) {
    std::vector<double> loads;
    for (int i = 0; i < 7; ++i) {
      trunk::tables::Tables fresh;
      std::string error;
      auto start = Clock::now();
      if (!(daemon ? fresh.read(out, error) : fresh.open(out, error))) {
        std::fprintf(stderr, "%s\n", error.c_str());
        std::exit(1);
      }
      loads.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      keep = std::move(fresh);
    }
    return loads;
  };
  trunk::tables::Tables t, mapped;
  auto loads = time_load(true, t);
  std::printf("load and verify:  %.1f ms best, %.1f ms median of 7 (read into memory, as "
              "trunkd loads)\n",
              *std::min_element(loads.begin(), loads.end()), bench::percentile(loads, 50));
  loads = time_load(false, mapped);
  std::printf("                  %.1f ms best, %.1f ms median of 7 (mapped, as the tools "
              "load)\n",
              *std::min_element(loads.begin(), loads.end()), bench::percentile(loads, 50));

  // Numbers drawn from the routes' own patterns, so lookups walk deep.
  std::mt19937_64 rng(7);
  std::vector<std::pair<std::uint32_t, std::string>> queries;
  queries.reserve(lookups);
  for (std::size_t i = 0; i < lookups; ++i) {
    const auto& r = t.routes()[rng() % t.routes().size()];
    trunk::diag::Sink sink;
    auto p = trunk::pattern::parse_pattern(t.str(r.pattern), {}, "p", sink);
    std::string n;
    for (auto c : p->classes) {
      int choices[13], k = 0;
      for (int s = 0; s < 13; ++s)
        if (c & (1u << s)) choices[k++] = s;
      n += trunk::grammar::dial_symbol_char(choices[rng() % k]);
    }
    if (p->tail != trunk::pattern::Tail::none) n += std::to_string(rng() % 100000);
    queries.emplace_back(r.tenant, std::move(n));
  }
  trunk::route::Router router(t);
  std::vector<double> clock_cost, ns;
  for (int i = 0; i < 100000; ++i) {
    auto a = Clock::now();
    auto b = Clock::now();
    clock_cost.push_back(std::chrono::duration<double, std::nano>(b - a).count());
  }
  double overhead = bench::percentile(clock_cost, 50);
  // Times `lookup` on every query; returns the latencies (clock cost
  // subtracted) and counts the queries that found a route.
  auto time_lookups = [&](const auto& list, auto&& lookup, std::size_t& routed) {
    std::vector<double> out;
    out.reserve(list.size());
    for (const auto& [tenant, number] : list) {
      auto a = Clock::now();
      bool hit = lookup(tenant, number);
      auto b = Clock::now();
      routed += hit;
      out.push_back(std::chrono::duration<double, std::nano>(b - a).count() - overhead);
    }
    return out;
  };
  std::size_t found = 0, ignored = 0;
  ns = time_lookups(queries, [&](std::uint32_t tenant, const std::string& number) {
    return router.outbound(tenant, number) != trunk::route::kNone;
  }, found);
  std::printf("lookup:           %.0f ns median, %.0f ns p99 (%zu lookups, %zu routed, clock "
              "cost %.0f ns subtracted)\n",
              bench::percentile(ns, 50), bench::percentile(ns, 99), queries.size(), found,
              overhead);
  std::printf("memory latency:   %.0f ns per dependent load (256 MB pointer chase, measured "
              "now)\n",
              bench::dependent_load_ns());
  trunk::route::Router mapped_router(mapped);
  ns = time_lookups(queries, [&](std::uint32_t tenant, const std::string& number) {
    return mapped_router.outbound(tenant, number) != trunk::route::kNone;
  }, ignored);
  std::printf("lookup, mapped file (4 KiB pages): %.0f ns median, %.0f ns p99\n",
              bench::percentile(ns, 50), bench::percentile(ns, 99));
  // The same numbers walked from each tenant's root, without the index of
  // the first two levels: what the index saves.
  ns = time_lookups(queries, [&](std::uint32_t tenant, const std::string& number) {
    return trunk::route::walk(t.outbound_nodes(), t.tenants()[tenant].outbound_root, number) != 0;
  }, ignored);
  std::printf("lookup without the two-level index: %.0f ns median, %.0f ns p99\n",
              bench::percentile(ns, 50), bench::percentile(ns, 99));
  // Uniformly random 11-digit numbers for random tenants: most leave the
  // automaton within a few symbols, so this is the easy case.
  std::size_t uniform_found = 0;
  std::vector<std::pair<std::uint32_t, std::string>> uniform(queries.size());
  for (auto& [tenant, number] : uniform) {
    tenant = static_cast<std::uint32_t>(rng() % t.tenants().size());
    for (int d = 0; d < 11; ++d) number += static_cast<char>('0' + rng() % 10);
  }
  ns = time_lookups(uniform, [&](std::uint32_t tenant, const std::string& number) {
    return router.outbound(tenant, number) != trunk::route::kNone;
  }, uniform_found);
  std::printf("lookup, uniform random 11-digit numbers: %.0f ns median, %.0f ns p99 (%zu routed)\n",
              bench::percentile(ns, 50), bench::percentile(ns, 99), uniform_found);
  return 0;
}
