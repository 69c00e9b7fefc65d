// didpool_bench: check a generated site of 1,000,000 DID pool entries over
// 10,000 tenants and 50 providers, with a known number of planted overlaps,
// with the real didpool-check, and count what it found.
//
//   build/bin/didpool_bench [--entries N] [--tenants N] [--providers N]
//                           [--planted N] [--dir DIR] [--runs N]
//
// Figures: didpool-check's wall time, CPU time and peak memory (the child
// process, from wait4; best and median of --runs runs), the site's size,
// and did-overlap errors found against planted. Exits 1 when they differ or
// the tool fails, so a script can run it; the budget (1 s, 500 MB on two
// cores) is for a person to compare, not asserted.
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

// The count of "code": "did-overlap" in didpool-check's JSON: its
// diagnostics are the only objects with a "code" key, and the writer puts
// no space after the colon.
std::size_t count_overlaps(const std::string& json) {
  const std::string needle = "\"code\":\"did-overlap\"";
  std::size_t n = 0;
  for (std::size_t at = json.find(needle); at != std::string::npos;
       at = json.find(needle, at + needle.size()))
    ++n;
  return n;
}

std::uintmax_t tree_bytes(const std::filesystem::path& dir) {
  std::uintmax_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) n += e.file_size();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  bench::PoolSiteShape shape;
  std::string dir = "/tmp/trunkline-didpool-bench";
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--entries") shape.entries = std::atoi(argv[i + 1]);
    else if (a == "--tenants") shape.tenants = std::atoi(argv[i + 1]);
    else if (a == "--providers") shape.providers = std::atoi(argv[i + 1]);
    else if (a == "--planted") shape.planted = std::atoi(argv[i + 1]);
    else if (a == "--dir") dir = argv[i + 1];
    else if (a == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr,
                   "usage: didpool_bench [--entries N] [--tenants N] [--providers N] "
                   "[--planted N] [--dir DIR] [--runs N]\n");
      return 2;
    }
  }
  if ((argc - 1) % 2) {
    std::fprintf(stderr, "didpool_bench: %s needs a value\n", argv[argc - 1]);
    return 2;
  }
  std::string site = dir + "/site", out = dir + "/didpool-check.json";
  std::printf("generating %d entries over %d tenants and %d providers, %d planted "
              "overlaps, in %s\n",
              shape.entries, shape.tenants, shape.providers, shape.planted, site.c_str());
  const int planted = bench::write_pool_site(site, shape);
  std::printf("site:             %.1f MB in %zu files\n", tree_bytes(site) / 1048576.0,
              static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(site),
                                                     std::filesystem::directory_iterator())));

  // `exec` keeps one process, so wait4 measures didpool-check itself while
  // the shell's redirection keeps its JSON.
  const std::string tool = bench::self_dir() + "/didpool-check";
  std::vector<double> walls, cpus;
  long peak_kb = 0;
  int exit_code = 0;
  for (int r = 0; r < runs; ++r) {
    auto run = bench::run_child({"/bin/sh", "-c", "exec \"$0\" -c \"$1\" --format json > \"$2\"",
                                 tool, site, out});
    exit_code = run.exit_code;
    walls.push_back(run.wall_s);
    cpus.push_back(run.user_s + run.sys_s);
    peak_kb = std::max(peak_kb, run.max_rss_kb);
  }
  std::ifstream in(out);
  std::stringstream json;
  json << in.rdbuf();
  const std::size_t found = count_overlaps(json.str());
  // Exit 1 is expected: the planted overlaps are findings.
  if (exit_code != (planted > 0 ? 1 : 0) || json.str().empty()) {
    std::fprintf(stderr, "didpool-check failed (exit %d); its output is in %s\n", exit_code,
                 out.c_str());
    return 1;
  }
  std::printf("didpool-check:    %.3f s wall best, %.3f s median of %d; %.2f s CPU median; "
              "peak %.0f MB\n",
              bench::percentile(walls, 0), bench::percentile(walls, 50), runs,
              bench::percentile(cpus, 50), peak_kb / 1024.0);
  std::printf("overlaps:         %zu found, %d planted: %s\n", found, planted,
              found == static_cast<std::size_t>(planted) ? "ok" : "MISMATCH");
  return found == static_cast<std::size_t>(planted) ? 0 : 1;
}
