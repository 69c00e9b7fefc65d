// Fuzzes the capture reader with arbitrary bytes as a capture file: libpcap
// parses the records, then every layer of ours (link, IP, fragments,
// tunnels, TCP streams, SIP framing) sees what it returns. The reader must
// read or refuse without crashing, and each message it gives must lie in
// memory it may read (ASan checks the first and last byte). Input is capped
// at 1 MiB. Seeds (tests/fuzz/corpus/pcap_reader) are small captures, one
// per link type and layer, written by make_pcap_seeds.py.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "capture/pcap_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > (1u << 20)) return 0;
  std::string bytes(reinterpret_cast<const char*>(data), size);  // fmemopen wants it writable
  std::FILE* f = fmemopen(bytes.data(), bytes.size(), "rb");
  if (!f) return 0;
  trunk::diag::Sink sink;
  auto reader = trunk::capture::open_pcap(f, "fuzz.pcap", sink);
  if (!reader) return 0;
  trunk::capture::Captured c;
  volatile unsigned touch = 0;
  for (int n = 0; n < 100000 && reader->next(c, sink); ++n) {
    if (c.bytes.empty()) __builtin_trap();  // a message is never empty
    touch = touch + static_cast<unsigned char>(c.bytes.front()) +
            static_cast<unsigned char>(c.bytes.back());
  }
  return 0;
}
