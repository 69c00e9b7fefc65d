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

#include "trace/pcap_reader.hpp"

using namespace trunk;
using trace::Captured;

namespace {

struct Message {
  std::string bytes;
  trace::Endpoint src, dst;
  trace::Transport transport;
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
  auto reader = trace::open_pcap(f, name, r.sink);
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
