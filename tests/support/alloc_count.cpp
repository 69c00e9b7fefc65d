// Counts global allocations so tests can assert a code path allocates nothing.
#include <cstddef>
#include <cstdlib>
#include <new>

std::size_t g_allocations = 0;

void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
