// Live checks of a trunk against its server: an OPTIONS probe and a REGISTER
// test with digest authentication, both sent by sofia-sip's user agent (nua).
//
// Each check sends real SIP to the peer and reports what an operator knows
// from PBX screens: online or offline; registered, authentication failed,
// transport type inconsistent, rejected, no response. When the trunk's own
// transport gets nothing back, the same host and port are tried over the
// other transports: a server that answers there is "transport type
// inconsistent", which is the usual cause (a trunk set to TCP against a
// UDP-only provider). Passwords are given by the caller and never appear in
// any result. The calls block for at most the timeout (twice, when the
// other transports are tried) and are not thread-safe among themselves.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sip/register_status.hpp"

namespace trunk::sip {

// Where a check sends.
struct Peer {
  std::string host;
  std::uint16_t port = 5060;
  std::string transport = "udp";  // udp | tcp | tls | wss
  std::string proxy_host;         // outbound proxy; empty when none
  std::uint16_t proxy_port = 0;   // 0: the transport's default
  // "sip:HOST:PORT;transport=T" (IPv6 hosts in brackets).
  std::string uri() const;
};

struct LiveOptions {
  std::chrono::milliseconds timeout{2000};
  // The local address to send from, as a sofia-sip URL: "sip:*:*" (all
  // interfaces, any port) or e.g. "sip:127.0.0.1:*".
  std::string bind = "sip:*:*";
  std::string user_agent = "trunkctl";
  // Try the other transports when the trunk's own gets no answer.
  bool try_other_transports = true;
};

enum class ProbeStatus { online, offline, transport_inconsistent };
std::string_view to_string(ProbeStatus s);  // "online", "offline", "transport-inconsistent"

struct ProbeResult {
  ProbeStatus status = ProbeStatus::offline;
  int code = 0;         // the server's response code; 0 when it sent none
  std::string phrase;   // its reason phrase, or what went wrong here
  double rtt_ms = 0;    // request to final response; 0 when none
  std::string answered_over;  // transport_inconsistent: the transport that answered
  // A 401/407 to the OPTIONS answered with the trunk's credentials: the
  // challenge answered ("digest SHA-256, qop=auth"), and the code, phrase
  // and round trip are the answer's. Empty when none was.
  std::string auth;
  std::string auth_error;  // why a challenge could not be answered
};

// A trunk's user name and password, to answer digest challenges with.
struct Credentials {
  std::string username;  // empty: none, a challenge is the probe's result
  std::string password;
};

// Sends OPTIONS to every peer at once and waits for all answers, at most
// `options.timeout`. Results are in the order of `peers`. A server that
// challenges the OPTIONS (401/407) is answered once, as register-test
// answers, with `credentials[i]` when given (empty span: none); it is
// online either way.
std::vector<ProbeResult> probe(std::span<const Peer> peers, const LiveOptions& options);
std::vector<ProbeResult> probe(std::span<const Peer> peers,
                               std::span<const Credentials> credentials,
                               const LiveOptions& options);


struct RegisterRequest {
  Peer peer;
  std::string domain;    // the AOR's host; the peer's host when empty
  std::string username;
  std::string password;  // never copied into a result
  int expires = 3600;    // asked for
  bool keep = false;     // leave the registration in place
};

struct RegisterResult {
  RegisterStatus status = RegisterStatus::no_response;
  int code = 0;          // the final response code; 0 when none
  std::string phrase;
  int granted_expires = -1;   // registered: what the registrar granted
  int challenges = 0;         // 401/407 answers seen
  bool unregistered = false;  // Expires: 0 was accepted afterwards
  int unregister_code = 0;    // its response code; 0 when none or --keep
  std::string answered_over;  // transport_inconsistent: the transport that answered
  double rtt_ms = 0;          // first request to final response
  // The challenge answered to register: "digest SHA-256, qop=auth"; empty
  // when none was. Never the password, HA1 or response.
  std::string auth;
  // Why a challenge could not be answered (status rejected): a malformed
  // header, or no algorithm and qop this client supports.
  std::string auth_error;
};

// Registers `request.username` at the peer, answering digest challenges with
// the password (all of it, whatever bytes it holds; the strongest of
// SHA-512-256, SHA-256 and MD5 offered, see sip/digest.hpp), then unregisters unless
// `keep`. A 401/407 that comes back
// after credentials were sent (and is not a stale nonce) is authentication
// failed; a 403 after credentials is too, while a 403 or other refusal to
// the first, unauthenticated request is rejected.
RegisterResult register_test(const RegisterRequest& request, const LiveOptions& options);

}  // namespace trunk::sip
