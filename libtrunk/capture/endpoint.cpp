// Endpoint and Transport text forms.
#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "net/ip_address.hpp"
#include "capture/reader.hpp"

namespace trunk::capture {

std::string_view to_string(Transport t) {
  switch (t) {
    case Transport::udp: return "udp";
    case Transport::tcp: return "tcp";
    case Transport::tls: return "tls";
    case Transport::sctp: return "sctp";
    case Transport::ws: return "ws";
    case Transport::wss: return "wss";
    case Transport::unknown: break;
  }
  return "unknown";
}

namespace {

// `v` in decimal, by hand: no locale, no format string.
void append_decimal(std::string& out, unsigned v) {
  char digits[8];
  std::size_t k = sizeof digits;
  do digits[--k] = static_cast<char>('0' + v % 10);
  while ((v /= 10) != 0);
  out.append(digits + k, sizeof digits - k);
}

}  // namespace

void Endpoint::append_address(std::string& out) const {
  if (family == 4) {
    // By hand rather than inet_ntop, which formats IPv4 with sprintf: a
    // report writes two or three of these per message, and that was a
    // visible share of its time.
    for (int i = 0; i < 4; ++i) {
      if (i) out += '.';
      append_decimal(out, addr[i]);
    }
  } else if (family == 6) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, addr.data(), buf, sizeof buf);
    out += buf;
  }
}

std::string Endpoint::address() const {
  std::string out;
  append_address(out);
  return out;
}

std::string Endpoint::to_string() const {
  std::string out;
  append_to(out);
  return out;
}

void Endpoint::append_to(std::string& out) const {
  if (!known()) return;
  if (port == 0) {
    append_address(out);
    return;
  }
  if (family == 6) out += '[';
  append_address(out);
  if (family == 6) out += ']';
  out += ':';
  append_decimal(out, port);
}

bool Endpoint::parse(std::string_view text, Endpoint& out) {
  Endpoint e;
  std::string_view host = text, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    auto colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto ip = net::parse_ip(host);
  if (!ip) return false;
  if (ip->v4()) {
    e.family = 4;
    std::memcpy(e.addr.data(), ip->bytes.data() + 12, 4);
  } else {
    e.family = 6;
    e.addr = ip->bytes;
  }
  if (!port.empty()) {
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc{} || end != port.data() + port.size() || p == 0 || p > 65535)
      return false;
    e.port = static_cast<std::uint16_t>(p);
  }
  out = e;
  return true;
}

}  // namespace trunk::capture
