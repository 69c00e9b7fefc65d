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

#include "tables/reader.hpp"

namespace trunk::route {

using tables::kNone;

class Router {
 public:
  explicit Router(const tables::Tables& t) : t_(&t) {}

  // The winning route for `number` dialled by `tenant`, or kNone.
  std::uint32_t outbound(std::uint32_t tenant, std::string_view number) const;
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
  };
  // `did` as received: a leading '+' is removed before the lookup.
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
std::uint32_t walk(std::span<const std::uint32_t> nodes, std::uint32_t root,
                   std::string_view number);
// The node reached after reading all of `number` from `root` (0: dead), or
// kNone when it ends inside a chain node. Builds the outbound index.
std::uint32_t position_after(std::span<const std::uint32_t> nodes, std::uint32_t root,
                             std::string_view number);

}  // namespace trunk::route
