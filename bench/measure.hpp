// Measuring for the benchmarks: running a tool as a child process and
// reading its wall time, CPU time and peak memory from wait4(), and
// percentiles over samples.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bench {

struct ChildRun {
  int exit_code = -1;
  double wall_s = 0, user_s = 0, sys_s = 0;
  long max_rss_kb = 0;
};

// Runs argv[0] with its arguments, stdout and stderr to /dev/null.
ChildRun run_child(const std::vector<std::string>& argv);

// The p-th percentile (0-100) of `samples` (sorted in place).
double percentile(std::vector<double>& samples, double p);

// This machine's latency of one dependent load from memory: a random
// pointer chase over `bytes` (far larger than the caches), in ns per load.
// Lookups that miss the cache cost a multiple of it, so printing it beside
// them tells a slower machine from a slower lookup.
double dependent_load_ns(std::size_t bytes = std::size_t(256) << 20);

// The directory of the running program (to find the tools beside it).
std::string self_dir();

}  // namespace bench
