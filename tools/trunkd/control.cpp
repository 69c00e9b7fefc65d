// The control socket: one JSON object per line in, one per line out.
//   {"cmd":"stats"}
//   {"cmd":"reload"}
//   {"cmd":"lookup","tenant":"acme","number":"14155550123"}
//   {"cmd":"lookup","trunk":"CarrierA","did":"+4155551042"}
// Requests are flat objects of strings; anything else is answered with
// {"ok":false,"error":...}. Also here: making the socket without harming
// what is at its path (open_control). Serving the clients is the main
// loop's (control_loop.cpp).
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "daemon.hpp"
#include "diag/json_reader.hpp"
#include "control/socket_path.hpp"
#include "diag/json.hpp"
#include "route/decide_report.hpp"
#include "route/expect.hpp"

namespace trunkd {
namespace {

// A request: an object whose members are all strings (the last of a
// repeated name wins); false on anything else.
bool read_request(std::string_view line, std::map<std::string, std::string>& out) {
  trunk::diag::JsonValue v;
  std::string error;
  if (!trunk::diag::read_json(line, v, error) || !v.is_object()) return false;
  for (const auto& m : v.members) {
    if (m.value.kind != trunk::diag::JsonValue::Kind::string) return false;
    out[m.key] = m.value.text;
  }
  return true;
}

std::string error_reply(const std::string& message) {
  trunk::diag::JsonWriter w;
  w.begin_object().field("ok", false).field("error", message).end_object();
  return w.take();
}

std::string stats_reply(Shared& shared) {
  auto t = shared.current.load();
  const Stats& s = shared.stats;
  trunk::diag::JsonWriter w;
  // Every counter from trunk::control's lists, which trunkctl prints from.
  w.begin_object().field("ok", true).key("requests").begin_object();
  for (std::size_t i = 0; i < std::size(Stats::kMethods); ++i)
    w.field(Stats::kMethods[i], s.method_count(i));
  w.end_object().key("responses").begin_object();
  for (std::size_t i = 0; i < std::size(Stats::kCodes); ++i)
    w.field(trunk::control::code_key(Stats::kCodes[i]), s.code_count(i));
  w.end_object();
  for (const auto& c : trunk::control::kCounters) w.field(c.key, s.get(c.counter));
  w.key("tables")
      .begin_object()
      .field("path", t->path)
      .field("format_version", static_cast<std::uint64_t>(t->tables.version()))
      .field("site_digest", t->digest)
      .field("routes", static_cast<std::uint64_t>(t->tables.routes().size()))
      .end_object()
      .field("uptime_s", static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                        std::chrono::steady_clock::now() - s.started)
                                                        .count()))
      .end_object();
  return w.take();
}

std::string lookup_reply(Shared& shared, const std::map<std::string, std::string>& req) {
  auto t = shared.current.load();
  auto get = [&](const char* k) {
    auto it = req.find(k);
    return it == req.end() ? std::string() : it->second;
  };
  trunk::diag::JsonWriter w;
  if (req.count("tenant") && req.count("number")) {
    auto a = trunk::route::ask_outbound(t->router, get("tenant"), get("number"));
    if (!a.ok) return error_reply(a.error);
    w.begin_object().field("ok", true).field("tenant", get("tenant")).field("number", get("number"));
    w.field("route", a.route).field("send", a.send).field("caller_id", a.caller_id);
    if (!a.reason.empty()) w.field("reason", a.reason);
    w.key("trunks").begin_array();
    for (const auto& tr : a.trunks) w.value(tr);
    w.end_array();
    // The whole decision, as trunkd's 302 carries it.
    auto d = std::make_unique<trunk::route::Decision>();
    const auto& tables = t->router.tables();
    trunk::route::decide_outbound(t->router, tables.find_tenant(get("tenant")), get("number"), *d);
    w.key("decision").begin_object();
    trunk::route::write_decision(*d, tables, false, w);
    w.end_object().end_object();
    return w.take();
  }
  if (req.count("trunk") && req.count("did")) {
    auto a = trunk::route::ask_inbound(t->router, get("trunk"), get("did"));
    if (!a.ok) return error_reply(a.error);
    w.begin_object().field("ok", true).field("trunk", get("trunk")).field("did", get("did"));
    w.field("tenant", a.tenant).field("to", a.to);
    if (!a.reason.empty()) w.field("reason", a.reason);
    auto d = std::make_unique<trunk::route::Decision>();
    const auto& tables = t->router.tables();
    trunk::route::decide_inbound(t->router, tables.find_trunk(get("trunk")), get("did"), *d);
    w.key("decision").begin_object();
    trunk::route::write_decision(*d, tables, false, w);
    w.end_object().end_object();
    return w.take();
  }
  return error_reply("lookup needs \"tenant\" and \"number\", or \"trunk\" and \"did\"");
}

}  // namespace

std::string control_reply(Shared& shared, const std::string& line) {
  std::map<std::string, std::string> req;
  if (!read_request(line, req)) return error_reply("not a JSON object of strings");
  std::string cmd = req.count("cmd") ? req["cmd"] : "";
  if (cmd == "stats") return stats_reply(shared);
  if (cmd == "lookup") return lookup_reply(shared, req);
  if (cmd == "reload") {
    std::string account;
    bool ok = reload(shared, account);
    // What is served now, taken or refused: `trunkctl reload` compares it
    // across instances without a second request a SIGHUP could slip
    // between.
    auto t = shared.current.load();
    trunk::diag::JsonWriter w;
    w.begin_object().field("ok", ok).field("message", account);
    w.field("site_digest", t->digest).field("tables", t->path).end_object();
    return w.take();
  }
  return error_reply("unknown cmd \"" + cmd + "\"; known: stats, lookup, reload");
}

int open_control(const std::string& path, ino_t& inode, std::string& error) {
  sockaddr_un addr;
  if (!trunk::control::socket_address(path, addr, error)) return -1;
  struct stat st{};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      error = "control socket path " + path + " exists and is not a socket; not replacing it";
      return -1;
    }
    // A socket someone answers on belongs to a running trunkd (or another
    // server): taking it over would leave that one unreachable.
    // Non-blocking: a live server with a full backlog answers EAGAIN
    // rather than holding the start-up.
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int refused = probe >= 0 && connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
                      ? errno
                      : 0;
    if (probe >= 0) close(probe);
    if (refused != ECONNREFUSED) {
      error = refused == 0 || refused == EAGAIN ? "another trunkd serves " + path
                           : "cannot tell whether " + path + " is stale: " + std::strerror(refused);
      return -1;
    }
    unlink(path.c_str());  // stale: left by a trunkd that did not stop cleanly
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(fd, 16) != 0) {
    error = "cannot open control socket " + path + ": " + std::strerror(errno);
    if (fd >= 0) close(fd);
    return -1;
  }
  chmod(path.c_str(), 0660);
  inode = lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
  return fd;
}

void close_control(int fd, const std::string& path, ino_t inode) {
  close(fd);
  // Removed only if it is still the socket this trunkd made.
  struct stat st{};
  if (lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == inode)
    unlink(path.c_str());
}

}  // namespace trunkd
