// UDP workers: one SO_REUSEPORT socket and one thread each, receiving and
// sending in batches (recvmmsg/sendmmsg); each batch is answered from one
// snapshot of the tables. Per-worker sockets give each worker its own
// receive queue: one socket shared by all workers cost 20-40% more CPU per
// call in bench/trunkd_vs_kamailio.py. SO_REUSEPORT would let a second
// trunkd join the group and take half the traffic, so an address is
// claimed first (claim_udp) and a second trunkd is refused.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <thread>

#include "daemon.hpp"
#include "net/ip_address.hpp"
#include "sip/redirect.hpp"

namespace trunkd {
namespace {

constexpr int kBatch = 32;
constexpr std::size_t kDatagram = 65535;

}  // namespace

trunk::sip::Source source_of(const sockaddr_storage& ss) {
  trunk::sip::Source s;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    s.address[10] = s.address[11] = 0xff;
    std::memcpy(s.address.data() + 12, &a->sin_addr, 4);
    s.port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    std::memcpy(s.address.data(), &a->sin6_addr, 16);
    s.port = ntohs(a->sin6_port);
  }
  return s;
}

namespace {

void serve(Shared& shared, int fd) {
  std::vector<char> in(kBatch * kDatagram);
  std::vector<trunk::sip::ResponseText> out(kBatch);  // one response per datagram of a batch
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  sockaddr_storage peers[kBatch];
  mmsghdr replies[kBatch];
  iovec reply_iov[kBatch];
  // Blocking receive, not epoll: a wake-up costs one system call.
  // MSG_WAITFORONE: wait for the first datagram, then take what else is
  // queued. Stop shuts the socket down for reading (stop_udp), which wakes
  // its worker.
  while (!shared.stopping) {
    for (int i = 0; i < kBatch; ++i) {
      iov[i] = {in.data() + i * kDatagram, kDatagram};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &peers[i];
      msgs[i].msg_hdr.msg_namelen = sizeof peers[i];
    }
    int got = recvmmsg(fd, msgs, kBatch, MSG_WAITFORONE, nullptr);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got <= 0) break;  // shut down (0), or the socket is unusable
    // One snapshot per batch: a reload in the middle never mixes tables.
    std::shared_ptr<const Loaded> tables = shared.current.load();
    int sending = 0;
    for (int i = 0; i < got; ++i) {
      std::string_view bytes(in.data() + i * kDatagram, msgs[i].msg_len);
      if (bytes.find_first_not_of("\r\n") == std::string_view::npos) continue;  // keepalive
      std::string_view reply = answer(shared, *tables, bytes, source_of(peers[i]), out[sending]);
      if (reply.empty()) continue;
      reply_iov[sending] = {const_cast<char*>(reply.data()), reply.size()};
      replies[sending] = {};
      replies[sending].msg_hdr.msg_iov = &reply_iov[sending];
      replies[sending].msg_hdr.msg_iovlen = 1;
      replies[sending].msg_hdr.msg_name = &peers[i];
      replies[sending].msg_hdr.msg_namelen = msgs[i].msg_hdr.msg_namelen;
      ++sending;
    }
    for (int done = 0; done < sending;) {
      int sent = sendmmsg(fd, replies + done, static_cast<unsigned>(sending - done), 0);
      if (sent < 0) {
        if (errno == EINTR) continue;
        log(Level::warning, "send-failed", std::string("send failed: ") + std::strerror(errno));
        break;
      }
      done += sent;
    }
  }
}

}  // namespace

bool socket_address(const Listen& where, sockaddr_storage& ss, socklen_t& len,
                    std::string& error) {
  ss = {};
  len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  auto ip = trunk::net::parse_ip(where.address);
  if (!ip) {
    error = "\"" + where.address + "\" is not an IP address";
    return false;
  }
  if (ip->v4()) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(where.port);
    std::memcpy(&v4->sin_addr, ip->bytes.data() + 12, 4);
    len = sizeof *v4;
  } else {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(where.port);
    std::memcpy(&v6->sin6_addr, ip->bytes.data(), 16);
    len = sizeof *v6;
  }
  return true;
}

namespace {

// Claims `ss` for this process, or fails with EADDRINUSE (errno) when it
// is served already. Two locks, because SO_REUSEPORT lets any socket of
// the same user join a group: an abstract Unix socket named after the
// address, which only one process can bind at a time and the kernel lets
// go however the process ends (this orders two trunkd starting at once);
// then a bind without SO_REUSEPORT, which fails while any socket, of any
// server, is bound on the address (a trunkd that started earlier, or
// another program). The first lock is held for the process's life.
int claim_udp(const sockaddr_storage& ss, socklen_t len) {
  char host[INET6_ADDRSTRLEN] = {};
  std::uint16_t port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
  } else {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
  }
  sockaddr_un name{};
  name.sun_family = AF_UNIX;
  int n = std::snprintf(name.sun_path + 1, sizeof name.sun_path - 1, "trunkd/udp/[%s]:%u", host,
                        static_cast<unsigned>(port));
  socklen_t name_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
  int lock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (lock < 0) return -1;
  if (bind(lock, reinterpret_cast<sockaddr*>(&name), name_len) != 0) {
    close(lock);
    return -1;
  }
  int probe = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (probe < 0 || bind(probe, reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
    int err = errno;
    if (probe >= 0) close(probe);
    close(lock);
    errno = err;
    return -1;
  }
  close(probe);
  return lock;
}

}  // namespace

bool start_udp(Shared& shared, const Listen& where, int count, std::vector<std::thread>& threads,
               std::string& error) {
  sockaddr_storage ss;
  socklen_t len = 0;
  if (!socket_address(where, ss, len, error)) return false;
  int lock = claim_udp(ss, len);
  if (lock < 0) {
    error = listen_error(where, errno);
    return false;
  }
  std::vector<int> fds;
  for (int i = 0; i < count; ++i) {
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int one = 1;
    int buffer = 4 << 20;  // absorb bursts while a worker is busy
    if (fd >= 0) {
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    }
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      error = listen_error(where, errno);
      if (fd >= 0) close(fd);
      for (int f : fds) close(f);
      close(lock);
      return false;
    }
    fds.push_back(fd);
  }
  shared.udp_locks.push_back(lock);
  for (int fd : fds) {
    shared.udp_sockets.push_back(fd);
    threads.emplace_back([&shared, fd] { serve(shared, fd); });
  }
  return true;
}

void stop_udp(Shared& shared, std::vector<std::thread>& threads) {
  // On an unbound-peer UDP socket shutdown() answers ENOTCONN, but it
  // still marks the socket shut for reading and wakes its receiver, whose
  // recvmmsg then returns 0. The sockets are closed only once every
  // worker has returned, so none can be reused under a worker.
  for (int fd : shared.udp_sockets) shutdown(fd, SHUT_RD);
  for (auto& t : threads) t.join();
  for (int fd : shared.udp_sockets) close(fd);
  for (int fd : shared.udp_locks) close(fd);
  shared.udp_sockets.clear();
  shared.udp_locks.clear();
}

}  // namespace trunkd
