// The proxy tier: a Kamailio configuration generated from a site, so that
// the proxy in front of trunkd and trunkd itself work from one site and can
// never disagree.
//
// emit_kamailio() turns the site model and the deployment's addresses into
// the files a Kamailio 5.6 (Debian 12) runs from, file-based only:
//   kamailio.cfg     the script: admits only trunks' addresses, asks trunkd
//                    (a dispatcher set) where each INVITE goes, follows the
//                    302's Contacts in q order applying what each carries,
//                    fails over on the codes a trunk lists, counts
//                    concurrent calls per trunk with dialog profiles, skips
//                    trunks that stopped answering OPTIONS, and optionally
//                    shares the counts with other nodes over DMQ;
//   trunks.address   the permissions module's address file (group 1: every
//                    trunk's host and associated_ips, with the port where
//                    verify_port; group 2: the other DMQ nodes);
//   dispatcher.list  the dispatcher's destinations (set 1: trunkd; set 2:
//                    every trunk's host:port, probed where keepalive.options).
// The per-call decision itself is not here: it comes in the 302, from the
// same tables trunkd serves (trunkd.8, "What each Contact carries").
// Writing the files is the tool's job; this module only makes their text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostic.hpp"
#include "sip/endpoint.hpp"
#include "site/model.hpp"

namespace trunk::proxy {

struct KamailioOptions {
  std::vector<sip::Endpoint> listen;  // Kamailio's SIP sockets (a TCP twin added when the site uses TCP)
  std::vector<sip::Endpoint> trunkd;  // the trunkd instances to ask
  std::optional<sip::Endpoint> dmq;   // this node's DMQ socket: DMQ on when set
  std::vector<sip::Endpoint> dmq_peers;  // the other nodes' DMQ sockets
  std::string ctl = "unix:/run/kamailio/kamailio_ctl";  // for kamcmd (reloads)
  int children = 8;               // UDP worker processes per socket
  std::string data_dir;           // where the data files will be (absolute)
  std::string site_digest;        // the tables' site digest, for the header
};

struct EmittedFile {
  std::string name;  // file name inside the output directory
  std::string text;
};

// Names of the files, shared with the man page and the tests.
inline constexpr std::string_view kConfigFile = "kamailio.cfg";
inline constexpr std::string_view kAddressFile = "trunks.address";
inline constexpr std::string_view kDispatcherFile = "dispatcher.list";

// The dispatcher sets and permissions groups the script and data share.
inline constexpr int kTrunkdSet = 1;
inline constexpr int kTrunkSet = 2;
inline constexpr int kTrunkGroup = 1;
inline constexpr int kPeerGroup = 2;

// The files for `site` as deployed per `options`, data files first, the
// script last (the order to write them in). What the proxy cannot do for
// the site is reported to `sink` with the trunk's place: errors where the
// configuration would not work at all (a listen address trunkd does not
// trust), warnings where a trunk is served only in part (a host name with
// no addresses, TLS).
std::vector<EmittedFile> emit_kamailio(const site::Site& site, const KamailioOptions& options,
                                       diag::Sink& sink);

}  // namespace trunk::proxy
