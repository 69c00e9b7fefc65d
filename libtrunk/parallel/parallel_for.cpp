// parallel_for: a shared counter hands out chunks; the first exception wins.
#include "parallel/parallel_for.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace trunk::parallel {

void parallel_for(std::size_t n, std::size_t chunk, const std::function<void(std::size_t)>& body) {
  chunk = std::max<std::size_t>(chunk, 1);
  const std::size_t tasks = (n + chunk - 1) / chunk;
  const std::size_t workers =
      std::min<std::size_t>(tasks, std::max(1u, std::thread::hardware_concurrency()));
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    try {
      for (std::size_t t = next++; t < tasks; t = next++)
        for (std::size_t i = t * chunk; i < std::min(n, (t + 1) * chunk); ++i) body(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next = tasks;  // the others stop at their next chunk
    }
  };
  std::vector<std::thread> threads;
  try {
    for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work);
  } catch (...) {
    // No thread to be had: the ones started and this one do the work.
  }
  work();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace trunk::parallel
