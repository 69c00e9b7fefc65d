// The redirect decision: one SIP request in, the response trunkd sends out.
//
// INVITEs from a trunk (identified by match_from_host, by source address
// and port, or by the trunk's host in From) are inbound: the DID in the
// Request-URI picks the tenant through the pools and the inbound rule gives
// the destination. INVITEs whose From host is a tenant's sip_domain are
// outbound: the router's trunks become Contacts in failover order. A
// Request-URI user that is no dial string for the plan (route/dial_string.hpp)
// is 484 Address Incomplete, or 404 for a '*' or '#' the plan has no
// numbers with, saying why. Every other case gets the response an operator
// expects (404 with the reason, 403, 200 for OPTIONS, 405, 400). Stateless: the same request always gets
// the same response, so retransmissions are answered alike.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "route/router.hpp"
#include "sip/message.hpp"

namespace trunk::sip {

// Where a request came from: an IPv6 or IPv4-mapped address and a port.
struct Source {
  std::array<std::uint8_t, 16> address{};
  std::uint16_t port = 0;
};
// "203.0.113.10" or "2001:db8::1"; nullopt when it is not an address.
std::optional<Source> make_source(std::string_view address, std::uint16_t port);

// Where a response is written: a buffer of fixed capacity, allocated once
// (a worker keeps one and reuses it), so answering a request allocates
// nothing. Writes past the capacity are dropped and remembered.
class ResponseText {
 public:
  // Large enough for the answer to any request of up to 64 KiB.
  static constexpr std::size_t kCapacity = 80 * 1024;
  ResponseText() : buf_(new char[kCapacity]) {}

  void clear() {
    size_ = 0;
    overflow_ = false;
  }
  void append(std::string_view s);
  void append_number(std::uint64_t n);
  // The unused room, for encoders that write in place; then commit(n).
  std::span<char> room() { return {buf_.get() + size_, kCapacity - size_}; }
  void commit(std::size_t n) { size_ += n; }
  void set_overflow() { overflow_ = true; }

  std::size_t size() const { return size_; }
  bool overflow() const { return overflow_; }
  std::string_view view() const { return {buf_.get(), size_}; }
  std::string_view view(std::size_t from, std::size_t to) const {
    return {buf_.get() + from, to - from};
  }

 private:
  std::unique_ptr<char[]> buf_;
  std::size_t size_ = 0;
  bool overflow_ = false;
};

struct Reply {
  int code = 0;                 // 0: send nothing (an ACK, a response)
  std::string_view reason;      // the reason phrase, inside `bytes`
  std::string_view bytes;       // the whole response, in the ResponseText given
  std::string_view trunk;       // for logs and stats: the trunk involved, if any
  std::string_view route;       // outbound: the route taken
  std::string_view tenant;
};

// The response to `request` from `from`, written into `out` (cleared
// first); the Reply's views point into `out` and into the router's tables.
// `router` must outlive the call. Allocates nothing for a well-formed
// request; a malformed one (answered 400) may. A response that would not
// fit `out` (which takes the answer to any request of up to 64 KiB) is not
// sent: the Reply's code is 0.
Reply redirect(const route::Router& router, const Message& request, const Source& from,
               ResponseText& out);

}  // namespace trunk::sip
