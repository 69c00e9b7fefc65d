// --emit kamailio DIR: read the deployment's addresses, make the files,
// write them.
#include "emit_proxy.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "io/atomic_write.hpp"
#include "proxy/kamailio.hpp"
#include "text/utf8.hpp"

namespace dialplan {

using namespace trunk;

namespace {

bool endpoints(const std::vector<std::string>& texts, const char* flag, const char* fallback,
               std::vector<sip::Endpoint>& out, std::string& error) {
  std::vector<std::string> given = texts;
  if (given.empty() && fallback) given.push_back(fallback);
  for (const auto& text : given) {
    sip::Endpoint e;
    if (!sip::parse_endpoint(text, std::string(flag) + " address", e, error)) return false;
    out.push_back(std::move(e));
  }
  return true;
}

// Whether `s` can stand inside a quoted string of the Kamailio script as it
// is: no quote, backslash or control character to end or escape it.
bool quotable(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

}  // namespace

int emit_proxy(const Options& o, const site::Site& site, const std::string& digest,
               diag::Sink& sink, std::vector<std::string>& written, std::string& error) {
  if (o.emit.size() != 2 || o.emit[0] != "kamailio") {
    error = "--emit takes a proxy and a directory: --emit kamailio DIR";
    return cli::kExitUnusable;
  }
  proxy::KamailioOptions k;
  if (!endpoints(o.listen, "--listen", "udp:127.0.0.1:5060", k.listen, error) ||
      !endpoints(o.trunkd, "--trunkd", "udp:127.0.0.1:5070", k.trunkd, error) ||
      !endpoints(o.dmq_peers, "--dmq-peer", nullptr, k.dmq_peers, error))
    return cli::kExitUnusable;
  for (const auto& e : k.trunkd)
    if (e.tcp) {
      error = "--trunkd address " + e.name() + ": the proxy asks trunkd over udp";
      return cli::kExitUnusable;
    }
  if (!o.dmq.empty()) {
    sip::Endpoint e;
    if (!sip::parse_endpoint(o.dmq, "--dmq address", e, error)) return cli::kExitUnusable;
    k.dmq = e;
  }
  k.ctl = o.kamailio_ctl;
  k.children = o.children;
  k.site_digest = digest;
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::absolute(o.emit[1], ec);
  if (ec) {
    error = "cannot use " + o.emit[1] + ": " + ec.message();
    return cli::kExitUnusable;
  }
  k.data_dir = dir.lexically_normal().string();
  for (auto [what, value] : {std::pair{"--emit directory", std::string_view(k.data_dir)},
                             {"--kamailio-ctl", std::string_view(k.ctl)}}) {
    if (!quotable(value)) {
      error = std::string(what) + " \"" + text::printable(value) +
              "\" holds a quote, a backslash or a control character, which the Kamailio "
              "script cannot quote";
      return cli::kExitUnusable;
    }
  }
  auto files = proxy::emit_kamailio(site, k, sink);
  if (sink.errors() > 0 || (o.strict && sink.warnings() > 0)) return cli::kExitFindings;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir.string() + ": " + ec.message();
    return cli::kExitUnusable;
  }
  for (const auto& f : files) {
    const std::filesystem::path path = dir / f.name;
    if (!io::write_atomically(path, f.text, error)) return cli::kExitUnusable;
    written.push_back(path.string());
  }
  return cli::kExitClean;
}

}  // namespace dialplan
