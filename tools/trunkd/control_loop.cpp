// The main thread: start, then wait on signals and control connections.
#include "control_loop.hpp"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "cli/common.hpp"
#include "daemon.hpp"

namespace trunkd {
namespace {

// Serves one control connection: lines in, lines out, until EOF or 2 s idle.
void serve_control(Shared& shared, int fd) {
  std::string pending;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) break;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    if (pending.size() > 65536) break;
    for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      std::string reply = control_reply(shared, pending.substr(0, nl)) + "\n";
      pending.erase(0, nl + 1);
      for (std::size_t off = 0; off < reply.size();) {
        ssize_t w = write(fd, reply.data() + off, reply.size() - off);
        if (w <= 0) return;
        off += static_cast<std::size_t>(w);
      }
    }
  }
}

}  // namespace

int run(const std::string& tables, const std::vector<std::string>& listens,
        const std::string& control, int workers, const TcpLimits& tcp) {
  Shared shared;
  shared.tables_path = tables;
  std::string error;
  auto first = load_tables(tables, error);
  if (!first) {
    log(Level::error, error);
    return trunk::cli::kExitUnusable;
  }
  shared.current.store(first);
  // Signals arrive on a descriptor, in this thread only.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  shared.wake_fd = eventfd(0, EFD_CLOEXEC);
  int cfd = -1;
  if (!control.empty() && (cfd = open_control(control, error)) < 0) {
    log(Level::error, error);
    return trunk::cli::kExitUnusable;
  }
  std::vector<std::thread> threads;
  for (const auto& text : listens) {
    Listen where;
    bool started = parse_listen(text, where, error) &&
                   (where.tcp ? start_tcp(shared, where, tcp, threads, error)
                              : start_udp(shared, where, workers, threads, error));
    if (!started) {
      log(Level::error, error);
      shared.stopping = true;
      std::uint64_t one = 1;
      (void)!write(shared.wake_fd, &one, sizeof one);
      for (auto& t : threads) t.join();
      return trunk::cli::kExitUnusable;
    }
    log(Level::info, "listening on " + text +
                         (where.tcp ? std::string() : " with " + std::to_string(workers) + " workers"));
  }
  log(Level::info, "serving " + tables + " (site digest " + first->digest.substr(0, 16) + ", " +
                       std::to_string(first->tables.routes().size()) + " routes)");

  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = sfd;
  epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
  if (cfd >= 0) {
    ev.data.fd = cfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
  }
  bool running = true;
  while (running) {
    epoll_event ready[4];
    int n = epoll_wait(ep, ready, 4, -1);
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < n; ++i) {
      if (ready[i].data.fd == sfd) {
        signalfd_siginfo info;
        if (read(sfd, &info, sizeof info) != sizeof info) continue;
        if (info.ssi_signo == SIGHUP) {
          std::string account;
          reload(shared, account);
        } else {
          log(Level::info, std::string("stopping on ") + strsignal(static_cast<int>(info.ssi_signo)));
          running = false;
        }
      } else if (ready[i].data.fd == cfd) {
        int conn = accept4(cfd, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn >= 0) {
          serve_control(shared, conn);
          close(conn);
        }
      }
    }
  }
  // Stop: workers finish the batch in hand, then return.
  shared.stopping = true;
  std::uint64_t one = 1;
  (void)!write(shared.wake_fd, &one, sizeof one);
  for (auto& t : threads) t.join();
  if (cfd >= 0) {
    close(cfd);
    unlink(control.c_str());
  }
  log(Level::info, "stopped");
  return trunk::cli::kExitClean;
}

}  // namespace trunkd
