// trunkd's main loop: signals (SIGHUP reload, SIGTERM/SIGINT stop) and the
// control socket's clients, while the UDP and TCP threads serve.
#pragma once

#include <string>
#include <vector>

#include "daemon.hpp"

namespace trunkd {

// Runs until SIGTERM or SIGINT; returns the exit code (2: could not start).
// `tcp_flags` as given; a max_connections of 0 is set from the descriptor
// limit (fit_descriptors). `metrics`: ADDRESS:PORT to serve /metrics on,
// empty for none.
int run(const std::string& tables, const std::vector<std::string>& listens,
        const std::string& control, int workers, const TcpLimits& tcp_flags,
        const std::string& metrics);

}  // namespace trunkd
