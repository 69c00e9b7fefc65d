// TCP stream reassembly and SIP message framing over the reassembled bytes.
#include "capture/tcp_stream.hpp"

#include <cstring>

#include "capture/sip_framing.hpp"

namespace trunk::capture {

namespace {

// How far `a` is after `b` in sequence space (negative: before), wrapping.
std::int32_t seq_diff(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b);
}

std::size_t line_ends(std::string_view s) {
  std::size_t k = 0;
  while (k < s.size() && (s[k] == '\r' || s[k] == '\n')) ++k;
  return k;
}

}  // namespace

std::string TcpStream::describe() const {
  return "TCP " + src_.to_string() + " -> " + dst_.to_string();
}

void TcpStream::add(std::uint32_t seq, std::span<const std::uint8_t> data, bool syn, bool fin,
                    std::uint64_t frame, std::int64_t time_us, const CaptureWarnings& warn) {
  last_seen_ = time_us;
  if (syn) {
    // A retransmitted SYN changes nothing; any other is a new connection
    // on the same addresses and ports.
    bool old = seq_known_ && seq_diff(next_seq_, seq + 1) >= 0;
    if (!old) {
      buf_.clear();
      consumed_ = scan_from_ = message_size_ = hunted_ = 0;
      waiting_.clear();
      waiting_bytes_ = 0;
      mode_ = Mode::hunting;
      boundary_ = from_syn_ = true;
      ever_synced_ = false;
      seq_known_ = true;
      next_seq_ = seq + 1;
    }
    ++seq;  // data on a SYN follows it
  }
  if (mode_ == Mode::ignored) return;
  if (!seq_known_) {
    // Joined mid-connection: take the first segment as the start.
    seq_known_ = true;
    next_seq_ = seq;
  }
  compact();
  if (!data.empty()) place(seq, data, frame, time_us, warn);
  if (fin && !waiting_.empty()) skip_gap(warn);  // nothing more will fill the hole
}

void TcpStream::place(std::uint32_t seq, std::span<const std::uint8_t> data, std::uint64_t frame,
                      std::int64_t time_us, const CaptureWarnings& warn) {
  std::int32_t d = seq_diff(seq, next_seq_);
  if (d < 0) {
    std::size_t had = static_cast<std::uint32_t>(next_seq_ - seq);
    if (had >= data.size()) return;  // a retransmission of bytes already had
    data = data.subspan(had);
    d = 0;
  }
  if (d == 0) {
    append(data, frame, time_us);
    take_waiting();
    return;
  }
  // Beyond a hole: wait, keeping the longest copy of each segment.
  for (auto& w : waiting_) {
    if (w.seq != seq) continue;
    if (w.bytes.size() < data.size()) {
      waiting_bytes_ += data.size() - w.bytes.size();
      w.bytes.assign(reinterpret_cast<const char*>(data.data()), data.size());
    }
    return;
  }
  waiting_.push_back(
      {seq, std::string(reinterpret_cast<const char*>(data.data()), data.size()), frame, time_us});
  waiting_bytes_ += data.size();
  if (waiting_.size() > kMaxWaiting || held() > kMaxHeld) skip_gap(warn);
}

void TcpStream::append(std::span<const std::uint8_t> data, std::uint64_t frame,
                       std::int64_t time_us) {
  buf_.append(reinterpret_cast<const char*>(data.data()), data.size());
  next_seq_ += static_cast<std::uint32_t>(data.size());
  if (frame > frame_) {
    frame_ = frame;
    time_us_ = time_us;
  }
}

std::size_t TcpStream::nearest_waiting() const {
  std::size_t best = 0;
  for (std::size_t i = 1; i < waiting_.size(); ++i)
    if (seq_diff(waiting_[i].seq, next_seq_) < seq_diff(waiting_[best].seq, next_seq_)) best = i;
  return best;
}

void TcpStream::take_waiting() {
  while (!waiting_.empty()) {
    std::size_t i = nearest_waiting();
    Waiting& w = waiting_[i];
    std::int32_t d = seq_diff(w.seq, next_seq_);
    if (d > 0) return;
    std::size_t had = static_cast<std::uint32_t>(-static_cast<std::int64_t>(d));
    if (had < w.bytes.size())
      append({reinterpret_cast<const std::uint8_t*>(w.bytes.data()) + had, w.bytes.size() - had},
             w.frame, w.time_us);
    waiting_bytes_ -= w.bytes.size();
    waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

bool TcpStream::skip_gap(const CaptureWarnings& warn) {
  if (waiting_.empty()) return false;
  const Waiting& w = waiting_[nearest_waiting()];
  if (ever_synced_) {
    std::size_t cut = unfinished();
    std::string text = describe() + ": " +
                       std::to_string(static_cast<std::uint32_t>(w.seq - next_seq_)) +
                       " bytes missing before this segment";
    if (cut) text += "; the message they cut is dropped (" + std::to_string(cut) + " bytes held)";
    warn.at(w.frame, "trace-tcp-gap", text + "; reading resumes at the next SIP start line");
  }
  buf_.clear();
  consumed_ = scan_from_ = message_size_ = 0;
  next_seq_ = w.seq;
  if (mode_ != Mode::ignored) mode_ = Mode::hunting;
  boundary_ = true;
  take_waiting();
  return true;
}

void TcpStream::compact() {
  if (consumed_ > 0) {
    buf_.erase(0, consumed_);
    consumed_ = 0;
  }
  // A large message leaves a large buffer: give most of it back, so that
  // what a stream holds is near what it needs (TcpStreams caps the sum).
  if (buf_.capacity() > 64 * 1024 && buf_.capacity() > 4 * buf_.size()) {
    if (buf_.empty()) std::string().swap(buf_);
    else buf_.shrink_to_fit();
  }
}

void TcpStream::ignore() {
  mode_ = Mode::ignored;
  std::string().swap(buf_);
  consumed_ = 0;
  waiting_.clear();
  waiting_bytes_ = 0;
}

std::size_t TcpStream::unfinished() const {
  if (mode_ != Mode::synced) return 0;
  std::string_view rest(buf_.data() + consumed_, buf_.size() - consumed_);
  return rest.size() - line_ends(rest);
}

bool TcpStream::hunt() {
  std::string_view rest(buf_.data() + consumed_, buf_.size() - consumed_);
  if (from_syn_ && !ever_synced_) {
    // The connection's start was seen: its first bytes (after keepalive
    // line ends) say whether it carries SIP.
    std::size_t k = line_ends(rest);
    if (k == rest.size()) return false;
    switch (start_line(rest.substr(k))) {
      case StartLine::yes:
        consumed_ += k;
        mode_ = Mode::synced;
        ever_synced_ = true;
        return true;
      case StartLine::more:
        return false;
      case StartLine::no:
        ignore();
        return false;
    }
  }
  // A start line begins a line: try each line start.
  std::size_t p = 0;
  if (!boundary_) {
    std::size_t nl = rest.find('\n');
    p = nl == std::string_view::npos ? rest.size() : nl + 1;
  }
  while (p < rest.size()) {
    StartLine s = start_line(rest.substr(p));
    if (s == StartLine::yes) {
      consumed_ += p;
      hunted_ += p;
      mode_ = Mode::synced;
      ever_synced_ = true;
      boundary_ = true;
      return true;
    }
    if (s == StartLine::more) break;  // the last line, not finished: keep it
    std::size_t nl = rest.find('\n', p);
    p = nl == std::string_view::npos ? rest.size() : nl + 1;
  }
  // What is kept (an unfinished last line) starts a line; when nothing is
  // kept, the next bytes start one if the last byte dropped ended a line.
  if (p == rest.size() && !rest.empty()) boundary_ = rest.back() == '\n';
  else if (p < rest.size()) boundary_ = true;
  consumed_ += p;
  hunted_ += p;
  if (!ever_synced_ && hunted_ > kMaxHunt) ignore();
  return false;
}

bool TcpStream::next_message(std::string_view& out, const CaptureWarnings& warn) {
  for (;;) {
    if (mode_ == Mode::ignored) return false;
    if (mode_ == Mode::hunting) {
      if (!hunt()) return false;
      continue;
    }
    std::string_view rest(buf_.data() + consumed_, buf_.size() - consumed_);
    if (message_size_ == 0) {
      // Line ends between messages are keepalives (RFC 5626): skip them.
      std::size_t k = line_ends(rest);
      consumed_ += k;
      rest.remove_prefix(k);
      if (rest.empty()) return false;
      StartLine s = start_line(rest);
      if (s == StartLine::more) return false;
      if (s == StartLine::no) {
        warn.at(frame_, "trace-tcp-framing",
                describe() + ": the bytes after a message do not start another; "
                             "looking for the next SIP start line");
        mode_ = Mode::hunting;
        boundary_ = false;
        continue;
      }
      MessageExtent e = message_extent(rest, scan_from_);
      if (e.header_size == 0) {
        if (rest.size() > kMaxHeld) {
          warn.at(frame_, "trace-tcp-too-large",
                  describe() + ": a message's headers go past 256 KiB; dropped");
          consumed_ = buf_.size();
          scan_from_ = 0;
          mode_ = Mode::hunting;
          boundary_ = false;
          continue;
        }
        scan_from_ = rest.size() >= 3 ? rest.size() - 3 : 0;
        return false;
      }
      scan_from_ = 0;
      if (e.status == MessageExtent::bad_length) {
        warn.at(frame_, "trace-tcp-framing",
                describe() + ": a message's Content-Length is not a number; dropped");
        consumed_ += e.header_size;
        mode_ = Mode::hunting;
        boundary_ = true;
        continue;
      }
      if (e.size > kMaxHeld) {
        warn.at(frame_, "trace-tcp-too-large",
                describe() + ": Content-Length " + std::to_string(e.body_size) +
                    " goes past 256 KiB; the message is dropped");
        consumed_ += e.header_size;
        mode_ = Mode::hunting;
        boundary_ = false;
        continue;
      }
      message_size_ = e.size;
    }
    if (rest.size() < message_size_) return false;
    out = rest.substr(0, message_size_);
    consumed_ += message_size_;
    message_size_ = 0;
    boundary_ = true;
    return true;
  }
}

std::size_t StreamKeyHash::operator()(const StreamKey& k) const {
  std::uint64_t words[5];
  std::memcpy(&words[0], k.src.data(), 16);
  std::memcpy(&words[2], k.dst.data(), 16);
  words[4] = std::uint64_t{k.src_port} << 32 | std::uint64_t{k.dst_port} << 8 | k.family;
  std::uint64_t h = 0x9E3779B97F4A7C15ull;
  for (std::uint64_t w : words) {
    h ^= w;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  }
  return static_cast<std::size_t>(h);
}

TcpStream& TcpStreams::find(const Endpoint& src, const Endpoint& dst, std::int64_t time_us,
                            const CaptureWarnings& warn) {
  StreamKey key;
  key.src = src.addr;
  key.dst = dst.addr;
  key.src_port = src.port;
  key.dst_port = dst.port;
  key.family = src.family;
  while (!order_.empty() && time_us - order_.back().stream.last_seen() > kMaxIdle &&
         !(order_.back().key == key))
    drop_last("no segment for 10 minutes", warn);
  auto it = index_.find(key);
  if (it != index_.end()) {
    order_.splice(order_.begin(), order_, it->second);
    return it->second->stream;
  }
  if (order_.size() >= kMaxStreams)
    drop_last("more than " + std::to_string(kMaxStreams) + " TCP streams at once", warn);
  order_.push_front(Entry{key, TcpStream(src, dst)});
  index_.emplace(key, order_.begin());
  return order_.front().stream;
}

void TcpStreams::account(TcpStream& s, const CaptureWarnings& warn) {
  bytes_ -= s.accounted;
  s.accounted = s.footprint();
  bytes_ += s.accounted;
  while (bytes_ > kMaxBytes && order_.size() > 1 && &order_.back().stream != &s)
    drop_last("all TCP streams together hold more than 64 MiB", warn);
}

void TcpStreams::drop_last(std::string_view why, const CaptureWarnings& warn) {
  Entry& e = order_.back();
  if (std::size_t lost = e.stream.lost_if_dropped())
    warn.at(e.stream.frame(), "trace-tcp-dropped",
            e.stream.describe() + ": dropped with " + std::to_string(lost) +
                " bytes of unfinished messages (" + std::string(why) + ")");
  bytes_ -= e.stream.accounted;
  index_.erase(e.key);
  order_.pop_back();
}

std::vector<TcpStream*> TcpStreams::all() {
  std::vector<TcpStream*> out;
  out.reserve(order_.size());
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) out.push_back(&it->stream);
  return out;
}

}  // namespace trunk::capture
