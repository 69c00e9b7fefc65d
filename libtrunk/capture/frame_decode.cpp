// Link, IP, tunnel and transport headers, each length checked before use.
#include "capture/frame_decode.hpp"

#include <cstring>

namespace trunk::capture {

namespace {

// Tunnels inside tunnels are followed this deep, no deeper: a crafted frame
// cannot recurse without end.
constexpr int kMaxDepth = 8;

// Link types, as pcap_datalink() reports them (DLT_ values on Linux).
constexpr int kNull = 0;         // BSD loopback, family in host order
constexpr int kEthernet = 1;
constexpr int kRaw = 12;         // DLT_RAW on Linux (LINKTYPE_RAW 101 maps here)
constexpr int kRawBsd = 14;      // DLT_RAW on some BSDs
constexpr int kLinktypeRaw = 101;
constexpr int kLoop = 108;       // OpenBSD loopback, family in network order
constexpr int kLinuxSll = 113;
constexpr int kIpv4 = 228;
constexpr int kIpv6 = 229;
constexpr int kLinuxSll2 = 276;

std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

void set_address(Endpoint& e, std::uint8_t family, const std::uint8_t* addr) {
  e.addr = {};
  e.family = family;
  std::memcpy(e.addr.data(), addr, family == 4 ? 4 : 16);
}

}  // namespace

bool FrameDecoder::supported(int link_type) {
  switch (link_type) {
    case kNull: case kEthernet: case kRaw: case kRawBsd: case kLinktypeRaw: case kLoop:
    case kLinuxSll: case kIpv4: case kIpv6: case kLinuxSll2:
      return true;
    default:
      return false;
  }
}

bool FrameDecoder::decode(std::span<const std::uint8_t> frame, std::uint64_t frame_number,
                          std::int64_t time_us, Segment& out, const CaptureWarnings& warn) {
  out_ = &out;
  warn_ = &warn;
  frame_ = frame_number;
  time_us_ = time_us;
  out.transport = Transport::unknown;
  out.cut = false;
  out.syn = out.fin = out.rst = false;
  Bytes b{frame.data(), frame.size()};
  switch (link_) {
    case kEthernet:
      return ethernet(b, 0);
    case kLinuxSll:
      if (b.n < 16) return false;
      return ethertype(be16(b.p + 14), {b.p + 16, b.n - 16}, 0);
    case kLinuxSll2:
      if (b.n < 20) return false;
      return ethertype(be16(b.p), {b.p + 20, b.n - 20}, 0);
    case kNull:
    case kLoop:
      // The family word's byte order depends on the capturing machine and
      // its values on the OS (AF_INET6 is 10, 24, 28 or 30): the IP version
      // nibble says the same more reliably.
      if (b.n < 4) return false;
      return ip_by_version({b.p + 4, b.n - 4}, 0);
    case kRaw:
    case kRawBsd:
    case kLinktypeRaw:
    case kIpv4:
    case kIpv6:
      return ip_by_version(b, 0);
    default:
      return false;
  }
}

void FrameDecoder::finish(const CaptureWarnings& warn) {
  fragments_.finish(warn);
  if (header_cuts_ > kMaxHeaderCutWarnings)
    warn.whole("trace-ip-header-cut",
               std::to_string(header_cuts_) + " frames in all end inside their IP header, " +
                   "skipped; the first " + std::to_string(kMaxHeaderCutWarnings) +
                   " are named above");
}

bool FrameDecoder::header_cut(const char* ip, std::size_t have, std::size_t need) {
  if (++header_cuts_ <= kMaxHeaderCutWarnings)
    warn_->at(frame_, "trace-ip-header-cut",
              std::string("the frame ends inside its ") + ip + " header (" +
                  std::to_string(have) + " of " + std::to_string(need) +
                  " bytes): skipped");
  return false;
}

bool FrameDecoder::ethernet(Bytes b, int depth) {
  if (b.n < 14) return false;
  return ethertype(be16(b.p + 12), {b.p + 14, b.n - 14}, depth);
}

bool FrameDecoder::ethertype(std::uint16_t type, Bytes b, int depth) {
  if (++depth > kMaxDepth) return false;
  switch (type) {
    case 0x0800:
      return ipv4(b, depth);
    case 0x86DD:
      return ipv6(b, depth);
    case 0x8100:  // 802.1Q
    case 0x88A8:  // 802.1ad
    case 0x9100:  // old QinQ
      if (b.n < 4) return false;
      return ethertype(be16(b.p + 2), {b.p + 4, b.n - 4}, depth);
    case 0x8864: {  // PPPoE session: 6-byte header, then the PPP protocol
      if (b.n < 8) return false;
      std::uint16_t ppp = be16(b.p + 6);
      Bytes inner{b.p + 8, b.n - 8};
      if (ppp == 0x0021) return ipv4(inner, depth);
      if (ppp == 0x0057) return ipv6(inner, depth);
      return false;
    }
    case 0x8847:  // MPLS unicast: labels until bottom of stack, then IP
    case 0x8848:
      while (b.n >= 4) {
        bool bottom = b.p[2] & 1;
        b = {b.p + 4, b.n - 4};
        if (bottom) return ip_by_version(b, depth);
      }
      return false;
    default:
      return false;
  }
}

bool FrameDecoder::ip_by_version(Bytes b, int depth) {
  if (b.n < 1) return false;
  switch (b.p[0] >> 4) {
    case 4: return ipv4(b, depth);
    case 6: return ipv6(b, depth);
    default: return false;
  }
}

bool FrameDecoder::ipv4(Bytes b, int depth) {
  if (b.n >= 1 && (b.p[0] >> 4) != 4) return false;
  if (b.n < 20) return header_cut("IPv4", b.n, 20);
  std::size_t header = std::size_t{b.p[0] & 0x0Fu} * 4;
  std::size_t total = be16(b.p + 2);
  if (header < 20) return false;
  if (header > b.n) return header_cut("IPv4", b.n, header);
  if (total == 0) total = b.n;  // segmentation offload: length left to the NIC
  if (total < header) return false;
  if (total > b.n) {
    out_->cut = true;
    total = b.n;
  }
  set_address(out_->src, 4, b.p + 12);
  set_address(out_->dst, 4, b.p + 16);
  std::uint8_t proto = b.p[9];
  Bytes payload{b.p + header, total - header};
  std::uint16_t frag = be16(b.p + 6);
  bool more = frag & 0x2000;
  std::size_t offset = std::size_t{frag & 0x1FFFu} * 8;
  if (!more && offset == 0) return above_ip(proto, payload, depth);

  FragmentKey key;
  key.family = 4;
  key.proto = proto;
  key.id = be16(b.p + 4);
  std::memcpy(key.src.data(), b.p + 12, 4);
  std::memcpy(key.dst.data(), b.p + 16, 4);
  auto whole = fragments_.add(key, offset, more, {payload.p, payload.n}, frame_, time_us_, *warn_);
  if (whole.empty()) return false;
  return above_ip(proto, {whole.data(), whole.size()}, depth);
}

bool FrameDecoder::ipv6(Bytes b, int depth) {
  if (b.n >= 1 && (b.p[0] >> 4) != 6) return false;
  if (b.n < 40) return header_cut("IPv6", b.n, 40);
  std::size_t length = be16(b.p + 4);
  std::size_t end = length == 0 ? b.n : 40 + length;  // 0: jumbogram or offload
  if (end > b.n) {
    out_->cut = true;
    end = b.n;
  }
  set_address(out_->src, 6, b.p + 8);
  set_address(out_->dst, 6, b.p + 24);
  return ipv6_chain(b.p[6], {b.p + 40, end - 40}, depth, b.p + 8, b.p + 24);
}

bool FrameDecoder::ipv6_chain(std::uint8_t next, Bytes b, int depth, const std::uint8_t* src,
                              const std::uint8_t* dst) {
  for (int headers = 0; headers < kMaxDepth; ++headers) {
    switch (next) {
      case 0:   // hop-by-hop options
      case 43:  // routing
      case 60:  // destination options
      case 135: {  // mobility
        if (b.n < 2) return false;
        std::size_t len = (std::size_t{b.p[1]} + 1) * 8;
        if (len > b.n) return false;
        next = b.p[0];
        b = {b.p + len, b.n - len};
        break;
      }
      case 51: {  // authentication header: length in 4-byte words, less 2
        if (b.n < 2) return false;
        std::size_t len = (std::size_t{b.p[1]} + 2) * 4;
        if (len > b.n) return false;
        next = b.p[0];
        b = {b.p + len, b.n - len};
        break;
      }
      case 44: {  // fragment
        if (b.n < 8) return false;
        next = b.p[0];
        std::uint16_t field = be16(b.p + 2);
        std::size_t offset = field & 0xFFF8u;
        bool more = field & 1;
        std::uint32_t id = be32(b.p + 4);
        b = {b.p + 8, b.n - 8};
        if (offset == 0 && !more) break;  // an atomic fragment: nothing to wait for
        FragmentKey key;
        key.family = 6;
        key.proto = next;
        key.id = id;
        std::memcpy(key.src.data(), src, 16);
        std::memcpy(key.dst.data(), dst, 16);
        auto whole = fragments_.add(key, offset, more, {b.p, b.n}, frame_, time_us_, *warn_);
        if (whole.empty()) return false;
        b = {whole.data(), whole.size()};
        break;
      }
      default:
        return above_ip(next, b, depth);
    }
  }
  return false;
}

bool FrameDecoder::above_ip(std::uint8_t proto, Bytes b, int depth) {
  switch (proto) {
    case 17: return udp(b, depth);
    case 6: return tcp(b);
    case 4: return ++depth <= kMaxDepth && ipv4(b, depth);
    case 41: return ++depth <= kMaxDepth && ipv6(b, depth);
    case 47: return gre(b, depth);
    default: return false;
  }
}

bool FrameDecoder::gre(Bytes b, int depth) {
  if (++depth > kMaxDepth || b.n < 4) return false;
  std::uint16_t flags = be16(b.p);
  if ((flags & 7) != 0 || (flags & 0x4000)) return false;  // PPTP's GRE; source routing
  std::uint16_t proto = be16(b.p + 2);
  std::size_t off = 4;
  if (flags & 0x8000) off += 4;  // checksum
  if (flags & 0x2000) off += 4;  // key
  bool sequenced = flags & 0x1000;
  if (sequenced) off += 4;
  switch (proto) {
    case 0x88BE:  // ERSPAN: type II has an 8-byte header; type I (no sequence) none
      if (sequenced) off += 8;
      break;
    case 0x22EB:  // ERSPAN type III: 12 bytes, 8 more when the O flag says so
      if (!(12 <= b.n && off <= b.n - 12)) return false;
      off += (b.p[off + 11] & 1) ? 20 : 12;
      break;
    case 0x6558:  // transparent Ethernet bridging
      break;
    default:
      if (off > b.n) return false;
      return ethertype(proto, {b.p + off, b.n - off}, depth);
  }
  if (off > b.n) return false;
  return ethernet({b.p + off, b.n - off}, depth);
}

bool FrameDecoder::udp(Bytes b, int depth) {
  if (b.n < 8) return false;
  std::size_t length = be16(b.p + 4);
  std::size_t end = b.n;
  if (length >= 8 && length <= b.n) end = length;
  else if (length > b.n) out_->cut = true;
  std::uint16_t sport = be16(b.p), dport = be16(b.p + 2);
  Bytes payload{b.p + 8, end - 8};
  // VXLAN: an 8-byte header with the I flag, then Ethernet.
  if (dport == 4789 && payload.n >= 8 && (payload.p[0] & 0x08))
    return ++depth <= kMaxDepth && ethernet({payload.p + 8, payload.n - 8}, depth);
  out_->transport = Transport::udp;
  out_->src.port = sport;
  out_->dst.port = dport;
  out_->payload = {payload.p, payload.n};
  return true;
}

bool FrameDecoder::tcp(Bytes b) {
  if (b.n < 20) return false;
  std::size_t header = static_cast<std::size_t>(b.p[12] >> 4) * 4;
  if (header < 20 || header > b.n) return false;
  out_->transport = Transport::tcp;
  out_->src.port = be16(b.p);
  out_->dst.port = be16(b.p + 2);
  out_->seq = be32(b.p + 4);
  std::uint8_t flags = b.p[13];
  out_->fin = flags & 0x01;
  out_->syn = flags & 0x02;
  out_->rst = flags & 0x04;
  out_->payload = {b.p + header, b.n - header};
  return true;
}

}  // namespace trunk::capture
