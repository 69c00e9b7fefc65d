// trunkd's moving parts: the loaded tables (swapped atomically on reload),
// the counters the control socket reports, the UDP and TCP workers, the
// control socket and the descriptor budget. main.cpp only parses flags and wires them.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <string>
#include <vector>

#include "control/stats.hpp"
#include "sip/endpoint.hpp"
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
  std::chrono::system_clock::time_point loaded_at = std::chrono::system_clock::now();
  // Routing decisions (INVITEs answered) by tenant and by trunk of these
  // tables, each split redirected (302) / refused (any other code), for
  // /metrics. Counted while these tables serve; a reload carries the counts
  // of each name still in the site over to the new tables (carry_decisions).
  struct Decisions {
    // The names' first bytes (inside the tables' strings) with their index,
    // sorted: a Reply's tenant or trunk view is found by its address,
    // without allocating or comparing text.
    std::vector<std::pair<const char*, std::uint32_t>> by_address;
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts;  // [index * 2 + refused]
    void init(std::span<const std::string_view> names);
    // The slot for `name` (a view into these tables), or null.
    std::atomic<std::uint64_t>* slot(std::string_view name, bool refused) const;
  };
  Decisions tenants, trunks;
  Loaded() = default;
  Loaded(const Loaded&) = delete;
  Loaded& operator=(const Loaded&) = delete;
};

// Maps and verifies `path`; null with `error` set when it is refused.
std::shared_ptr<const Loaded> load_tables(const std::string& path, std::string& error);
// Adds the decision counts of `from` to `to`, name by name, after a
// reload swapped `to` in: a counter /metrics reports does not drop to zero
// on each reload. A request answered from `from` after this is not counted.
void carry_decisions(const Loaded& from, const Loaded& to);

// The upper bounds of the answer-time histogram's buckets (trunkd(8),
// trunkd_answer_seconds), in nanoseconds: a 302 takes microseconds, so the
// buckets are fine there and coarse past a millisecond, where only a
// stalled worker lands.
inline constexpr std::uint64_t kAnswerBucketsNs[] = {
    10'000, 25'000, 50'000, 100'000, 250'000, 500'000,
    1'000'000, 2'500'000, 5'000'000, 10'000'000, 25'000'000, 100'000'000};

// What one thread counts of the requests it answers: the worker writes
// only its own (relaxed increments, no shared cache line), the control
// socket and /metrics sum them all. Threads are spread over kShards of
// these; two workers sharing one still count right, only more slowly.
struct alignas(64) RequestCounts {
  static constexpr std::size_t kMethodCount = std::size(trunk::control::kMethods);
  // One more than trunk::control::kCodes: a code not in that list.
  static constexpr std::size_t kCodeCount = std::size(trunk::control::kCodes) + 1;
  std::atomic<std::uint64_t> by_method_code[kMethodCount][kCodeCount] = {};
  std::atomic<std::uint64_t> answer_buckets[std::size(kAnswerBucketsNs) + 1] = {};  // not cumulative
  std::atomic<std::uint64_t> answer_ns{0};
};

// The counters the control socket reports; their names and order are
// trunk::control's (libtrunk/control/stats.hpp), which trunkctl prints from.
// /metrics reports them too (metrics.cpp).
struct Stats {
  static constexpr auto& kMethods = trunk::control::kMethods;
  static constexpr auto& kCodes = trunk::control::kCodes;
  static constexpr std::size_t kShards = 16;
  RequestCounts shards[kShards];
  std::atomic<std::uint64_t> not_sip{0};
  std::atomic<std::uint64_t> reloads{0}, reloads_refused{0};
  std::atomic<std::uint64_t> tcp_idle_closed{0}, tcp_refused{0};
  std::atomic<std::uint64_t> tcp_open{0};  // TCP connections open now, all addresses
  // A TCP connection closed because an answer could not be written: the
  // peer is gone or does not read.
  std::atomic<std::uint64_t> tcp_write_failed{0};
  // accept() failures on any listening socket (TCP or control), such as
  // the descriptor limit; each one pauses that socket (AcceptPause).
  std::atomic<std::uint64_t> accept_errors{0};
  // Control clients closed at once past kMaxControlClients, and closed by
  // trunkd later: deadline passed, line too long, peer gone.
  std::atomic<std::uint64_t> control_refused{0}, control_dropped{0};
  // /metrics clients closed at once past kMaxMetricsClients, and closed by
  // trunkd later: deadline passed, request too large or not HTTP.
  std::atomic<std::uint64_t> metrics_refused{0}, metrics_dropped{0};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // One request looked up: its method, and the response sent (0: none).
  // Counted in the calling thread's shard.
  void count_request(std::string_view method, int code);
  // The response `reply` to a request received (by trunkd) at `received`,
  // from `tables`: its answer time and, for a decision naming a tenant or
  // trunk, that decision (Loaded::decisions). Nothing for no response.
  void count_answer(const Loaded& tables, const trunk::sip::Reply& reply,
                    std::chrono::steady_clock::time_point received);
  // Sums over the shards: requests of method kMethods[m] (all codes), and
  // of response code column c (all methods; c == size(kCodes): other).
  std::uint64_t method_count(std::size_t m) const;
  std::uint64_t code_count(std::size_t c) const;
  std::uint64_t method_code_count(std::size_t m, std::size_t c) const;
  // The counter trunk::control names `c`.
  std::uint64_t get(trunk::control::Counter c) const;
};

enum class Level { error = 0, warning = 1, info = 2, debug = 3 };
// Writes one log line to stderr: as text, "<6>message" with the sd-daemon
// priority prefix, or with --log-format json one JSON object
// {"ts","level","event","message"}; `event` is a stable name for what
// happened ("reload", "tcp-limit"), for machines to filter on (trunkd(8),
// LOGGING).
void log(Level level, std::string_view event, const std::string& message);
// Whether `level` is written: a caller with a costly message asks first.
bool logs(Level level);
void set_log_level(Level level);
void set_log_json(bool json);

struct Shared {
  std::atomic<std::shared_ptr<const Loaded>> current;
  Stats stats;
  std::string tables_path;
  std::atomic<bool> stopping{false};
  int wake_fd = -1;  // eventfd: written once to stop the TCP threads
  std::vector<int> udp_sockets;  // shut down to stop the UDP workers (stop_udp)
  std::vector<int> udp_locks;    // held while serving: claim_udp in udp.cpp
};

// A listening address: "udp:127.0.0.1:5060", "tcp:[::1]:5060".
// udp:ADDRESS:PORT or tcp:ADDRESS:PORT (sip/endpoint.hpp).
using Listen = trunk::sip::Endpoint;
bool parse_listen(const std::string& text, Listen& out, std::string& error);
// Why `where` cannot be listened on, after bind() or listen() failed with
// `err`; an address in use names the likely cause.
std::string listen_error(const Listen& where, int err);

// Opens `count` sockets on `where` and serves them, one thread each, until
// `shared.stopping`. One SO_REUSEPORT socket per thread, each with its own
// receive queue; the address is claimed first, so a second trunkd on it
// (or any server already bound there) makes this fail with EADDRINUSE,
// and two trunkd never split an address's requests between them. Returns
// false (error set) if a socket could not be opened; then nothing runs.
bool start_udp(Shared& shared, const Listen& where, int count,
               std::vector<std::thread>& threads, std::string& error);

// What a TCP listening address allows: a connection that sends nothing
// for `idle_seconds` is closed (0: never), and past `max_connections` open
// at once a new one is closed as soon as it is accepted (0: as many as the
// descriptor limit leaves room for, see fit_descriptors).
struct TcpLimits {
  int idle_seconds = 120;
  int max_connections = 0;
};

// Control clients served at once; one more is accepted and closed.
inline constexpr int kMaxControlClients = 16;
// /metrics clients served at once (metrics.cpp); the same.
inline constexpr int kMaxMetricsClients = 8;

// Raises the soft RLIMIT_NOFILE to the hard one, then sets
// `limits.max_connections` per TCP address so that every TCP connection,
// UDP worker and control client fits in it together: a default of 0 becomes
// what fits, a larger value is lowered (with a warning). Returns the line
// to log.
std::string fit_descriptors(TcpLimits& limits, int udp_addresses, int tcp_addresses, int workers);

// What to do when accept() fails on a listening socket. EMFILE and its
// kin leave the connection queued, so a level-triggered socket would be
// reported ready again at once: the caller stops watching it until
// `resume_at` instead of spinning. One warning is logged per episode (from
// the first failure to the next accepted connection), at most one a minute.
class AcceptPause {
 public:
  using Clock = std::chrono::steady_clock;
  explicit AcceptPause(std::string what) : what_(std::move(what)) {}
  // After accept() returned -1 with `err`: true when the socket must be
  // paused (counted in stats.accept_errors); false for the errors that
  // concern one connection only (EAGAIN, ECONNABORTED, EINTR, ...).
  bool failed(Stats& stats, int err, Clock::time_point now);
  // After accept() succeeded: ends an episode (logged).
  void accepted();
  Clock::time_point resume_at() const { return resume_at_; }
  // True once, when the pause is over at `now`: watch the socket again.
  bool resume_if_due(Clock::time_point now) {
    if (!paused_ || now < resume_at_) return false;
    paused_ = false;
    return true;
  }
  bool paused() const { return paused_; }

 private:
  std::string what_;
  bool paused_ = false;
  bool episode_ = false;
  std::uint64_t failures_ = 0;
  Clock::time_point resume_at_{};
  Clock::time_point logged_{};
  bool ever_logged_ = false;
  bool episode_logged_ = false;
};

// Sets the events epoll set `ep` reports for `fd` (op: EPOLL_CTL_ADD or
// EPOLL_CTL_MOD; events 0 stops watching without forgetting it).
void epoll_watch(int ep, int fd, std::uint32_t events, int op);
// The epoll_wait timeout that wakes a loop by `next`: milliseconds rounded
// up, at most a minute; -1 (for ever) when `next` is time_point::max().
int wait_ms(std::chrono::steady_clock::time_point next, std::chrono::steady_clock::time_point now);

// Wakes the UDP workers to stop, once shared.stopping is set, joins
// `threads` (every worker, UDP and TCP) and closes the UDP sockets.
void stop_udp(Shared& shared, std::vector<std::thread>& threads);

// A non-blocking TCP listening socket on `where`; -1 (error set, naming the
// address) when it cannot be opened. The caller owns the descriptor.
int open_tcp_listener(const Listen& where, int backlog, std::string& error);

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
// The log line naming the trusted proxies of `t` and their addresses,
// "loopback only" for a site that lists none: at start and each reload.
std::string trusted_proxies(const trunk::tables::Tables& t);

// Reloads from shared.tables_path: the new file is verified off to the side
// and swapped in whole; on failure the old one keeps serving. Returns a
// one-line account for logs and the control socket.
bool reload(Shared& shared, std::string& account);

// The control socket: JSON lines over a Unix stream socket at `path`.
// Nothing else is removed to make room: a path that is not a socket is
// refused, and so is a socket a live process answers on ("another trunkd
// serves PATH"); only a stale socket (connection refused) is replaced.
// `inode` identifies the socket made, so that stop removes only that one.
int open_control(const std::string& path, ino_t& inode, std::string& error);
// Removes the control socket at stop, if `path` is still the one made.
void close_control(int fd, const std::string& path, ino_t inode);
// Answers one request line; returns the reply line.
std::string control_reply(Shared& shared, const std::string& line);

}  // namespace trunkd
