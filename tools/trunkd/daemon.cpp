// Tables loading and reload, counters, logging, listen addresses, the
// descriptor budget and what an accept() failure does.
#include "daemon.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "tables/dump.hpp"
#include "sip/scanner.hpp"
#include "tables/sha256.hpp"

namespace trunkd {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};
std::mutex g_log_mutex;
}  // namespace

void set_log_level(Level level) { g_level = static_cast<int>(level); }

bool logs(Level level) { return static_cast<int>(level) <= g_level; }

void log(Level level, const std::string& message) {
  if (!logs(level)) return;
  // sd-daemon(3) priority prefixes: journald keeps the level, a terminal
  // shows it plainly enough.
  static const char* kPrefix[] = {"<3>error: ", "<4>warning: ", "<6>", "<7>debug: "};
  std::lock_guard<std::mutex> lock(g_log_mutex);
  std::fprintf(stderr, "%s%s\n", kPrefix[static_cast<int>(level)], message.c_str());
  std::fflush(stderr);
}

std::shared_ptr<const Loaded> load_tables(const std::string& path, std::string& error) {
  // Read, not mapped: an operator who rewrites the file in place (rather
  // than renaming a new one over it) must not change or fault the tables
  // in service.
  auto loaded = std::make_shared<Loaded>();
  if (!loaded->tables.read(path, error)) return nullptr;
  loaded->path = path;
  loaded->digest = trunk::tables::to_hex(loaded->tables.site_digest());
  return loaded;
}

void Stats::count_request(std::string_view method, int code) {
  constexpr std::size_t kOther = std::size(kMethods) - 1;
  std::size_t m = 0;
  while (m < kOther && method != kMethods[m]) ++m;
  ++by_method[m];
  ++lookups;
  for (std::size_t i = 0; i < std::size(kCodes); ++i)
    if (code == kCodes[i]) {
      ++by_code[i];
      break;
    }
}

std::uint64_t Stats::get(trunk::control::Counter c) const {
  using trunk::control::Counter;
  // No default: a counter named in trunk::control and not served here is
  // a -Wswitch warning.
  switch (c) {
    case Counter::not_sip: return not_sip.load();
    case Counter::lookups: return lookups.load();
    case Counter::reloads: return reloads.load();
    case Counter::reloads_refused: return reloads_refused.load();
    case Counter::tcp_idle_closed: return tcp_idle_closed.load();
    case Counter::tcp_refused: return tcp_refused.load();
    case Counter::tcp_open: return tcp_open.load();
    case Counter::tcp_write_failed: return tcp_write_failed.load();
    case Counter::accept_errors: return accept_errors.load();
    case Counter::control_refused: return control_refused.load();
    case Counter::control_dropped: return control_dropped.load();
  }
  return 0;
}

bool reload(Shared& shared, std::string& account) {
  std::string error;
  auto fresh = load_tables(shared.tables_path, error);
  if (!fresh) {
    ++shared.stats.reloads_refused;
    account = "reload refused, still serving the previous tables: " + error;
    log(Level::error, account);
    return false;
  }
  shared.current.store(fresh);
  ++shared.stats.reloads;
  account = "reloaded " + shared.tables_path + " (site digest " + fresh->digest.substr(0, 16) +
            ", " + std::to_string(fresh->tables.routes().size()) + " routes)";
  log(Level::info, account);
  log(Level::info, trusted_proxies(fresh->tables));
  return true;
}

std::string trusted_proxies(const trunk::tables::Tables& t) {
  std::string out = "trusting as proxies (their Vias give a request's origin): ";
  bool first = true;
  for (const auto& p : t.proxies()) {
    out += (first ? "" : "; ") + std::string(t.str(p.name)) + " (";
    for (std::uint32_t i = 0; i < p.address_count; ++i)
      out += (i ? ", " : "") + trunk::tables::block_text(t.proxy_addresses()[p.address_first + i]);
    out += ")";
    first = false;
  }
  if (t.proxies().size() == 1 && t.str(t.proxies()[0].name) == trunk::tables::kLoopbackProxy)
    out += ": loopback only, the site lists no [[proxy]]";
  return out;
}

std::string_view answer(Shared& shared, const Loaded& tables, std::string_view bytes,
                        const trunk::sip::Source& from, trunk::sip::ResponseText& out) {
  // Most requests are plain (an INVITE, the ACK of its 302): the scanner
  // reads them and redirect() answers from the scanned bytes, the same
  // answer as after sofia-sip's full parse, which the rest still takes.
  thread_local trunk::sip::MessageView view;
  std::optional<trunk::sip::Reply> reply;
  if (trunk::sip::scan(bytes, view)) {
    if (!view.is_request()) return {};  // responses are not ours to answer
    reply = trunk::sip::redirect(tables.router, view, from, out);
  }
  std::optional<trunk::sip::Message> message;
  if (!reply) {
    std::string error;  // set only for bytes that are not SIP
    message = trunk::sip::Message::parse(bytes, error);
    if (!message) {
      ++shared.stats.not_sip;
      return {};
    }
    if (!message->is_request()) return {};
    reply = trunk::sip::redirect(tables.router, *message, from, out);
  }
  const std::string_view method = message ? message->method_view() : view.method();
  shared.stats.count_request(method, reply->code);
  if (reply->code != 0 && logs(Level::debug))  // the line is built only when it is written
    log(Level::debug, std::string(method) + " " +
                          std::string(message ? message->call_id_view() : view.call_id()) +
                          " -> " + std::to_string(reply->code) + " " + std::string(reply->reason));
  return reply->bytes;
}

std::string fit_descriptors(TcpLimits& limits, int udp_addresses, int tcp_addresses, int workers) {
  // The soft limit is often 1024 while the hard one is far higher; a
  // daemon that holds a connection per client takes what it is allowed.
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;  // infinity may be refused: keep it
  }
  const long long limit = static_cast<long long>(std::min<rlim_t>(rl.rlim_cur, 1 << 24));
  std::string line = "descriptor limit " + std::to_string(limit);
  if (tcp_addresses == 0) return line;
  // What is not a TCP connection: standard streams, signalfd, eventfd, the
  // main epoll, a tables file being reloaded, the control socket and its
  // clients (with room to accept-and-close one past the cap), each UDP
  // socket and its workers' epolls, each TCP listener, its epoll and a
  // connection being accepted-and-closed at the limit.
  const long long reserved = 16 + (kMaxControlClients + 2) +
                             static_cast<long long>(udp_addresses) * (1 + workers) +
                             static_cast<long long>(tcp_addresses) * 3;
  const long long fit = std::max(1LL, (limit - reserved) / tcp_addresses);
  if (limits.max_connections == 0) {
    limits.max_connections = static_cast<int>(std::min<long long>(fit, 1'000'000));
  } else if (limits.max_connections > fit) {
    log(Level::warning, "--tcp-max-connections " + std::to_string(limits.max_connections) +
                            " does not fit in the descriptor limit (" + std::to_string(limit) +
                            "): using " + std::to_string(fit));
    limits.max_connections = static_cast<int>(fit);
  }
  return line + ": up to " + std::to_string(limits.max_connections) +
         " TCP connections per address";
}

bool AcceptPause::failed(Stats& stats, int err, Clock::time_point now) {
  switch (err) {
    case EAGAIN:        // nothing queued (another thread took it)
    case EINTR:
    case ECONNABORTED:  // the peer gave up while queued
    case EPROTO:
    case EPERM:         // refused by a firewall rule
      return false;
    default:
      break;
  }
  ++stats.accept_errors;
  ++failures_;
  paused_ = true;
  resume_at_ = now + std::chrono::milliseconds(100);
  if (!episode_) {
    episode_ = true;
    episode_logged_ = !ever_logged_ || now - logged_ >= std::chrono::minutes(1);
    if (episode_logged_) {
      ever_logged_ = true;
      logged_ = now;
      log(Level::warning, "cannot accept on " + what_ + ": " + std::strerror(err) +
                              "; retrying every 100 ms");
    }
  }
  return true;
}

void AcceptPause::accepted() {
  if (!episode_) return;
  episode_ = false;
  if (episode_logged_)
    log(Level::info, "accepting again on " + what_ + " after " + std::to_string(failures_) +
                         " failed accept" + (failures_ == 1 ? "" : "s"));
  failures_ = 0;
}

bool parse_listen(const std::string& text, Listen& out, std::string& error) {
  return trunk::sip::parse_endpoint(text, "listen address", out, error);
}

std::string listen_error(const Listen& where, int err) {
  std::string error = "cannot listen on " + where.name() + ": " + std::strerror(err);
  if (err == EADDRINUSE) error += " (another trunkd or another server has it)";
  return error;
}

}  // namespace trunkd
