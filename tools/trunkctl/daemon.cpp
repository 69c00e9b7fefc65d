// trunkctl stats | reload: talk to running trunkd instances over their
// control sockets (JSON lines, see trunkd(8)), one after the other.
//
// Production runs several trunkd; a reload is asked of each, and what the
// set came to (every one reloaded, one site digest everywhere) is judged by
// trunk::control (control/reload_outcome.hpp); replies are read with
// diag/json_reader.hpp. This file only asks and prints.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <vector>

#include "commands.hpp"
#include "diag/json_reader.hpp"
#include "control/socket_path.hpp"
#include "control/reload_outcome.hpp"
#include "control/stats.hpp"
#include "text/utf8.hpp"

namespace trunkctl {

using namespace trunk;

namespace {

constexpr const char* kDefaultControl = "/run/trunkd/control.sock";
// A stats reply is about 1 KiB; more than this is no trunkd talking.
constexpr std::size_t kMaxReply = 1 << 20;

using Clock = std::chrono::steady_clock;

// Waits for `events` on `fd`; false when `deadline` passed first.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

std::string too_late(const std::string& path) {
  return "trunkd at " + path + " did not answer within 10 s";
}

// A non-blocking connection to the control socket at `path`; -1 with
// `error`. A Unix socket whose backlog is full answers EAGAIN to a
// non-blocking connect (a blocking one would wait for ever): it is tried
// again until the deadline.
int connect_control(const std::string& path, Clock::time_point deadline, std::string& error) {
  sockaddr_un addr;
  if (!trunk::control::socket_address(path, addr, error)) return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    error = std::string("cannot make a socket: ") + std::strerror(errno);
    return -1;
  }
  while (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == EAGAIN && Clock::now() < deadline) {
      poll(nullptr, 0, 20);
      continue;
    }
    error = errno == EAGAIN ? too_late(path) + " (its control socket's backlog is full)"
                            : "cannot reach trunkd at " + path + ": " + std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

bool send_line(int fd, const std::string& line, const std::string& path,
               Clock::time_point deadline, std::string& error) {
  std::size_t sent = 0;
  while (sent < line.size()) {
    ssize_t n = send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(fd, POLLOUT, deadline)) {
        error = too_late(path);
        return false;
      }
    } else {
      error = "cannot send to trunkd at " + path + ": " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

// Reads until a line end (the reply), the peer closing, or the deadline.
bool read_reply(int fd, const std::string& path, Clock::time_point deadline,
                std::string& reply, std::string& error) {
  char buf[4096];
  while (reply.find('\n') == std::string::npos) {
    if (!wait_for(fd, POLLIN, deadline)) {
      error = too_late(path);
      return false;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
    if (reply.size() > kMaxReply && reply.find('\n') == std::string::npos) {
      error = "trunkd at " + path + " answered more than 1 MiB without a line end";
      return false;
    }
  }
  if (reply.find('\n') == std::string::npos) {
    error = "trunkd at " + path + " closed the connection without an answer";
    return false;
  }
  reply.resize(reply.find('\n'));
  return true;
}

// Sends one request line and returns the reply line; false with `error`.
// Each call has its own deadline of 10 s, for connecting, sending and the
// whole answer: a trunkd that is stopped, or whose backlog is full, costs
// that much and no more, and the next instance is still asked.
bool ask(const std::string& path, const std::string& request, std::string& reply,
         std::string& error) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  int fd = connect_control(path, deadline, error);
  if (fd < 0) return false;
  bool ok = send_line(fd, request + "\n", path, deadline, error) &&
            read_reply(fd, path, deadline, reply, error);
  close(fd);
  return ok;
}

// A reply's value as the text prints it: a number or string as it is
// (made safe for a terminal), "?" when trunkd did not send it.
std::string shown(const diag::JsonValue* v) {
  if (!v || (v->kind != diag::JsonValue::Kind::number &&
             v->kind != diag::JsonValue::Kind::string))
    return "?";
  return text::printable(v->text);
}

void row(std::string_view label, const std::string& value) {
  std::string line(label);
  line.resize(std::max<std::size_t>(line.size() + 1, 18), ' ');
  std::cout << line << value << "\n";
}

// The stats reply as text: every counter trunk::control names, the same
// lists trunkd builds its reply from, so none is left out.
void print_stats(const diag::JsonValue& reply) {
  const diag::JsonValue none;
  const diag::JsonValue* tables = reply.find("tables");
  if (!tables) tables = &none;
  const diag::JsonValue* digest = tables->find("site_digest");
  row("tables", shown(tables->find("path")) + " (site digest " + shown(digest).substr(0, 16) +
                    ", " + shown(tables->find("routes")) + " routes, format " +
                    shown(tables->find("format_version")) + ")");
  const diag::JsonValue* by_method = reply.find("requests");
  if (!by_method) by_method = &none;
  std::string requests;
  for (std::string_view m : control::kMethods)
    requests += (requests.empty() ? "" : ", ") + std::string(m) + " " + shown(by_method->find(m));
  row("requests", requests);
  const diag::JsonValue* by_code = reply.find("responses");
  if (!by_code) by_code = &none;
  std::string responses;
  for (int code : control::kCodes) {
    const std::string key = control::code_key(code);
    responses += (responses.empty() ? "" : ", ") + (code == 0 ? std::string("none sent") : key) +
                 " " + shown(by_code->find(key));
  }
  row("responses", responses);
  for (const auto& c : control::kCounters) row(c.label, shown(reply.find(c.key)));
  row("uptime", shown(reply.find("uptime_s")) + " s");
}

// One instance's stats: its reply read, or why there is none.
struct InstanceStats {
  std::string control;
  diag::JsonValue reply;  // an object with "ok", when `error` is empty
  std::string error;
};

InstanceStats ask_stats(const std::string& path) {
  InstanceStats s{path, {}, {}};
  std::string line, read_error;
  if (!ask(path, R"({"cmd":"stats"})", line, s.error)) return s;
  if (!diag::read_json(line, s.reply, read_error) || !s.reply.is_object())
    s.error = "the answer from " + path + " is no trunkd stats reply" +
              (read_error.empty() ? std::string() : " (" + read_error + ")");
  else if (!s.reply.is_true("ok"))
    s.error = "trunkd at " + path + " answered: " + s.reply.string_or("error", "not ok");
  return s;
}

// One socket: its reply as it came (JSON) or its rows (text), as before
// there were several. Several: an array of objects, each the reply with
// "control" first (or "ok": false and the "error"), or one block of rows
// per instance, headed by its socket.
int run_stats(const Common& common, const std::vector<std::string>& controls) {
  std::vector<InstanceStats> all;
  for (const auto& path : controls) all.push_back(ask_stats(path));
  const auto failed = static_cast<std::size_t>(
      std::count_if(all.begin(), all.end(), [](const auto& s) { return !s.error.empty(); }));
  const bool several = all.size() > 1;
  if (common.format == cli::Format::json) {
    diag::JsonWriter w;
    if (several) w.begin_array();
    for (const auto& s : all) {
      if (!several && !s.error.empty()) continue;
      w.begin_object();
      if (several) w.field("control", s.control);
      if (s.error.empty()) {
        for (const auto& m : s.reply.members) {
          if (m.key == "control") continue;
          w.key(m.key);
          diag::write_json(m.value, w);
        }
      } else {
        w.field("ok", false).field("error", s.error);
      }
      w.end_object();
    }
    if (several) w.end_array();
    if (!w.str().empty()) std::cout << w.str() << "\n";
  } else {
    bool first = true;
    for (const auto& s : all) {
      if (several) {
        std::cout << (first ? "" : "\n");
        row("control", text::printable(s.control));
      }
      first = false;
      if (s.error.empty()) print_stats(s.reply);
    }
  }
  for (const auto& s : all)
    if (!s.error.empty()) std::cerr << "trunkctl: " << text::printable(s.error) << "\n";
  if (failed == all.size()) return cli::kExitUnusable;
  return failed ? cli::kExitFindings : cli::kExitClean;
}

// Asks every instance to reload, one after the other: an instance that
// cannot be reached is reported and the next one is still asked.
int run_reload(const Common& common, const std::vector<std::string>& controls,
               const std::string& expect_text) {
  std::string error;
  std::string expect;
  if (!expect_text.empty() && (expect = control::digest_prefix(expect_text, error)).empty()) {
    std::cerr << "trunkctl reload: " << error << "\n";
    return cli::kExitUnusable;
  }
  std::vector<control::InstanceReload> all;
  for (const auto& path : controls) {
    std::string line;
    error.clear();
    if (ask(path, R"({"cmd":"reload"})", line, error))
      all.push_back(control::read_reload_reply(path, line));
    else
      all.push_back({path, control::ReloadState::unreachable, {}, {}, error});
  }
  const control::ReloadOutcome outcome = control::judge_reload(all, expect);
  if (common.format == cli::Format::json) {
    diag::JsonWriter w;
    w.begin_object().field("ok", outcome.exit_code == cli::kExitClean);
    if (!expect.empty()) w.field("expect_digest", expect);
    w.key("instances").begin_array();
    for (const auto& i : all) {
      w.begin_object().field("control", i.control).field("state", control::state_name(i.state));
      if (!i.site_digest.empty()) w.field("site_digest", i.site_digest);
      if (!i.tables.empty()) w.field("tables", i.tables);
      if (!i.error.empty()) w.field("error", i.error);
      w.end_object();
    }
    w.end_array().key("findings").begin_array();
    for (const auto& f : outcome.findings)
      w.begin_object().field("code", f.code).field("message", f.message).end_object();
    w.end_array().end_object();
    std::cout << w.str() << "\n";
    return outcome.exit_code;
  }
  // PATH: STATE, site digest 0123456789abcdef[: why]
  for (const auto& i : all) {
    std::cout << text::printable(i.control) << ": " << control::state_name(i.state);
    if (!i.site_digest.empty()) std::cout << ", site digest " << i.site_digest.substr(0, 16);
    if (!i.error.empty()) std::cout << ": " << text::printable(i.error);
    std::cout << "\n";
  }
  for (const auto& f : outcome.findings)
    std::cerr << "trunkctl reload: error[" << f.code << "]: " << text::printable(f.message)
              << "\n";
  return outcome.exit_code;
}

// --control, repeatable; the default when none is given.
std::shared_ptr<std::vector<std::string>> add_control_option(CLI::App& app) {
  auto controls = std::make_shared<std::vector<std::string>>();
  app.add_option("--control", *controls,
                 std::string("a trunkd's control socket; repeat for several (default ") +
                     kDefaultControl + ")");
  return controls;
}

std::vector<std::string> or_default(const std::vector<std::string>& controls) {
  return controls.empty() ? std::vector<std::string>{kDefaultControl} : controls;
}

}  // namespace

Run setup_stats(CLI::App& app, Common& common) {
  auto controls = add_control_option(app);
  return [&common, controls] { return run_stats(common, or_default(*controls)); };
}

Run setup_reload(CLI::App& app, Common& common) {
  auto controls = add_control_option(app);
  auto expect = std::make_shared<std::string>();
  app.add_option("--expect-digest", *expect,
                 "the site digest (or its first 8+ hex digits) every instance must serve after");
  return [&common, controls, expect] {
    return run_reload(common, or_default(*controls), *expect);
  };
}

}  // namespace trunkctl
