// Fuzzes the tables verifier with arbitrary bytes: it must refuse or accept
// without crashing, and whatever it accepts must be safe to route over.
// Seeds: compiled tables files (tests/fuzz/corpus/tables); libFuzzer's
// mutations then flip, cut and splice them. Checksums stop most mutations
// early, so the target also re-seals the checksum for half the inputs to
// reach the structural checks.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "route/router.hpp"
#include "tables/checksum.hpp"
#include "tables/reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > (1u << 20)) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) && bytes.size() >= 64 && bytes.size() % 8 == 0) {
    std::uint64_t sum = trunk::tables::checksum(bytes.data(), bytes.size());
    std::memcpy(bytes.data() + 24, &sum, 8);
  }
  trunk::tables::Tables t;
  std::string error;
  if (!t.load_bytes(bytes, error)) return 0;
  trunk::route::Router r(t);
  char buf[64];
  for (std::uint32_t i = 0; i < t.tenants().size(); ++i) {
    std::uint32_t route = r.outbound(i, "14155550100");
    if (route != trunk::route::kNone) r.send_number(route, "14155550100", buf);
    t.find_tenant(t.str(t.tenants()[i].name));
  }
  for (std::uint32_t i = 0; i < t.trunks().size(); ++i) {
    auto in = r.inbound(i, "+4155550100");
    if (in.rule != trunk::route::kNone) r.destination(in.rule, "4155550100", buf);
  }
  return 0;
}
