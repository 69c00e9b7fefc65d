// The site model: trunks, tenants, DID pools, routes and expectations as read
// from a site's TOML files.
//
// Every value keeps the place it was written (a Field's `where`), so that
// every check can point at the exact key or value. The model is plain data:
// the loader (loader.hpp) fills it and reports schema errors, the site rules
// (check/rules.hpp) check the cross-object rules. Passwords are held only as
// the *source* of a password (env var name, file path, or the inline value);
// code that prints a trunk must go through redaction (show.hpp) and never
// print Auth::password.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"

namespace trunk::site {

using diag::SourceRegion;

// A value with the place it was written. `present` is false for defaults.
template <class T>
struct Field {
  T value{};
  SourceRegion where;  // the value's place (or the table's, for defaults)
  std::uint32_t key_column = 0;  // the key's column, on the value's first line
  bool present = false;

  // The key's place (a key and the start of its value share a line in TOML).
  SourceRegion key() const {
    SourceRegion r = where;
    r.column = key_column;
    r.end_line = r.end_column = 0;
    return r;
  }

  const T& operator*() const { return value; }
  const T* operator->() const { return &value; }
};

enum class TrunkType { register_, accept_register, peer, teams, webrtc, whatsapp };
enum class Transport { udp, tcp, tls, wss };
enum class Direction { both, inbound, outbound };
enum class RelayMedia { yes, no, automatic };

std::string_view to_string(TrunkType t);
std::string_view to_string(Transport t);
std::string_view to_string(Direction d);
std::string_view to_string(RelayMedia r);

struct SiteInfo {
  Field<std::string> name;
  Field<std::vector<Field<Transport>>> transports;
  SourceRegion where;  // the [site] header
};

struct Tenant {
  Field<std::string> name;
  Field<std::string> sip_domain;
  Field<std::string> caller_id;
  SourceRegion where;  // the [[tenant]] header
};

struct Keepalive {
  Field<bool> options;
  Field<std::int64_t> interval;  // seconds
};

struct Limits {
  Field<std::int64_t> inbound;   // absent = unlimited
  Field<std::int64_t> outbound;
  Field<std::int64_t> total;
};

struct Auth {
  Field<std::string> username;
  Field<std::string> password_env;
  Field<std::string> password_file;
  Field<std::string> password;  // inline: never print it
  Field<std::int64_t> register_interval;
  SourceRegion where;  // the [trunk.auth] header, if any
  bool present = false;
  bool has_password_source() const {
    return password_env.present || password_file.present || password.present;
  }
};

struct TrunkTenant {
  Field<std::string> tenant;
  Field<std::string> did_pool;
  SourceRegion where;  // the [[trunk.tenant]] header
};

// The answers a proxy fails over on when a trunk's site sets none: the
// trunk or its path is failing, not the callee answering (486, 404).
inline constexpr std::int64_t kDefaultFailoverOn[] = {408, 480, 500, 502, 503, 504};

struct Trunk {
  Field<std::string> name;
  Field<TrunkType> type;
  Field<std::string> type_text;  // as written ("ip" for an alias of peer)
  Field<std::string> provider;
  Field<std::string> owner;
  Field<std::string> host;
  Field<std::int64_t> port;
  Field<Transport> transport;
  Field<std::string> outbound_proxy;
  Field<std::int64_t> outbound_proxy_port;
  Field<std::vector<Field<std::string>>> associated_ips;
  Field<Direction> direction;
  Field<bool> verify_port;
  Field<bool> single_via;
  Field<bool> tel_uri_request_line;
  Field<bool> tel_uri_to;
  Field<bool> strip_plus;
  Field<bool> stir_shaken;
  Field<RelayMedia> relay_media;
  Field<std::string> match_from_host;
  Field<std::string> request_uri_params;
  Field<std::string> caller_id;
  Field<std::string> failover;
  // The answers of this trunk on which the proxy tries the next Contact.
  Field<std::vector<Field<std::int64_t>>> failover_on;
  Keepalive keepalive;
  Limits limits;
  Auth auth;
  std::vector<TrunkTenant> tenants;
  SourceRegion where;  // the [[trunk]] header

  bool owned_by_system() const { return owner.value == "system"; }
};

struct Route {
  Field<std::string> tenant;
  Field<std::string> name;
  Field<std::string> match;
  Field<std::int64_t> priority;
  Field<std::vector<Field<std::string>>> trunks;
  Field<std::int64_t> strip;
  Field<std::string> prepend;
  Field<std::string> caller_id;
  SourceRegion where;
};

struct Inbound {
  Field<std::string> tenant;
  Field<std::string> trunk;
  Field<std::string> did;
  Field<std::string> to;
  SourceRegion where;
};

// A test case for a dial plan. Outbound when `dial` is set, inbound when `did` is.
struct Expect {
  Field<std::string> tenant;
  Field<std::string> dial;
  Field<std::string> route;
  Field<std::string> send;
  Field<std::vector<Field<std::string>>> trunks;
  Field<std::string> trunk;
  Field<std::string> did;
  Field<std::string> to;
  SourceRegion where;
};

// A proxy whose word trunkd takes for where a request came from: the
// received/rport it records on the Via it received the request with
// (RFC 3261 18.2.1). A site with no [[proxy]] trusts loopback only.
struct Proxy {
  Field<std::string> name;
  Field<std::vector<Field<std::string>>> addresses;  // IP addresses or CIDR blocks
  SourceRegion where;  // the [[proxy]] header
};

struct Site {
  SiteInfo info;
  std::vector<Proxy> proxies;
  std::vector<Tenant> tenants;
  std::vector<Trunk> trunks;
  std::vector<Route> routes;
  std::vector<Inbound> inbound;
  std::vector<Expect> expects;
  std::vector<std::string> files;  // the files read, in order

  const Trunk* find_trunk(std::string_view name) const;
  bool transport_enabled(Transport t) const;
};

}  // namespace trunk::site
