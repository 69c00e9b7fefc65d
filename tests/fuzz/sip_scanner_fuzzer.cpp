// Fuzzes the lean SIP scanner (sip::scan) against sofia-sip: whatever the
// bytes, it must not crash or read outside them, and when it calls a
// message plain, sofia-sip must parse it without a fault the trace report
// shows and agree on every field the scanner gives (support/
// scan_agreement.hpp). A disagreement aborts with what differs.
//   build-fuzz/bin/fuzz_sip_scanner tests/fuzz/corpus/sip_scanner -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/scan_agreement.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (1u << 16)) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string why = trunk::test::scan_disagreement(bytes);
  if (!why.empty()) {
    std::fprintf(stderr, "scanner and sofia-sip disagree: %s\n", why.c_str());
    std::abort();
  }
  return 0;
}
