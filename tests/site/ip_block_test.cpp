// IP blocks (site/ip_block.hpp): what parses, and when two blocks overlap.
#include <doctest/doctest.h>

#include "site/ip_block.hpp"

using trunk::site::IpBlock;
using trunk::site::overlaps;
using trunk::site::parse_ip_block;

namespace {
IpBlock block(const char* s) {
  auto b = parse_ip_block(s);
  REQUIRE_MESSAGE(b, s);
  return *b;
}
}  // namespace

TEST_CASE("ip blocks: addresses and blocks of both families parse, nothing else") {
  CHECK(block("203.0.113.10").prefix == 128);
  CHECK(block("203.0.113.16/28").prefix == 124);
  CHECK(block("0.0.0.0/0").prefix == 96);
  CHECK(block("2001:db8::/32").prefix == 32);
  CHECK(block("203.0.113.10") == block("::ffff:203.0.113.10"));
  for (const char* bad : {"", "203.0.113.300", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x",
                          "10.0.0.0/0032", "[::1]", "fe80::1%eth0", "gw.example", "10.0.0.1 "})
    CHECK_MESSAGE(!parse_ip_block(bad), bad);
}

TEST_CASE("ip blocks: overlap is agreement on the shorter prefix") {
  CHECK(overlaps(block("203.0.113.0/24"), block("203.0.113.5")));
  CHECK(overlaps(block("203.0.113.5"), block("203.0.113.0/24")));
  CHECK(overlaps(block("203.0.113.17/28"), block("203.0.113.30")));  // host bits ignored
  CHECK_FALSE(overlaps(block("203.0.113.16/28"), block("203.0.113.32")));
  CHECK_FALSE(overlaps(block("203.0.113.4"), block("203.0.113.5")));
  CHECK(overlaps(block("203.0.113.6/31"), block("203.0.113.7")));
  CHECK_FALSE(overlaps(block("203.0.113.6/31"), block("203.0.113.5")));
  CHECK(overlaps(block("0.0.0.0/0"), block("198.51.100.1")));
  CHECK_FALSE(overlaps(block("0.0.0.0/0"), block("2001:db8::1")));  // IPv4 only
  CHECK(overlaps(block("::/0"), block("198.51.100.1")));            // everything
  CHECK(overlaps(block("2001:db8::/33"), block("2001:db8:7fff::1")));
  CHECK_FALSE(overlaps(block("2001:db8::/33"), block("2001:db8:8000::1")));
}
