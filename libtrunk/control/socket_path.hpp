// The control socket's address: the one place that turns the path trunkd
// listens on and trunkctl connects to into a sockaddr_un, refusing a path
// the address cannot hold (sun_path is about 108 bytes) rather than
// cutting it short, which would name another socket.
#pragma once

#include <sys/un.h>

#include <string>

namespace trunk::control {

// Fills `addr` for the Unix socket at `path`; false with `error` when the
// path is too long for it.
bool socket_address(const std::string& path, sockaddr_un& addr, std::string& error);

}  // namespace trunk::control
