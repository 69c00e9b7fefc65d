// UDP workers: one socket per address, bound without SO_REUSEPORT so that
// no other process can join it, served by several threads that each
// receive and send in batches (recvmmsg/sendmmsg). Each batch is answered
// from one snapshot of the tables.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "daemon.hpp"
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
  // Blocking receive, not epoll: the kernel wakes one waiting worker per
  // datagram (an exclusive wait), so workers sharing the socket do not
  // race for it, and a wake-up costs one system call. MSG_WAITFORONE: wait
  // for the first datagram, then take what else is queued. Stop shuts the
  // socket down for reading (stop_udp), which wakes them all.
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
        log(Level::warning, std::string("send failed: ") + std::strerror(errno));
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
  if (inet_pton(AF_INET, where.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(where.port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, where.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(where.port);
    len = sizeof *v6;
  } else {
    error = "\"" + where.address + "\" is not an IP address";
    return false;
  }
  return true;
}

bool start_udp(Shared& shared, const Listen& where, int count, std::vector<std::thread>& threads,
               std::string& error) {
  sockaddr_storage ss;
  socklen_t len = 0;
  if (!socket_address(where, ss, len, error)) return false;
  int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int buffer = 4 << 20;  // absorb bursts while the workers are busy
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    error = listen_error(where, errno);
    if (fd >= 0) close(fd);
    return false;
  }
  // The workers share the socket; the last one to stop closes it.
  std::shared_ptr<void> closer(nullptr, [fd](void*) { close(fd); });
  shared.udp_sockets.push_back(fd);
  for (int i = 0; i < count; ++i)
    threads.emplace_back([&shared, fd, closer] { serve(shared, fd); });
  return true;
}

void stop_udp(Shared& shared) {
  // On an unbound-peer UDP socket shutdown() answers ENOTCONN, but it
  // still marks the socket shut for reading and wakes every receiver,
  // whose recvmmsg then returns 0.
  for (int fd : shared.udp_sockets) shutdown(fd, SHUT_RD);
}

}  // namespace trunkd
