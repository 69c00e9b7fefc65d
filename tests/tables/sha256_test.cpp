// tables::Sha256, the hash of a site's digest (the "site digest" a tables
// file carries and trunkd reports): FIPS 180-4's test vectors, and the same
// digest whatever way the bytes are cut into update() calls. The values pin
// the digest of every existing tables file: they must never change.
#include <doctest/doctest.h>

#include <string>

#include "tables/sha256.hpp"

using trunk::tables::Sha256;
using trunk::tables::to_hex;

namespace {

std::string hash(std::string_view data) {
  Sha256 h;
  h.update(data);
  return to_hex(h.finish());
}

}  // namespace

TEST_CASE("sha256: FIPS 180-4 test vectors") {
  CHECK(hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256 million;
  const std::string thousand(1000, 'a');
  for (int i = 0; i < 1000; ++i) million.update(thousand);
  CHECK(to_hex(million.finish()) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256: the digest does not depend on how the input is cut") {
  std::string bytes;
  for (int r = 0; r < 3; ++r)
    for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  const char* kWant = "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363";
  CHECK(hash(bytes) == kWant);
  for (std::size_t step : {1u, 7u, 63u, 64u, 65u, 500u}) {
    Sha256 h;
    for (std::size_t i = 0; i < bytes.size(); i += step)
      h.update(std::string_view(bytes).substr(i, step));
    CHECK_MESSAGE(to_hex(h.finish()) == kWant, "step " << step);
  }
}
