// The site schema and its reader over toml++.
//
// Each section has a reader that first checks the table's keys against the
// section's known keys (unknown ones get a "did you mean"), then reads each
// field with its type, range and default. Errors never stop the reading: an
// operator sees all of them in one run.
#include "site/loader.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <tuple>
#include <cstdlib>
#include <map>
#include <toml++/toml.h>

#include "io/input_file.hpp"
#include "net/ip_address.hpp"
#include "parallel/parallel_for.hpp"
#include "site/ip_block.hpp"
#include "site/nesting.hpp"
#include "site/schema.hpp"

namespace trunk::site {
namespace {

SourceRegion region(const toml::source_region& r) {
  SourceRegion out;
  if (r.path) out.file = diag::FilePath(*r.path);
  out.line = r.begin.line;
  out.column = r.begin.column;
  out.end_line = r.end.line;
  out.end_column = r.end.column;
  return out;
}

// `key` in backticks, as messages name keys. Built by appending: GCC 12
// warns falsely (-Wrestrict) on "`" + std::string(...).
std::string ticked(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 2);
  out += '`';
  out += key;
  out += '`';
  return out;
}

std::string_view type_word(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "nothing";
  }
}

template <class E>
struct EnumWord {
  std::string_view word;
  E value;
};

constexpr EnumWord<TrunkType> kTrunkTypes[] = {
    {"register", TrunkType::register_}, {"accept-register", TrunkType::accept_register},
    {"peer", TrunkType::peer},          {"teams", TrunkType::teams},
    {"webrtc", TrunkType::webrtc},      {"whatsapp", TrunkType::whatsapp},
    {"ip", TrunkType::peer},            {"account", TrunkType::accept_register},
};
constexpr EnumWord<Transport> kTransports[] = {
    {"udp", Transport::udp}, {"tcp", Transport::tcp},
    {"tls", Transport::tls}, {"wss", Transport::wss}};
constexpr EnumWord<Direction> kDirections[] = {
    {"both", Direction::both}, {"inbound", Direction::inbound},
    {"outbound", Direction::outbound}};
constexpr EnumWord<RelayMedia> kRelayMedia[] = {
    {"yes", RelayMedia::yes}, {"no", RelayMedia::no}, {"auto", RelayMedia::automatic}};

// Reads the keys of one table. `label` names the table in messages
// ("[[trunk]]", "[trunk.auth]").
class TableReader {
 public:
  // `table` names the table in the schema (schema.hpp): its keys are the
  // ones this table knows, its numbers' ranges the ones read_number checks.
  TableReader(const toml::table& t, std::string label, diag::Sink& sink, std::string_view table)
      : t_(t), label_(std::move(label)), sink_(sink), table_(table),
        known_(schema::keys_of(table)) {
    for (auto&& [k, v] : t_) {
      if (std::find(known_.begin(), known_.end(), k.str()) != known_.end()) continue;
      auto& d = sink_.error("unknown-key",
                            "unknown key `" + std::string(k.str()) + "` in " + label_,
                            region(k.source()));
      std::string near = diag::closest_match(k.str(), known_);
      if (!near.empty()) diag::with_hint(d, "did you mean `" + near + "`?");
      else diag::with_hint(d, "known keys in " + label_ + ": " + join_known());
    }
  }

  SourceRegion where() const { return region(t_.source()); }
  const toml::node* node(std::string_view key) const { return t_.get(key); }

  template <class T>
  void default_at(Field<T>& f, T value) const {
    f.value = std::move(value);
    f.where = where();
  }

  bool locate(std::string_view key, const toml::node*& n, std::uint32_t& key_column) const {
    auto it = t_.find(key);
    if (it == t_.end()) return false;
    n = &it->second;
    key_column = it->first.source().begin.column;
    return true;
  }

  void wrong_type(std::string_view key, const toml::node& n, std::string_view want) {
    sink_.error("wrong-type",
                ticked(key) + " in " + label_ + " must be " +
                    std::string(want) + ", found " + std::string(type_word(n)),
                region(n.source()));
  }

  bool read(std::string_view key, Field<std::string>& f) {
    const toml::node* n;
    if (!locate(key, n, f.key_column)) return false;
    if (!n->is_string()) {
      wrong_type(key, *n, "a string");
      return false;
    }
    f.value = n->as_string()->get();
    f.where = region(n->source());
    f.present = true;
    return true;
  }

  bool read(std::string_view key, Field<bool>& f) {
    const toml::node* n;
    if (!locate(key, n, f.key_column)) return false;
    if (!n->is_boolean()) {
      wrong_type(key, *n, "true or false");
      return false;
    }
    f.value = n->as_boolean()->get();
    f.where = region(n->source());
    f.present = true;
    return true;
  }

  bool read(std::string_view key, Field<std::int64_t>& f, std::int64_t min,
            std::int64_t max) {
    const toml::node* n;
    if (!locate(key, n, f.key_column)) return false;
    if (!n->is_integer()) {
      wrong_type(key, *n, "a whole number");
      return false;
    }
    std::int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
      sink_.error("out-of-range",
                  ticked(key) + " in " + label_ + " is " + std::to_string(v) +
                      ", outside " + std::to_string(min) + " to " + std::to_string(max),
                  region(n->source()));
      return false;
    }
    f.value = v;
    f.where = region(n->source());
    f.present = true;
    return true;
  }

  template <class E, std::size_t N>
  bool read(std::string_view key, Field<E>& f, const EnumWord<E> (&words)[N],
            Field<std::string>* text = nullptr) {
    Field<std::string> s;
    if (!read(key, s)) return false;
    for (const auto& w : words) {
      if (w.word == s.value) {
        f.value = w.value;
        f.where = s.where;
        f.key_column = s.key_column;
        f.present = true;
        if (text) *text = s;
        return true;
      }
    }
    invalid_enum(key, s, words);
    return false;
  }

  template <class E, std::size_t N>
  void invalid_enum(std::string_view key, const Field<std::string>& s,
                    const EnumWord<E> (&words)[N]) {
    std::vector<std::string_view> options;
    std::string list;
    for (const auto& w : words) {
      options.push_back(w.word);
      if (!list.empty()) list += ", ";
      list += w.word;
    }
    auto& d = sink_.error("invalid-value",
                          ticked(key) + " in " + label_ + " is \"" + s.value +
                              "\", not one of " + list,
                          s.where);
    std::string near = diag::closest_match(s.value, options);
    if (!near.empty()) diag::with_hint(d, "did you mean \"" + near + "\"?");
  }

  bool read(std::string_view key, Field<std::vector<Field<std::string>>>& f) {
    return read_array(key, f, "strings", [&](const toml::node& e, std::string& value) {
      if (!e.is_string()) return wrong_element(key, e, "strings");
      value = e.as_string()->get();
      return true;
    });
  }

  bool read(std::string_view key, Field<std::vector<Field<std::int64_t>>>& f, std::int64_t min,
            std::int64_t max) {
    return read_array(key, f, "whole numbers", [&](const toml::node& e, std::int64_t& value) {
      if (!e.is_integer()) return wrong_element(key, e, "whole numbers");
      value = e.as_integer()->get();
      if (value >= min && value <= max) return true;
      sink_.error("out-of-range",
                  "an element of " + ticked(key) + " in " + label_ + " is " +
                      std::to_string(value) + ", outside " + std::to_string(min) + " to " +
                      std::to_string(max),
                  region(e.source()));
      return false;
    });
  }

  // An array of `noun`: `element` reads one element into its value, or
  // reports why it cannot and returns false (that element is left out).
  template <class T, class Element>
  bool read_array(std::string_view key, Field<std::vector<Field<T>>>& f, std::string_view noun,
                  Element element) {
    const toml::node* n;
    if (!locate(key, n, f.key_column)) return false;
    const toml::array* a = n->as_array();
    if (!a) {
      wrong_type(key, *n, "an array of " + std::string(noun));
      return false;
    }
    f.where = region(n->source());
    f.present = true;
    for (const auto& e : *a) {
      Field<T> item;
      if (!element(e, item.value)) continue;
      item.where = region(e.source());
      item.present = true;
      f.value.push_back(std::move(item));
    }
    return true;
  }

  bool wrong_element(std::string_view key, const toml::node& e, std::string_view noun) {
    sink_.error("wrong-type",
                "elements of `" + std::string(key) + "` in " + label_ + " must be " +
                    std::string(noun) + ", found " + std::string(type_word(e)),
                region(e.source()));
    return false;
  }

  // A number, or an array of numbers, in the schema's range for `key`.
  template <class F>
  bool read_number(std::string_view key, F& f) {
    const schema::Field* spec = schema::find(table_, key);
    return read(key, f, spec->min, spec->max);
  }

  template <class T>
  void require(std::string_view key, const Field<T>& f) {
    if (f.present || t_.contains(key)) return;
    sink_.error("missing-field", label_ + " is missing required key `" +
                                     std::string(key) + "`",
                where());
  }

  // A sub-table: `[trunk.auth]` or `auth = { ... }`. Null when absent or wrong.
  const toml::table* table(std::string_view key) {
    const toml::node* n = t_.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) {
      wrong_type(key, *n, "a table");
      return nullptr;
    }
    return n->as_table();
  }

  // An array of tables: `[[trunk.tenant]]`.
  const toml::array* tables(std::string_view key) {
    const toml::node* n = t_.get(key);
    if (!n) return nullptr;
    const toml::array* a = n->as_array();
    if (!a || !a->is_array_of_tables()) {
      wrong_type(key, *n, "an array of tables ([[...]])");
      return nullptr;
    }
    return a;
  }

  const std::string& label() const { return label_; }
  diag::Sink& sink() { return sink_; }

 private:
  std::string join_known() const {
    std::string out;
    for (auto k : known_) {
      if (!out.empty()) out += ", ";
      out += k;
    }
    return out;
  }

  const toml::table& t_;
  std::string label_;
  diag::Sink& sink_;
  std::string_view table_;
  std::vector<std::string_view> known_;
};

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

void read_trunk(const toml::table& t, Site& site, diag::Sink& sink) {
  TableReader r(t, "[[trunk]]", sink, "trunk");
  Trunk tr;
  tr.where = r.where();
  r.read("name", tr.name);
  r.require("name", tr.name);
  check_name(sink, tr.name, "trunk");
  // Name the trunk in the messages that follow.
  std::string label = tr.name.present ? "trunk \"" + tr.name.value + "\"" : "[[trunk]]";

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

}  // namespace

std::string_view to_string(TrunkType t) {
  for (const auto& w : kTrunkTypes)
    if (w.value == t) return w.word;
  return "?";
}
std::string_view to_string(Transport t) {
  for (const auto& w : kTransports)
    if (w.value == t) return w.word;
  return "?";
}
std::string_view to_string(Direction d) {
  for (const auto& w : kDirections)
    if (w.value == d) return w.word;
  return "?";
}
std::string_view to_string(RelayMedia r) {
  for (const auto& w : kRelayMedia)
    if (w.value == r) return w.word;
  return "?";
}

const Trunk* Site::find_trunk(std::string_view name) const {
  for (const auto& t : trunks)
    if (t.name.value == name) return &t;
  return nullptr;
}
bool Site::transport_enabled(Transport t) const {
  if (!info.transports.present) return t == Transport::udp;
  for (const auto& e : info.transports.value)
    if (e.value == t) return true;
  return false;
}

namespace {

// Line `n` (from 1) of `text`, without its line ending; empty past the end.
std::string_view line_of(std::string_view text, std::uint32_t n) {
  std::size_t begin = 0;
  for (std::uint32_t i = 1; i < n && begin != std::string_view::npos; ++i) {
    begin = text.find('\n', begin);
    if (begin != std::string_view::npos) ++begin;
  }
  if (begin == std::string_view::npos || begin > text.size()) return {};
  std::string_view l = text.substr(begin, text.find('\n', begin) - begin);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

void load_fragment_impl(std::string_view text, const std::string& name, Site& out,
                        diag::Sink& sink, std::map<std::string, SourceRegion>& site_keys) {
  out.files.push_back(name);
  // toml++ recurses once per level: refuse a text nested deeper than any
  // site needs before it overflows the stack (site/nesting.hpp).
  if (auto deep = find_too_deep(text)) {
    SourceRegion where;
    where.file = diag::FilePath(name);
    where.line = where.end_line = deep->line;
    where.column = where.end_column = deep->column;
    auto& d = sink.error("nesting-depth",
                         "keys and values nest more than " + std::to_string(kMaxNesting) +
                             " levels deep here",
                         where);
    diag::with_hint(d, "a site nests a few levels ([trunk.auth], dotted keys, inline tables "
                       "and arrays); nothing else in this file was checked");
    return;
  }
  toml::table doc;
  try {
    doc = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    SourceRegion where = region(e.source());
    where.file = name;
    // The line does not parse, so a secret on it cannot be found by its
    // key: the message may not show what the quoted line hides.
    auto& d = sink.error("toml-syntax",
                         diag::hide_broken_line_text(e.description(), line_of(text, where.line)),
                         where);
    diag::with_hint(d, "the file is not valid TOML; nothing else in it was checked");
    return;
  }
  static const std::vector<std::string_view> kTop = {"site",  "proxy",   "tenant", "trunk",
                                                     "route", "inbound", "expect"};
  using Reader = void (*)(const toml::table&, Site&, diag::Sink&);
  static const std::pair<std::string_view, Reader> kArrays[] = {
      {"proxy", read_proxy},     {"tenant", read_tenant}, {"trunk", read_trunk},
      {"route", read_route},     {"inbound", read_inbound}, {"expect", read_expect}};
  for (auto&& [k, v] : doc) {
    std::string_view key = k.str();
    if (key == "site") {
      if (const toml::table* t = v.as_table()) read_site_info(*t, out, sink, site_keys);
      else sink.error("wrong-type", "`site` must be a table ([site])", region(v.source()));
      continue;
    }
    bool known = false;
    for (auto [word, reader] : kArrays) {
      if (word != key) continue;
      known = true;
      const toml::array* a = v.as_array();
      if (!a || !a->is_array_of_tables()) {
        auto& d = sink.error("wrong-type",
                             ticked(key) + " must be an array of tables",
                             region(k.source()));
        diag::with_hint(d, "write each one as [[" + std::string(key) + "]]");
        break;
      }
      for (const auto& e : *a) reader(*e.as_table(), out, sink);
    }
    if (known) continue;
    auto& d = sink.error("unknown-key", "unknown top-level key `" + std::string(key) + "`",
                         region(k.source()));
    std::string near = diag::closest_match(key, kTop);
    diag::with_hint(d, near.empty()
                           ? std::string("a site has [site], [[proxy]], [[tenant]], "
                                         "[[trunk]], [[route]], [[inbound]] and [[expect]]")
                           : "did you mean `" + near + "`?");
  }
}

// One file read and parsed on its own, to be merged in name order.
struct Fragment {
  std::string path;
  std::string text;
  bool readable = false;
  std::string error;  // why it is not readable
  Site site;
  diag::Sink sink;
  std::map<std::string, SourceRegion> site_keys;
};

template <class T>
void append_moved(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

// Appends a fragment to the site: arrays of tables are appended; a [site]
// key already defined by an earlier fragment is an error naming both.
void merge(Fragment& f, Site& out, diag::Sink& sink,
           std::map<std::string, SourceRegion>& site_keys) {
  std::vector<std::pair<SourceRegion, std::string>> keys;
  for (auto& [key, where] : f.site_keys) keys.emplace_back(where, key);
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.line, a.first.column) < std::tie(b.first.line, b.first.column);
  });
  for (auto& [where, key] : keys) {
    auto [it, fresh] = site_keys.emplace(key, where);
    if (fresh) continue;
    auto& d = sink.error("duplicate-key", "`site." + key + "` is defined in two places", where);
    diag::with_related(d, it->second, "first defined here");
  }
  SiteInfo& info = f.site.info;
  if (!out.info.where.known()) out.info.where = info.where;
  if (!out.info.name.present && info.name.present) out.info.name = std::move(info.name);
  if (!out.info.transports.present && info.transports.present)
    out.info.transports = std::move(info.transports);
  append_moved(out.proxies, f.site.proxies);
  append_moved(out.tenants, f.site.tenants);
  append_moved(out.trunks, f.site.trunks);
  append_moved(out.routes, f.site.routes);
  append_moved(out.inbound, f.site.inbound);
  append_moved(out.expects, f.site.expects);
  append_moved(out.files, f.site.files);
  sink.append(f.sink);
}

// Parses the fragments (reading each first when `read`) on every core, then
// merges them in order, so the result does not depend on the scheduling.
LoadStatus parse_and_merge(std::vector<Fragment>& fragments, Site& out, diag::Sink& sink,
                           diag::SourceText& sources, bool read) {
  parallel::parallel_for(fragments.size(), 1, [&](std::size_t i) {
    Fragment& f = fragments[i];
    if (read) f.readable = io::read_input(f.path, io::kSiteFile, f.text, f.error);
    if (f.readable) load_fragment_impl(f.text, f.path, f.site, f.sink, f.site_keys);
  });

  // Reserve the whole site first: each fragment is then moved in and freed,
  // so memory peaks at one site, not at the fragments plus a growing copy.
  std::size_t tenants = 0, trunks = 0, routes = 0, inbound = 0, expects = 0;
  for (const auto& f : fragments) {
    tenants += f.site.tenants.size();
    trunks += f.site.trunks.size();
    routes += f.site.routes.size();
    inbound += f.site.inbound.size();
    expects += f.site.expects.size();
  }
  out.tenants.reserve(out.tenants.size() + tenants);
  out.trunks.reserve(out.trunks.size() + trunks);
  out.routes.reserve(out.routes.size() + routes);
  out.inbound.reserve(out.inbound.size() + inbound);
  out.expects.reserve(out.expects.size() + expects);
  std::map<std::string, SourceRegion> site_keys;
  // Every file that cannot be read is named, then nothing is merged.
  bool readable = true;
  for (const Fragment& f : fragments) {
    if (f.readable) continue;
    sink.error("io", f.error, {f.path});
    readable = false;
  }
  if (!readable) return LoadStatus::unreadable;
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    Fragment& f = fragments[i];
    sources.add(f.path, std::move(f.text));
    for (const auto& d : f.sink.all())
      if (d.code == "toml-syntax" || d.code == "nesting-depth") sources.mark_broken(d.where);
    merge(f, out, sink, site_keys);
    f = Fragment{};
  }
  // Inline passwords never reach a quoted line, whatever their shape.
  for (const auto& t : out.trunks)
    if (t.auth.password.present) sources.redact(t.auth.password.where);
  return LoadStatus::loaded;
}

}  // namespace

void load_fragment(std::string_view text, const std::string& name, Site& out,
                   diag::Sink& sink) {
  std::map<std::string, SourceRegion> site_keys;
  load_fragment_impl(text, name, out, sink, site_keys);
}

LoadStatus load_site(const std::filesystem::path& path, Site& out, diag::Sink& sink,
                     diag::SourceText& sources) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  auto status = std::filesystem::status(path, ec);
  if (ec && status.type() != std::filesystem::file_type::not_found) {
    // A symbolic link loop, a component that is not a directory, ...
    sink.error("io", "cannot read site: " + ec.message(), {path.string()});
    return LoadStatus::unreadable;
  }
  if (!std::filesystem::exists(status)) {
    bool dangling = std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec));
    auto& d = sink.error("io",
                         dangling ? "cannot read site: a symbolic link to a missing file"
                                  : "cannot read site: no such file or directory",
                         {path.string()});
    diag::with_hint(d, "give the site with -c PATH, or set TRUNK_SITE");
    return LoadStatus::unreadable;
  }
  if (std::filesystem::is_directory(status)) {
    for (auto it = std::filesystem::directory_iterator(path, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      // Subdirectories are skipped, even one named x.toml. Anything else
      // named *.toml is read, so that a FIFO, a device, a symbolic link
      // loop or a dangling link is reported (io::read_input says which)
      // instead of left out unseen.
      std::error_code type_ec;
      if (it->path().extension() == ".toml" && !it->is_directory(type_ec))
        files.push_back(it->path());
    }
    if (ec) {
      sink.error("io", "cannot list site directory: " + ec.message(), {path.string()});
      return LoadStatus::unreadable;
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      sink.error("io", "site directory holds no *.toml files", {path.string()});
      return LoadStatus::unreadable;
    }
  } else {
    files.push_back(path);
  }
  std::vector<Fragment> fragments(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) fragments[i].path = files[i].string();
  return parse_and_merge(fragments, out, sink, sources, /*read=*/true);
}

void load_texts(const std::vector<SiteFile>& files, Site& out, diag::Sink& sink,
                diag::SourceText& sources) {
  std::vector<Fragment> fragments(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    fragments[i].path = files[i].path;
    fragments[i].text = files[i].text;
    fragments[i].readable = true;
  }
  parse_and_merge(fragments, out, sink, sources, /*read=*/false);
}

std::filesystem::path default_site_path() {
  if (const char* env = std::getenv("TRUNK_SITE"); env && *env) return env;
  return "site";
}

}  // namespace trunk::site
