// trunkctl apply against single changes: the figures of issue #19's
// "provisioning in batches" (1,000 changes on a site of 1,000 tenants and
// 200,000 routes, goal under 10 s).
//
// Writes the dialplan bench's route site (gen_site.hpp), a list of 1,000
// changes (400 adds of peer trunks, 300 assignments of them to a tenant,
// 300 sets of their port), then runs `trunkctl apply` on it `--runs`
// times and, for reference, a single `trunkctl set` as many times. Each
// run starts from the same files (the one file the changes touch is put
// back). Prints min / median / max of wall time, CPU time and peak memory.
// Run it from a Release build (trunkctl beside it).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gen_site.hpp"
#include "measure.hpp"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void put(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string spread(std::vector<double> v) {
  char text[96];
  std::snprintf(text, sizeof text, "%.2f / %.2f / %.2f", *std::min_element(v.begin(), v.end()),
                bench::percentile(v, 50), *std::max_element(v.begin(), v.end()));
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  bench::RouteSiteShape shape;
  shape.tenants = 1000;
  shape.routes = 200'000;
  std::string dir = "/tmp/trunkline-apply-bench";
  int runs = 3, changes = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--routes") shape.routes = std::atoi(argv[i + 1]);
    else if (a == "--tenants") shape.tenants = std::atoi(argv[i + 1]);
    else if (a == "--changes") changes = std::max(10, std::atoi(argv[i + 1]));
    else if (a == "--dir") dir = argv[i + 1];
    else if (a == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "usage: apply_bench [--routes N] [--tenants N] [--changes N] "
                           "[--dir DIR] [--runs N]\n");
      return 2;
    }
  }
  const std::string site = dir + "/site", list = dir + "/changes.jsonl";
  std::printf("generating %d routes over %d tenants in %s\n", shape.routes, shape.tenants,
              site.c_str());
  bench::write_route_site(site, shape);
  // 40% adds, 30% assignments of the new trunks, 30% sets of their port.
  int adds = changes * 4 / 10, assigns = changes * 3 / 10,
      sets = changes - adds - assigns;
  {
    std::ofstream f(list);
    for (int i = 0; i < adds; ++i)
      f << "{\"op\":\"add\",\"trunk\":\"gw-" << i << "\",\"type\":\"peer\",\"set\":{\"host\":"
        << "\"gw-" << i << ".carrier.example\",\"provider\":\"P" << i << "\"}}\n";
    for (int i = 0; i < assigns; ++i)
      f << "{\"op\":\"assign\",\"trunk\":\"gw-" << i % adds << "\",\"tenant\":\"t"
        << i % shape.tenants << "\"}\n";
    for (int i = 0; i < sets; ++i)
      f << "{\"op\":\"set\",\"trunk\":\"gw-" << i % adds << "\",\"set\":{\"port\":"
        << 5070 + i % 20 << "}}\n";
  }
  const std::string edited = site + "/00-site.toml";
  const std::string original = slurp(edited);
  const std::string ctl = bench::self_dir() + "/trunkctl";

  // The batch and the single change alternate, so that a change in the
  // machine's load reaches both alike.
  std::vector<double> wall, cpu, peak, one_wall, one_cpu, one_peak;
  for (int i = 0; i < runs; ++i) {
    put(edited, original);
    auto batch = bench::run_child({ctl, "apply", "-c", site, list});
    if (batch.exit_code != 0) {
      std::fprintf(stderr, "trunkctl apply failed (exit %d); run it by hand:\n  %s apply -c %s %s\n",
                   batch.exit_code, ctl.c_str(), site.c_str(), list.c_str());
      return 1;
    }
    wall.push_back(batch.wall_s);
    cpu.push_back(batch.user_s + batch.sys_s);
    peak.push_back(batch.max_rss_kb / 1024.0);
    put(edited, original);
    auto one = bench::run_child({ctl, "set", "-c", site, "carrier", "port=" + std::to_string(5080 + i)});
    if (one.exit_code != 0) {
      std::fprintf(stderr, "trunkctl set failed (exit %d)\n", one.exit_code);
      return 1;
    }
    one_wall.push_back(one.wall_s);
    one_cpu.push_back(one.user_s + one.sys_s);
    one_peak.push_back(one.max_rss_kb / 1024.0);
  }
  put(edited, original);
  std::printf("%d runs, min / median / max:\n", runs);
  std::printf("apply, %d changes: %s s wall, %s s CPU, peak %s MB (goal < 10 s)\n", changes,
              spread(wall).c_str(), spread(cpu).c_str(), spread(peak).c_str());
  std::printf("one trunkctl set:    %s s wall, %s s CPU, peak %s MB\n", spread(one_wall).c_str(),
              spread(one_cpu).c_str(), spread(one_peak).c_str());
  return 0;
}
