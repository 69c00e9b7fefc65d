// The capture reader: libpcap's records through FrameDecoder, UDP payloads
// taken whole when they start like SIP, TCP through TcpStreams.
#include "capture/pcap_reader.hpp"

#include <pcap/pcap.h>

#include <cstring>
#include <string_view>
#include <vector>

#include "capture/capture_warnings.hpp"
#include "capture/frame_decode.hpp"
#include "capture/sip_framing.hpp"
#include "capture/tcp_stream.hpp"

namespace trunk::capture {

namespace {

// Microseconds since the epoch. A time more than 2^42 s (139,000 years)
// from it is corrupt (pcapng lets a record say anything): it becomes 0,
// unknown, and so differences between two times never overflow.
std::int64_t micros(const timeval& tv) {
  constexpr std::int64_t kMaxSeconds = std::int64_t{1} << 42;
  std::int64_t sec = tv.tv_sec, usec = tv.tv_usec;
  if (sec > kMaxSeconds || sec < -kMaxSeconds || usec < 0 || usec > 0xFFFFFFFFll) return 0;
  return sec * 1'000'000 + usec;
}

class PcapReader final : public Reader {
 public:
  PcapReader(pcap_t* pcap, const diag::FilePath& name)
      : pcap_(pcap), link_(pcap_datalink(pcap)), decoder_(link_) {
    warn_.file = name;
    // pcapng's section header says version 1.0, pcap's file header 2.4.
    pcapng_ = pcap_major_version(pcap) == 1;
  }
  ~PcapReader() override { pcap_close(pcap_); }
  PcapReader(const PcapReader&) = delete;  // owns the pcap_t
  PcapReader& operator=(const PcapReader&) = delete;

  bool next(Captured& out, diag::Sink& sink) override;
  std::string_view format_name() const override { return pcapng_ ? "pcapng" : "pcap"; }

  bool check_link(diag::Sink& sink) {
    warn_.sink = &sink;
    if (FrameDecoder::supported(link_)) return true;
    const char* name = pcap_datalink_val_to_name(link_);
    warn_.whole("trace-link-type",
             "link type " + std::to_string(link_) + (name ? std::string(" (") + name + ")" : "") +
                 " is not supported; no messages are read from this capture");
    done_ = true;
    return false;
  }

 private:
  bool from_stream(TcpStream& s, Captured& out) {
    std::string_view bytes;
    if (!s.next_message(bytes, warn_)) return false;
    out.bytes = bytes;
    out.src = s.src();
    out.dst = s.dst();
    out.transport = Transport::tcp;
    out.time_us = s.time_us();
    out.frame = s.frame();
    out.line = 0;
    return true;
  }
  bool read_records(Captured& out);
  bool finish(Captured& out);

  pcap_t* pcap_;
  int link_;
  bool pcapng_ = false;
  FrameDecoder decoder_;
  TcpStreams streams_;
  CaptureWarnings warn_;
  Segment segment_;
  std::uint64_t frame_ = 0;
  TcpStream* draining_ = nullptr;  // may have more messages from its last segment
  bool done_ = false;              // no more records
  bool warned_cut_ = false;
  // At the end of the capture: streams still holding bytes, one at a time.
  std::vector<TcpStream*> ending_;
  std::size_t ending_at_ = 0;
  bool finishing_ = false;
};

bool PcapReader::next(Captured& out, diag::Sink& sink) {
  warn_.sink = &sink;
  if (draining_) {
    if (from_stream(*draining_, out)) return true;
    draining_ = nullptr;
  }
  if (!done_ && read_records(out)) return true;
  return finish(out);
}

bool PcapReader::read_records(Captured& out) {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  for (;;) {
    int r = pcap_next_ex(pcap_, &header, &data);
    if (r == 0) continue;  // live captures only
    if (r != 1) {
      if (r == PCAP_ERROR) {
        std::string why = pcap_geterr(pcap_);
        bool truncated = why.find("truncated") != std::string::npos;
        warn_.at(frame_ + 1, truncated ? "trace-truncated" : "trace-read-error",
                 (truncated ? "the capture ends in the middle of this record (" +  why + ")"
                            : "cannot be read (" + why + ")") +
                     "; messages before it are read");
      }
      done_ = true;
      return false;
    }
    ++frame_;
    std::int64_t time_us = micros(header->ts);
    Segment& seg = segment_;
    if (!decoder_.decode({data, header->caplen}, frame_, time_us, seg, warn_)) continue;
    if (seg.cut && !warned_cut_) {
      warned_cut_ = true;
      warn_.at(frame_, "trace-snaplen",
               "the frame was captured shorter than it was sent (snap length " +
                   std::to_string(pcap_snapshot(pcap_)) +
                   "); messages in frames like it are incomplete");
    }
    std::string_view payload(reinterpret_cast<const char*>(seg.payload.data()),
                             seg.payload.size());
    if (seg.transport == Transport::udp) {
      // Most UDP is RTP, whose first byte (0x80..0xBF) fails here at once.
      if (payload.empty() || start_line(payload) != StartLine::yes) continue;
      out.bytes = payload;
      out.src = seg.src;
      out.dst = seg.dst;
      out.transport = Transport::udp;
      out.time_us = time_us;
      out.frame = frame_;
      out.line = 0;
      return true;
    }
    // TCP. A bare acknowledgement changes nothing: no table lookup for it.
    if (payload.empty() && !seg.syn && !seg.fin) continue;
    TcpStream& s = streams_.find(seg.src, seg.dst, time_us, warn_);
    s.add(seg.seq, seg.payload, seg.syn, seg.fin || seg.rst, frame_, time_us, warn_);
    streams_.account(s, warn_);
    if (from_stream(s, out)) {
      draining_ = &s;
      return true;
    }
  }
}

bool PcapReader::finish(Captured& out) {
  if (!finishing_) {
    finishing_ = true;
    decoder_.finish(warn_);
    ending_ = streams_.all();
  }
  while (ending_at_ < ending_.size()) {
    TcpStream& s = *ending_[ending_at_];
    if (from_stream(s, out)) return true;
    if (s.skip_gap(warn_)) continue;
    if (std::size_t n = s.unfinished())
      warn_.at(s.frame(), "trace-tcp-incomplete",
               s.describe() + ": the capture ends inside a message (" + std::to_string(n) +
                   " bytes held); it is not read");
    ++ending_at_;
  }
  return false;
}

}  // namespace

std::unique_ptr<Reader> open_pcap(std::FILE* file, std::string name, diag::Sink& sink) {
  diag::SourceRegion where;
  where.file = name;
  if (!file) {
    sink.error("trace-open", "no file to read", where);
    return nullptr;
  }
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_fopen_offline(file, error);
  if (!pcap) {
    std::fclose(file);
    sink.error("trace-format", std::string("not a capture libpcap can read: ") + error, where);
    return nullptr;
  }
  auto reader = std::make_unique<PcapReader>(pcap, diag::FilePath(name));
  reader->check_link(sink);
  return reader;
}

}  // namespace trunk::capture
