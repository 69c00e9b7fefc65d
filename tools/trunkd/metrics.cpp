// /metrics: the Prometheus text of trunkd's counters, and the HTTP server
// on its own thread that answers scrapes (metrics.hpp says what it allows).
// Every metric is documented in trunkd(8), METRICS; a metric added here
// goes there too.
#include "metrics.hpp"

#include <linux/sock_diag.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "control/prometheus_text.hpp"

namespace trunkd {
namespace {

using Clock = std::chrono::steady_clock;
using trunk::control::PrometheusText;

constexpr std::size_t kMaxRequest = 8 * 1024;
constexpr auto kDeadline = std::chrono::seconds(5);

// Datagrams the kernel dropped on trunkd's UDP sockets (receive queue full,
// or no memory): SO_MEMINFO's drop count, read at the scrape, so the
// workers do nothing for it.
std::uint64_t udp_drops(const Shared& shared) {
  std::uint64_t drops = 0;
  for (int fd : shared.udp_sockets) {
    std::uint32_t info[SK_MEMINFO_VARS] = {};
    socklen_t len = sizeof info;
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &len) == 0 && len > SK_MEMINFO_DROPS * 4)
      drops += info[SK_MEMINFO_DROPS];
  }
  return drops;
}

void requests(PrometheusText& p, const Stats& s) {
  p.family("trunkd_requests_total", "counter",
           "SIP requests received, by method and by the response code sent (none: no answer, "
           "as for an ACK).");
  for (std::size_t m = 0; m < RequestCounts::kMethodCount; ++m)
    for (std::size_t c = 0; c < RequestCounts::kCodeCount; ++c) {
      const std::string code =
          c < std::size(Stats::kCodes) ? trunk::control::code_key(Stats::kCodes[c]) : "other";
      p.sample("trunkd_requests_total", {{"method", Stats::kMethods[m]}, {"code", code}},
               s.method_code_count(m, c));
    }
  p.family("trunkd_answer_seconds", "histogram",
           "Time from reading a request to its response being ready, for requests answered.");
  std::uint64_t counts[std::size(kAnswerBucketsNs) + 1] = {};
  double bounds[std::size(kAnswerBucketsNs)];
  for (std::size_t b = 0; b < std::size(kAnswerBucketsNs); ++b)
    bounds[b] = static_cast<double>(kAnswerBucketsNs[b]) / 1e9;
  std::uint64_t ns = 0;
  for (const auto& shard : s.shards) {
    for (std::size_t b = 0; b < std::size(counts); ++b)
      counts[b] += shard.answer_buckets[b].load(std::memory_order_relaxed);
    ns += shard.answer_ns.load(std::memory_order_relaxed);
  }
  p.histogram("trunkd_answer_seconds", bounds, counts, static_cast<double>(ns) / 1e9);
}

void decisions(PrometheusText& p, const Loaded& t) {
  auto family = [&](std::string_view name, std::string_view label, const Loaded::Decisions& d,
                    auto&& name_of, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      const std::string_view who = name_of(i);
      p.sample(name, {{label, who}, {"result", "redirected"}},
               d.counts[i * 2].load(std::memory_order_relaxed));
      p.sample(name, {{label, who}, {"result", "refused"}},
               d.counts[i * 2 + 1].load(std::memory_order_relaxed));
    }
  };
  const auto& tb = t.tables;
  p.family("trunkd_tenant_decisions_total", "counter",
           "INVITEs answered for a tenant of the site: redirected (302) or refused.");
  family("trunkd_tenant_decisions_total", "tenant", t.tenants,
         [&](std::size_t i) { return tb.str(tb.tenants()[i].name); }, tb.tenants().size());
  p.family("trunkd_trunk_decisions_total", "counter",
           "INVITEs answered involving a trunk of the site (inbound: the trunk it came in on; "
           "outbound: the first Contact's): redirected (302) or refused.");
  family("trunkd_trunk_decisions_total", "trunk", t.trunks,
         [&](std::size_t i) { return tb.str(tb.trunks()[i].name); }, tb.trunks().size());
}

}  // namespace

std::string render_metrics(const Shared& shared) {
  const auto t = shared.current.load();
  const Stats& s = shared.stats;
  PrometheusText p;
  requests(p, s);
  decisions(p, *t);
  auto counter = [&](std::string_view name, std::string_view help, std::uint64_t v) {
    p.family(name, "counter", help).sample(name, {}, v);
  };
  auto gauge = [&](std::string_view name, std::string_view help, double v) {
    p.family(name, "gauge", help).sample(name, {}, v);
  };
  using trunk::control::Counter;
  counter("trunkd_not_sip_total", "Datagrams and TCP messages that were not SIP.",
          s.get(Counter::not_sip));
  counter("trunkd_udp_dropped_total",
          "Datagrams the kernel dropped on trunkd's UDP sockets before a worker read them "
          "(receive queue full).",
          udp_drops(shared));
  counter("trunkd_reloads_total", "Tables reloads done.", s.get(Counter::reloads));
  counter("trunkd_reloads_refused_total",
          "Tables reloads refused (the previous tables kept serving).",
          s.get(Counter::reloads_refused));
  p.family("trunkd_tables_info", "gauge", "The tables in service: 1, with their site digest and path.")
      .sample("trunkd_tables_info",
              {{"site_digest", t->digest},
               {"path", t->path},
               {"format_version", std::to_string(t->tables.version())}},
              std::uint64_t{1});
  const double loaded = std::chrono::duration<double>(t->loaded_at.time_since_epoch()).count();
  gauge("trunkd_tables_loaded_timestamp_seconds",
        "When the tables in service were loaded (Unix time).", loaded);
  gauge("trunkd_tables_age_seconds", "Seconds since the tables in service were loaded.",
        std::chrono::duration<double>(std::chrono::system_clock::now() - t->loaded_at).count());
  gauge("trunkd_tables_routes", "Routes in the tables in service.",
        static_cast<double>(t->tables.routes().size()));
  gauge("trunkd_tcp_connections", "TCP connections open now, all addresses.",
        static_cast<double>(s.get(Counter::tcp_open)));
  counter("trunkd_tcp_idle_closed_total", "TCP connections closed for sending nothing.",
          s.get(Counter::tcp_idle_closed));
  counter("trunkd_tcp_refused_total", "TCP connections closed at once past the connection limit.",
          s.get(Counter::tcp_refused));
  counter("trunkd_tcp_write_failed_total",
          "TCP connections closed because an answer could not be written.",
          s.get(Counter::tcp_write_failed));
  counter("trunkd_accept_errors_total", "accept() failures on a listening socket (each pauses it).",
          s.get(Counter::accept_errors));
  counter("trunkd_control_refused_total", "Control clients closed at once past the limit.",
          s.get(Counter::control_refused));
  counter("trunkd_control_dropped_total", "Control clients closed by trunkd (deadline, line too long).",
          s.get(Counter::control_dropped));
  counter("trunkd_metrics_refused_total", "/metrics clients closed at once past the limit.",
          s.metrics_refused.load());
  counter("trunkd_metrics_dropped_total",
          "/metrics clients closed without an answer (deadline, request too large).",
          s.metrics_dropped.load());
  gauge("trunkd_uptime_seconds", "Seconds since trunkd started.",
        std::chrono::duration<double>(Clock::now() - s.started).count());
  return p.take();
}

namespace {

struct MetricsClient {
  std::string in, out;
  std::size_t sent = 0;
  Clock::time_point deadline;
  bool answered = false;  // `out` holds the whole answer
};

std::string http_answer(int status, std::string_view reason, std::string_view type,
                        const std::string& body, std::string_view extra = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
                    "\r\nContent-Type: " + std::string(type) +
                    "\r\nContent-Length: " + std::to_string(body.size()) +
                    "\r\nConnection: close\r\n" + std::string(extra) + "\r\n";
  return out + body;
}

// The answer to one whole request head `head` (up to its blank line).
std::string answer_http(const Shared& shared, std::string_view head) {
  const std::string_view line = head.substr(0, head.find_first_of("\r\n"));
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.substr(sp2 + 1).rfind("HTTP/1.", 0) != 0)
    return http_answer(400, "Bad Request", "text/plain", "not an HTTP/1 request\n");
  const std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  target = target.substr(0, target.find('?'));  // a scraper may add parameters
  if (target != "/metrics") return http_answer(404, "Not Found", "text/plain", "only /metrics\n");
  if (method != "GET")
    return http_answer(405, "Method Not Allowed", "text/plain", "only GET\n", "Allow: GET\r\n");
  return http_answer(200, "OK", "text/plain; version=0.0.4; charset=utf-8", render_metrics(shared));
}

class MetricsServer {
 public:
  MetricsServer(Shared& shared, int listener, const std::string& name)
      : shared_(shared), listener_(listener), pause_("metrics socket " + name) {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    watch(listener_, EPOLLIN, EPOLL_CTL_ADD);
    watch(shared_.wake_fd, EPOLLIN, EPOLL_CTL_ADD);
  }
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;
  ~MetricsServer() {
    for (auto& [fd, c] : clients_) close(fd);
    close(ep_);
    close(listener_);
  }

  void run() {
    while (!shared_.stopping) {
      epoll_event ready[16];
      int n = epoll_wait(ep_, ready, 16, timeout_ms(Clock::now()));
      if (n < 0 && errno != EINTR) break;
      if (shared_.stopping) break;
      const Clock::time_point now = Clock::now();
      for (int i = 0; i < n; ++i) {
        const int fd = ready[i].data.fd;
        if (fd == shared_.wake_fd) continue;
        if (fd == listener_) accept_one(now);
        else on_client(fd);
      }
      expire(now);
    }
  }

 private:
  void accept_one(Clock::time_point now) {
    const int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (pause_.failed(shared_.stats, errno, now)) watch(listener_, 0, EPOLL_CTL_MOD);
      return;
    }
    pause_.accepted();
    if (clients_.size() >= static_cast<std::size_t>(kMaxMetricsClients)) {
      close(fd);
      if (shared_.stats.metrics_refused++ == 0)
        log(Level::warning, "metrics-limit",
            "metrics clients at the limit (" + std::to_string(kMaxMetricsClients) +
                "): new ones are closed");
      return;
    }
    clients_[fd].deadline = now + kDeadline;
    watch(fd, EPOLLIN, EPOLL_CTL_ADD);
  }

  void on_client(int fd) {
    auto it = clients_.find(fd);
    if (it == clients_.end()) return;
    MetricsClient& c = it->second;
    if (!c.answered) {
      char buf[4096];
      const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      if (n <= 0) return drop(fd, true);  // gone before asking in full
      c.in.append(buf, static_cast<std::size_t>(n));
      std::size_t end = c.in.find("\r\n\r\n");
      if (end == std::string::npos) end = c.in.find("\n\n");
      if (end == std::string::npos) {
        if (c.in.size() > kMaxRequest) {
          log(Level::debug, "metrics-closed", "metrics client closed: request over 8 KiB");
          return drop(fd, true);
        }
        return;
      }
      c.out = answer_http(shared_, std::string_view(c.in).substr(0, end));
      c.in.clear();
      c.answered = true;
      watch(fd, EPOLLOUT, EPOLL_CTL_MOD);  // what the client sends after is not read
    }
    while (c.sent < c.out.size()) {
      // MSG_NOSIGNAL: a scraper gone before its answer must not stop trunkd.
      const ssize_t w =
          send(fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) return;
      if (w <= 0) return drop(fd, true);
      c.sent += static_cast<std::size_t>(w);
    }
    shutdown(fd, SHUT_WR);
    drop(fd, false);
  }

  void expire(Clock::time_point now) {
    if (pause_.resume_if_due(now)) watch(listener_, EPOLLIN, EPOLL_CTL_MOD);
    late_.clear();
    for (const auto& [fd, c] : clients_)
      if (now >= c.deadline) late_.push_back(fd);
    for (int fd : late_) {
      log(Level::debug, "metrics-closed",
          "metrics client closed: no answer taken in " + std::to_string(kDeadline.count()) + " s");
      drop(fd, true);
    }
  }

  int timeout_ms(Clock::time_point now) const {
    Clock::time_point next = Clock::time_point::max();
    for (const auto& [fd, c] : clients_) next = std::min(next, c.deadline);
    if (pause_.paused()) next = std::min(next, pause_.resume_at());
    return wait_ms(next, now);
  }

  void watch(int fd, std::uint32_t events, int op) { epoll_watch(ep_, fd, events, op); }

  void drop(int fd, bool by_trunkd) {
    epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    clients_.erase(fd);
    if (by_trunkd) ++shared_.stats.metrics_dropped;
  }

  Shared& shared_;
  int listener_;
  int ep_ = -1;
  AcceptPause pause_;
  std::unordered_map<int, MetricsClient> clients_;
  std::vector<int> late_;
};

}  // namespace

bool start_metrics(Shared& shared, const std::string& address, std::vector<std::thread>& threads,
                   std::string& error) {
  Listen where;
  // An HTTP address is a TCP one: read it as sip/endpoint.hpp reads tcp:ADDRESS:PORT.
  if (!trunk::sip::parse_endpoint("tcp:" + address, "metrics address", where, error)) {
    error = "--metrics " + address + ": give ADDRESS:PORT, such as 127.0.0.1:9464 or [::1]:9464";
    return false;
  }
  const int fd = open_tcp_listener(where, 64, error);
  if (fd < 0) {
    error = "--metrics: " + error;
    return false;
  }
  threads.emplace_back([&shared, fd, address] { MetricsServer(shared, fd, address).run(); });
  return true;
}

}  // namespace trunkd
