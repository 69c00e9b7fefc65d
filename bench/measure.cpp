// Child processes and percentiles.
#include "measure.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <vector>
#include <filesystem>

namespace bench {

ChildRun run_child(const std::vector<std::string>& argv) {
  ChildRun r;
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.user_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
  r.sys_s = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  r.max_rss_kb = ru.ru_maxrss;
  return r;
}

double percentile(std::vector<double>& samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  std::size_t i = static_cast<std::size_t>(p / 100.0 * (samples.size() - 1) + 0.5);
  return samples[std::min(i, samples.size() - 1)];
}

std::string self_dir() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().string();
}

double dependent_load_ns(std::size_t bytes) {
  // One cycle through all slots in random order, a slot per cache line.
  const std::size_t slots = bytes / 64;
  std::vector<std::size_t> order(slots);
  for (std::size_t i = 0; i < slots; ++i) order[i] = i;
  std::mt19937_64 rng(11);
  std::shuffle(order.begin() + 1, order.end(), rng);
  std::vector<std::size_t> next(slots * 8);
  for (std::size_t i = 0; i < slots; ++i) next[order[i] * 8] = order[(i + 1) % slots] * 8;
  const std::size_t steps = 4'000'000;
  std::size_t at = 0;
  auto a = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < steps; ++i) at = next[at];
  auto b = std::chrono::steady_clock::now();
  volatile std::size_t sink = at;
  (void)sink;
  return std::chrono::duration<double, std::nano>(b - a).count() / static_cast<double>(steps);
}

}  // namespace bench
