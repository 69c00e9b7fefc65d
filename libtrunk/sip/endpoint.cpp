// udp:ADDRESS:PORT and tcp:ADDRESS:PORT, read and written.
#include "sip/endpoint.hpp"

namespace trunk::sip {

bool parse_endpoint(std::string_view text, std::string_view what, Endpoint& out,
                    std::string& error) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (text.rfind("udp:", 0) != 0 && text.rfind("tcp:", 0) != 0) {
    error = std::string(what) + " " + quoted + " must be udp:ADDRESS:PORT or tcp:ADDRESS:PORT";
    return false;
  }
  out.tcp = text[0] == 't';
  std::string_view rest = text.substr(4);
  std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
    error = std::string(what) + " " + quoted + " needs ADDRESS:PORT";
    return false;
  }
  std::string_view address = rest.substr(0, colon), port = rest.substr(colon + 1);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']')
    address = address.substr(1, address.size() - 2);
  unsigned long p = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || (p = p * 10 + static_cast<unsigned long>(c - '0')) > 65535) {
      error = "port \"" + std::string(port) + "\" in " + quoted + " is not 0-65535";
      return false;
    }
  }
  out.address = std::string(address);
  out.port = static_cast<std::uint16_t>(p);
  return true;
}

std::string Endpoint::name() const {
  return std::string(tcp ? "tcp:" : "udp:") + host() + ":" + std::to_string(port);
}

std::string Endpoint::sip_uri() const {
  return "sip:" + host() + ":" + std::to_string(port) + (tcp ? ";transport=tcp" : "");
}

}  // namespace trunk::sip
