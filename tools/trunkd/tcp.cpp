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

void serve(Shared& shared, int listener, TcpLimits limits, AcceptPause pause) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  ev.data.fd = shared.wake_fd;
  epoll_ctl(ep, EPOLL_CTL_ADD, shared.wake_fd, &ev);
  std::unordered_map<int, Connection> connections;
  auto drop = [&](int fd) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    if (connections.erase(fd)) --shared.stats.tcp_open;
  };
  char buf[16384];
  trunk::sip::ResponseText response;
  const auto idle = std::chrono::seconds(limits.idle_seconds);
  Clock::time_point swept = Clock::now();
  std::vector<int> stale;
  auto watch_listener = [&](std::uint32_t events) {
    epoll_event lev{};
    lev.events = events;
    lev.data.fd = listener;
    epoll_ctl(ep, EPOLL_CTL_MOD, listener, &lev);
  };
  while (!shared.stopping) {
    epoll_event ready[64];
    int timeout = limits.idle_seconds > 0 ? 1000 : -1;
    if (pause.paused()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(pause.resume_at() -
                                                                        Clock::now());
      timeout = static_cast<int>(std::clamp<long long>(left.count() + 1, 1, 1000));
    }
    int n = epoll_wait(ep, ready, 64, timeout);
    if (n < 0 && errno != EINTR) break;
    if (shared.stopping) break;
    const Clock::time_point now = Clock::now();
    if (pause.paused() && now >= pause.resume_at()) {
      pause.resumed();
      watch_listener(EPOLLIN);
    }
    if (limits.idle_seconds > 0 && now - swept >= std::chrono::seconds(1)) {
      swept = now;
      stale.clear();
      for (const auto& [fd, conn] : connections)
        if (now - conn.heard >= idle) stale.push_back(fd);
      for (int fd : stale) drop(fd);
      if (!stale.empty()) {
        shared.stats.tcp_idle_closed += stale.size();
        log(Level::debug, "closed " + std::to_string(stale.size()) + " idle TCP connection" +
                              (stale.size() == 1 ? "" : "s"));
      }
    }
    for (int i = 0; i < n; ++i) {
      int fd = ready[i].data.fd;
      if (fd == shared.wake_fd) continue;
      if (fd == listener) {
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        int c = accept4(listener, reinterpret_cast<sockaddr*>(&peer), &len,
                        SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0) {
          if (pause.failed(shared.stats, errno, now)) watch_listener(0);
          continue;
        }
        pause.accepted();
        if (connections.size() >= static_cast<std::size_t>(limits.max_connections)) {
          close(c);
          if (shared.stats.tcp_refused++ == 0)
            log(Level::warning, "TCP connection limit (" + std::to_string(limits.max_connections) +
                                    ") reached: new connections are closed");
          continue;
        }
        ++shared.stats.tcp_open;
        Connection& fresh = connections[c];
        fresh.from = source_of(peer);
        fresh.heard = now;
        epoll_event cev{};
        cev.events = EPOLLIN | EPOLLRDHUP;
        cev.data.fd = c;
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        continue;
      }
      auto it = connections.find(fd);
      if (it == connections.end()) continue;
      Connection& conn = it->second;
      ssize_t got = read(fd, buf, sizeof buf);
      if (got <= 0) {
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        drop(fd);
        continue;
      }
      conn.heard = now;
      conn.pending.append(buf, static_cast<std::size_t>(got));
      std::shared_ptr<const Loaded> tables = shared.current.load();
      bool broken = false;
      for (;;) {
        // Keepalive pings (CRLF CRLF) get a CRLF pong (RFC 5626 4.4.1).
        std::size_t skip = conn.pending.find_first_not_of("\r\n");
        if (skip == std::string::npos) {
          if (conn.pending.size() >= 4) {
            if (!send_all(fd, "\r\n")) {
              broken = true;
              ++shared.stats.tcp_write_failed;
            }
            conn.pending.clear();
          }
          break;
        }
        if (skip > 0) conn.pending.erase(0, skip);
        std::size_t head = conn.pending.find("\r\n\r\n");
        if (head == std::string::npos) {
          broken = conn.pending.size() > kMaxPending;
          break;
        }
        long body = content_length(std::string_view(conn.pending).substr(0, head + 2));
        if (body < 0) {
          broken = true;
          break;
        }
        std::size_t total = head + 4 + static_cast<std::size_t>(body);
        if (conn.pending.size() < total) {
          broken = total > kMaxPending;
          break;
        }
        // Answered before the request's bytes go: the reply is written
        // into `response`, not into them.
        std::string_view reply = answer(
            shared, *tables, std::string_view(conn.pending).substr(0, total), conn.from, response);
        conn.pending.erase(0, total);
        // A peer that does not read its answers, or is gone, is dropped.
        if (!send_all(fd, reply)) {
          broken = true;
          ++shared.stats.tcp_write_failed;
          break;
        }
      }
      if (broken) drop(fd);
    }
  }
  for (auto& [fd, conn] : connections) close(fd);
  shared.stats.tcp_open -= connections.size();
  close(ep);
  close(listener);
}

}  // namespace

bool start_tcp(Shared& shared, const Listen& where, const TcpLimits& limits,
               std::vector<std::thread>& threads, std::string& error) {
  sockaddr_storage ss;
  socklen_t len = 0;
  if (!socket_address(where, ss, len, error)) return false;
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd, 512) != 0) {
    error = listen_error(where, errno);
    if (fd >= 0) close(fd);
    return false;
  }
  AcceptPause pause(where.name());
  threads.emplace_back([&shared, fd, limits, pause] { serve(shared, fd, limits, pause); });
  return true;
}

}  // namespace trunkd
