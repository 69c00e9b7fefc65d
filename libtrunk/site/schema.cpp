// The one list of site fields (schema.hpp).
#include "site/schema.hpp"

namespace trunk::site::schema {

namespace {

constexpr std::int64_t kLimit = 1'000'000;  // concurrent calls

using T = Type;
constexpr Field kFields[] = {
    // [site]
    {"site", "name", T::string, 0, 0, false, false, "the site's name, for reports"},
    {"site", "transports", T::strings, 0, 0, false, false, "the transports trunks may use"},
    // [[tenant]]
    {"tenant", "name", T::string, 0, 0, false, false, "the tenant's name"},
    {"tenant", "sip_domain", T::string, 0, 0, false, false, "the domain its PBX calls from"},
    {"tenant", "caller_id", T::string, 0, 0, false, false, "the tenant's outbound caller ID"},
    // [[trunk]]
    {"trunk", "name", T::string, 0, 0, false, false, "the trunk's name"},
    {"trunk", "type", T::string, 0, 0, false, true, "register, accept-register, peer, ..."},
    {"trunk", "provider", T::string, 0, 0, false, true, "the brand behind the trunk"},
    {"trunk", "owner", T::string, 0, 0, false, true, "system, or the tenant that made it"},
    {"trunk", "host", T::string, 0, 0, false, true, "the provider's domain or address"},
    {"trunk", "port", T::integer, 1, 65535, false, true, "the port of host"},
    {"trunk", "transport", T::string, 0, 0, false, true, "udp, tcp, tls or wss"},
    {"trunk", "outbound_proxy", T::string, 0, 0, false, true, "where requests go first"},
    {"trunk", "outbound_proxy_port", T::integer, 1, 65535, false, true, "its port"},
    {"trunk", "associated_ips", T::strings, 0, 0, false, true, "addresses calls come from"},
    {"trunk", "direction", T::string, 0, 0, false, true, "both, inbound or outbound"},
    {"trunk", "verify_port", T::boolean, 0, 0, false, true, "calls come from port too"},
    {"trunk", "single_via", T::boolean, 0, 0, false, true, "one Via only"},
    {"trunk", "tel_uri_request_line", T::boolean, 0, 0, false, true, "tel: Request-URI"},
    {"trunk", "tel_uri_to", T::boolean, 0, 0, false, true, "tel: in To"},
    {"trunk", "strip_plus", T::boolean, 0, 0, false, true, "numbers without the +"},
    {"trunk", "stir_shaken", T::boolean, 0, 0, false, true, "signs calls"},
    {"trunk", "relay_media", T::string, 0, 0, false, true, "yes, no or auto"},
    {"trunk", "match_from_host", T::string, 0, 0, false, true, "the From host it sends"},
    {"trunk", "request_uri_params", T::string, 0, 0, false, true, "Request-URI parameters"},
    {"trunk", "caller_id", T::string, 0, 0, false, true, "its outbound caller ID"},
    {"trunk", "failover", T::string, 0, 0, false, true, "the trunk tried next"},
    {"trunk", "failover_on", T::integers, 300, 699, false, false, "answers to fail over on"},
    {"trunk", "keepalive", T::table, 0, 0, false, false, "OPTIONS probing"},
    {"trunk", "limits", T::table, 0, 0, false, false, "concurrent calls"},
    {"trunk", "auth", T::table, 0, 0, false, false, "credentials"},
    {"trunk", "tenant", T::tables, 0, 0, false, false, "tenants and their DID pools"},
    // [trunk.keepalive]
    {"trunk.keepalive", "options", T::boolean, 0, 0, false, true, "send OPTIONS"},
    {"trunk.keepalive", "interval", T::integer, 1, 86400, false, true, "seconds between"},
    // [trunk.limits]
    {"trunk.limits", "inbound", T::integer, 0, kLimit, false, true, "calls from the trunk"},
    {"trunk.limits", "outbound", T::integer, 0, kLimit, false, true, "calls to the trunk"},
    {"trunk.limits", "total", T::integer, 0, kLimit, false, true, "both together"},
    // [trunk.auth]
    {"trunk.auth", "username", T::string, 0, 0, false, true, "the user name"},
    {"trunk.auth", "password_env", T::string, 0, 0, false, true, "env var with the password"},
    {"trunk.auth", "password_file", T::string, 0, 0, false, true, "file with the password"},
    {"trunk.auth", "password", T::string, 0, 0, true, false, "the password itself"},
    {"trunk.auth", "register_interval", T::integer, 60, 604800, false, true, "REGISTER every"},
    // [[trunk.tenant]]
    {"trunk.tenant", "tenant", T::string, 0, 0, false, false, "a tenant the trunk serves"},
    {"trunk.tenant", "did_pool", T::string, 0, 0, false, false, "its DIDs on this trunk"},
    // [[proxy]]
    {"proxy", "name", T::string, 0, 0, false, false, "the proxy's name"},
    {"proxy", "addresses", T::strings, 0, 0, false, false, "where it sends from"},
    // [[route]]
    {"route", "tenant", T::string, 0, 0, false, false, "whose route"},
    {"route", "name", T::string, 0, 0, false, false, "the route's name"},
    {"route", "match", T::string, 0, 0, false, false, "the dial pattern"},
    {"route", "priority", T::integer, -kLimit, kLimit, false, false, "wins over lower"},
    {"route", "trunks", T::strings, 0, 0, false, false, "the trunks, in order"},
    {"route", "strip", T::integer, 0, 32, false, false, "digits removed first"},
    {"route", "prepend", T::string, 0, 0, false, false, "digits put in front"},
    {"route", "caller_id", T::string, 0, 0, false, false, "the caller ID it sends"},
    // [[inbound]]
    {"inbound", "tenant", T::string, 0, 0, false, false, "whose DIDs"},
    {"inbound", "trunk", T::string, 0, 0, false, false, "the trunk they come in on"},
    {"inbound", "did", T::string, 0, 0, false, false, "the DIDs"},
    {"inbound", "to", T::string, 0, 0, false, false, "where they go"},
    // [[expect]]
    {"expect", "dial", T::string, 0, 0, false, false, "an outbound number"},
    {"expect", "did", T::string, 0, 0, false, false, "an inbound DID"},
    {"expect", "tenant", T::string, 0, 0, false, false, "who dials"},
    {"expect", "trunk", T::string, 0, 0, false, false, "the trunk a DID comes in on"},
    {"expect", "route", T::string, 0, 0, false, false, "the route expected"},
    {"expect", "send", T::string, 0, 0, false, false, "the number sent"},
    {"expect", "trunks", T::strings, 0, 0, false, false, "the trunks expected"},
    {"expect", "to", T::string, 0, 0, false, false, "the destination expected"},
};

}  // namespace

std::span<const Field> fields() { return kFields; }

namespace {

// The fields of one table: kFields lists each table's fields together.
struct TableFields {
  std::string_view table;
  std::span<const Field> fields;
  std::vector<std::string_view> keys;
};

// Built once (thread-safe): a loader asks for the keys of every table it
// reads, a million times for a million routes, so the answers are kept.
const std::vector<TableFields>& tables() {
  static const std::vector<TableFields> kTables = [] {
    std::vector<TableFields> out;
    const std::span<const Field> all(kFields);
    for (std::size_t i = 0; i < all.size();) {
      std::size_t end = i;
      while (end < all.size() && all[end].table == all[i].table) ++end;
      TableFields t{all[i].table, all.subspan(i, end - i), {}};
      for (const Field& f : t.fields) t.keys.push_back(f.key);
      out.push_back(std::move(t));
      i = end;
    }
    return out;
  }();
  return kTables;
}

const TableFields* table_fields(std::string_view table) {
  for (const TableFields& t : tables())
    if (t.table == table) return &t;
  return nullptr;
}

}  // namespace

const std::vector<std::string_view>& keys_of(std::string_view table) {
  static const std::vector<std::string_view> kNone;
  const TableFields* t = table_fields(table);
  return t ? t->keys : kNone;
}

const Field* find(std::string_view table, std::string_view key) {
  if (const TableFields* t = table_fields(table))
    for (const Field& f : t->fields)
      if (f.key == key) return &f;
  return nullptr;
}

bool may_hold_secrets(std::string_view table) {
  for (const Field& f : kFields) {
    if (!f.secret) continue;
    if (table.empty() || f.table == table) return true;
    if (f.table.starts_with(table) && f.table[table.size()] == '.') return true;
  }
  return false;
}

std::string_view type_words(Type t) {
  switch (t) {
    case Type::string: return "string";
    case Type::integer: return "integer";
    case Type::boolean: return "boolean";
    case Type::strings: return "array of strings";
    case Type::integers: return "array of integers";
    case Type::table: return "table";
    case Type::tables: return "array of tables";
  }
  return "";
}

}  // namespace trunk::site::schema
