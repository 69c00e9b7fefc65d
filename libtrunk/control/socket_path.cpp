// The control socket's address (socket_path.hpp).
#include "control/socket_path.hpp"

#include <sys/socket.h>

#include <cstring>

namespace trunk::control {

bool socket_address(const std::string& path, sockaddr_un& addr, std::string& error) {
  addr = sockaddr_un{};
  if (path.size() >= sizeof addr.sun_path) {
    error = "control socket path is too long: " + path;
    return false;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return true;
}

}  // namespace trunk::control
