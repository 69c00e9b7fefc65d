// Trunk descriptions, with the password redacted.
#include "site/describe.hpp"

namespace trunk::site {

std::string endpoint(const Trunk& t) {
  return t.host.value + ":" + std::to_string(t.port.value) + "/" +
         std::string(to_string(t.transport.value));
}

std::string tenant_list(const Trunk& t) {
  std::string out;
  for (const auto& a : t.tenants) {
    if (!out.empty()) out += ",";
    out += a.tenant.value;
  }
  return out.empty() ? "-" : out;
}

std::string password_source(const Auth& a) {
  if (a.password_env.present) return "env " + a.password_env.value;
  if (a.password_file.present) return "file " + a.password_file.value;
  if (a.password.present) return "inline (redacted)";
  return "none";
}

namespace {

// Writes optional fields only when set, so JSON consumers see what the site says.
void opt(diag::JsonWriter& w, std::string_view key, const Field<std::string>& f) {
  if (f.present) w.field(key, f.value);
}

}  // namespace

void write_trunk_json(diag::JsonWriter& w, const Trunk& t) {
  w.begin_object()
      .field("name", t.name.value)
      .field("type", to_string(t.type.value))
      .field("provider", t.provider.value)
      .field("owner", t.owner.value)
      .field("host", t.host.value)
      .field("port", t.port.value)
      .field("transport", to_string(t.transport.value));
  opt(w, "outbound_proxy", t.outbound_proxy);
  if (t.outbound_proxy.present) w.field("outbound_proxy_port", t.outbound_proxy_port.value);
  w.key("associated_ips").begin_array();
  for (const auto& ip : t.associated_ips.value) w.value(ip.value);
  w.end_array();
  w.field("direction", to_string(t.direction.value))
      .field("verify_port", t.verify_port.value)
      .field("single_via", t.single_via.value)
      .field("tel_uri_request_line", t.tel_uri_request_line.value)
      .field("tel_uri_to", t.tel_uri_to.value)
      .field("strip_plus", t.strip_plus.value)
      .field("stir_shaken", t.stir_shaken.value)
      .field("relay_media", to_string(t.relay_media.value));
  opt(w, "match_from_host", t.match_from_host);
  opt(w, "request_uri_params", t.request_uri_params);
  opt(w, "caller_id", t.caller_id);
  opt(w, "failover", t.failover);
  w.key("keepalive")
      .begin_object()
      .field("options", t.keepalive.options.value)
      .field("interval", t.keepalive.interval.value)
      .end_object();
  w.key("limits").begin_object();
  for (auto [key, f] : {std::pair{"inbound", &t.limits.inbound},
                        {"outbound", &t.limits.outbound},
                        {"total", &t.limits.total}}) {
    w.key(key);
    if (f->present) w.value(f->value);
    else w.null();  // unlimited
  }
  w.end_object();
  if (t.auth.present) {
    w.key("auth").begin_object();
    opt(w, "username", t.auth.username);
    w.field("password_source", password_source(t.auth));
    if (t.type.value == TrunkType::register_)
      w.field("register_interval", t.auth.register_interval.value);
    w.end_object();
  }
  w.key("tenants").begin_array();
  for (const auto& a : t.tenants) {
    w.begin_object().field("tenant", a.tenant.value);
    opt(w, "did_pool", a.did_pool);
    w.end_object();
  }
  w.end_array();
  w.key("defined_at").value(t.where.to_string());
  w.end_object();
}

std::string describe_trunk_text(const Trunk& t) {
  std::string out;
  auto line = [&](std::string_view key, const std::string& value) {
    out += std::string(key);
    out.append(key.size() < 22 ? 22 - key.size() : 1, ' ');
    out += value + "\n";
  };
  auto yes = [](bool b) { return std::string(b ? "yes" : "no"); };
  auto limit = [](const Field<std::int64_t>& f) {
    return f.present ? std::to_string(f.value) : std::string("unlimited");
  };
  line("name", t.name.value);
  line("defined at", t.where.to_string());
  line("type", std::string(to_string(t.type.value)) +
                   (t.type_text.value != to_string(t.type.value) && t.type_text.present
                        ? " (written \"" + t.type_text.value + "\")"
                        : ""));
  line("provider", t.provider.value);
  line("owner", t.owner.value);
  line("endpoint", endpoint(t));
  if (t.outbound_proxy.present)
    line("outbound proxy",
         t.outbound_proxy.value + ":" + std::to_string(t.outbound_proxy_port.value));
  if (!t.associated_ips.value.empty()) {
    std::string ips;
    for (const auto& ip : t.associated_ips.value) ips += (ips.empty() ? "" : ", ") + ip.value;
    line("associated ips", ips);
  }
  line("direction", std::string(to_string(t.direction.value)));
  line("verify port", yes(t.verify_port.value));
  line("single via", yes(t.single_via.value));
  line("tel: request line", yes(t.tel_uri_request_line.value));
  line("tel: in To", yes(t.tel_uri_to.value));
  line("strip plus", yes(t.strip_plus.value));
  line("stir/shaken", yes(t.stir_shaken.value));
  line("relay media", std::string(to_string(t.relay_media.value)));
  if (t.match_from_host.present) line("match from host", t.match_from_host.value);
  if (t.request_uri_params.present) line("request-uri params", t.request_uri_params.value);
  if (t.caller_id.present) line("caller id", t.caller_id.value);
  if (t.failover.present) line("failover", t.failover.value);
  line("keepalive", t.keepalive.options.value
                        ? "OPTIONS every " + std::to_string(t.keepalive.interval.value) + "s"
                        : std::string("off"));
  line("limits", "inbound " + limit(t.limits.inbound) + ", outbound " +
                     limit(t.limits.outbound) + ", total " + limit(t.limits.total));
  if (t.auth.present) {
    if (t.auth.username.present) line("auth user", t.auth.username.value);
    line("password", password_source(t.auth));
    if (t.type.value == TrunkType::register_)
      line("register interval", std::to_string(t.auth.register_interval.value) + "s");
  }
  if (t.tenants.empty()) line("tenants", "-");
  for (const auto& a : t.tenants)
    line("tenant " + a.tenant.value,
         a.did_pool.present ? "pool " + a.did_pool.value : std::string("no DID pool"));
  return out;
}

}  // namespace trunk::site
