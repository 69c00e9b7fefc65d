// One way to spread independent work over the cores: parallel_for runs a
// body for every index on up to one thread per core (the caller's thread
// is one of them) and returns when all are done. A body that throws
// (std::bad_alloc on a huge site) stops the others from taking new work,
// and the first exception is rethrown to the caller: a worker's failure is
// the caller's to report, never a std::terminate.
//
// What runs in parallel must only write to what its index owns; results
// are merged by the caller in index order, so output stays deterministic.
#pragma once

#include <cstddef>
#include <functional>

namespace trunk::parallel {

// Runs body(i) for every i < n, taking `chunk` consecutive indices at a
// time (at least 1). Returns when every taken index is done; rethrows the
// first exception a body threw.
void parallel_for(std::size_t n, std::size_t chunk, const std::function<void(std::size_t)>& body);

}  // namespace trunk::parallel
