// parallel_for: every index once, and a worker's exception reaches the caller.
#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "parallel/parallel_for.hpp"

using trunk::parallel::parallel_for;

TEST_CASE("parallel_for runs every index exactly once, in any chunk size") {
  for (std::size_t chunk : {1u, 3u, 64u, 1000u}) {
    std::vector<std::atomic<int>> hits(1001);
    parallel_for(hits.size(), chunk, [&](std::size_t i) { ++hits[i]; });
    for (const auto& h : hits) CHECK(h.load() == 1);
  }
  bool ran = false;
  parallel_for(0, 1, [&](std::size_t) { ran = true; });
  CHECK_FALSE(ran);
}

TEST_CASE("parallel_for rethrows a worker's exception to the caller") {
  // Before: a thread that threw ended the process (std::terminate).
  std::atomic<int> done{0};
  CHECK_THROWS_AS(parallel_for(10000, 1,
                               [&](std::size_t i) {
                                 if (i == 5000) throw std::runtime_error("no memory");
                                 ++done;
                               }),
                  std::runtime_error);
  CHECK(done.load() < 10000);
}
