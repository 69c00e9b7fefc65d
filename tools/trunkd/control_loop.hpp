// trunkd's main loop: signals (SIGHUP reload, SIGTERM/SIGINT stop) and the
// control socket, while the UDP workers serve.
#pragma once

#include <string>
#include <vector>

#include "daemon.hpp"

namespace trunkd {

// Runs until SIGTERM or SIGINT; returns the exit code.
int run(const std::string& tables, const std::vector<std::string>& listens,
        const std::string& control, int workers, const TcpLimits& tcp);

}  // namespace trunkd
