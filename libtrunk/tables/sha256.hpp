// SHA-256 (FIPS 180-4), for the digest of a site's source files that a
// tables file carries: operators compare it to know which site a running
// daemon serves. Small and self-contained; not used on any hot path.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace trunk::tables {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  std::array<std::uint8_t, 32> finish();

 private:
  void block(const std::uint8_t* p);
  std::uint32_t h_[8];
  std::uint8_t buf_[64];
  std::size_t buf_len_ = 0;
  std::uint64_t total_ = 0;
};

std::string to_hex(const std::array<std::uint8_t, 32>& digest);

}  // namespace trunk::tables
