// TCP streams in a capture, put back in order and cut into SIP messages.
//
// A TcpStream is one direction of one connection. Segments are placed by
// sequence number: a retransmission (bytes already had) is dropped, a
// segment from beyond a hole waits until the hole is filled. A hole that
// stays (kMaxWaiting segments or kMaxHeld bytes pile up behind it, the
// connection ends, or the capture does) is a gap: warned about
// ("trace-tcp-gap") and reading resumes at the next SIP start line. Messages
// are cut by Content-Length, or at the blank line when there is none.
// A stream whose first bytes are not SIP (TLS, HTTP, anything) is ignored
// from then on for next to no cost.
//
// TcpStreams is the table of streams, keyed by the 4-tuple, bounded in
// count (kMaxStreams), in the bytes all streams hold (kMaxBytes) and in idle
// capture time (kMaxIdle): the least recently used stream makes room, with
// a warning ("trace-tcp-dropped") when it held part of a message.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "capture/capture_warnings.hpp"
#include "capture/reader.hpp"

namespace trunk::capture {

class TcpStream {
 public:
  static constexpr std::size_t kMaxHeld = 256 * 1024;  // one stream's bytes
  static constexpr std::size_t kMaxWaiting = 64;       // segments beyond a hole
  // Bytes searched for a first start line before a stream is taken for not SIP.
  static constexpr std::size_t kMaxHunt = 16 * 1024;

  TcpStream(const Endpoint& src, const Endpoint& dst) : src_(src), dst_(dst) {}

  // Adds a segment seen at `frame`. Invalidates what next_message() gave.
  void add(std::uint32_t seq, std::span<const std::uint8_t> data, bool syn, bool fin,
           std::uint64_t frame, std::int64_t time_us, const CaptureWarnings& warn);

  // The next whole message, pointing into this stream's buffer and valid
  // until the next add(). False when no whole message is waiting.
  bool next_message(std::string_view& out, const CaptureWarnings& warn);

  // Gives up on the hole before the first waiting segment: warns, drops
  // the message the hole cut and resumes at the next start line. False when
  // no segment is waiting.
  bool skip_gap(const CaptureWarnings& warn);

  // Bytes of a message begun but not finished (nothing waiting to be cut).
  std::size_t unfinished() const;
  std::size_t held() const { return buf_.size() - consumed_ + waiting_bytes_; }
  // What dropping the stream would lose of SIP messages (0 for a stream
  // never found to carry SIP).
  std::size_t lost_if_dropped() const { return ever_synced_ ? held() : 0; }
  bool ignored() const { return mode_ == Mode::ignored; }

  const Endpoint& src() const { return src_; }
  const Endpoint& dst() const { return dst_; }
  // The segment that last brought bytes: the one that completed a message.
  std::uint64_t frame() const { return frame_; }
  std::int64_t time_us() const { return time_us_; }
  std::int64_t last_seen() const { return last_seen_; }
  std::string describe() const;  // "TCP 192.0.2.1:5060 -> 192.0.2.2:5060"

  // The memory the stream's bytes take (buffer capacity included), which
  // TcpStreams caps over all streams.
  std::size_t footprint() const { return buf_.capacity() + waiting_bytes_; }
  std::size_t accounted = 0;  // footprint() when TcpStreams last counted it

 private:
  enum class Mode : std::uint8_t { hunting, synced, ignored };
  struct Waiting {
    std::uint32_t seq;
    std::string bytes;
    std::uint64_t frame;
    std::int64_t time_us;
  };
  void place(std::uint32_t seq, std::span<const std::uint8_t> data, std::uint64_t frame,
             std::int64_t time_us, const CaptureWarnings& warn);
  void append(std::span<const std::uint8_t> data, std::uint64_t frame, std::int64_t time_us);
  void take_waiting();
  std::size_t nearest_waiting() const;
  void compact();
  bool hunt();
  void ignore();

  Endpoint src_, dst_;
  std::string buf_;           // bytes in order; [0, consumed_) already given out
  std::size_t consumed_ = 0;
  std::size_t scan_from_ = 0;     // where the blank line search resumes
  std::size_t message_size_ = 0;  // of the message at consumed_, once its headers are in
  // Segments beyond a hole. Few, and sequence numbers wrap, so a vector
  // searched for the nearest rather than a map ordered by number.
  std::vector<Waiting> waiting_;
  std::size_t waiting_bytes_ = 0;
  std::uint32_t next_seq_ = 0;
  bool seq_known_ = false;
  Mode mode_ = Mode::hunting;
  bool boundary_ = true;     // consumed_ is where a message may start
  bool from_syn_ = false;    // the connection's start was seen: its first bytes decide
  bool ever_synced_ = false;
  std::size_t hunted_ = 0;
  std::uint64_t frame_ = 0;
  std::int64_t time_us_ = 0;
  std::int64_t last_seen_ = 0;
};

struct StreamKey {
  std::array<std::uint8_t, 16> src{}, dst{};
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint8_t family = 0;
  friend bool operator==(const StreamKey&, const StreamKey&) = default;
};

struct StreamKeyHash {
  std::size_t operator()(const StreamKey& k) const;
};

class TcpStreams {
 public:
  static constexpr std::size_t kMaxStreams = 16384;
  static constexpr std::size_t kMaxBytes = 64u << 20;
  static constexpr std::int64_t kMaxIdle = 600'000'000;  // microseconds of capture time

  // The stream from `src` to `dst`, created when new. Streams idle too long,
  // and the least recently used when the table is full, are dropped first.
  TcpStream& find(const Endpoint& src, const Endpoint& dst, std::int64_t time_us,
                  const CaptureWarnings& warn);
  // After an add() to `s`: counts its bytes and drops other streams (least
  // recently used first) while all streams hold more than kMaxBytes.
  void account(TcpStream& s, const CaptureWarnings& warn);

  // Every stream, least recently used first (for the end of the capture).
  std::vector<TcpStream*> all();
  std::size_t size() const { return order_.size(); }

 private:
  struct Entry {
    StreamKey key;
    TcpStream stream;
  };
  void drop_last(std::string_view why, const CaptureWarnings& warn);

  std::list<Entry> order_;  // most recently used first
  std::unordered_map<StreamKey, std::list<Entry>::iterator, StreamKeyHash> index_;
  std::size_t bytes_ = 0;
};

}  // namespace trunk::capture
