// Digest challenges of a sofia-sip response answered (see digest_answer.hpp).
#include "sip/digest_answer.hpp"

#include <sofia-sip/sip_header.h>

#include "sip/digest.hpp"

namespace trunk::sip {

bool DigestAnswer::answer(const sip_t* sip, const std::string& user, const std::string& password,
                          const char* method, const std::string& url) {
  authorization.clear();
  proxy_authorization.clear();
  error.clear();
  bool ok = true;
  if (sip->sip_www_authenticate)
    ok = answer_one(sip->sip_www_authenticate, "WWW-Authenticate", user, password, method, url,
                    authorization);
  if (ok && sip->sip_proxy_authenticate)
    ok = answer_one(sip->sip_proxy_authenticate, "Proxy-Authenticate", user, password, method,
                    url, proxy_authorization);
  if (!ok) authorization.clear(), proxy_authorization.clear();
  if (ok && authorization.empty() && proxy_authorization.empty()) error = "no Digest challenge";
  return ok && (!authorization.empty() || !proxy_authorization.empty());
}

// sofia-sip keeps a challenge as its scheme and its parameters, each
// "name=value" as written; they are joined back into header text for
// sip::digest, which reads them (and refuses them) in one place.
bool DigestAnswer::answer_one(const msg_auth_t* headers, const char* name,
                              const std::string& user, const std::string& password,
                              const char* method, const std::string& url, std::string& out) {
  std::vector<digest::Challenge> challenges;
  for (const msg_auth_t* h = headers; h; h = h->au_next) {
    std::string text = h->au_scheme ? h->au_scheme : "";
    for (const msg_param_t* p = h->au_params; p && *p; ++p)
      text.append(p == h->au_params ? " " : ", ").append(*p);
    std::string parse_error;
    auto parsed = digest::parse_challenges(text, parse_error);
    if (!parsed) {
      error = std::string("malformed ") + name + ": " + parse_error;
      return false;
    }
    for (auto& c : *parsed) challenges.push_back(std::move(c));
  }
  const digest::Challenge* c = digest::choose(challenges, error);
  if (!c) return false;
  std::uint32_t nc = 1;
  for (auto& [nonce, count] : used_nonces_)
    if (nonce == c->nonce) nc = ++count;
  if (nc == 1) used_nonces_.emplace_back(c->nonce, 1);
  const std::string cnonce = digest::random_cnonce();
  out = digest::authorization(*c, {user, password, method, url, cnonce, nc});
  used = digest::describe(*c);
  return true;
}

}  // namespace trunk::sip
