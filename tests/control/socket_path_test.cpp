// The control socket's address: a path that fits is copied whole, one that
// does not is refused by name rather than cut to another socket's path.
#include <doctest/doctest.h>

#include <sys/socket.h>

#include <cstring>

#include "control/socket_path.hpp"

TEST_CASE("control socket: a path that fits is the address, one too long is refused") {
  sockaddr_un addr;
  std::string error;
  REQUIRE(trunk::control::socket_address("/run/trunkd/control", addr, error));
  CHECK(addr.sun_family == AF_UNIX);
  CHECK(std::strcmp(addr.sun_path, "/run/trunkd/control") == 0);
  const std::string longest(sizeof addr.sun_path - 1, 'x');
  CHECK(trunk::control::socket_address(longest, addr, error));
  const std::string too_long(sizeof addr.sun_path, 'x');
  CHECK_FALSE(trunk::control::socket_address(too_long, addr, error));
  CHECK(error == "control socket path is too long: " + too_long);
}
