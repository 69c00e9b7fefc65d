// SHA-256, for the digest of a site's source files that a tables file
// carries: operators compare it to know which site a running daemon
// serves. The hashing is OpenSSL's libcrypto (the library the digest
// authentication of sip/ uses too), so the project carries no hash code of
// its own; the digests are SHA-256's and never change (tests/tables/
// sha256_test.cpp pins them). Not used on any hot path.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of every includer

namespace trunk::tables {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;  // owns the libcrypto context
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  // The digest of everything updated; call once.
  std::array<std::uint8_t, 32> finish();

 private:
  evp_md_ctx_st* ctx_;
};

std::string to_hex(const std::array<std::uint8_t, 32>& digest);

}  // namespace trunk::tables
