// A SIP socket address as the tools spell it on their command lines:
// udp:ADDRESS:PORT or tcp:ADDRESS:PORT, an IPv6 address in brackets. One
// parser for trunkd's --listen and dialplan-compile's --emit addresses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace trunk::sip {

struct Endpoint {
  bool tcp = false;
  std::string address;  // as written, IPv6 without its brackets
  std::uint16_t port = 0;

  bool ipv6() const { return address.find(':') != std::string::npos; }
  // The address for a URI or message: IPv6 in brackets.
  std::string host() const { return ipv6() ? "[" + address + "]" : address; }
  // "udp:ADDRESS:PORT" again, for messages.
  std::string name() const;
  // sip:ADDRESS:PORT, with ;transport=tcp for TCP.
  std::string sip_uri() const;
};

// Parses `text`; false with `error` naming `what` ("listen address") when
// it is not udp:ADDRESS:PORT or tcp:ADDRESS:PORT with a port 0 to 65535.
// The address is not resolved here: the socket calls say what they take.
bool parse_endpoint(std::string_view text, std::string_view what, Endpoint& out,
                    std::string& error);

}  // namespace trunk::sip
