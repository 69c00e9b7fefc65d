// The capture reader over the real captures in tests/data/pcap (message
// counts as tshark finds them, see SOURCES.md there) and over small
// captures built here, one per rule: link types, fragments, TCP order,
// retransmission, gaps, framing, and a file cut off mid-record.
#include <doctest/doctest.h>

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "capture/pcap_reader.hpp"

using namespace trunk;
using capture::Captured;

namespace {

struct Message {
  std::string bytes;
  capture::Endpoint src, dst;
  capture::Transport transport;
  std::int64_t time_us;
  std::uint64_t frame;
};

struct Read {
  bool opened = false;
  std::string format;
  std::vector<Message> messages;
  diag::Sink sink;
  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const auto& d : sink.all()) out.push_back(d.code);
    return out;
  }
  bool has(std::string_view code) const {
    for (const auto& d : sink.all())
      if (d.code == code) return true;
    return false;
  }
};

Read read_all(std::FILE* f, const std::string& name) {
  Read r;
  auto reader = capture::open_pcap(f, name, r.sink);
  if (!reader) return r;
  r.opened = true;
  r.format = reader->format_name();
  Captured c;
  while (reader->next(c, r.sink))
    r.messages.push_back({std::string(c.bytes), c.src, c.dst, c.transport, c.time_us, c.frame});
  return r;
}

Read read_file(const std::string& file) {
  std::string path = std::string(TRUNK_SOURCE_DIR) + "/tests/data/pcap/" + file;
  return read_all(std::fopen(path.c_str(), "rb"), file);
}

Read read_bytes(std::string bytes) {
  return read_all(fmemopen(bytes.data(), bytes.size(), "rb"), "test.pcap");
}

// Little-endian pcap, written byte by byte so that tests can also cut it.
class CaptureBuilder {
 public:
  explicit CaptureBuilder(std::uint32_t link_type) {
    u32(0xA1B2C3D4);
    u16(2);
    u16(4);
    u32(0);
    u32(0);
    u32(65535);
    u32(link_type);
  }
  // One record; frames number from 1 in the order added.
  CaptureBuilder& frame(const std::string& bytes, std::uint32_t sec = 1700000000,
                        std::uint32_t usec = 0) {
    u32(sec);
    u32(usec ? usec : static_cast<std::uint32_t>(++count_ * 1000));
    u32(static_cast<std::uint32_t>(bytes.size()));
    u32(static_cast<std::uint32_t>(bytes.size()));
    out_ += bytes;
    return *this;
  }
  const std::string& bytes() const { return out_; }

 private:
  void u16(std::uint16_t v) { out_.append(reinterpret_cast<const char*>(&v), 2); }
  void u32(std::uint32_t v) { out_.append(reinterpret_cast<const char*>(&v), 4); }
  std::string out_;
  std::uint32_t count_ = 0;
};

std::string be16(std::uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v)}; }
std::string be32(std::uint32_t v) { return be16(static_cast<std::uint16_t>(v >> 16)) + be16(static_cast<std::uint16_t>(v)); }

std::string address(const char* text) {
  std::string out(16, '\0');
  if (inet_pton(AF_INET, text, out.data()) == 1) return out.substr(0, 4);
  REQUIRE(inet_pton(AF_INET6, text, out.data()) == 1);
  return out;
}

std::string ethernet(std::uint16_t type, const std::string& payload) {
  return std::string("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12) + be16(type) + payload;
}

// `offset` in bytes (a multiple of 8), `more` the more-fragments flag.
std::string ipv4(const char* src, const char* dst, std::uint8_t proto, const std::string& payload,
                 std::uint16_t id = 1, std::size_t offset = 0, bool more = false) {
  std::string h = "\x45";
  h += '\0';
  h += be16(static_cast<std::uint16_t>(20 + payload.size()));
  h += be16(id);
  h += be16(static_cast<std::uint16_t>((more ? 0x2000 : 0) | offset / 8));
  h += '\x40';
  h += static_cast<char>(proto);
  h += std::string(2, '\0');
  return h + address(src) + address(dst) + payload;
}

std::string ipv6(const char* src, const char* dst, std::uint8_t next, const std::string& payload) {
  std::string h = std::string("\x60\0\0\0", 4) + be16(static_cast<std::uint16_t>(payload.size()));
  h += static_cast<char>(next);
  h += '\x40';
  return h + address(src) + address(dst) + payload;
}

std::string udp(std::uint16_t sport, std::uint16_t dport, const std::string& payload) {
  return be16(sport) + be16(dport) + be16(static_cast<std::uint16_t>(8 + payload.size())) +
         std::string(2, '\0') + payload;
}

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kAck = 0x10, kPsh = 0x08;

std::string tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint8_t flags,
                const std::string& payload = {}) {
  return be16(sport) + be16(dport) + be32(seq) + be32(0) + "\x50" + static_cast<char>(flags) +
         be16(65535) + std::string(4, '\0') + payload;
}

// A frame carrying a TCP segment from 10.0.0.1:40000 to 10.0.0.2:5060.
std::string tcp_frame(std::uint32_t seq, std::uint8_t flags, const std::string& payload = {}) {
  return ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 5060, seq, flags, payload)));
}

std::string udp_frame(const std::string& payload, std::uint16_t dport = 5060) {
  return ethernet(0x0800, ipv4("192.0.2.1", "192.0.2.2", 17, udp(5060, dport, payload)));
}

// A request with `body` and a Content-Length that counts it.
std::string request(const std::string& method, const std::string& call_id,
                    const std::string& body = {}) {
  return method + " sip:+14155550100@192.0.2.2 SIP/2.0\r\n"
         "Via: SIP/2.0/TCP 10.0.0.1:40000;branch=z9hG4bK" + call_id + "\r\n"
         "From: <sip:alice@10.0.0.1>;tag=1\r\n"
         "To: <sip:+14155550100@192.0.2.2>\r\n"
         "Call-ID: " + call_id + "\r\n"
         "CSeq: 1 " + method + "\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string sdp(std::size_t lines) {
  std::string body = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n";
  for (std::size_t i = 0; i < lines; ++i) body += "a=rtpmap:" + std::to_string(96 + i % 30) + " opus/48000/2\r\n";
  return body;
}

// The body after the blank line, and the Content-Length the headers give.
std::size_t content_length(const std::string& message) {
  auto at = message.find("\r\nContent-Length:");
  if (at == std::string::npos) at = message.find("\r\nContent-length:");
  if (at == std::string::npos) at = message.find("\r\nl:");
  if (at == std::string::npos) return 0;
  return std::stoul(message.substr(message.find(':', at) + 1));
}
std::size_t body_size(const std::string& message) {
  auto end = message.find("\r\n\r\n");
  return end == std::string::npos ? 0 : message.size() - end - 4;
}

}  // namespace

TEST_CASE("pcap: every SIP message tshark finds in the corpus captures") {
  struct Case {
    const char* file;
    std::size_t messages;
    const char* format;
  };
  const Case cases[] = {
      {"sngrep_aaa.pcap", 81, "pcap"},
      {"sngrep_ipv6frag.pcap", 32, "pcap"},
      {"sngrep_ipip.pcap", 4, "pcap"},
      {"heplify_sip_ipv4_tcp_retrans.pcap", 8, "pcap"},
      {"heplify_sip_ipv4_tcp_fragmented.pcap", 406, "pcap"},
      {"heplify_sip_ipv6_udp.pcap", 6, "pcap"},
      {"heplify_erspan_sip_ipv4_udp.pcapng", 140, "pcapng"},
      {"heplify_ipip0.pcap", 8, "pcap"},
      {"ppp_sip_resp.pcap", 7, "pcap"},
      {"ppp_sip_reqs.pcap", 4, "pcap"},
  };
  for (const auto& c : cases) {
    std::string file = c.file;
    CAPTURE(file);
    Read r = read_file(c.file);
    REQUIRE(r.opened);
    CHECK(r.format == c.format);
    CHECK(r.messages.size() == c.messages);
    for (const auto& d : r.sink.all()) MESSAGE(file << ": " << d.code << ": " << d.message);
  }
}

TEST_CASE("pcap: the first message's addresses, transport and time") {
  Read r = read_file("sngrep_aaa.pcap");
  REQUIRE(!r.messages.empty());
  const Message& m = r.messages[0];
  CHECK(m.frame == 19);
  CHECK(m.src.to_string() == "192.168.1.2:5060");
  CHECK(m.dst.to_string() == "212.242.33.35:5060");
  CHECK(m.transport == capture::Transport::udp);
  CHECK(m.time_us == 1120469572844249);
  CHECK(m.bytes.starts_with("REGISTER sip:sip.cybercity.dk SIP/2.0\r\n"));
  CHECK(m.bytes.size() == 467);
}

TEST_CASE("pcap: TCP messages reassembled from segments are whole") {
  Read r = read_file("heplify_sip_ipv4_tcp_fragmented.pcap");
  REQUIRE(r.messages.size() == 406);
  std::size_t invites = 0, multi_segment = 0;
  for (const auto& m : r.messages) {
    CHECK(m.transport == capture::Transport::tcp);
    CHECK(content_length(m.bytes) == body_size(m.bytes));
    if (m.bytes.starts_with("INVITE ")) ++invites;
    if (m.bytes.size() > 1024) ++multi_segment;  // segments carry 1024 bytes
  }
  CHECK(invites == 37);
  CHECK(multi_segment > 0);
  CHECK(r.messages[0].src.to_string() == "10.186.207.1:37398");
  CHECK(r.messages[0].dst.to_string() == "10.186.205.131:6060");
}

TEST_CASE("pcap: IPv6 fragments reassembled") {
  Read r = read_file("sngrep_ipv6frag.pcap");
  REQUIRE(r.messages.size() == 32);
  const Message& invite = r.messages[0];
  CHECK(invite.bytes.starts_with("INVITE sip:08019200028@[fd17:625c:f037:2:a00:27ff:feb9:4222]:25060 SIP/2.0\r\n"));
  CHECK(invite.frame == 2);
  CHECK(invite.src.to_string() == "[fd17:625c:f037:2:a00:27ff:feb9:1521]:15060");
  CHECK(invite.bytes.size() == 1691);
  CHECK(content_length(invite.bytes) == body_size(invite.bytes));
  CHECK(r.sink.empty());
}

TEST_CASE("pcap: a retransmitted TCP segment gives its message once") {
  Read r = read_file("heplify_sip_ipv4_tcp_retrans.pcap");
  REQUIRE(r.messages.size() == 8);
  std::size_t tcp = 0;
  for (const auto& m : r.messages) tcp += m.transport == capture::Transport::tcp;
  CHECK(tcp == 4);
}

TEST_CASE("pcap: tunnels give the inner addresses (IP-in-IP, ERSPAN)") {
  Read ipip = read_file("sngrep_ipip.pcap");
  REQUIRE(ipip.messages.size() == 4);
  CHECK(ipip.messages[1].src.to_string() == "10.15.193.31:33093");
  CHECK(ipip.messages[1].dst.to_string() == "10.15.197.103:5090");
  Read erspan = read_file("heplify_erspan_sip_ipv4_udp.pcapng");
  REQUIRE(erspan.messages.size() == 140);
  CHECK(erspan.messages[0].src.to_string() == "180.173.83.248:53221");
  CHECK(erspan.messages[0].dst.to_string() == "101.231.48.19:5260");
}

TEST_CASE("pcap: SIP over UDP is found by content on any port; RTP and keepalives are not SIP") {
  std::string rtp = "\x80\x00\x01\x02" + std::string(168, 'x');
  CaptureBuilder c(1);
  c.frame(udp_frame(rtp, 20000))
      .frame(udp_frame("\r\n\r\n"))
      .frame(udp_frame(std::string(4, '\0')))
      .frame(udp_frame("HTTP/1.1 200 OK\r\n\r\n", 8080))
      .frame(udp_frame(request("OPTIONS", "a"), 15080))
      .frame(udp_frame("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", 5999));
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].frame == 5);
  CHECK(r.messages[0].dst.port == 15080);
  CHECK(r.messages[0].bytes == request("OPTIONS", "a"));
  CHECK(r.messages[1].frame == 6);
  CHECK(r.sink.empty());
}

TEST_CASE("pcap: Ethernet with 802.1ad and 802.1Q tags") {
  std::string ip = ipv4("198.51.100.7", "203.0.113.9", 17, udp(5070, 5080, request("INVITE", "v")));
  std::string tags = be16(100) + be16(0x8100) + be16(200) + be16(0x0800);
  CaptureBuilder c(1);
  c.frame(ethernet(0x88A8, tags + ip), 1700000001, 250);
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].src.to_string() == "198.51.100.7:5070");
  CHECK(r.messages[0].dst.to_string() == "203.0.113.9:5080");
  CHECK(r.messages[0].time_us == 1700000001000250);
  CHECK(r.messages[0].frame == 1);
}

TEST_CASE("pcap: Linux cooked captures, SLL2") {
  std::string ip = ipv6("2001:db8::1", "2001:db8::2", 17, udp(5060, 5060, request("BYE", "s")));
  std::string sll2 = be16(0x86DD) + be16(0) + be32(3) + be16(1) + std::string("\x04\x06", 2) +
                     std::string(8, '\x01');
  CaptureBuilder c(276);
  c.frame(sll2 + ip);
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].src.to_string() == "[2001:db8::1]:5060");
  CHECK(r.messages[0].src.family == 6);
}

TEST_CASE("pcap: BSD loopback, NULL and LOOP") {
  std::string ip = ipv4("127.0.0.1", "127.0.0.1", 17, udp(5060, 5062, request("REGISTER", "l")));
  std::uint32_t host_inet = 2;
  CaptureBuilder null_link(0);
  null_link.frame(std::string(reinterpret_cast<const char*>(&host_inet), 4) + ip);
  Read r = read_bytes(null_link.bytes());
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].dst.to_string() == "127.0.0.1:5062");

  std::string ip6 = ipv6("::1", "::1", 17, udp(5060, 5062, request("REGISTER", "l6")));
  CaptureBuilder loop(108);
  loop.frame(be32(30) + ip6);  // AF_INET6 as macOS numbers it, network order
  Read r6 = read_bytes(loop.bytes());
  REQUIRE(r6.messages.size() == 1);
  CHECK(r6.messages[0].dst.to_string() == "[::1]:5062");
}

TEST_CASE("pcap: IPv4 fragments put back together whatever their order") {
  std::string invite = request("INVITE", "frag", sdp(60));
  std::string datagram = udp(5060, 5060, invite);
  REQUIRE(datagram.size() > 1600);
  auto part = [&](std::size_t offset, std::size_t size, bool more) {
    return ethernet(0x0800, ipv4("192.0.2.1", "192.0.2.2", 17, datagram.substr(offset, size), 77,
                                 offset, more));
  };
  CaptureBuilder c(1);
  c.frame(part(1200, std::string::npos, false)).frame(part(0, 600, true)).frame(part(600, 600, true));
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].bytes == invite);
  CHECK(r.messages[0].frame == 3);
  CHECK(content_length(r.messages[0].bytes) == body_size(r.messages[0].bytes));
  CHECK(r.sink.empty());
}

TEST_CASE("pcap: fragments never completed are warned about at the end") {
  std::string datagram = udp(5060, 5060, request("INVITE", "lost", sdp(40)));
  CaptureBuilder c(1);
  c.frame(ethernet(0x0800, ipv4("192.0.2.1", "192.0.2.2", 17, datagram.substr(0, 800), 9, 0, true)));
  Read r = read_bytes(c.bytes());
  CHECK(r.messages.empty());
  REQUIRE(r.sink.all().size() == 1);
  CHECK(r.sink.all()[0].code == "trace-fragments-dropped");
  CHECK(r.sink.all()[0].message ==
        "frame 1: IPv4 fragments of datagram id 9 dropped (800 bytes held): the capture ends "
        "before the rest");
  CHECK(r.sink.all()[0].where.file.str() == "test.pcap");
  CHECK(r.sink.all()[0].where.line == 0);
}

TEST_CASE("pcap: TCP, two messages in one segment") {
  std::string two = request("INVITE", "one", sdp(2)) + request("ACK", "two");
  CaptureBuilder c(1);
  c.frame(tcp_frame(1000, kSyn)).frame(tcp_frame(1001, kAck | kPsh, two));
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].bytes == request("INVITE", "one", sdp(2)));
  CHECK(r.messages[1].bytes == request("ACK", "two"));
  CHECK(r.messages[0].frame == 2);
  CHECK(r.messages[1].frame == 2);
  CHECK(r.messages[0].transport == capture::Transport::tcp);
  CHECK(r.messages[0].src.to_string() == "10.0.0.1:40000");
  CHECK(r.sink.empty());
}

TEST_CASE("pcap: TCP, one message over three segments") {
  std::string invite = request("INVITE", "three", sdp(30));
  std::size_t third = invite.size() / 3;
  CaptureBuilder c(1);
  c.frame(tcp_frame(1000, kSyn))
      .frame(tcp_frame(1001, kAck, invite.substr(0, third)))
      .frame(tcp_frame(1001 + third, kAck, invite.substr(third, third)))
      .frame(tcp_frame(1001 + 2 * third, kAck | kPsh, invite.substr(2 * third)));
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].bytes == invite);
  CHECK(r.messages[0].frame == 4);
}

TEST_CASE("pcap: TCP segments out of order are put in order") {
  std::string invite = request("INVITE", "swap", sdp(30));
  std::size_t half = invite.size() / 2;
  CaptureBuilder c(1);
  c.frame(tcp_frame(1000, kSyn))
      .frame(tcp_frame(1001 + half, kAck, invite.substr(half)))
      .frame(tcp_frame(1001, kAck, invite.substr(0, half)));
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].bytes == invite);
  CHECK(r.messages[0].frame == 3);
  CHECK(r.sink.empty());
}

TEST_CASE("pcap: a retransmitted TCP segment is read once") {
  std::string a = request("INVITE", "a", sdp(3)), b = request("BYE", "b");
  std::size_t half = a.size() / 2;
  CaptureBuilder c(1);
  c.frame(tcp_frame(1000, kSyn))
      .frame(tcp_frame(1001, kAck, a.substr(0, half)))
      .frame(tcp_frame(1001, kAck, a.substr(0, half)))       // the same again
      .frame(tcp_frame(1001, kAck, a))                       // again, and more
      .frame(tcp_frame(1001 + a.size(), kAck | kPsh, b))
      .frame(tcp_frame(1001 + a.size(), kAck | kPsh, b));    // the last again
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].bytes == a);
  CHECK(r.messages[0].frame == 4);
  CHECK(r.messages[1].bytes == b);
  CHECK(r.sink.empty());
}

TEST_CASE("pcap: a TCP gap is warned about and reading resumes at the next start line") {
  std::string a = request("INVITE", "a", sdp(3)), b = request("INFO", "b", sdp(10)),
              d = request("BYE", "d");
  std::size_t half = b.size() / 2;
  std::uint32_t seq = 1001;
  CaptureBuilder c(1);
  c.frame(tcp_frame(1000, kSyn)).frame(tcp_frame(seq, kAck, a + b.substr(0, 10)));
  seq += static_cast<std::uint32_t>(a.size() + 10);
  // The bytes of b from 10 to `half` were never captured.
  seq += static_cast<std::uint32_t>(half - 10);
  c.frame(tcp_frame(seq, kAck, b.substr(half) + d));
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].bytes == a);
  CHECK(r.messages[1].bytes == d);
  CHECK(r.messages[1].frame == 3);
  REQUIRE(r.sink.all().size() == 1);
  CHECK(r.sink.all()[0].code == "trace-tcp-gap");
  CHECK(r.sink.all()[0].message ==
        "frame 3: TCP 10.0.0.1:40000 -> 10.0.0.2:5060: " + std::to_string(half - 10) +
            " bytes missing before this segment; the message they cut is dropped (10 bytes "
            "held); reading resumes at the next SIP start line");
}

TEST_CASE("pcap: a TCP message without Content-Length ends at the blank line") {
  std::string bare = "OPTIONS sip:gw.example.net SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n";
  std::string compact = "SIP/2.0 200 OK\r\nl: 4\r\n\r\nabcd";
  CaptureBuilder c(1);
  c.frame(tcp_frame(1000, kSyn)).frame(tcp_frame(1001, kAck, "\r\n\r\n" + bare + compact + "\r\n\r\n"));
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].bytes == bare);
  CHECK(r.messages[1].bytes == compact);
  CHECK(r.sink.empty());
}

TEST_CASE("pcap: a TCP stream that does not start like SIP is ignored") {
  std::string tls = "\x16\x03\x01\x02\x00" + std::string(500, '\x01');
  CaptureBuilder c(1);
  c.frame(tcp_frame(1000, kSyn))
      .frame(tcp_frame(1001, kAck, tls))
      .frame(tcp_frame(1501, kAck, request("INVITE", "not-at-start")))
      .frame(tcp_frame(1000, kAck, tls));  // and a bogus old segment
  Read r = read_bytes(c.bytes());
  CHECK(r.messages.empty());
  CHECK(r.sink.empty());
}

TEST_CASE("pcap: joining a TCP stream mid-message finds the next start line") {
  std::string a = request("INVITE", "a", sdp(3)), b = request("BYE", "b");
  CaptureBuilder c(1);
  c.frame(tcp_frame(5000, kAck, a.substr(40) + b));
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].bytes == b);
}

TEST_CASE("pcap: a TCP stream ending inside a message is warned about") {
  std::string a = request("INVITE", "a", sdp(3));
  CaptureBuilder c(1);
  c.frame(tcp_frame(1000, kSyn)).frame(tcp_frame(1001, kAck, a.substr(0, 100)));
  Read r = read_bytes(c.bytes());
  CHECK(r.messages.empty());
  REQUIRE(r.sink.all().size() == 1);
  CHECK(r.sink.all()[0].code == "trace-tcp-incomplete");
  CHECK(r.sink.all()[0].message ==
        "frame 2: TCP 10.0.0.1:40000 -> 10.0.0.2:5060: the capture ends inside a message "
        "(100 bytes held); it is not read");
}

TEST_CASE("pcap: a Content-Length past the stream cap drops the message, not the stream") {
  std::string huge = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 999999\r\n\r\n";
  CaptureBuilder c(1);
  c.frame(tcp_frame(1000, kSyn))
      .frame(tcp_frame(1001, kAck, huge))
      .frame(tcp_frame(1001 + static_cast<std::uint32_t>(huge.size()), kAck, "\r\n" + request("BYE", "after")));
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].bytes == request("BYE", "after"));
  REQUIRE(r.sink.all().size() == 1);
  CHECK(r.sink.all()[0].code == "trace-tcp-too-large");
  CHECK(r.sink.all()[0].message ==
        "frame 2: TCP 10.0.0.1:40000 -> 10.0.0.2:5060: Content-Length 999999 goes past 256 "
        "KiB; the message is dropped");
}

TEST_CASE("pcap: a file cut off mid-record gives the messages before the cut") {
  CaptureBuilder c(1);
  c.frame(udp_frame(request("INVITE", "1"))).frame(udp_frame(request("ACK", "2")))
      .frame(udp_frame(request("BYE", "3")));
  std::string cut = c.bytes().substr(0, c.bytes().size() - 50);
  Read r = read_bytes(cut);
  REQUIRE(r.opened);
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[1].bytes == request("ACK", "2"));
  REQUIRE(r.sink.all().size() == 1);
  CHECK(r.sink.all()[0].code == "trace-truncated");
  std::size_t captured = udp_frame(request("BYE", "3")).size();
  CHECK(r.sink.all()[0].message ==
        "frame 3: the capture ends in the middle of this record (truncated dump file; tried to "
        "read " + std::to_string(captured) + " captured bytes, only got " +
            std::to_string(captured - 50) + "); messages before it are read");
}

TEST_CASE("pcap: an unsupported link type is warned about") {
  CaptureBuilder c(105);  // 802.11
  c.frame(std::string(60, '\0'));
  Read r = read_bytes(c.bytes());
  REQUIRE(r.opened);
  CHECK(r.messages.empty());
  REQUIRE(r.sink.all().size() == 1);
  CHECK(r.sink.all()[0].code == "trace-link-type");
  CHECK(r.sink.all()[0].message ==
        "link type 105 (IEEE802_11) is not supported; no messages are read from this capture");
}

TEST_CASE("pcap: bytes that are not a capture are refused") {
  Read r = read_bytes("INVITE sip:a@b SIP/2.0\r\n\r\n");
  CHECK(!r.opened);
  REQUIRE(r.sink.errors() == 1);
  CHECK(r.sink.all()[0].code == "trace-format");
}

extern std::size_t g_allocations;

TEST_CASE("pcap: reading allocates nothing per packet once buffers are warm") {
  std::string rtp = "\x80\x08\x00\x01" + std::string(168, '\xFF');
  std::string a = request("INVITE", "a", sdp(5)), b = request("BYE", "b");
  CaptureBuilder c(1);
  std::uint32_t seq = 1001;
  c.frame(tcp_frame(1000, kSyn));
  for (int i = 0; i < 50; ++i) {
    c.frame(udp_frame(request("OPTIONS", std::to_string(i)), 5080));
    for (int k = 0; k < 5; ++k) c.frame(udp_frame(rtp, 30000));
    std::string two = a + b;
    c.frame(tcp_frame(seq, kAck, two.substr(0, 300)));
    c.frame(tcp_frame(seq + 300, kAck | kPsh, two.substr(300)));
    seq += static_cast<std::uint32_t>(two.size());
  }
  std::string bytes = c.bytes();
  std::FILE* f = fmemopen(bytes.data(), bytes.size(), "rb");
  diag::Sink sink;
  auto reader = capture::open_pcap(f, "warm.pcap", sink);
  REQUIRE(reader);
  Captured m;
  for (int i = 0; i < 6; ++i) REQUIRE(reader->next(m, sink));  // two rounds: buffers grow
  std::size_t before = g_allocations;
  for (int i = 6; i < 150; ++i) REQUIRE(reader->next(m, sink));
  CHECK(g_allocations == before);
  CHECK(!reader->next(m, sink));  // the end may allocate, once
  CHECK(sink.empty());
}

TEST_CASE("pcap: frames cut at the snap length are warned about once") {
  std::string frame = udp_frame(request("INVITE", "cut", sdp(10)));
  std::string cut = frame.substr(0, 200);  // the IP and UDP lengths still say more
  CaptureBuilder c(1);
  c.frame(cut).frame(cut);
  Read r = read_bytes(c.bytes());
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].bytes == frame.substr(42, 200 - 42));
  REQUIRE(r.sink.all().size() == 1);
  CHECK(r.sink.all()[0].code == "trace-snaplen");
  CHECK(r.sink.all()[0].message ==
        "frame 1: the frame was captured shorter than it was sent (snap length 65535); "
        "messages in frames like it are incomplete");
}

TEST_CASE("pcap: the TCP stream table is bounded; the least recently used stream goes first") {
  std::string a = request("INVITE", "a", sdp(3));
  CaptureBuilder c(1);
  c.frame(tcp_frame(1000, kSyn)).frame(tcp_frame(1001, kAck, a.substr(0, 100)));
  // 16384 more connections, each opened and given a whole message.
  for (std::uint32_t i = 0; i < 16384; ++i) {
    std::string src = "10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    auto seg = [&](std::uint32_t seq, std::uint8_t flags, const std::string& payload) {
      return ethernet(0x0800, ipv4(src.c_str(), "10.0.0.2", 6, tcp(5060, 5060, seq, flags, payload)));
    };
    c.frame(seg(1, kSyn, {})).frame(seg(2, kAck, request("OPTIONS", "o")));
  }
  Read r = read_bytes(c.bytes());
  CHECK(r.messages.size() == 16384);
  REQUIRE(r.sink.all().size() == 1);
  CHECK(r.sink.all()[0].code == "trace-tcp-dropped");
  CHECK(r.sink.all()[0].message ==
        "frame 2: TCP 10.0.0.1:40000 -> 10.0.0.2:5060: dropped with 100 bytes of unfinished "
        "messages (more than 16384 TCP streams at once)");
}
