// The answer to the digest challenges of one 401/407 that sofia-sip has
// parsed, for the live checks (register-test, probe): sofia's header
// structures in, header text out, the digest itself done by sip::digest.
// Internal to libtrunk/sip, as sofia-sip's types are.
//
// Not sofia-sip's auc_*, which knows MD5 only (sofia-sip 1.12): carriers
// now challenge with SHA-256 and SHA-512-256 (RFC 8760). The answers go out
// as header text with the retried request; nua, holding no credentials of
// its own, leaves them as they are. The password is hashed whole, so a
// password holding ':' (which nua's "Digest:REALM:USER:PASSWORD" string
// would cut) works too.
#pragma once

#include <sofia-sip/sip.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace trunk::sip {

class DigestAnswer {
 public:
  // Answers the challenges of the 401/407 `sip` for `method` to `url`:
  // false when it holds none this client can answer (`error` says why).
  // Every instance of WWW-Authenticate and of Proxy-Authenticate is read;
  // the strongest challenge of each is answered.
  bool answer(const sip_t* sip, const std::string& user, const std::string& password,
              const char* method, const std::string& url);

  std::string authorization;        // header values to send; secret: never printed
  std::string proxy_authorization;
  std::string used;                 // "digest SHA-256, qop=auth", for the report
  std::string error;                // why no answer was possible

 private:
  bool answer_one(const msg_auth_t* headers, const char* name, const std::string& user,
                  const std::string& password, const char* method, const std::string& url,
                  std::string& out);

  // Nonces answered so far and their counts: a nonce answered again (a
  // challenge repeated) counts nc up.
  std::vector<std::pair<std::string, std::uint32_t>> used_nonces_;
};

}  // namespace trunk::sip
