// The readers of each section of a site file ([site], [[proxy]],
// [[tenant]], [[trunk]] with its sub-tables, [[route]], [[inbound]],
// [[expect]]): each checks its table's keys against the schema, then reads
// each field with its type, range and default and the checks that need
// only that field (names, hosts, IP blocks). Errors never stop the reading:
// an operator sees all of them in one run. Rules across fields and tables
// are the site rules' (check/rules.hpp, a layer above).
#include "site/read_sections.hpp"

#include <algorithm>

#include "net/ip_address.hpp"
#include "site/ip_block.hpp"
#include "site/table_reader.hpp"

namespace trunk::site::reading {
namespace {

bool valid_tenant_name(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!ok(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return ok(c) || c == '-'; });
}

bool valid_trunk_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

// A DNS name or an IP address; an IPv6 address may be bracketed. A colon is
// allowed only inside an IPv6 address, so "sip:host" and "host:5060" are not
// hosts.
bool valid_host(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (s.find(':') != std::string_view::npos) return net::parse_ip(s).has_value();
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_';
  });
}

// Tenant names follow the tenant alphabet; trunk and proxy names the trunk one.
void check_name(diag::Sink& sink, const Field<std::string>& f, std::string_view kind) {
  if (!f.present) return;
  bool tenant = kind == "tenant";
  if (tenant ? valid_tenant_name(f.value) : valid_trunk_name(f.value)) return;
  auto& d = sink.error("invalid-name",
                       std::string(kind) + " name \"" + f.value + "\" is not valid", f.where);
  diag::with_hint(d, tenant ? "tenant names are 1-63 of a-z, 0-9 and '-', starting with a "
                              "letter or digit"
                            : std::string(kind) +
                                  " names are 1-64 of A-Z, a-z, 0-9, '.', '_' and '-'");
}

// Each entry of an address list (associated_ips, a proxy's addresses) is an
// address or a CIDR block (site/ip_block.hpp).
void check_ip_blocks(diag::Sink& sink, const Field<std::vector<Field<std::string>>>& list,
                     std::string_view key, const std::string& label) {
  for (const auto& ip : list.value) {
    if (parse_ip_block(ip.value)) continue;
    auto& d = sink.error("invalid-value",
                         std::string(key) + " entry \"" + ip.value + "\" of " + label +
                             " is not an IP address or CIDR block",
                         ip.where);
    diag::with_hint(d, "write an address (203.0.113.10) or a block (203.0.113.16/28)");
  }
}

void check_nonempty(diag::Sink& sink, const Field<std::string>& f, std::string_view what) {
  if (f.present && f.value.empty())
    sink.error("invalid-value", std::string(what) + " must not be empty", f.where);
}

}  // namespace

void read_site_info(const toml::table& t, Site& site, diag::Sink& sink,
                    std::map<std::string, SourceRegion>& site_keys) {
  // A plain key of [site] may be written in one fragment only: remember
  // where each was written; merging fragments reports the second one.
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    auto [it, fresh] = site_keys.emplace(key, region(k.source()));
    if (!fresh) {
      auto& d = sink.error("duplicate-key",
                           "`site." + key + "` is defined in two places",
                           region(k.source()));
      diag::with_related(d, it->second, "first defined here");
    }
  }
  TableReader r(t, "[site]", sink, "site");
  site.info.where = r.where();
  if (!site.info.name.present) r.read("name", site.info.name);
  if (!site.info.transports.present) {
    Field<std::vector<Field<std::string>>> words;
    if (r.read("transports", words)) {
      site.info.transports.present = true;
      site.info.transports.where = words.where;
      site.info.transports.key_column = words.key_column;
      for (const auto& w : words.value) {
        bool found = false;
        for (const auto& e : kTransports) {
          if (e.word == w.value) {
            Field<Transport> f;
            f.value = e.value;
            f.where = w.where;
            f.present = true;
            site.info.transports.value.push_back(f);
            found = true;
          }
        }
        if (!found) r.invalid_enum("transports", w, kTransports);
      }
    }
  }
}

// A trusted proxy: its name and the addresses requests from it come from.
void read_proxy(const toml::table& t, Site& site, diag::Sink& sink) {
  TableReader r(t, "[[proxy]]", sink, "proxy");
  Proxy px;
  px.where = r.where();
  r.read("name", px.name);
  r.require("name", px.name);
  check_name(sink, px.name, "proxy");
  std::string label = px.name.present ? "proxy \"" + px.name.value + "\"" : "[[proxy]]";
  if (r.read("addresses", px.addresses)) {
    if (r.node("addresses")->as_array()->empty()) {
      // A proxy without addresses is trusted nowhere: a list someone
      // forgot to fill, not a way to say anything.
      auto& d = sink.error("invalid-value", label + " has no addresses", px.addresses.where);
      diag::with_hint(d, "list the addresses the proxy sends from, or remove the [[proxy]]");
    }
    check_ip_blocks(sink, px.addresses, "addresses", label);
  }
  r.require("addresses", px.addresses);
  site.proxies.push_back(std::move(px));
}

void read_tenant(const toml::table& t, Site& site, diag::Sink& sink) {
  TableReader r(t, "[[tenant]]", sink, "tenant");
  Tenant tn;
  tn.where = r.where();
  r.read("name", tn.name);
  r.read("sip_domain", tn.sip_domain);
  r.read("caller_id", tn.caller_id);
  r.require("name", tn.name);
  r.require("sip_domain", tn.sip_domain);
  check_name(sink, tn.name, "tenant");
  if (tn.sip_domain.present && !valid_host(tn.sip_domain.value))
    sink.error("invalid-value",
               "sip_domain \"" + tn.sip_domain.value + "\" is not a domain name",
               tn.sip_domain.where);
  check_nonempty(sink, tn.caller_id, "caller_id");
  site.tenants.push_back(std::move(tn));
}

namespace {

// A trunk's kind, owner and where it is: type through direction.
void read_trunk_place(TableReader& r, Trunk& tr, const std::string& label, diag::Sink& sink) {
  r.read("type", tr.type, kTrunkTypes, &tr.type_text);
  r.require("type", tr.type);
  if (!r.read("provider", tr.provider)) r.default_at(tr.provider, std::string("generic"));
  check_nonempty(sink, tr.provider, "provider");
  if (!r.read("owner", tr.owner)) r.default_at(tr.owner, std::string("system"));
  check_nonempty(sink, tr.owner, "owner");
  r.read("host", tr.host);
  r.require("host", tr.host);
  if (tr.host.present && !valid_host(tr.host.value)) {
    auto& d = sink.error("invalid-value",
                         "host \"" + tr.host.value + "\" of " + label +
                             " is not a host name or IP address",
                         tr.host.where);
    if (tr.host.value.find(':') != std::string::npos)
      diag::with_hint(d, "give the bare host; the port goes in `port`, the scheme is implied");
  }
  if (!r.read("transport", tr.transport, kTransports)) r.default_at(tr.transport, Transport::udp);
  if (!r.read_number("port", tr.port))
    r.default_at(tr.port, std::int64_t(tr.transport.value == Transport::tls ? 5061 : 5060));
  r.read("outbound_proxy", tr.outbound_proxy);
  if (tr.outbound_proxy.present && !valid_host(tr.outbound_proxy.value))
    sink.error("invalid-value",
               "outbound_proxy \"" + tr.outbound_proxy.value + "\" of " + label +
                   " is not a host name or IP address",
               tr.outbound_proxy.where);
  if (!r.read_number("outbound_proxy_port", tr.outbound_proxy_port))
    r.default_at(tr.outbound_proxy_port, tr.port.value);
  if (r.read("associated_ips", tr.associated_ips))
    check_ip_blocks(sink, tr.associated_ips, "associated_ips", label);
  if (!r.read("direction", tr.direction, kDirections)) r.default_at(tr.direction, Direction::both);
}

// How calls on the trunk are shaped and where they fail over.
void read_trunk_behaviour(TableReader& r, Trunk& tr, const std::string& label,
                          diag::Sink& sink) {
  for (auto [key, field] : {std::pair{"verify_port", &tr.verify_port},
                            {"single_via", &tr.single_via},
                            {"tel_uri_request_line", &tr.tel_uri_request_line},
                            {"tel_uri_to", &tr.tel_uri_to},
                            {"strip_plus", &tr.strip_plus},
                            {"stir_shaken", &tr.stir_shaken}}) {
    if (!r.read(key, *field)) r.default_at(*field, false);
  }
  if (!r.read("relay_media", tr.relay_media, kRelayMedia))
    r.default_at(tr.relay_media, RelayMedia::automatic);
  r.read("match_from_host", tr.match_from_host);
  if (tr.match_from_host.present && !valid_host(tr.match_from_host.value))
    sink.error("invalid-value",
               "match_from_host \"" + tr.match_from_host.value + "\" of " + label +
                   " is not a host name",
               tr.match_from_host.where);
  r.read("request_uri_params", tr.request_uri_params);
  r.read("caller_id", tr.caller_id);
  check_nonempty(sink, tr.caller_id, "caller_id");
  r.read("failover", tr.failover);
  // Final answers only, and no 2xx: a trunk that answered 200 carried the call.
  if (r.read_number("failover_on", tr.failover_on)) {
    const auto& codes = tr.failover_on.value;
    for (std::size_t i = 0; i < codes.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (codes[j].value == codes[i].value) {
          sink.error("invalid-value",
                     "failover_on of " + label + " lists " + std::to_string(codes[i].value) +
                         " twice",
                     codes[i].where);
          break;
        }
  } else {
    r.default_at(tr.failover_on, std::vector<Field<std::int64_t>>{});
    for (std::int64_t code : kDefaultFailoverOn)
      tr.failover_on.value.push_back({code, tr.failover_on.where, 0, false});
  }
}

// [trunk.keepalive], [trunk.limits], [trunk.auth] and [[trunk.tenant]].
void read_trunk_tables(TableReader& r, Trunk& tr, const std::string& label, diag::Sink& sink) {
  if (const toml::table* k = r.table("keepalive")) {
    TableReader kr(*k, "[trunk.keepalive] of " + label, sink, "trunk.keepalive");
    kr.read("options", tr.keepalive.options);
    kr.read_number("interval", tr.keepalive.interval);
  }
  if (!tr.keepalive.options.present) r.default_at(tr.keepalive.options, false);
  if (!tr.keepalive.interval.present) r.default_at(tr.keepalive.interval, std::int64_t(360));

  if (const toml::table* l = r.table("limits")) {
    TableReader lr(*l, "[trunk.limits] of " + label, sink, "trunk.limits");
    lr.read_number("inbound", tr.limits.inbound);
    lr.read_number("outbound", tr.limits.outbound);
    lr.read_number("total", tr.limits.total);
  }

  if (const toml::table* a = r.table("auth")) {
    TableReader ar(*a, "[trunk.auth] of " + label, sink, "trunk.auth");
    tr.auth.present = true;
    tr.auth.where = ar.where();
    ar.read("username", tr.auth.username);
    check_nonempty(sink, tr.auth.username, "auth.username");
    ar.read("password_env", tr.auth.password_env);
    check_nonempty(sink, tr.auth.password_env, "auth.password_env");
    ar.read("password_file", tr.auth.password_file);
    check_nonempty(sink, tr.auth.password_file, "auth.password_file");
    ar.read("password", tr.auth.password);
    ar.read_number("register_interval", tr.auth.register_interval);
  }
  if (!tr.auth.register_interval.present)
    r.default_at(tr.auth.register_interval, std::int64_t(3600));

  if (const toml::array* a = r.tables("tenant")) {
    for (const auto& e : *a) {
      TableReader tr_r(*e.as_table(), "[[trunk.tenant]] of " + label, sink,
                       "trunk.tenant");
      TrunkTenant tt;
      tt.where = tr_r.where();
      tr_r.read("tenant", tt.tenant);
      tr_r.require("tenant", tt.tenant);
      tr_r.read("did_pool", tt.did_pool);
      tr.tenants.push_back(std::move(tt));
    }
  }
}

}  // namespace

void read_trunk(const toml::table& t, Site& site, diag::Sink& sink) {
  TableReader r(t, "[[trunk]]", sink, "trunk");
  Trunk tr;
  tr.where = r.where();
  r.read("name", tr.name);
  r.require("name", tr.name);
  check_name(sink, tr.name, "trunk");
  // Name the trunk in the messages that follow.
  const std::string label = tr.name.present ? "trunk \"" + tr.name.value + "\"" : "[[trunk]]";
  read_trunk_place(r, tr, label, sink);
  read_trunk_behaviour(r, tr, label, sink);
  read_trunk_tables(r, tr, label, sink);
  site.trunks.push_back(std::move(tr));
}

void read_route(const toml::table& t, Site& site, diag::Sink& sink) {
  TableReader r(t, "[[route]]", sink, "route");
  Route rt;
  rt.where = r.where();
  r.read("tenant", rt.tenant);
  r.require("tenant", rt.tenant);
  r.read("name", rt.name);
  r.require("name", rt.name);
  r.read("match", rt.match);
  r.require("match", rt.match);
  if (!r.read_number("priority", rt.priority)) r.default_at(rt.priority, std::int64_t(0));
  r.read("trunks", rt.trunks);
  r.require("trunks", rt.trunks);
  if (rt.trunks.present && rt.trunks.value.empty())
    sink.error("invalid-value", "route has no trunks", rt.trunks.where);
  if (!r.read_number("strip", rt.strip)) r.default_at(rt.strip, std::int64_t(0));
  r.read("prepend", rt.prepend);
  r.read("caller_id", rt.caller_id);
  check_nonempty(sink, rt.caller_id, "caller_id");
  site.routes.push_back(std::move(rt));
}

void read_inbound(const toml::table& t, Site& site, diag::Sink& sink) {
  TableReader r(t, "[[inbound]]", sink, "inbound");
  Inbound in;
  in.where = r.where();
  r.read("tenant", in.tenant);
  r.require("tenant", in.tenant);
  r.read("trunk", in.trunk);
  r.require("trunk", in.trunk);
  r.read("did", in.did);
  r.require("did", in.did);
  r.read("to", in.to);
  r.require("to", in.to);
  site.inbound.push_back(std::move(in));
}

void read_expect(const toml::table& t, Site& site, diag::Sink& sink) {
  TableReader r(t, "[[expect]]", sink, "expect");
  Expect ex;
  ex.where = r.where();
  r.read("tenant", ex.tenant);
  r.read("dial", ex.dial);
  r.read("route", ex.route);
  r.read("send", ex.send);
  r.read("trunks", ex.trunks);
  r.read("trunk", ex.trunk);
  r.read("did", ex.did);
  r.read("to", ex.to);
  if (ex.dial.present == ex.did.present) {
    sink.error("invalid-value",
               "[[expect]] needs exactly one of `dial` (outbound) or `did` (inbound)", ex.where);
  } else if (ex.dial.present) {
    r.require("tenant", ex.tenant);
  } else {
    r.require("trunk", ex.trunk);
  }
  site.expects.push_back(std::move(ex));
}

}  // namespace trunk::site::reading
