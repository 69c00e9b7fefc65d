// trunkd's response to one SIP request. An INVITE gets the one decision
// of route/decide.hpp (origin through trusted proxies, the trunk or tenant,
// the route or inbound rule, every Contact with what it carries), written
// as a 302 or as the refusal with its reason; OPTIONS gets 200, CANCEL
// 481, other methods 405, a malformed request 400, and ACKs and responses
// nothing. Stateless: the same request always gets the same response, so
// retransmissions are answered alike.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "route/decide.hpp"
#include "sip/message.hpp"

namespace trunk::sip {

// Where a request came from: an IPv6 or IPv4-mapped address and a port.
using Source = route::HostPort;
// "203.0.113.10", "2001:db8::1" or "[2001:db8::1]"; nullopt when it is not
// an address. Allocates nothing.
std::optional<Source> make_source(std::string_view address, std::uint16_t port);

// The facts route::decide() reads of `m`, arriving from `from`: the Vias'
// recorded addresses go into `hops` (at most kMaxViaHops are read). The
// Request's views point into `m` and `hops`.
constexpr std::size_t kMaxViaHops = 16;
route::Request request_facts(const Message& m, const Source& from,
                             std::span<route::ViaHop> hops);
// The same of a request read as a MessageView (scanned or parsed).
route::Request request_facts(const MessageView& m, const Source& from,
                             std::span<route::ViaHop> hops);

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

// The same answer to a request sip::scan() called plain (`request` is the
// view it filled, its views into the request's bytes), written from the
// scanned bytes without sofia-sip's parse: the same Reply, byte for byte,
// decided and written by the same code. Nullopt when this path cannot vouch
// for that (the view is of a full parse or of a response, or sofia-sip
// would re-encode a header the response echoes: response_echo.hpp): parse
// the request then and call the above. Allocates nothing.
std::optional<Reply> redirect(const route::Router& router, const MessageView& request,
                              const Source& from, ResponseText& out);

}  // namespace trunk::sip
