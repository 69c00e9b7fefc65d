// trunkctl stats | reload: talk to a running trunkd over its control
// socket (JSON lines, see trunkd(8)).
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "commands.hpp"
#include "control/stats.hpp"

namespace trunkctl {

using namespace trunk;

namespace {

constexpr const char* kDefaultControl = "/run/trunkd/control.sock";

// Sends one request line and returns the reply line; false with `error`.
bool ask(const std::string& path, const std::string& request, std::string& reply,
         std::string& error) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    error = "control socket path is too long: " + path;
    return false;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error = "cannot reach trunkd at " + path + ": " + std::strerror(errno);
    if (fd >= 0) close(fd);
    return false;
  }
  std::string line = request + "\n";
  bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  char buf[4096];
  while (ok && reply.find('\n') == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) {
      error = "trunkd at " + path + " did not answer within 10 s";
      ok = false;
      break;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  if (ok && reply.find('\n') == std::string::npos) {
    error = "trunkd at " + path + " closed the connection without an answer";
    ok = false;
  }
  if (ok) reply.resize(reply.find('\n'));
  return ok;
}

// The value of "key": in a flat JSON reply, as written (string unquoted).
std::string field(const std::string& json, const std::string& key) {
  std::size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return "";
  at += key.size() + 3;
  if (at < json.size() && json[at] == '"') {
    std::size_t end = json.find('"', at + 1);
    return json.substr(at + 1, end - at - 1);
  }
  std::size_t end = json.find_first_of(",}", at);
  return json.substr(at, end - at);
}

// The stats reply as text: every counter trunk::control names, the same
// lists trunkd builds its reply from, so none is left out.
void print_stats(const std::string& reply) {
  auto row = [](std::string_view label, const std::string& value) {
    std::string line(label);
    line.resize(std::max<std::size_t>(line.size() + 1, 18), ' ');
    std::cout << line << value << "\n";
  };
  row("tables", field(reply, "path") + " (site digest " +
                    field(reply, "site_digest").substr(0, 16) + ", " + field(reply, "routes") +
                    " routes, format " + field(reply, "format_version") + ")");
  std::string requests;
  for (std::string_view m : control::kMethods)
    requests += (requests.empty() ? "" : ", ") + std::string(m) + " " + field(reply, std::string(m));
  row("requests", requests);
  std::string responses;
  for (int code : control::kCodes) {
    const std::string key = control::code_key(code);
    responses += (responses.empty() ? "" : ", ") + (code == 0 ? std::string("none sent") : key) +
                 " " + field(reply, key);
  }
  row("responses", responses);
  for (const auto& c : control::kCounters) row(c.label, field(reply, std::string(c.key)));
  row("uptime", field(reply, "uptime_s") + " s");
}

int run(const Common& common, const std::string& control, const char* cmd) {
  std::string reply, error;
  if (!ask(control, std::string("{\"cmd\":\"") + cmd + "\"}", reply, error)) {
    std::cerr << "trunkctl: " << error << "\n";
    return cli::kExitUnusable;
  }
  bool ok = field(reply, "ok") == "true";
  if (common.format == cli::Format::json) {
    std::cout << reply << "\n";
  } else if (std::string(cmd) == "reload") {
    std::cout << field(reply, "message") << field(reply, "error") << "\n";
  } else if (ok) {
    print_stats(reply);
  } else {
    std::cerr << "trunkctl: trunkd answered: " << field(reply, "error") << "\n";
  }
  return ok ? cli::kExitClean : cli::kExitFindings;
}

}  // namespace

Run setup_stats(CLI::App& app, Common& common) {
  auto control = std::make_shared<std::string>(kDefaultControl);
  app.add_option("--control", *control, "trunkd's control socket")->capture_default_str();
  return [&common, control] { return run(common, *control, "stats"); };
}

Run setup_reload(CLI::App& app, Common& common) {
  auto control = std::make_shared<std::string>(kDefaultControl);
  app.add_option("--control", *control, "trunkd's control socket")->capture_default_str();
  return [&common, control] { return run(common, *control, "reload"); };
}

}  // namespace trunkctl
