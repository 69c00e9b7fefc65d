// Fuzzes trunkd's fast path against the full parse: whatever the bytes,
// when the scanner calls a request plain and redirect() answers it from
// the scanned view, the answer after sofia-sip's full parse must be the
// same Reply byte for byte and be counted alike
// (support/redirect_agreement.hpp); a difference aborts with both texts.
// The first byte picks the source address (the site's proxy, a carrier,
// an unknown host), the rest is the request. Routes: examples/site.
//   build-fuzz/bin/fuzz_redirect tests/fuzz/corpus/redirect -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/redirect_agreement.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > (1u << 16)) return 0;
  static const trunk::route::Router* const router = trunk::test::example_router();
  if (!router) {
    std::fprintf(stderr, "examples/site does not compile\n");
    std::abort();
  }
  static const char* const kSources[] = {"127.0.0.1", "203.0.113.10", "198.51.100.99",
                                         "192.0.2.99"};
  const auto from = trunk::sip::make_source(kSources[data[0] % 4], 5060);
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string why = trunk::test::redirect_disagreement(*router, bytes, *from);
  if (!why.empty()) {
    std::fprintf(stderr, "fast path and full parse disagree:\n%s\n", why.c_str());
    std::abort();
  }
  return 0;
}
