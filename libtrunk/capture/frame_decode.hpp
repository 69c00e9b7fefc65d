// A captured frame peeled down to its UDP datagram or TCP segment.
//
// Knows link layers (Ethernet with 802.1Q/802.1ad tags, PPPoE sessions and
// MPLS labels; Linux cooked SLL and SLL2; raw IPv4/IPv6; BSD loopback NULL
// and LOOP), IPv4 and IPv6 (extension headers skipped, fragments of both put
// back together through IpReassembly), and tunnels: IP-in-IP (4, 41), GRE
// (0x0800, 0x86DD, transparent Ethernet 0x6558, ERSPAN type I/II 0x88BE and
// type III 0x22EB) and VXLAN on UDP 4789. Every length is checked against
// what was captured before it is read; a frame that ends inside its IP
// header is skipped with a trace-ip-header-cut warning (the first
// kMaxHeaderCutWarnings frames named, then a count at the end). Nothing here
// looks at SIP; the reader decides what the payload is. No allocation except
// for fragments and warnings.
#pragma once

#include <cstdint>
#include <span>

#include "capture/capture_warnings.hpp"
#include "capture/ip_reassembly.hpp"
#include "capture/reader.hpp"

namespace trunk::capture {

// The UDP or TCP layer of a frame. `payload` points into the frame or into
// the reassembly buffer: valid until the next decode().
struct Segment {
  Transport transport = Transport::unknown;  // udp or tcp
  Endpoint src, dst;
  std::span<const std::uint8_t> payload;
  std::uint32_t seq = 0;  // TCP only
  bool syn = false, fin = false, rst = false;
  // The frame was captured shorter than it was (snap length): the payload
  // is cut.
  bool cut = false;
};

class FrameDecoder {
 public:
  explicit FrameDecoder(int link_type) : link_(link_type) {}
  // Whether decode() understands the link type given.
  static bool supported(int link_type);

  // Decodes `frame` (the captured bytes). Returns true when it carries UDP
  // or TCP, filling `out`; false for anything else (ARP, ICMP, a fragment
  // still waiting for the rest, a malformed header).
  bool decode(std::span<const std::uint8_t> frame, std::uint64_t frame_number,
              std::int64_t time_us, Segment& out, const CaptureWarnings& warn);

  // The end of the capture: fragments still waiting are warned about, and
  // frames cut inside their IP header beyond those named one by one.
  void finish(const CaptureWarnings& warn);

  static constexpr std::uint64_t kMaxHeaderCutWarnings = 10;

 private:
  struct Bytes {
    const std::uint8_t* p;
    std::size_t n;
  };
  bool ethernet(Bytes b, int depth);
  bool ethertype(std::uint16_t type, Bytes b, int depth);
  bool ip_by_version(Bytes b, int depth);
  bool ipv4(Bytes b, int depth);
  bool ipv6(Bytes b, int depth);
  bool ipv6_chain(std::uint8_t next, Bytes b, int depth, const std::uint8_t* src,
                  const std::uint8_t* dst);
  bool above_ip(std::uint8_t proto, Bytes b, int depth);
  bool gre(Bytes b, int depth);
  bool udp(Bytes b, int depth);
  bool tcp(Bytes b);
  // The frame ends `have` bytes into an IP header that needs `need`.
  bool header_cut(const char* ip, std::size_t have, std::size_t need);

  int link_;
  IpReassembly fragments_;
  std::uint64_t header_cuts_ = 0;
  // Per decode() call:
  Segment* out_ = nullptr;
  const CaptureWarnings* warn_ = nullptr;
  std::uint64_t frame_ = 0;
  std::int64_t time_us_ = 0;
};

}  // namespace trunk::capture
