// trunkd's /metrics: the Prometheus text of its counters (render_metrics)
// and the small HTTP server that answers scrapes (start_metrics).
//
// The server is its own thread with its own listening socket and epoll, so
// a scrape never waits on a SIP worker and no scraper can slow one: at most
// kMaxMetricsClients at once (one more is accepted and closed), a request
// of at most 8 KiB, 5 s for the whole exchange, GET /metrics only (404
// for another path, 405 for another method, 400 for what is not HTTP),
// one answer per connection (Connection: close). What each metric means is
// in trunkd(8), METRICS.
#pragma once

#include <string>
#include <thread>
#include <vector>

#include "daemon.hpp"

namespace trunkd {

// The whole /metrics body for the counters in `shared` now.
std::string render_metrics(const Shared& shared);

// Listens on `address` ("127.0.0.1:9464", "[::1]:9464") and serves /metrics
// on a thread added to `threads`, until `shared.stopping` (woken by
// shared.wake_fd). Start it once the listeners run: it reads their UDP
// sockets. False (error set) when the address is bad or taken.
bool start_metrics(Shared& shared, const std::string& address, std::vector<std::thread>& threads,
                   std::string& error);

}  // namespace trunkd
