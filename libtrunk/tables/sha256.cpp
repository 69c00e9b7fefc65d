// SHA-256 through libcrypto's EVP interface (see sha256.hpp).
#include "tables/sha256.hpp"

#include <openssl/evp.h>

#include <cstdlib>

namespace trunk::tables {

// libcrypto fails these calls only when it cannot allocate or SHA-256 is
// unavailable, neither of which a site compile can work around: abort,
// as on any other allocation failure, rather than write a wrong digest.
namespace {
void check(int ok) {
  if (ok != 1) std::abort();
}
}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) std::abort();
  check(EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr));
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::update(std::string_view data) {
  check(EVP_DigestUpdate(ctx_, data.data(), data.size()));
}

std::array<std::uint8_t, 32> Sha256::finish() {
  std::array<std::uint8_t, 32> out{};
  unsigned int len = 0;
  check(EVP_DigestFinal_ex(ctx_, out.data(), &len));
  return out;
}

std::string to_hex(const std::array<std::uint8_t, 32>& digest) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (auto b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace trunk::tables
