// Matching one traced SIP request against the site: which trunk sends or
// receives it, which tenant owns the number, which rule routes it, and
// for every step that fails, a reason a person can act on.
//
// The sender is found by the very code trunkd uses (route/decide.hpp:
// the origin through trusted proxies, the trunk by its addresses, a
// tenant's domain only through a trusted proxy), and a new call gets
// trunkd's whole decision. Beyond trunkd, for traffic the PBX sends: by
// the destination address or the Request-URI host, and for REGISTER by an
// accept-register trunk's user. A trace with no addresses (a log, a pasted
// message) can only be matched by its headers: From host, Request-URI
// host, sip_domain, with a note that trunkd would want an address. The tenant and
// the rule come from the same Router trunkd uses. Explanations (the closest
// name, the pool that nearly holds the DID, a transport or port mismatch)
// read the site model; they are built only when a step fails or a check
// finds a mismatch. A Matcher borrows the site and the tables. Where the
// message was seen (addresses, transport) comes from capture/ as a
// capture::Captured; this file only judges it. match.cpp finds the trunk,
// match_route.cpp the tenant and the rule.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/reader.hpp"
#include "route/decide.hpp"
#include "route/router.hpp"
#include "sip/message_view.hpp"
#include "site/model.hpp"

namespace trunk::trace {

using tables::kNone;

enum class Direction { unknown, from_trunk, to_trunk, from_tenant };
std::string_view to_string(Direction d);  // "from-trunk", "to-trunk", "from-tenant", "unknown"

struct Match {
  std::uint32_t trunk = kNone;  // index into site.trunks
  std::string trunk_by;         // how: "match_from_host", "source address 203.0.113.10"...
  Direction direction = Direction::unknown;
  std::uint32_t tenant = kNone;  // index into site.tenants
  std::string tenant_by;         // "DID 4155550142 in its pool on CarrierA"...
  std::string route;             // outbound: the route's name
  std::string send;              // outbound: the number the route sends
  std::vector<std::string> trunks;  // outbound: the route's trunks, in order
  std::string destination;       // inbound: the rule's destination
  std::string did;               // inbound: the DID looked up
  // Reasons a step failed or something does not fit; empty when matched.
  std::vector<std::string> problems;
  std::vector<std::string> notes;  // facts worth showing that are not problems
  // A new call with a source address: trunkd's whole decision for it
  // (route/decide.hpp), the one trunkd makes; shared, so a Match copies
  // cheaply.
  std::shared_ptr<const route::Decision> decision;
  // No sender found through a trusted proxy: what the proxy's Via said.
  std::string refusal;
  bool matched() const { return problems.empty() && trunk_or_tenant_known(); }
  bool trunk_or_tenant_known() const { return trunk != kNone || tenant != kNone; }
};

class Matcher {
 public:
  // `site` and `router` (over tables compiled from that site) must outlive
  // the Matcher.
  Matcher(const site::Site& site, const route::Router& router);

  // Matches a request. `in_dialog` requests (ACK, BYE, a re-INVITE...) only
  // get their trunk; the rest of the decision belongs to the call's first
  // request.
  Match match_request(const sip::MessageView& m, const capture::Captured& c, bool in_dialog) const;

  const site::Site& site() const { return *site_; }
  const route::Router& router() const { return *router_; }

 private:
  std::uint32_t site_trunk(std::uint32_t table_trunk) const;
  std::uint32_t table_trunk(std::uint32_t site_trunk) const;
  // The sender (or, for traffic sent to a trunk, the receiver) of a
  // request; `new_call` also makes trunkd's whole decision.
  void identify(const sip::MessageView& m, const capture::Captured& c, bool new_call, Match& out) const;
  bool identify_by_request_uri(const sip::MessageView& m, bool customers_register,
                               Match& out) const;
  void identify_by_headers(const sip::MessageView& m, Match& out) const;
  void check_trunk_fit(const sip::MessageView& m, const capture::Captured& c, Match& out) const;
  void route_inbound(const sip::MessageView& m, Match& out) const;
  void route_to_trunk(const sip::MessageView& m, Match& out) const;
  void route_from_tenant(const sip::MessageView& m, Match& out) const;
  // Fills the route's name, the number it sends for `dialled` and its trunks.
  void take_route(std::uint32_t route, std::string_view dialled, Match& out) const;
  void explain_no_trunk(const sip::MessageView& m, const capture::Captured& c, Match& out) const;
  // A call a tenant's PBX sends over its trunk: the number is in no pool
  // there, but one of the trunk's tenants has a route for it.
  bool route_from_trunk_tenant(const std::string& number, Match& out) const;
  void explain_did(const std::string& did, std::uint32_t trunk, Match& out) const;

  const site::Site* site_;
  const route::Router* router_;
  std::vector<std::uint32_t> site_of_table_;  // table trunk index -> site trunk index
  std::vector<std::uint32_t> table_of_site_;
  // Per site trunk: the distinct (tenant, prepend, strip > 0) of the routes
  // that use it. Reversing a route's prepend then asking the router finds
  // the route that sent a number, without scanning the routes.
  struct Sender {
    std::uint32_t tenant;  // table tenant index
    std::string prepend;
    bool strips;
    std::string route;  // a route with this shape (named when strip hides the digits)
    friend bool operator==(const Sender& a, const Sender& b) {
      return a.tenant == b.tenant && a.prepend == b.prepend && a.strips == b.strips;
    }
  };
  std::vector<std::vector<Sender>> senders_;
};

}  // namespace trunk::trace
