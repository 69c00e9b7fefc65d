// Fuzzes the tables verifier with arbitrary bytes: it must refuse or accept
// without crashing, and whatever it accepts must be safe to route over.
// The first input byte is a switch, the rest is the file: checksums stop
// most mutations early, so when the switch's low bit is set the target
// re-seals the checksum first and so reaches the structural checks. Seeds
// (tests/fuzz/corpus/tables) are the example site's tables behind a 0 and
// behind a 1.
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
