// The counters of trunkd's control-socket `stats` reply, named once.
//
// trunkd builds its JSON reply from these lists and `trunkctl stats` prints
// its text from the same lists, so a counter trunkd reports is always in
// both (issue #15: the text had left out the 400s, the dropped requests and
// every TCP and control counter). What each counter counts is trunkd's
// business (tools/trunkd/daemon.hpp, trunkd(8)); this file holds only their
// names, their order and the words the text output gives them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace trunk::control {

// Requests by method: the keys of the reply's "requests" object.
inline constexpr std::string_view kMethods[] = {"INVITE", "ACK", "OPTIONS", "CANCEL", "other"};

// Responses by code: the keys of the reply's "responses" object, 0 being
// "none" (a request trunkd answered with nothing).
inline constexpr int kCodes[] = {0, 200, 302, 400, 403, 404, 405, 481, 484, 500};
// "none" for 0, else the code: "404".
inline std::string code_key(int code) { return code == 0 ? "none" : std::to_string(code); }

// The reply's top-level counters, in reply order.
enum class Counter {
  not_sip,
  lookups,
  reloads,
  reloads_refused,
  tcp_idle_closed,
  tcp_refused,
  tcp_open,
  tcp_write_failed,
  accept_errors,
  control_refused,
  control_dropped,
};

struct CounterName {
  Counter counter;
  std::string_view key;    // in the JSON reply: "tcp_write_failed"
  std::string_view label;  // in trunkctl's text: "TCP writes failed"
};

inline constexpr CounterName kCounters[] = {
    {Counter::not_sip, "not_sip", "not SIP"},
    {Counter::lookups, "lookups", "lookups"},
    {Counter::reloads, "reloads", "reloads done"},
    {Counter::reloads_refused, "reloads_refused", "reloads refused"},
    {Counter::tcp_idle_closed, "tcp_idle_closed", "TCP closed idle"},
    {Counter::tcp_refused, "tcp_refused", "TCP refused"},
    {Counter::tcp_open, "tcp_open", "TCP open now"},
    {Counter::tcp_write_failed, "tcp_write_failed", "TCP write failed"},
    {Counter::accept_errors, "accept_errors", "accept errors"},
    {Counter::control_refused, "control_refused", "control refused"},
    {Counter::control_dropped, "control_dropped", "control dropped"},
};

}  // namespace trunk::control
