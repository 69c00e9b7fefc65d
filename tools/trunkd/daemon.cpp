// Tables loading and reload, counters, logging, listen addresses, the
// descriptor budget and what an accept() failure does.
#include "daemon.hpp"

#include <sys/epoll.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>

#include "diag/json.hpp"
#include "tables/dump.hpp"
#include "sip/scanner.hpp"
#include "tables/sha256.hpp"

namespace trunkd {

namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};
std::atomic<bool> g_json{false};
std::mutex g_log_mutex;

// "2026-12-03T20:41:07.123Z": UTC with milliseconds, as log shippers parse.
std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];  // room for any int the compiler can imagine in each field
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}
}  // namespace

void set_log_level(Level level) { g_level = static_cast<int>(level); }
void set_log_json(bool json) { g_json = json; }

bool logs(Level level) { return static_cast<int>(level) <= g_level; }

void log(Level level, std::string_view event, const std::string& message) {
  if (!logs(level)) return;
  std::string line;
  if (g_json) {
    // The same fields as the text line (level, message) and the event's
    // name, escaped by the one JSON writer: a Call-ID or a path with
    // quotes or control bytes cannot break the line.
    static const char* kName[] = {"error", "warning", "info", "debug"};
    trunk::diag::JsonWriter w;
    w.begin_object()
        .field("ts", utc_timestamp())
        .field("level", kName[static_cast<int>(level)])
        .field("event", event)
        .field("message", message)
        .end_object();
    line = w.take();
  } else {
    // sd-daemon(3) priority prefixes: journald keeps the level, a terminal
    // shows it plainly enough.
    static const char* kPrefix[] = {"<3>error: ", "<4>warning: ", "<6>", "<7>debug: "};
    line = kPrefix[static_cast<int>(level)] + message;
  }
  line += '\n';
  std::lock_guard<std::mutex> lock(g_log_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
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
  const auto& t = loaded->tables;
  std::vector<std::string_view> names;
  for (const auto& tenant : t.tenants()) names.push_back(t.str(tenant.name));
  loaded->tenants.init(names);
  names.clear();
  for (const auto& trunk : t.trunks()) names.push_back(t.str(trunk.name));
  loaded->trunks.init(names);
  return loaded;
}

void Loaded::Decisions::init(std::span<const std::string_view> names) {
  by_address.clear();
  for (std::size_t i = 0; i < names.size(); ++i)
    by_address.emplace_back(names[i].data(), static_cast<std::uint32_t>(i));
  std::sort(by_address.begin(), by_address.end());
  counts = std::make_unique<std::atomic<std::uint64_t>[]>(names.size() * 2);
}

std::atomic<std::uint64_t>* Loaded::Decisions::slot(std::string_view name, bool refused) const {
  if (name.empty()) return nullptr;
  auto it = std::lower_bound(by_address.begin(), by_address.end(),
                             std::pair<const char*, std::uint32_t>(name.data(), 0));
  if (it == by_address.end() || it->first != name.data()) return nullptr;
  return &counts[it->second * 2 + (refused ? 1 : 0)];
}

void carry_decisions(const Loaded& from, const Loaded& to) {
  auto carry = [](const Loaded::Decisions& a, std::span<const std::string_view> a_names,
                  const Loaded::Decisions& b, std::span<const std::string_view> b_names) {
    std::map<std::string_view, std::uint32_t> index;
    for (std::uint32_t i = 0; i < b_names.size(); ++i) index.emplace(b_names[i], i);
    for (std::uint32_t i = 0; i < a_names.size(); ++i) {
      auto it = index.find(a_names[i]);
      if (it == index.end()) continue;  // gone from the site: its series ends
      for (int r = 0; r < 2; ++r)
        b.counts[it->second * 2 + r].fetch_add(a.counts[i * 2 + r].load(std::memory_order_relaxed),
                                               std::memory_order_relaxed);
    }
  };
  auto names = [](const trunk::tables::Tables& t, bool tenants) {
    std::vector<std::string_view> out;
    if (tenants)
      for (const auto& x : t.tenants()) out.push_back(t.str(x.name));
    else
      for (const auto& x : t.trunks()) out.push_back(t.str(x.name));
    return out;
  };
  carry(from.tenants, names(from.tables, true), to.tenants, names(to.tables, true));
  carry(from.trunks, names(from.tables, false), to.trunks, names(to.tables, false));
}

namespace {
// The shard of the calling thread: threads take the next one in turn, so
// the workers of one trunkd (up to kShards) each have their own.
std::atomic<std::size_t> g_next_shard{0};
std::size_t my_shard() {
  thread_local const std::size_t shard = g_next_shard.fetch_add(1) % Stats::kShards;
  return shard;
}
constexpr auto kRelaxed = std::memory_order_relaxed;
}  // namespace

void Stats::count_request(std::string_view method, int code) {
  constexpr std::size_t kOther = std::size(kMethods) - 1;
  std::size_t m = 0;
  while (m < kOther && method != kMethods[m]) ++m;
  std::size_t c = 0;
  while (c < std::size(kCodes) && code != kCodes[c]) ++c;  // size(kCodes): other
  shards[my_shard()].by_method_code[m][c].fetch_add(1, kRelaxed);
}

void Stats::count_answer(const Loaded& tables, const trunk::sip::Reply& reply,
                         std::chrono::steady_clock::time_point received) {
  if (reply.code == 0) return;
  const auto ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - received)
          .count());
  RequestCounts& mine = shards[my_shard()];
  std::size_t b = 0;
  while (b < std::size(kAnswerBucketsNs) && ns > kAnswerBucketsNs[b]) ++b;
  mine.answer_buckets[b].fetch_add(1, kRelaxed);
  mine.answer_ns.fetch_add(ns, kRelaxed);
  const bool refused = reply.code != 302;
  if (auto* n = tables.tenants.slot(reply.tenant, refused)) n->fetch_add(1, kRelaxed);
  if (auto* n = tables.trunks.slot(reply.trunk, refused)) n->fetch_add(1, kRelaxed);
}

std::uint64_t Stats::method_code_count(std::size_t m, std::size_t c) const {
  std::uint64_t n = 0;
  for (const auto& s : shards) n += s.by_method_code[m][c].load(kRelaxed);
  return n;
}

std::uint64_t Stats::method_count(std::size_t m) const {
  std::uint64_t n = 0;
  for (std::size_t c = 0; c < RequestCounts::kCodeCount; ++c) n += method_code_count(m, c);
  return n;
}

std::uint64_t Stats::code_count(std::size_t c) const {
  std::uint64_t n = 0;
  for (std::size_t m = 0; m < RequestCounts::kMethodCount; ++m) n += method_code_count(m, c);
  return n;
}

std::uint64_t Stats::get(trunk::control::Counter c) const {
  using trunk::control::Counter;
  // No default: a counter named in trunk::control and not served here is
  // a -Wswitch warning.
  switch (c) {
    case Counter::not_sip: return not_sip.load();
    case Counter::lookups: {  // every request counted, whatever its method
      std::uint64_t n = 0;
      for (std::size_t m = 0; m < RequestCounts::kMethodCount; ++m) n += method_count(m);
      return n;
    }
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
    log(Level::error, "reload-refused", account);
    return false;
  }
  auto previous = shared.current.exchange(fresh);
  if (previous) carry_decisions(*previous, *fresh);
  ++shared.stats.reloads;
  account = "reloaded " + shared.tables_path + " (site digest " + fresh->digest.substr(0, 16) +
            ", " + std::to_string(fresh->tables.routes().size()) + " routes)";
  log(Level::info, "reload", account);
  log(Level::info, "trusted-proxies", trusted_proxies(fresh->tables));
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
  const auto received = std::chrono::steady_clock::now();  // for the answer-time histogram
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
  shared.stats.count_answer(tables, *reply, received);
  if (reply->code != 0 && logs(Level::debug))  // the line is built only when it is written
    log(Level::debug, "answer",
        std::string(method) + " " +
            std::string(message ? message->call_id_view() : view.call_id()) + " -> " +
            std::to_string(reply->code) + " " + std::string(reply->reason));
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
  // clients (with room to accept-and-close one past the cap), the /metrics
  // socket, its epoll and its clients (the same), each UDP
  // socket and its workers' epolls, each TCP listener, its epoll and a
  // connection being accepted-and-closed at the limit.
  const long long reserved = 16 + (kMaxControlClients + 2) + (kMaxMetricsClients + 3) +
                             static_cast<long long>(udp_addresses) * (1 + workers) +
                             static_cast<long long>(tcp_addresses) * 3;
  const long long fit = std::max(1LL, (limit - reserved) / tcp_addresses);
  if (limits.max_connections == 0) {
    limits.max_connections = static_cast<int>(std::min<long long>(fit, 1'000'000));
  } else if (limits.max_connections > fit) {
    log(Level::warning, "tcp-max-connections", "--tcp-max-connections " + std::to_string(limits.max_connections) +
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
      log(Level::warning, "accept-failed", "cannot accept on " + what_ + ": " + std::strerror(err) +
                              "; retrying every 100 ms");
    }
  }
  return true;
}

void AcceptPause::accepted() {
  if (!episode_) return;
  episode_ = false;
  if (episode_logged_)
    log(Level::info, "accept-resumed", "accepting again on " + what_ + " after " + std::to_string(failures_) +
                         " failed accept" + (failures_ == 1 ? "" : "s"));
  failures_ = 0;
}

void epoll_watch(int ep, int fd, std::uint32_t events, int op) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  epoll_ctl(ep, op, fd, &ev);
}

int wait_ms(std::chrono::steady_clock::time_point next, std::chrono::steady_clock::time_point now) {
  if (next == std::chrono::steady_clock::time_point::max()) return -1;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count();
  return static_cast<int>(std::clamp<long long>(left + 1, 0, 60'000));
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
