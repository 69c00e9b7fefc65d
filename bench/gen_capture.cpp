// gen_capture: writes a realistic SIP capture of a given size, to measure
// the capture reader (trace_read_bench) and tshark on the same file.
//
//   build/bin/gen_capture OUT.pcap SIZE_MB [--seed N] [--tcp-percent N]
//                         [--concurrent N] [--unanswered] [--no-rtp]
//                         [--call-id-length N]
//
// Calls run side by side (--concurrent, 200 by default), each packet from
// the next call in turn, as a busy SBC's capture interleaves them: INVITE
// with SDP, 100, 180, 200 with SDP, ACK, G.711 RTP both ways for a random
// number of 20 ms packets, BYE, 200. One call in --tcp-percent (10 by
// default) runs over TCP: SYN and SYN-ACK first, bare ACKs between, the INVITE cut in
// segments of 512 bytes, ACK and BYE sent together in one segment. RTP is
// about 80% of the bytes. Ethernet, IPv4, pcap with microsecond times.
// --no-rtp writes the same calls without their RTP: SIP only, over UDP and
// TCP, as an SBC's SIP capture or an `sngrep` export has it, where all the
// reader hands on is SIP (the load that shows the per-message cost).
// --unanswered writes only INVITEs that nothing answers, over UDP, no RTP
// (a scanner's flood, or a carrier that is down): every one a new call,
// the load that makes a call tracker hold the most. --call-id-length pads
// each Call-ID to that many characters.
// Every SIP message the reader should find is counted and printed, with
// the frame and byte totals.
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string out;
  double size_mb = 0;
  std::uint32_t seed = 1;
  unsigned tcp_percent = 10;
  unsigned concurrent = 200;
  bool unanswered = false;
  bool no_rtp = false;
  std::size_t call_id_length = 0;  // 0: as they come ("N-RANDOM@10.0.0.1")
};

void put16(std::string& s, std::size_t at, std::uint16_t v) {
  s[at] = static_cast<char>(v >> 8);
  s[at + 1] = static_cast<char>(v);
}
void put32(std::string& s, std::size_t at, std::uint32_t v) {
  put16(s, at, static_cast<std::uint16_t>(v >> 16));
  put16(s, at + 2, static_cast<std::uint16_t>(v));
}

class Writer {
 public:
  Writer(const std::string& path) {
    dead_ = pcap_open_dead(DLT_EN10MB, 65535);
    dumper_ = pcap_dump_open(dead_, path.c_str());
    if (!dumper_) {
      std::fprintf(stderr, "gen_capture: %s\n", pcap_geterr(dead_));
      std::exit(2);
    }
  }
  ~Writer() {
    pcap_dump_close(dumper_);
    pcap_close(dead_);
  }
  // An Ethernet/IPv4 frame with `l4` (a UDP or TCP header and payload).
  void frame(std::uint32_t src, std::uint32_t dst, std::uint8_t proto, const std::string& l4) {
    std::string f(14 + 20, '\0');
    std::memcpy(f.data(), "\x00\x16\x3e\x00\x00\x02\x00\x16\x3e\x00\x00\x01", 12);
    put16(f, 12, 0x0800);
    f[14] = 0x45;
    put16(f, 16, static_cast<std::uint16_t>(20 + l4.size()));
    put16(f, 18, static_cast<std::uint16_t>(++ip_id_));
    f[22] = 64;
    f[23] = static_cast<char>(proto);
    put32(f, 26, src);
    put32(f, 30, dst);
    f += l4;
    pcap_pkthdr h{};
    h.ts.tv_sec = static_cast<time_t>(1700000000 + now_us_ / 1000000);
    h.ts.tv_usec = static_cast<suseconds_t>(now_us_ % 1000000);
    h.caplen = h.len = static_cast<bpf_u_int32>(f.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, reinterpret_cast<const u_char*>(f.data()));
    bytes_ += f.size() + 16;
    ++frames_;
  }
  void udp(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport,
           const std::string& payload) {
    std::string l4(8, '\0');
    put16(l4, 0, sport);
    put16(l4, 2, dport);
    put16(l4, 4, static_cast<std::uint16_t>(8 + payload.size()));
    frame(src, dst, 17, l4 + payload);
  }
  void tcp(std::uint32_t src, std::uint16_t sport, std::uint32_t dst, std::uint16_t dport,
           std::uint32_t seq, std::uint8_t flags, const std::string& payload) {
    std::string l4(20, '\0');
    put16(l4, 0, sport);
    put16(l4, 2, dport);
    put32(l4, 4, seq);
    l4[12] = 0x50;
    l4[13] = static_cast<char>(flags);
    put16(l4, 14, 65535);
    frame(src, dst, 6, l4 + payload);
  }
  void tick(std::int64_t us) { now_us_ += us; }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t frames() const { return frames_; }
  std::uint64_t rtp_bytes = 0, sip_messages = 0;

 private:
  pcap_t* dead_;
  pcap_dumper_t* dumper_;
  std::uint64_t bytes_ = 24, frames_ = 0;
  std::int64_t now_us_ = 0;
  std::uint16_t ip_id_ = 0;
};

std::string sdp(std::uint32_t host, std::uint16_t port) {
  char ip[32];
  std::snprintf(ip, sizeof ip, "%u.%u.%u.%u", host >> 24, (host >> 16) & 255, (host >> 8) & 255,
                host & 255);
  return std::string("v=0\r\no=- 4711 4711 IN IP4 ") + ip + "\r\ns=call\r\nc=IN IP4 " + ip +
         "\r\nt=0 0\r\nm=audio " + std::to_string(port) +
         " RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
         "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";
}

// One call's packets, produced one at a time.
class Call {
 public:
  Call(std::uint64_t n, bool tcp, std::mt19937& rng, const Options& o)
      : n_(n), tcp_(tcp && !o.unanswered), unanswered_(o.unanswered),
        rtp_packets_(15 + rng() % 40) {
    // Drawn all the same, so that --no-rtp gives the same calls.
    if (o.no_rtp) rtp_packets_ = 0;
    a_ = 0x0A000000u | static_cast<std::uint32_t>(1 + n % 250) << 8 | (1 + n % 200);
    b_ = 0xC0A80000u | static_cast<std::uint32_t>(1 + (n / 7) % 250);
    a_port_ = tcp ? static_cast<std::uint16_t>(20000 + n % 40000) : 5060;
    b_port_ = tcp ? 5060 : 5080;  // not 5060: the reader finds SIP by content
    rtp_a_ = static_cast<std::uint16_t>(10000 + 2 * (n % 10000));
    rtp_b_ = static_cast<std::uint16_t>(30000 + 2 * (n % 10000));
    call_id_ = std::to_string(n) + "-" + std::to_string(rng()) + "@10.0.0.1";
    if (call_id_.size() < o.call_id_length)
      call_id_.insert(call_id_.find('@'), o.call_id_length - call_id_.size(), 'x');
  }
  // Writes the call's next packet; false when the call is over.
  bool step(Writer& w) {
    if (unanswered_) {
      if (state_++ > 0) return false;
      send_a(w, request("INVITE", {}));
      return true;
    }
    switch (state_++) {
      case 0:
        if (tcp_) {
          w.tcp(a_, a_port_, b_, b_port_, seq_a_ - 1, 0x02, {});
          w.tcp(b_, b_port_, a_, a_port_, seq_b_ - 1, 0x12, {});
          return true;
        }
        ++state_;
        [[fallthrough]];
      case 1: send_a(w, request("INVITE", sdp(a_, rtp_a_))); return true;
      case 2: send_b(w, response(100, "Trying", "INVITE", {})); return true;
      case 3: send_b(w, response(180, "Ringing", "INVITE", {})); return true;
      case 4: send_b(w, response(200, "OK", "INVITE", sdp(b_, rtp_b_))); return true;
      case 5:
        if (!tcp_) send_a(w, request("ACK", {}));
        return true;
      default: break;
    }
    if (rtp_sent_ < 2 * rtp_packets_) {
      rtp(w);
      --state_;
      return true;
    }
    switch (state_) {
      case 7:
        if (tcp_) send_a(w, request("ACK", {}) + request("BYE", {}), 2);
        else send_a(w, request("BYE", {}));
        return true;
      case 8:
        send_b(w, response(200, "OK", "BYE", {}));
        if (tcp_) {
          w.tcp(a_, a_port_, b_, b_port_, seq_a_, 0x11, {});
          w.tcp(b_, b_port_, a_, a_port_, seq_b_, 0x11, {});
        }
        return true;
      default: return false;
    }
  }

 private:
  std::string headers(const std::string& first, const std::string& method,
                      const std::string& body) const {
    std::string via = tcp_ ? "SIP/2.0/TCP " : "SIP/2.0/UDP ";
    return first + "\r\nVia: " + via + "10.0.0.1:5060;branch=z9hG4bK" +
           call_id_.substr(0, call_id_.find('@')) + method + "\r\nMax-Forwards: 70\r\nFrom: \"Alice\" <sip:+14155550100@trunk.example.com>;tag=" +
           std::to_string(n_) + "\r\nTo: <sip:+442071234567@carrier.example.net>" +
           (state_ > 2 ? ";tag=b" + std::to_string(n_) : std::string()) + "\r\nCall-ID: " + call_id_ +
           "\r\nCSeq: " + (method == "BYE" ? "2 " : "1 ") + method +
           "\r\nContact: <sip:+14155550100@10.0.0.1:5060>\r\nUser-Agent: trunkline-gen/1.0\r\n" +
           (body.empty() ? "" : "Content-Type: application/sdp\r\n") +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  std::string request(const std::string& method, const std::string& body) const {
    return headers(method + " sip:+442071234567@carrier.example.net SIP/2.0", method, body);
  }
  std::string response(int code, const char* reason, const std::string& method,
                       const std::string& body) const {
    return headers("SIP/2.0 " + std::to_string(code) + " " + reason, method, body);
  }
  void send_a(Writer& w, const std::string& msg, unsigned messages = 1) {
    w.sip_messages += messages;
    if (!tcp_) return w.udp(a_, a_port_, b_, b_port_, msg);
    for (std::size_t at = 0; at < msg.size(); at += 512) {
      std::string seg = msg.substr(at, 512);
      w.tcp(a_, a_port_, b_, b_port_, seq_a_, 0x18, seg);
      seq_a_ += static_cast<std::uint32_t>(seg.size());
    }
    w.tcp(b_, b_port_, a_, a_port_, seq_b_, 0x10, {});  // a bare ACK back
  }
  void send_b(Writer& w, const std::string& msg) {
    w.sip_messages += 1;
    if (!tcp_) return w.udp(b_, b_port_, a_, a_port_, msg);
    w.tcp(b_, b_port_, a_, a_port_, seq_b_, 0x18, msg);
    seq_b_ += static_cast<std::uint32_t>(msg.size());
  }
  void rtp(Writer& w) {
    bool from_a = rtp_sent_ % 2 == 0;
    std::string p(12 + 160, '\xFF');
    p[0] = static_cast<char>(0x80);
    p[1] = 0;
    put16(p, 2, static_cast<std::uint16_t>(rtp_sent_ / 2));
    put32(p, 4, static_cast<std::uint32_t>(rtp_sent_ / 2 * 160));
    put32(p, 8, from_a ? 0x11111111u : 0x22222222u);
    if (from_a) w.udp(a_, rtp_a_, b_, rtp_b_, p);
    else w.udp(b_, rtp_b_, a_, rtp_a_, p);
    w.rtp_bytes += 16 + 14 + 20 + 8 + p.size();
    ++rtp_sent_;
  }

  std::uint64_t n_;
  bool tcp_, unanswered_;
  unsigned rtp_packets_, rtp_sent_ = 0, state_ = 0;
  std::uint32_t a_, b_;
  std::uint16_t a_port_, b_port_, rtp_a_, rtp_b_;
  std::uint32_t seq_a_ = 1000001, seq_b_ = 5000001;
  std::string call_id_;
};

int usage() {
  std::fprintf(stderr,
               "usage: gen_capture OUT.pcap SIZE_MB [--seed N] [--tcp-percent N] "
               "[--concurrent N] [--unanswered] [--no-rtp] [--call-id-length N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--unanswered") {
      o.unanswered = true;
      continue;
    }
    if (args[i] == "--no-rtp") {
      o.no_rtp = true;
      continue;
    }
    if (args[i].starts_with("--") && i + 1 >= args.size()) return usage();
    if (args[i] == "--seed") o.seed = static_cast<std::uint32_t>(std::stoul(args[++i]));
    else if (args[i] == "--tcp-percent") o.tcp_percent = static_cast<unsigned>(std::stoul(args[++i]));
    else if (args[i] == "--concurrent") o.concurrent = static_cast<unsigned>(std::stoul(args[++i]));
    else if (args[i] == "--call-id-length") o.call_id_length = std::stoul(args[++i]);
    else if (o.out.empty()) o.out = args[i];
    else if (o.size_mb == 0) o.size_mb = std::stod(args[i]);
    else return usage();
  }
  if (o.out.empty() || o.size_mb <= 0 || o.concurrent == 0) return usage();

  std::mt19937 rng(o.seed);
  Writer w(o.out);
  auto target = static_cast<std::uint64_t>(o.size_mb * 1024 * 1024);
  std::vector<Call> calls;
  std::uint64_t started = 0;
  auto start_call = [&] {
    bool tcp = rng() % 100 < o.tcp_percent;
    return Call(started++, tcp, rng, o);
  };
  for (unsigned i = 0; i < o.concurrent; ++i) calls.push_back(start_call());
  // Round robin; a finished call is replaced while there is room, so the
  // file ends after whole calls.
  bool filling = true;
  while (!calls.empty()) {
    for (std::size_t i = 0; i < calls.size();) {
      w.tick(20000 / static_cast<std::int64_t>(o.concurrent));
      if (calls[i].step(w)) {
        ++i;
        continue;
      }
      if (filling && w.bytes() < target) {
        calls[i] = start_call();
        ++i;
      } else {
        calls.erase(calls.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
    filling = w.bytes() < target;
  }
  std::printf("%s: %.1f MB, %llu frames, %llu calls, %llu SIP messages, %.0f%% of bytes RTP\n",
              o.out.c_str(), static_cast<double>(w.bytes()) / 1e6,
              static_cast<unsigned long long>(w.frames()), static_cast<unsigned long long>(started),
              static_cast<unsigned long long>(w.sip_messages),
              100.0 * static_cast<double>(w.rtp_bytes) / static_cast<double>(w.bytes()));
  return 0;
}
