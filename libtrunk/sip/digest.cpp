// Digest challenges read, chosen and answered (see digest.hpp).
//
// The challenge grammar is RFC 7235's: auth-scheme, then comma-separated
// name=value parameters whose values are tokens or quoted strings; a token
// not followed by '=' starts the next challenge. Values are read leniently
// (a quoted algorithm, an unquoted realm are taken as meant) but never
// past kMaxValue, and a control character in a value is an error, so
// nothing a server sends can put a line break into our answer.
#include "sip/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>

namespace trunk::sip::digest {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }
bool is_token_char(char c) {
  return !is_space(c) && !is_control(c) && c != ',' && c != '"' && c != '=';
}

// A cursor over the header value, with the errors it can find.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  void skip_spaces() { while (!at_end() && is_space(peek())) ++pos_; }
  void skip_spaces_and_commas() {
    while (!at_end() && (is_space(peek()) || peek() == ',')) ++pos_;
  }
  bool take(char c) {
    if (at_end() || peek() != c) return false;
    ++pos_;
    return true;
  }
  std::string_view token() {
    std::size_t start = pos_;
    while (!at_end() && is_token_char(peek())) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // A quoted string (the opening quote already taken) or a token.
  bool value(std::string& out, std::string& error) {
    out.clear();
    if (!take('"')) {
      out = token();
      return check_length(out, error);
    }
    for (;;) {
      if (at_end()) return fail(error, "unterminated quoted string");
      char c = text_[pos_++];
      if (c == '"') break;
      if (c == '\\') {
        if (at_end()) return fail(error, "unterminated quoted string");
        c = text_[pos_++];
      }
      if (is_control(c)) return --pos_, fail(error, "control character in a quoted value");
      out.push_back(c);
      if (!check_length(out, error)) return false;
    }
    return true;
  }
  bool fail(std::string& error, std::string_view what) const {
    error = std::string(what) + " at column " + std::to_string(pos_ + 1);
    return false;
  }

 private:
  bool check_length(const std::string& v, std::string& error) const {
    if (v.size() <= kMaxValue) return true;
    return fail(error, "value longer than " + std::to_string(kMaxValue) + " bytes");
  }
  std::string_view text_;
  std::size_t pos_ = 0;
};

struct AlgorithmName {
  std::string_view name;
  Algorithm algorithm;
  bool sess;
};
constexpr AlgorithmName kAlgorithms[] = {
    {"MD5", Algorithm::md5, false},         {"MD5-sess", Algorithm::md5, true},
    {"SHA-256", Algorithm::sha256, false},  {"SHA-256-sess", Algorithm::sha256, true},
    {"SHA-512-256", Algorithm::sha512_256, false},
    {"SHA-512-256-sess", Algorithm::sha512_256, true},
};

void set_algorithm(Challenge& c, const std::string& text) {
  c.algorithm_text = text;
  for (const auto& a : kAlgorithms) {
    if (!iequals(a.name, text)) continue;
    c.algorithm = a.algorithm;
    c.sess = a.sess;
    return;
  }
  c.supported = false;
  c.unsupported = "algorithm \"" + text + "\"";
}

void set_qop(Challenge& c, std::string_view list) {
  c.has_qop = true;
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && is_space(item.front())) item.remove_prefix(1);
    while (!item.empty() && is_space(item.back())) item.remove_suffix(1);
    if (iequals(item, "auth")) c.qop_auth = true;
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
}

// Stores one parameter of a Digest challenge; false (with `error`) when it
// is given twice.
bool set_param(Challenge& c, std::string_view name, const std::string& value,
               std::vector<std::string>& seen, std::string& error) {
  for (const auto& s : seen)
    if (iequals(s, name)) return error = "parameter " + std::string(name) + " given twice", false;
  seen.emplace_back(name);
  if (iequals(name, "realm")) c.realm = value;
  else if (iequals(name, "nonce")) c.nonce = value;
  else if (iequals(name, "opaque")) c.opaque = value, c.has_opaque = true;
  else if (iequals(name, "algorithm")) set_algorithm(c, value);
  else if (iequals(name, "qop")) set_qop(c, value);
  else if (iequals(name, "stale")) c.stale = iequals(value, "true");
  else if (iequals(name, "userhash")) c.userhash = iequals(value, "true");
  return true;  // domain, charset and extensions are not needed to answer
}

// Closes the Digest challenge just read: realm and nonce are required, and
// a qop list without "auth" (only auth-int) cannot be answered here.
bool finish(Challenge& c, const std::vector<std::string>& seen, std::string& error) {
  auto has = [&](std::string_view n) {
    return std::any_of(seen.begin(), seen.end(), [&](const auto& s) { return iequals(s, n); });
  };
  if (!has("realm")) return error = "Digest challenge without realm", false;
  if (!has("nonce")) return error = "Digest challenge without nonce", false;
  if (c.nonce.empty()) return error = "Digest challenge with an empty nonce", false;
  if (c.supported && c.has_qop && !c.qop_auth) {
    c.supported = false;
    c.unsupported = "qop without \"auth\"";
  }
  return true;
}

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) hex.push_back(kHex[bytes[i] >> 4]), hex.push_back(kHex[bytes[i] & 15]);
  return hex;
}

const EVP_MD* md_of(Algorithm a) {
  switch (a) {
    case Algorithm::md5: return EVP_md5();
    case Algorithm::sha256: return EVP_sha256();
    case Algorithm::sha512_256: return EVP_sha512_256();
  }
  return EVP_md5();
}

// Lower-case hex of H(data). Empty if libcrypto refuses the algorithm (MD5
// in a FIPS-only configuration): the server then refuses the answer, which
// the caller reports as authentication failed.
std::string hash_hex(Algorithm a, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md_of(a), nullptr) != 1) return {};
  std::string hex = to_hex(out, len);
  OPENSSL_cleanse(out, sizeof out);
  return hex;
}

// Wipes a secret (a password copy, HA1) before its memory is freed.
void wipe(std::string& s) {
  OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

std::string nc_text(std::uint32_t nc) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", nc);
  return buf;
}

// `name="value"`, with '"' and '\' escaped, after a comma unless first.
void append_quoted(std::string& out, std::string_view name, std::string_view value) {
  if (!out.ends_with(' ')) out.append(", ");
  out.append(name).append("=\"");
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

std::string_view to_string(Algorithm a) {
  switch (a) {
    case Algorithm::md5: return "MD5";
    case Algorithm::sha256: return "SHA-256";
    case Algorithm::sha512_256: return "SHA-512-256";
  }
  return "MD5";
}

std::optional<std::vector<Challenge>> parse_challenges(std::string_view value,
                                                       std::string& error) {
  if (value.size() > 16 * kMaxValue) {
    error = "header value longer than " + std::to_string(16 * kMaxValue) + " bytes";
    return std::nullopt;
  }
  std::vector<Challenge> out;
  Reader r(value);
  bool in_digest = false, in_other = false;
  Challenge current;
  std::vector<std::string> seen;
  std::string text;
  for (;;) {
    r.skip_spaces_and_commas();
    if (r.at_end()) break;
    std::string_view name = r.token();
    if (name.empty()) return r.fail(error, "expected a name"), std::nullopt;
    r.skip_spaces();
    if (!r.take('=')) {  // a scheme: the next challenge starts
      if (in_digest && !finish(current, seen, error)) return std::nullopt;
      if (in_digest) out.push_back(std::move(current));
      current = Challenge{};
      seen.clear();
      in_digest = iequals(name, "Digest");
      in_other = !in_digest;
      continue;
    }
    if (!in_digest && !in_other) return r.fail(error, "parameter before any scheme"), std::nullopt;
    r.skip_spaces();
    if (!r.value(text, error)) return std::nullopt;
    if (in_digest && !set_param(current, name, text, seen, error)) return std::nullopt;
    r.skip_spaces();
    if (!r.at_end() && r.peek() != ',') return r.fail(error, "expected ','"), std::nullopt;
  }
  if (in_digest && !finish(current, seen, error)) return std::nullopt;
  if (in_digest) out.push_back(std::move(current));
  return out;
}

const Challenge* choose(std::span<const Challenge> challenges, std::string& why) {
  const Challenge* best = nullptr;
  auto rank = [](const Challenge& c) { return 2 * static_cast<int>(c.algorithm) + c.qop_auth; };
  std::string refused;
  for (const auto& c : challenges) {
    if (!c.supported) {
      if (refused.find(c.unsupported) == std::string::npos)
        refused.append(refused.empty() ? "" : ", ").append(c.unsupported);
      continue;
    }
    if (!best || rank(c) > rank(*best)) best = &c;
  }
  if (!best)
    why = refused.empty() ? "no Digest challenge"
                          : "no Digest challenge this client can answer (offered: " + refused +
                                "; supported: MD5, SHA-256, SHA-512-256, with or without -sess, "
                                "qop=auth or none)";
  return best;
}

std::string response(const Challenge& c, const Answer& a) {
  std::string secret;
  secret.append(a.username).append(":").append(c.realm).append(":").append(a.password);
  std::string ha1 = hash_hex(c.algorithm, secret);
  wipe(secret);
  if (c.sess) {
    secret.append(ha1).append(":").append(c.nonce).append(":").append(a.cnonce);
    wipe(ha1);
    ha1 = hash_hex(c.algorithm, secret);
    wipe(secret);
  }
  std::string a2;
  a2.append(a.method).append(":").append(a.uri);
  const std::string ha2 = hash_hex(c.algorithm, a2);
  secret.append(ha1).append(":").append(c.nonce).append(":");
  if (c.qop_auth) secret.append(nc_text(a.nc)).append(":").append(a.cnonce).append(":auth:");
  secret.append(ha2);
  wipe(ha1);
  std::string out = hash_hex(c.algorithm, secret);
  wipe(secret);
  return out;
}

std::string authorization(const Challenge& c, const Answer& a) {
  // The user's name, or with userhash its hash, which hides it on the wire.
  std::string user(a.username);
  if (c.userhash) {
    user.append(":").append(c.realm);
    user = hash_hex(c.algorithm, user);
  }
  std::string out = "Digest ";
  append_quoted(out, "username", user);
  append_quoted(out, "realm", c.realm);
  append_quoted(out, "nonce", c.nonce);
  append_quoted(out, "uri", a.uri);
  std::string resp = response(c, a);
  append_quoted(out, "response", resp);
  wipe(resp);
  if (!c.algorithm_text.empty())
    out.append(", algorithm=").append(to_string(c.algorithm)).append(c.sess ? "-sess" : "");
  if (c.qop_auth || c.sess) append_quoted(out, "cnonce", a.cnonce);
  if (c.qop_auth) out.append(", qop=auth, nc=").append(nc_text(a.nc));
  if (c.has_opaque) append_quoted(out, "opaque", c.opaque);
  if (c.userhash) out.append(", userhash=true");
  return out;
}

std::string random_cnonce() {
  unsigned char bytes[16];
  // Without entropy the cnonce is still unique enough for one test run;
  // it protects the server against chosen-plaintext, not us.
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "00000000000000000000000000000000";
  return to_hex(bytes, sizeof bytes);
}

std::string describe(const Challenge& c) {
  std::string out = "digest ";
  out.append(to_string(c.algorithm)).append(c.sess ? "-sess" : "");
  if (c.qop_auth) out.append(", qop=auth");
  return out;
}

}  // namespace trunk::sip::digest
