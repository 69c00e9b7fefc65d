// The site's data for Kamailio: who may send, which trunkd to ask, which
// trunks to probe; and the script with the deployment's addresses in it.
#include "proxy/kamailio.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "proxy/kamailio_script.hpp"
#include "route/decide.hpp"
#include "site/ip_block.hpp"
#include "tables/dump.hpp"
#include "text/utf8.hpp"

namespace trunk::proxy {

namespace {

// The dispatcher's set 1 and 2 are probed this often at most, so that a
// trunkd that comes back is asked again within this many seconds.
constexpr std::int64_t kLongestProbeInterval = 10;

// "ADDRESS MASK" as the permissions address file takes it: IPv4 in dots
// with a mask of 0-32, IPv6 in brackets with 0-128.
std::string block_words(const site::IpBlock& b) {
  std::array<char, tables::kAddressTextSize> text;
  std::string_view address = tables::address_text(b.address.data(), text);
  if (tables::ipv4_mapped(b.address.data()))
    return std::string(address) + " " + std::to_string(b.prefix >= 96 ? b.prefix - 96 : 0);
  return "[" + std::string(address) + "] " + std::to_string(b.prefix);
}

bool uses_tcp(const site::Site& site) {
  if (site.transport_enabled(site::Transport::tcp)) return true;
  return std::any_of(site.trunks.begin(), site.trunks.end(),
                     [](const site::Trunk& t) { return t.transport.value == site::Transport::tcp; });
}

void replace_all(std::string& text, std::string_view token, std::string_view value) {
  for (std::size_t at = text.find(token); at != std::string::npos;
       at = text.find(token, at + value.size()))
    text.replace(at, token.size(), value);
}

// Is `address` one that trunkd takes a proxy's word from: in a [[proxy]]
// of the site, or loopback for a site that names none?
bool trusted_by_trunkd(const site::Site& site, const site::IpBlock& address) {
  std::vector<site::IpBlock> blocks;
  if (site.proxies.empty())
    for (std::string_view a : tables::kLoopbackProxyAddresses)
      blocks.push_back(*site::parse_ip_block(a));
  for (const auto& p : site.proxies)
    for (const auto& a : p.addresses.value)
      if (auto b = site::parse_ip_block(a.value)) blocks.push_back(*b);
  return std::any_of(blocks.begin(), blocks.end(),
                     [&](const site::IpBlock& b) { return site::overlaps(b, address); });
}

void check_listen(const site::Site& site, const sip::Endpoint& e, diag::Sink& sink) {
  auto address = site::parse_ip_block(e.address);
  const diag::SourceRegion where =
      site.proxies.empty() ? site.info.where : site.proxies.front().where;
  if (!address || address->prefix != 128) {
    sink.error("kamailio-listen", "the proxy's address " + e.name() + " is not an IP address",
               where);
    return;
  }
  if (*address == *site::parse_ip_block("0.0.0.0") || *address == *site::parse_ip_block("::")) {
    diag::with_hint(
        sink.warning("kamailio-listen",
                     "the proxy listens on " + e.name() +
                         ": trunkd trusts it only from the addresses the site's [[proxy]] lists",
                     where),
        "list the proxy's own addresses with --listen");
    return;
  }
  if (!trusted_by_trunkd(site, *address)) {
    diag::with_hint(
        sink.error("kamailio-untrusted",
                   "trunkd does not take the word of a proxy at " + e.address +
                       ": it is in no [[proxy]] of the site, so trunkd would refuse every call "
                       "the proxy relays",
                   where),
        "add " + e.address + " to the addresses of a [[proxy]]");
  }
}

void check_trunks(const site::Site& site, diag::Sink& sink) {
  for (const auto& t : site.trunks) {
    const std::string label = "trunk \"" + t.name.value + "\"";
    bool host_is_address = site::parse_ip_block(t.host.value).has_value();
    if (!host_is_address && t.associated_ips.value.empty() &&
        t.type.value != site::TrunkType::register_) {
      diag::with_hint(
          sink.warning("kamailio-no-address",
                       label + " has a host name and no associated_ips: the proxy admits no "
                               "call from it",
                       t.host.where),
          "list the addresses it sends from in associated_ips");
    }
    if (t.type.value == site::TrunkType::register_) {
      sink.warning("kamailio-registration",
                   label + " registers with its provider; the emitted proxy does not register, "
                           "so calls that come over that registration do not reach it",
                   t.type.where);
    }
    if (t.transport.value == site::Transport::tls || t.transport.value == site::Transport::wss) {
      diag::with_hint(
          sink.warning("kamailio-transport",
                       label + " uses " + std::string(site::to_string(t.transport.value)) +
                           ", which the emitted proxy does not listen on: calls to it fail over",
                       t.transport.where),
          "add Kamailio's tls module and certificates by hand, or use udp or tcp");
    }
  }
}

std::string address_file(const site::Site& site, const KamailioOptions& o) {
  std::string out =
      "# trunkline: the permissions module's address file (see kamailio.cfg).\n"
      "# GROUP ADDRESS MASK PORT TAG; port 0 is any port.\n"
      "# Group 1: the site's trunks (the tag is the trunk's name).\n";
  std::set<std::string> seen;  // a host also listed in associated_ips: once
  for (const auto& t : site.trunks) {
    const std::int64_t port = t.verify_port.value ? t.port.value : 0;
    auto line = [&](const site::IpBlock& b) {
      std::string text = std::to_string(kTrunkGroup) + " " + block_words(b) + " " +
                         std::to_string(port) + " " + t.name.value + "\n";
      if (seen.insert(text).second) out += text;
    };
    if (auto b = site::parse_ip_block(t.host.value)) line(*b);
    for (const auto& ip : t.associated_ips.value)
      if (auto b = site::parse_ip_block(ip.value)) line(*b);
  }
  if (o.dmq) {
    out += "# Group 2: the other Kamailio nodes (DMQ).\n";
    for (const auto& peer : o.dmq_peers)
      if (auto b = site::parse_ip_block(peer.address))
        out += std::to_string(kPeerGroup) + " " + block_words(*b) + " 0 dmq\n";
  }
  return out;
}

std::string dispatcher_file(const site::Site& site, const KamailioOptions& o) {
  std::string out =
      "# trunkline: the dispatcher's destinations (see kamailio.cfg).\n"
      "# SET URI FLAGS PRIORITY ATTRIBUTES; flag 8: probed with OPTIONS.\n"
      "# Set 1: trunkd, asked in turn.\n";
  for (std::size_t i = 0; i < o.trunkd.size(); ++i)
    out += std::to_string(kTrunkdSet) + " " + o.trunkd[i].sip_uri() + " 8 0 duid=trunkd" +
           std::to_string(i + 1) + "\n";
  out +=
      "# Set 2: each trunk's host, as its Contacts name it; probed where the\n"
      "# site sets keepalive.options, otherwise always taken as up. Flag 16:\n"
      "# a host name, resolved when used rather than when the list loads.\n";
  // One line per URI: trunks on one host and port share it, probed if any is.
  struct Line {
    bool probed = false, named = false;
    std::string trunk;
  };
  std::map<std::string, Line> uris;
  std::vector<std::string> order;
  for (const auto& t : site.trunks) {
    std::string uri = "sip:" + (t.host.value.find(':') != std::string::npos
                                    ? "[" + t.host.value + "]"
                                    : t.host.value) +
                      ":" + std::to_string(t.port.value) +
                      // As the Contact names it: the script matches the two.
                      std::string(route::transport_param(
                          static_cast<std::uint8_t>(t.transport.value)));
    auto [it, added] = uris.try_emplace(uri);
    if (added) {
      order.push_back(uri);
      it->second.trunk = t.name.value;
      it->second.named = !site::parse_ip_block(t.host.value);
    }
    it->second.probed = it->second.probed || t.keepalive.options.value;
  }
  for (const auto& uri : order) {
    const Line& l = uris[uri];
    out += std::to_string(kTrunkSet) + " " + uri + " " +
           std::to_string((l.probed ? 8 : 0) | (l.named ? 16 : 0)) + " 0 duid=" + l.trunk + "\n";
  }
  return out;
}

std::int64_t probe_interval(const site::Site& site) {
  std::int64_t seconds = kLongestProbeInterval;
  for (const auto& t : site.trunks)
    if (t.keepalive.options.value) seconds = std::min(seconds, t.keepalive.interval.value);
  return seconds;
}

std::string script(const site::Site& site, const KamailioOptions& o) {
  std::string text = kKamailioScript;
  std::string listen;
  const bool tcp = uses_tcp(site);
  for (const auto& e : o.listen) {
    listen += "listen=" + e.name() + "\n";
    if (!e.tcp && tcp) {
      sip::Endpoint twin = e;
      twin.tcp = true;
      listen += "listen=" + twin.name() + "\n";
    }
  }
  std::string defines = "# Kamailio's preprocessor: DMQ replication is ";
  std::string peers;
  if (o.dmq) {
    defines += "on.\n#!define WITH_DMQ";
    listen += "listen=" + o.dmq->name() + "\n";
    for (const auto& p : o.dmq_peers)
      peers += "modparam(\"dmq\", \"notification_address\", \"" + p.sip_uri() + "\")\n";
    replace_all(text, "@DMQ_SELF@", o.dmq->sip_uri());
    replace_all(text, "@DMQ_PORT@", std::to_string(o.dmq->port));
  } else {
    defines += "off (dialplan-compile --dmq turns it on).";
    replace_all(text, "@DMQ_SELF@", "");
    replace_all(text, "@DMQ_PORT@", "0");
  }
  if (!peers.empty()) peers.pop_back();
  if (!listen.empty()) listen.pop_back();
  const std::string dir = o.data_dir.empty() || o.data_dir.back() == '/' ? o.data_dir
                                                                         : o.data_dir + "/";
  const std::string ctl = o.ctl;
  // In a comment: a line end in the name would end the comment and write
  // the rest of the name as configuration.
  replace_all(text, "@SITE@",
              site.info.name.present ? text::printable(site.info.name.value) : "unnamed");
  replace_all(text, "@DIGEST@", o.site_digest.empty() ? "unknown" : o.site_digest);
  replace_all(text, "@DEFINES@", defines);
  replace_all(text, "@CHILDREN@", std::to_string(o.children));
  replace_all(text, "@LISTEN@", listen);
  replace_all(text, "@CTL@", ctl);
  replace_all(text, "@ADDRESS_FILE@", dir + std::string(kAddressFile));
  replace_all(text, "@DISPATCHER_FILE@", dir + std::string(kDispatcherFile));
  replace_all(text, "@PING_INTERVAL@", std::to_string(probe_interval(site)));
  replace_all(text, "@PING_FROM@",
              "sip:trunkline@" + (o.listen.empty() ? std::string("localhost")
                                                   : o.listen.front().host()));
  replace_all(text, "@DMQ_PEERS@", peers);
  replace_all(text, "@TRUNKD_SET@", std::to_string(kTrunkdSet));
  replace_all(text, "@TRUNK_SET@", std::to_string(kTrunkSet));
  return text;
}

}  // namespace

std::vector<EmittedFile> emit_kamailio(const site::Site& site, const KamailioOptions& options,
                                       diag::Sink& sink) {
  for (const auto& e : options.listen) check_listen(site, e, sink);
  check_trunks(site, sink);
  return {{std::string(kAddressFile), address_file(site, options)},
          {std::string(kDispatcherFile), dispatcher_file(site, options)},
          {std::string(kConfigFile), script(site, options)}};
}

}  // namespace trunk::proxy
