// trunkd's moving parts: the loaded tables (swapped atomically on reload),
// the counters the control socket reports, the UDP workers and the
// control socket. main.cpp only parses flags and wires them.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "route/router.hpp"
#include "sip/redirect.hpp"
#include "tables/reader.hpp"

namespace trunkd {

// One verified tables file and the router over it. Immutable once made;
// requests hold a shared_ptr to the one they started with, so a reload
// never changes the table under a request.
struct Loaded {
  trunk::tables::Tables tables;
  trunk::route::Router router{tables};
  std::string path;
  std::string digest;  // hex SHA-256 of the source site
  Loaded() = default;
  Loaded(const Loaded&) = delete;
  Loaded& operator=(const Loaded&) = delete;
};

// Maps and verifies `path`; null with `error` set when it is refused.
std::shared_ptr<const Loaded> load_tables(const std::string& path, std::string& error);

struct Stats {
  static constexpr const char* kMethods[] = {"INVITE", "ACK", "OPTIONS", "CANCEL", "other"};
  static constexpr int kCodes[] = {0, 200, 302, 400, 403, 404, 405, 481, 484, 500};
  std::atomic<std::uint64_t> by_method[5] = {};
  std::atomic<std::uint64_t> by_code[std::size(kCodes)] = {};  // 0: nothing sent
  std::atomic<std::uint64_t> not_sip{0};
  std::atomic<std::uint64_t> lookups{0};
  std::atomic<std::uint64_t> reloads{0}, reloads_refused{0};
  std::atomic<std::uint64_t> tcp_idle_closed{0}, tcp_refused{0};
  std::atomic<std::uint64_t> tcp_open{0};  // TCP connections open now, all addresses
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  void count_method(std::string_view method);
  void count_code(int code);
};

enum class Level { error = 0, warning = 1, info = 2, debug = 3 };
void log(Level level, const std::string& message);
// Whether `level` is written: a caller with a costly message asks first.
bool logs(Level level);
void set_log_level(Level level);

struct Shared {
  std::atomic<std::shared_ptr<const Loaded>> current;
  Stats stats;
  std::string tables_path;
  std::atomic<bool> stopping{false};
  int wake_fd = -1;  // eventfd: written once to stop the workers
};

// A listening address: "udp:127.0.0.1:5060", "tcp:[::1]:5060".
struct Listen {
  bool tcp = false;
  std::string address;
  std::uint16_t port = 0;
};
bool parse_listen(const std::string& text, Listen& out, std::string& error);

// Opens `count` SO_REUSEPORT sockets on `where` and serves them, one thread
// each, until `shared.stopping`. Returns false (error set) if a socket
// could not be opened; then nothing runs.
bool start_udp(Shared& shared, const Listen& where, int count,
               std::vector<std::thread>& threads, std::string& error);

// What a TCP listening address allows: a connection that sends nothing
// for `idle_seconds` is closed (0: never), and past `max_connections` open
// at once a new one is closed as soon as it is accepted.
struct TcpLimits {
  int idle_seconds = 120;
  int max_connections = 4096;
};

// Opens a TCP listening socket on `where` and serves its connections on one
// thread (epoll), each message framed by its Content-Length.
bool start_tcp(Shared& shared, const Listen& where, const TcpLimits& limits,
               std::vector<std::thread>& threads, std::string& error);

// Answers one SIP message received from `from`: counts it and returns the
// bytes to send back (empty: nothing), written in `out`, which each worker
// keeps and reuses so that a request allocates nothing but what sofia-sip's
// parser does. Shared by the UDP and TCP paths.
std::string_view answer(Shared& shared, const Loaded& tables, std::string_view bytes,
                        const trunk::sip::Source& from, trunk::sip::ResponseText& out);

// The sockaddr for `where`; false when the address is not an IP address.
bool socket_address(const Listen& where, sockaddr_storage& ss, socklen_t& len,
                    std::string& error);
trunk::sip::Source source_of(const sockaddr_storage& ss);

// Reloads from shared.tables_path: the new file is verified off to the side
// and swapped in whole; on failure the old one keeps serving. Returns a
// one-line account for logs and the control socket.
bool reload(Shared& shared, std::string& account);

// The control socket: JSON lines over a Unix stream socket at `path`.
int open_control(const std::string& path, std::string& error);
// Handles one connection's request line; returns the reply line.
std::string control_reply(Shared& shared, const std::string& line);

}  // namespace trunkd
