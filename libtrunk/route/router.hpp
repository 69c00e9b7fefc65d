// The router: the one lookup engine over verified tables, used by trunkd,
// `trunkctl route`, `dialplan-compile --test` and the tests.
//
// Outbound: (tenant, dialled number) -> the winning route, whose trunks are
// tried in order. Inbound: (trunk, DID as received) -> the tenant whose pool
// holds the DID on that trunk, and the inbound rule that gives the
// destination. Every lookup walks one automaton symbol by symbol: its cost
// depends on the number's length, not on the size of the tables, and it
// allocates nothing; results that are strings are written into the caller's
// buffer. A Router borrows the Tables, which must outlive it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "route/dial_string.hpp"
#include "tables/reader.hpp"

namespace trunk::route {

using tables::kNone;

class Router {
 public:
  explicit Router(const tables::Tables& t) : t_(&t) {}

  // Whether `number` is a dial string for `tenant`'s plan (dial_string.hpp):
  // the '*' and '#' it may hold are the ones the tenant's routes name.
  DialCheck check_number(std::uint32_t tenant, std::string_view number) const;
  // The winning route for `number` dialled by `tenant`, or kNone: also for
  // a number check_number refuses (then `*refused` says why, when given),
  // so every caller routes only dial strings, as trunkd does.
  std::uint32_t outbound(std::uint32_t tenant, std::string_view number,
                         DialCheck* refused = nullptr) const;
  // The number to send on `route`: `strip` leading symbols removed, then
  // `prepend` added. Writes into `out`; returns the length, or kNone when
  // `out` is too small.
  std::uint32_t send_number(std::uint32_t route, std::string_view number,
                            std::span<char> out) const;

  enum class InboundStatus { matched, not_in_pool, no_rule, not_a_number };
  struct Inbound {
    InboundStatus status = InboundStatus::not_a_number;
    std::uint32_t tenant = kNone;  // set when the DID is in a pool
    std::uint32_t rule = kNone;    // set when matched
    DialCheck check;               // why, when not_a_number
  };
  // `did` as received: a leading '+' is removed before the lookup. A DID
  // is a dial string of digits (check_dial_string with no '*' or '#').
  Inbound inbound(std::uint32_t trunk, std::string_view did) const;
  // The rule's destination with "{did}" replaced by the DID (without '+').
  // Returns the length, or kNone when `out` is too small or there is no
  // such rule.
  std::uint32_t destination(std::uint32_t rule, std::string_view did, std::span<char> out) const;

  const tables::Tables& tables() const { return *t_; }

 private:
  const tables::Tables* t_;
};

// Walks an automaton from `root`; the accept word at the end (0: none).
// `number` must be a dial string: a tail node accepts whatever follows.
std::uint32_t walk(std::span<const std::uint32_t> nodes, std::uint32_t root,
                   std::string_view number);
// The node reached after reading all of `number` from `root` (0: dead), or
// kNone when it ends inside a chain node. Builds the outbound index.
std::uint32_t position_after(std::span<const std::uint32_t> nodes, std::uint32_t root,
                             std::string_view number);

}  // namespace trunk::route
