// TCP: one listening socket, one thread, epoll over the connections. SIP
// over a stream is framed by Content-Length (RFC 3261 18.3); a message is
// answered on the connection it came in on. A connection that sends more
// than kMaxPending bytes without completing a message is closed, and so is
// one that sends nothing for the idle timeout (swept once a second) and
// one accepted past the connection limit (TcpLimits). A write that fails
// (the peer is gone or does not read) closes that connection only; an
// accept() that fails pauses the listener (AcceptPause).
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <unordered_map>

#include "daemon.hpp"

namespace trunkd {
namespace {

constexpr std::size_t kMaxPending = 1 << 16;

// The value of Content-Length (or compact "l") in a header block; 0 when
// absent. -1 when it is not a number.
long content_length(std::string_view headers) {
  std::size_t at = 0;
  while (at < headers.size()) {
    std::size_t end = headers.find("\r\n", at);
    std::string_view line = headers.substr(at, end == std::string_view::npos ? end : end - at);
    at = end == std::string_view::npos ? headers.size() : end + 2;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name != "content-length" && name != "l") continue;
    long value = 0;
    bool digits = false;
    for (char c : line.substr(colon + 1)) {
      if (c == ' ' || c == '\t') continue;
      if (c < '0' || c > '9' || value > 1'000'000) return -1;
      value = value * 10 + (c - '0');
      digits = true;
    }
    return digits ? value : -1;
  }
  return 0;
}

using Clock = std::chrono::steady_clock;

// Writes all of `bytes` to a non-blocking connection; false when it cannot
// (peer gone: EPIPE/ECONNRESET; peer not reading: EAGAIN). MSG_NOSIGNAL:
// a peer that closed must not raise SIGPIPE, which would stop trunkd.
bool send_all(int fd, std::string_view bytes) {
  for (std::size_t off = 0; off < bytes.size();) {
    ssize_t w = send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    off += static_cast<std::size_t>(w);
  }
  return true;
}

struct Connection {
  std::string pending;
  trunk::sip::Source from;
  Clock::time_point heard;  // when it last sent anything (or was accepted)
};

// One TCP listener's thread: its epoll set and its connections. Each step
// of the loop is a method; run() is the loop and its exits.
class TcpServer {
 public:
  TcpServer(Shared& shared, int listener, TcpLimits limits, AcceptPause pause)
      : shared_(shared),
        listener_(listener),
        limits_(limits),
        pause_(std::move(pause)),
        idle_(std::chrono::seconds(limits.idle_seconds)) {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listener_;
    epoll_ctl(ep_, EPOLL_CTL_ADD, listener_, &ev);
    ev.data.fd = shared_.wake_fd;
    epoll_ctl(ep_, EPOLL_CTL_ADD, shared_.wake_fd, &ev);
    swept_ = Clock::now();
  }

  // Serves until trunkd stops (or epoll fails), then closes every
  // connection, the epoll set and the listener.
  void run() {
    while (!shared_.stopping) {
      epoll_event ready[64];
      int n = epoll_wait(ep_, ready, 64, wait_timeout());
      if (n < 0 && errno != EINTR) break;
      if (shared_.stopping) break;
      const Clock::time_point now = Clock::now();
      resume_if_due(now);
      sweep_idle(now);
      for (int i = 0; i < n; ++i) {
        int fd = ready[i].data.fd;
        if (fd == shared_.wake_fd) continue;
        if (fd == listener_) accept_one(now);
        else read_from(fd, now);
      }
    }
    for (auto& [fd, conn] : connections_) close(fd);
    shared_.stats.tcp_open -= connections_.size();
    close(ep_);
    close(listener_);
  }

 private:
  // Once a second when idle connections are swept; until the listener
  // resumes (at most a second) when accepting is paused; else forever.
  int wait_timeout() const {
    int timeout = limits_.idle_seconds > 0 ? 1000 : -1;
    if (pause_.paused()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(pause_.resume_at() -
                                                                        Clock::now());
      timeout = static_cast<int>(std::clamp<long long>(left.count() + 1, 1, 1000));
    }
    return timeout;
  }

  void watch_listener(std::uint32_t events) {
    epoll_event lev{};
    lev.events = events;
    lev.data.fd = listener_;
    epoll_ctl(ep_, EPOLL_CTL_MOD, listener_, &lev);
  }

  void resume_if_due(Clock::time_point now) {
    if (pause_.resume_if_due(now)) watch_listener(EPOLLIN);
  }

  void drop(int fd) {
    epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    if (connections_.erase(fd)) --shared_.stats.tcp_open;
  }

  // Closes the connections silent for the idle timeout, once a second.
  void sweep_idle(Clock::time_point now) {
    if (limits_.idle_seconds <= 0 || now - swept_ < std::chrono::seconds(1)) return;
    swept_ = now;
    stale_.clear();
    for (const auto& [fd, conn] : connections_)
      if (now - conn.heard >= idle_) stale_.push_back(fd);
    for (int fd : stale_) drop(fd);
    if (!stale_.empty()) {
      shared_.stats.tcp_idle_closed += stale_.size();
      log(Level::debug, "tcp-idle-closed", "closed " + std::to_string(stale_.size()) + " idle TCP connection" +
                            (stale_.size() == 1 ? "" : "s"));
    }
  }

  // Accepts one connection: a failed accept() may pause the listener, and
  // one past the connection limit is closed at once.
  void accept_one(Clock::time_point now) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    int c = accept4(listener_, reinterpret_cast<sockaddr*>(&peer), &len,
                    SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0) {
      if (pause_.failed(shared_.stats, errno, now)) watch_listener(0);
      return;
    }
    pause_.accepted();
    if (connections_.size() >= static_cast<std::size_t>(limits_.max_connections)) {
      close(c);
      if (shared_.stats.tcp_refused++ == 0)
        log(Level::warning, "tcp-limit", "TCP connection limit (" + std::to_string(limits_.max_connections) +
                                ") reached: new connections are closed");
      return;
    }
    ++shared_.stats.tcp_open;
    Connection& fresh = connections_[c];
    fresh.from = source_of(peer);
    fresh.heard = now;
    epoll_event cev{};
    cev.events = EPOLLIN | EPOLLRDHUP;
    cev.data.fd = c;
    epoll_ctl(ep_, EPOLL_CTL_ADD, c, &cev);
  }

  // Reads what a connection sent and answers every message it completes;
  // a connection that closed, broke the framing or does not read is dropped.
  void read_from(int fd, Clock::time_point now) {
    auto it = connections_.find(fd);
    if (it == connections_.end()) return;
    Connection& conn = it->second;
    ssize_t got = read(fd, buf_, sizeof buf_);
    if (got <= 0) {
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
      drop(fd);
      return;
    }
    conn.heard = now;
    conn.pending.append(buf_, static_cast<std::size_t>(got));
    if (!answer_pending(fd, conn)) drop(fd);
  }

  // Answers the complete messages at the head of conn.pending, leaving an
  // incomplete one there. False when the connection must be dropped: too
  // many bytes without a message, a bad Content-Length, a failed write.
  bool answer_pending(int fd, Connection& conn) {
    std::shared_ptr<const Loaded> tables = shared_.current.load();
    for (;;) {
      // Keepalive pings (CRLF CRLF) get a CRLF pong (RFC 5626 4.4.1).
      std::size_t skip = conn.pending.find_first_not_of("\r\n");
      if (skip == std::string::npos) {
        bool broken = false;
        if (conn.pending.size() >= 4) {
          if (!send_all(fd, "\r\n")) {
            broken = true;
            ++shared_.stats.tcp_write_failed;
          }
          conn.pending.clear();
        }
        return !broken;
      }
      if (skip > 0) conn.pending.erase(0, skip);
      std::size_t head = conn.pending.find("\r\n\r\n");
      if (head == std::string::npos) return conn.pending.size() <= kMaxPending;
      long body = content_length(std::string_view(conn.pending).substr(0, head + 2));
      if (body < 0) return false;
      std::size_t total = head + 4 + static_cast<std::size_t>(body);
      if (conn.pending.size() < total) return total <= kMaxPending;
      // Answered before the request's bytes go: the reply is written
      // into `response_`, not into them.
      std::string_view reply = answer(
          shared_, *tables, std::string_view(conn.pending).substr(0, total), conn.from, response_);
      conn.pending.erase(0, total);
      // A peer that does not read its answers, or is gone, is dropped.
      if (!send_all(fd, reply)) {
        ++shared_.stats.tcp_write_failed;
        return false;
      }
    }
  }

  Shared& shared_;
  const int listener_;
  const TcpLimits limits_;
  AcceptPause pause_;
  const std::chrono::seconds idle_;
  int ep_ = -1;
  std::unordered_map<int, Connection> connections_;
  char buf_[16384];
  trunk::sip::ResponseText response_;
  Clock::time_point swept_;  // when idle connections were last swept
  std::vector<int> stale_;   // the sweep's list, kept to reuse its memory
};

void serve(Shared& shared, int listener, TcpLimits limits, AcceptPause pause) {
  TcpServer(shared, listener, limits, std::move(pause)).run();
}

}  // namespace

int open_tcp_listener(const Listen& where, int backlog, std::string& error) {
  sockaddr_storage ss;
  socklen_t len = 0;
  if (!socket_address(where, ss, len, error)) return -1;
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd, backlog) != 0) {
    error = listen_error(where, errno);
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

bool start_tcp(Shared& shared, const Listen& where, const TcpLimits& limits,
               std::vector<std::thread>& threads, std::string& error) {
  const int fd = open_tcp_listener(where, 512, error);
  if (fd < 0) return false;
  AcceptPause pause(where.name());
  threads.emplace_back([&shared, fd, limits, pause] { serve(shared, fd, limits, pause); });
  return true;
}

}  // namespace trunkd
