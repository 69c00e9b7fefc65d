// HTTP digest authentication as SIP uses it (RFC 3261 sec 22, RFC 7616,
// RFC 8760): the client's side only. Reads the Digest challenges of a
// WWW-Authenticate or Proxy-Authenticate header value, chooses the strongest
// one this client can answer (SHA-512-256, then SHA-256, then MD5; the -sess
// variants too), and writes the Authorization / Proxy-Authorization value
// that answers it, with qop=auth when the server offers it and the legacy
// RFC 2069 form (no qop) when it does not.
//
// Pure text in, text out: no SIP stack, no sockets; the hashes come from
// OpenSSL's libcrypto. The password and the secrets derived from it (HA1,
// the response) are never kept in anything this module returns, except in
// the header value itself, which only goes on the wire: callers must not
// print it. Challenges are untrusted input: every value is capped
// (kMaxValue) and a malformed header is an error message, never a throw.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::sip::digest {

enum class Algorithm { md5, sha256, sha512_256 };
// "MD5", "SHA-256", "SHA-512-256" (without "-sess").
std::string_view to_string(Algorithm a);

// Longest parameter value (and longest header value / 16) accepted: nonces
// and opaques are short in practice; a huge one is a broken or hostile
// server, refused rather than hashed.
inline constexpr std::size_t kMaxValue = 1024;

// One Digest challenge. `supported` is false when its algorithm or its qop
// list is one this client cannot answer; `unsupported` then says why
// (e.g. `algorithm "SHA-1"`), for the report.
struct Challenge {
  std::string realm;
  std::string nonce;
  std::string opaque;
  bool has_opaque = false;
  std::string algorithm_text;  // as the server wrote it; empty when absent (MD5)
  Algorithm algorithm = Algorithm::md5;
  bool sess = false;           // the "-sess" variant
  bool qop_auth = false;       // "auth" is in its qop list
  bool has_qop = false;        // it has a qop list at all
  bool stale = false;
  bool userhash = false;       // RFC 7616 sec 3.4.4
  bool supported = true;
  std::string unsupported;
};

// Parses every Digest challenge in one header value (RFC 7235 allows
// several in one value; SIP usually sends one per header). Challenges of
// other schemes (Basic, ...) are skipped. Returns nullopt and sets `error`
// when the text is malformed (an unterminated quote, a parameter without
// '=', a Digest challenge without realm or nonce, a value over kMaxValue);
// the result may be empty when the value holds no Digest challenge.
std::optional<std::vector<Challenge>> parse_challenges(std::string_view value,
                                                       std::string& error);

// The challenge to answer among `challenges`: the strongest supported
// algorithm, and with it qop=auth over none. nullptr when none is
// supported; `why` then says what was offered (for "cannot answer ...").
const Challenge* choose(std::span<const Challenge> challenges, std::string& why);

// What answering a challenge needs besides the challenge itself.
struct Answer {
  std::string_view username;
  std::string_view password;
  std::string_view method;  // "REGISTER"
  std::string_view uri;     // the request URI, as sent
  std::string_view cnonce;  // client nonce: random_cnonce(), or fixed in tests
  std::uint32_t nc = 1;     // how many times this nonce has been used, this one included
};

// The `response` parameter: hex of KD(HA1, ...) as RFC 7616 sec 3.4.1
// defines it. A secret: for tests only, never for output.
std::string response(const Challenge& c, const Answer& a);

// The whole Authorization / Proxy-Authorization value:
// `Digest username="...", realm="...", nonce="...", uri="...",
// response="...", algorithm=..., cnonce="...", qop=auth, nc=00000001,
// opaque="..."`. Quoted values escape '"' and '\'. Secret (it carries the
// response): send it, never print it.
std::string authorization(const Challenge& c, const Answer& a);

// 16 random bytes from OpenSSL's RAND_bytes, as 32 hex digits.
std::string random_cnonce();

// The words for the report: "digest SHA-256, qop=auth", "digest MD5"
// (no qop), "digest SHA-256-sess, qop=auth".
std::string describe(const Challenge& c);

}  // namespace trunk::sip::digest
