// IP fragment reassembly for a capture reader: IPv4 and IPv6 alike.
//
// Fragments are grouped by (family, source, destination, identification,
// protocol) and put back together whatever order they arrive in; overlaps
// keep the bytes that came first. Memory is bounded: at most kMaxSets
// datagrams are in flight, none larger than 64 KiB, and a set not completed
// within kMaxAge of capture time is dropped, as is the oldest set when a new
// one would exceed the count; both are warned about ("trace-fragments-dropped").
// Only the payload above the IP header is kept: addresses come from the key.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "capture/capture_warnings.hpp"

namespace trunk::capture {

struct FragmentKey {
  std::array<std::uint8_t, 16> src{}, dst{};
  std::uint32_t id = 0;
  std::uint8_t family = 0;  // 4 or 6
  std::uint8_t proto = 0;   // the protocol of the reassembled payload
  friend bool operator==(const FragmentKey&, const FragmentKey&) = default;
};

class IpReassembly {
 public:
  static constexpr std::size_t kMaxSets = 256;
  static constexpr std::size_t kMaxDatagram = 65535;
  static constexpr std::int64_t kMaxAge = 30'000'000;  // microseconds

  // Adds the fragment `data` at byte `offset` of the datagram's payload;
  // `more` is the more-fragments flag. Returns the whole payload when this
  // fragment completes it (owned here, valid until the next add()), an
  // empty span otherwise. A fragment that would make the datagram larger
  // than kMaxDatagram drops its set with a warning.
  std::span<const std::uint8_t> add(const FragmentKey& key, std::size_t offset, bool more,
                                    std::span<const std::uint8_t> data, std::uint64_t frame,
                                    std::int64_t time_us, const CaptureWarnings& warn);

  // Warns about every set still incomplete (the end of the capture) and
  // forgets them.
  void finish(const CaptureWarnings& warn);

  std::size_t in_flight() const { return sets_.size(); }

 private:
  struct Set {
    FragmentKey key;
    std::vector<std::uint8_t> bytes;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> have;  // [begin, end)
    std::size_t total = 0;  // known once the last fragment arrived
    bool total_known = false;
    std::uint64_t first_frame = 0;
    std::int64_t first_time = 0;
  };
  void drop(std::size_t i, std::string_view why, const CaptureWarnings& warn);
  bool complete(Set& s) const;

  std::vector<Set> sets_;
  std::vector<Set> spare_;  // dropped or finished sets, reused: no allocation in steady state
  std::vector<std::uint8_t> done_;
};

}  // namespace trunk::capture
