// The main thread: start the listeners, then one epoll loop over signals,
// the control socket and its clients, while the UDP and TCP threads serve.
// Nothing in the loop blocks: control clients are non-blocking, each with
// bounded buffers and a deadline, and there are at most kMaxControlClients,
// so SIGTERM, SIGHUP and every other client are handled whatever one
// client does.
#include "control_loop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>
#include <unordered_map>

#include "cli/common.hpp"
#include "daemon.hpp"
#include "metrics.hpp"

namespace trunkd {
namespace {

using Clock = std::chrono::steady_clock;

// A request line longer than this closes the client.
constexpr std::size_t kMaxLine = 1 << 16;
// Replies held for a client that does not read them: past this, its further
// requests wait unread (so it cannot make trunkd hold more).
constexpr std::size_t kMaxHeld = 1 << 18;
// A client is closed when it has not taken an answer in full for this long
// (from its connection, or from its last answer): an idle client, one that
// never finishes a line, and one that does not read all go.
constexpr auto kDeadline = std::chrono::seconds(5);

struct ControlClient {
  std::string in, out;
  Clock::time_point deadline;
  bool ended = false;         // the peer sent all it will (EOF)
  std::uint32_t watched = 0;  // the epoll events registered now
};

class ControlServer {
 public:
  ControlServer(Shared& shared, int ep, int listener, const std::string& path)
      : shared_(shared), ep_(ep), listener_(listener), pause_("control socket " + path) {}
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;
  ~ControlServer() {
    for (auto& [fd, client] : clients_) close(fd);
    if (reserve_ >= 0) close(reserve_);
  }

  bool owns(int fd) const { return clients_.count(fd) != 0; }

  void accept_one(Clock::time_point now) {
    int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0 && (errno == EMFILE || errno == ENFILE) && reserve_ >= 0) {
      // Out of descriptors: the held one makes room for this client, so
      // an operator can still ask what is going on.
      close(reserve_);
      reserve_ = -1;
      fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    }
    if (fd < 0) {
      if (pause_.failed(shared_.stats, errno, now)) watch(listener_, 0, EPOLL_CTL_MOD);
      return;
    }
    pause_.accepted();
    if (clients_.size() >= static_cast<std::size_t>(kMaxControlClients)) {
      close(fd);
      if (shared_.stats.control_refused++ == 0)
        log(Level::warning, "control-limit", "control clients at the limit (" + std::to_string(kMaxControlClients) +
                                "): new ones are closed");
      return;
    }
    ControlClient& client = clients_[fd];
    client.deadline = now + kDeadline;
    client.watched = EPOLLIN;
    watch(fd, EPOLLIN, EPOLL_CTL_ADD);
  }

  void on_client(int fd, std::uint32_t events, Clock::time_point now) {
    auto it = clients_.find(fd);
    if (it == clients_.end()) return;
    ControlClient& c = it->second;
    if ((c.watched & EPOLLIN) && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
      char buf[4096];
      ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN && errno != EINTR) return drop(fd, false);
      if (n == 0) c.ended = true;
      if (n > 0) c.in.append(buf, static_cast<std::size_t>(n));
    }
    serve(fd, c, now);
  }

  // Closes the clients past their deadline and ends an accept pause.
  void expire(Clock::time_point now) {
    if (pause_.resume_if_due(now)) watch(listener_, EPOLLIN, EPOLL_CTL_MOD);
    late_.clear();
    for (const auto& [fd, client] : clients_)
      if (now >= client.deadline) late_.push_back(fd);
    for (int fd : late_) {
      log(Level::debug, "control-closed", "control client closed: no answer taken in " +
                            std::to_string(kDeadline.count()) + " s");
      drop(fd, true);
    }
  }

  // How long the loop may wait before expire() has work: -1 for ever.
  int timeout_ms(Clock::time_point now) const {
    Clock::time_point next = Clock::time_point::max();
    for (const auto& [fd, client] : clients_) next = std::min(next, client.deadline);
    if (pause_.paused()) next = std::min(next, pause_.resume_at());
    return wait_ms(next, now);
  }

 private:
  // Answers the complete lines while the held replies have room, sends what
  // the socket takes, and watches for what the client needs next.
  void serve(int fd, ControlClient& c, Clock::time_point now) {
    for (;;) {
      for (std::size_t nl; c.out.size() < kMaxHeld && (nl = c.in.find('\n')) != std::string::npos;) {
        c.out += control_reply(shared_, c.in.substr(0, nl));
        c.out += '\n';
        c.in.erase(0, nl + 1);
      }
      if (c.in.size() > kMaxLine && c.in.find('\n') == std::string::npos) {
        log(Level::debug, "control-closed", "control client closed: request line over 64 KiB");
        return drop(fd, true);
      }
      bool sent_all = !c.out.empty();
      while (!c.out.empty()) {
        // MSG_NOSIGNAL: a client gone before its answer must not raise
        // SIGPIPE, which would stop trunkd.
        ssize_t w = send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) {
          sent_all = false;
          break;
        }
        if (w <= 0) {
          log(Level::debug, "control-closed", std::string("control client closed: ") + std::strerror(errno));
          return drop(fd, true);
        }
        c.out.erase(0, static_cast<std::size_t>(w));
      }
      if (sent_all) c.deadline = now + kDeadline;
      // More lines wait only if the held replies were full; go again now
      // that they are sent.
      if (!(sent_all && c.in.find('\n') != std::string::npos)) break;
    }
    if (c.ended && c.out.empty()) return drop(fd, false);  // all asked was answered
    std::uint32_t want = 0;
    if (!c.ended && c.out.size() < kMaxHeld) want |= EPOLLIN;
    if (!c.out.empty()) want |= EPOLLOUT;
    if (want != c.watched) {
      c.watched = want;
      watch(fd, want, EPOLL_CTL_MOD);
    }
  }

  void watch(int fd, std::uint32_t events, int op) { epoll_watch(ep_, fd, events, op); }

  void drop(int fd, bool by_trunkd) {
    epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    clients_.erase(fd);
    if (by_trunkd) ++shared_.stats.control_dropped;
    if (reserve_ < 0) reserve_ = eventfd(0, EFD_CLOEXEC);  // take the freed slot back
  }

  Shared& shared_;
  int ep_;
  int listener_;
  AcceptPause pause_;
  // A descriptor held only to be given up when accept() finds none left:
  // the control socket stays usable when connections have taken them all.
  int reserve_ = eventfd(0, EFD_CLOEXEC);
  std::unordered_map<int, ControlClient> clients_;
  std::vector<int> late_;
};

void stop_workers(Shared& shared, std::vector<std::thread>& threads) {
  // Workers finish the batch in hand, then return.
  shared.stopping = true;
  std::uint64_t one = 1;
  (void)!write(shared.wake_fd, &one, sizeof one);
  stop_udp(shared, threads);  // joins every worker
}

// The --listen addresses parsed into `wheres`, `tcp_count` of them TCP;
// false (logged) at the first that is not an address.
bool parse_listens(const std::vector<std::string>& listens, std::vector<Listen>& wheres,
                   int& tcp_count) {
  std::string error;
  wheres.assign(listens.size(), Listen{});
  tcp_count = 0;
  for (std::size_t i = 0; i < listens.size(); ++i) {
    if (!parse_listen(listens[i], wheres[i], error)) {
      log(Level::error, "cannot-start", error);
      return false;
    }
    tcp_count += wheres[i].tcp;
  }
  return true;
}

// SIGHUP, SIGTERM and SIGINT blocked here (and in every thread started
// after), to arrive on the returned descriptor, in this thread only.
int signal_descriptor() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  return signalfd(-1, &mask, SFD_CLOEXEC);
}

// Starts the threads serving each address (a TCP one, or `workers` UDP
// ones); false (logged) at the first that cannot start.
bool start_listeners(Shared& shared, const std::vector<std::string>& listens,
                     const std::vector<Listen>& wheres, const TcpLimits& tcp, int workers,
                     std::vector<std::thread>& threads) {
  std::string error;
  for (std::size_t i = 0; i < wheres.size(); ++i) {
    const Listen& where = wheres[i];
    bool started = where.tcp ? start_tcp(shared, where, tcp, threads, error)
                             : start_udp(shared, where, workers, threads, error);
    if (!started) {
      log(Level::error, "cannot-start", error);
      return false;
    }
    log(Level::info, "listening", "listening on " + listens[i] +
                         (where.tcp ? std::string() : " with " + std::to_string(workers) + " workers"));
  }
  return true;
}

// Starts the /metrics server (after the listeners: it reads their UDP
// sockets); false (logged) when it cannot.
bool start_metrics_logged(Shared& shared, const std::string& address,
                          std::vector<std::thread>& threads) {
  std::string error;
  if (!start_metrics(shared, address, threads, error)) {
    log(Level::error, "cannot-start", error);
    return false;
  }
  log(Level::info, "metrics", "serving metrics on http://" + address + "/metrics");
  return true;
}

// Takes one signal from `sfd`: SIGHUP reloads the tables; any other stops
// trunkd (false).
bool on_signal(Shared& shared, int sfd) {
  signalfd_siginfo info;
  if (read(sfd, &info, sizeof info) != sizeof info) return true;
  if (info.ssi_signo == SIGHUP) {
    std::string account;
    reload(shared, account);
    return true;
  }
  log(Level::info, "stopping", std::string("stopping on ") + strsignal(static_cast<int>(info.ssi_signo)));
  return false;
}

// The main thread's loop over signals (sfd), the control socket (cfd) and
// its clients, until a signal stops trunkd or epoll_wait fails.
void serve_main_loop(Shared& shared, int ep, int sfd, int cfd, ControlServer& clients) {
  bool running = true;
  while (running) {
    epoll_event ready[16];
    int n = epoll_wait(ep, ready, 16, clients.timeout_ms(Clock::now()));
    if (n < 0 && errno != EINTR) {
      log(Level::error, "epoll-failed", std::string("epoll_wait failed: ") + std::strerror(errno));
      break;
    }
    const Clock::time_point now = Clock::now();
    for (int i = 0; i < n; ++i) {
      int fd = ready[i].data.fd;
      if (fd == sfd) {
        if (!on_signal(shared, sfd)) running = false;
      } else if (fd == cfd) {
        clients.accept_one(now);
      } else {
        clients.on_client(fd, ready[i].events, now);
      }
    }
    clients.expire(now);
  }
}

}  // namespace

int run(const std::string& tables, const std::vector<std::string>& listens,
        const std::string& control, int workers, const TcpLimits& tcp_flags,
        const std::string& metrics) {
  Shared shared;
  shared.tables_path = tables;
  std::string error;
  // A write to a peer that is gone must fail with EPIPE, not stop the
  // process: sockets are written with MSG_NOSIGNAL, and this covers the
  // rest (stderr on a closed pipe).
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<Listen> wheres;
  int tcp_count = 0;
  if (!parse_listens(listens, wheres, tcp_count)) return trunk::cli::kExitUnusable;
  TcpLimits tcp = tcp_flags;
  log(Level::info, "descriptors", fit_descriptors(tcp, static_cast<int>(wheres.size()) - tcp_count, tcp_count,
                                   workers));
  auto first = load_tables(tables, error);
  if (!first) {
    log(Level::error, "cannot-start", error);
    return trunk::cli::kExitUnusable;
  }
  shared.current.store(first);
  int sfd = signal_descriptor();
  shared.wake_fd = eventfd(0, EFD_CLOEXEC);
  int cfd = -1;
  ino_t control_inode = 0;
  if (!control.empty() && (cfd = open_control(control, control_inode, error)) < 0) {
    log(Level::error, "cannot-start", error);
    return trunk::cli::kExitUnusable;
  }
  std::vector<std::thread> threads;
  if (!start_listeners(shared, listens, wheres, tcp, workers, threads) ||
      (!metrics.empty() && !start_metrics_logged(shared, metrics, threads))) {
    stop_workers(shared, threads);
    if (cfd >= 0) close_control(cfd, control, control_inode);
    return trunk::cli::kExitUnusable;
  }
  log(Level::info, "serving", "serving " + tables + " (site digest " + first->digest.substr(0, 16) + ", " +
                       std::to_string(first->tables.routes().size()) + " routes)");
  log(Level::info, "trusted-proxies", trusted_proxies(first->tables));

  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = sfd;
  epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
  if (cfd >= 0) {
    ev.data.fd = cfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
  }
  ControlServer clients(shared, ep, cfd, control);
  serve_main_loop(shared, ep, sfd, cfd, clients);
  stop_workers(shared, threads);
  if (cfd >= 0) close_control(cfd, control, control_inode);
  close(ep);
  log(Level::info, "stopped", "stopped");
  return trunk::cli::kExitClean;
}

}  // namespace trunkd
