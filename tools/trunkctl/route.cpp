// trunkctl route: the decision trunkd would make (route/decide.hpp), with
// its explanation, from the same tables (compiled from the site in memory,
// or read from a tables file with --tables): for a tenant's number, a DID
// on a trunk, or a request's facts (--source, --via, --from-host).
#include <charconv>
#include <iostream>

#include "commands.hpp"
#include "route/decide_report.hpp"
#include "route/explain.hpp"
#include "sip/redirect.hpp"

namespace trunkctl {

using namespace trunk;

namespace {

struct RouteOptions {
  std::string tables, trunk, source, from_host;
  std::vector<std::string> vias;
  std::vector<std::string> args;  // TENANT NUMBER, DID with --trunk, NUMBER with --source
};

// "203.0.113.10:5060", "[2001:db8::1]:5060", or an address alone (port
// 5060 for a source, unknown for a Via).
std::optional<route::HostPort> host_port(const std::string& text, std::uint16_t default_port) {
  std::string address = text;
  std::uint16_t port = default_port;
  const auto colon = text.rfind(':');
  const bool bracketed = !text.empty() && text.front() == '[';
  if (colon != std::string::npos && (bracketed ? text[colon - 1] == ']' : text.find(':') == colon)) {
    address = text.substr(0, colon);
    const std::string digits = text.substr(colon + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port == 0) return std::nullopt;
  }
  return sip::make_source(address, port);
}

void print_outbound(const route::OutboundExplanation& e, const route::Decision& d,
                    const tables::Tables& t, const std::string& tenant, const std::string& number) {
  const route::Answer& a = e.answer;
  std::cout << tenant << " dials " << number << "\n";
  if (a.route.empty() || e.matching.empty()) {
    std::cout << "  route      none: "
              << (a.reason.empty() ? "no route of the tenant matches" : a.reason) << "\n";
  } else {
    std::cout << "  route      " << a.route << " (match " << e.matching.front().pattern
              << ", priority " << e.matching.front().priority << ")\n"
              << "  send       " << a.send << "\n";
  }
  std::cout << route::describe_decision(d, t, false);
  for (std::size_t i = 1; i < e.matching.size(); ++i)
    std::cout << "  also       " << e.matching[i].name << " (match " << e.matching[i].pattern
              << "): " << e.matching[i].why << "\n";
}

int exit_code(const route::Decision& d) {
  return d.code == 302 ? cli::kExitClean : cli::kExitFindings;
}

// A request's facts: --source, --via (top first, after the proxy's own),
// --from-host, and the number.
int run_facts(const Common& common, const RouteOptions& o, const route::Router& router) {
  if (o.args.size() != 1) {
    std::cerr << "trunkctl route: give NUMBER with --source\n";
    return cli::kExitUnusable;
  }
  auto source = host_port(o.source, 5060);
  if (!source) {
    std::cerr << "trunkctl: --source " << diag::quoted(o.source) << " is not ADDRESS[:PORT]\n";
    return cli::kExitUnusable;
  }
  // The source's own Via first: --via gives what it recorded below.
  std::vector<route::ViaHop> hops{route::ViaHop{*source, true}};
  for (const auto& v : o.vias) {
    auto at = host_port(v, 0);
    if (!at) {
      std::cerr << "trunkctl: --via " << diag::quoted(v) << " is not ADDRESS[:PORT]\n";
      return cli::kExitUnusable;
    }
    hops.push_back({*at, true});
  }
  route::Request r;
  r.source = *source;
  r.vias = hops;
  r.from_host = o.from_host;
  r.number = o.args[0];
  auto d = std::make_unique<route::Decision>();
  route::decide(router, r, *d);
  const tables::Tables& t = router.tables();
  if (common.format == cli::Format::json) {
    diag::JsonWriter w;
    w.begin_object().field("number", o.args[0]).field("source", o.source);
    w.field("from_host", o.from_host).key("vias").begin_array();
    for (const auto& v : o.vias) w.value(v);
    w.end_array();
    route::write_decision(*d, t, true, w);
    std::cout << w.end_object().str() << "\n";
  } else {
    std::cout << "a call to " << o.args[0] << " from " << o.source;
    if (!o.from_host.empty()) std::cout << ", From host " << o.from_host;
    std::cout << "\n";
    if (d->route != route::kNone) {
      std::cout << "  route      " << t.str(t.routes()[d->route].name) << "\n"
                << "  send       " << d->send << "\n";
    }
    std::cout << route::describe_decision(*d, t, true);
  }
  return exit_code(*d);
}

// The tables to route with: the file --tables names, or the site compiled
// in memory. -1 when they are open, else the exit code.
int open_tables(const Common& common, const RouteOptions& o, tables::Tables& t,
                std::string& bytes) {
  std::string error;
  if (!o.tables.empty()) {
    if (!t.open(o.tables, error)) {
      std::cerr << "trunkctl: " << error << "\n";
      return cli::kExitUnusable;
    }
    return -1;
  }
  cli::LoadedSite s;
  int code;
  if (!load_for_reading(common, s, code)) return code;
  // load_for_reading ran every rule, the compiler's too: the plan is complete.
  if (!cli::tables_in_memory(s, bytes, t, error)) {
    std::cerr << "trunkctl: internal error: " << error << "\n";
    return cli::kExitUnusable;
  }
  return -1;
}

int run_inbound(const Common& common, const RouteOptions& o, const route::Router& router) {
  const tables::Tables& t = router.tables();
  const std::string& did = o.args[0];
  route::Answer a = route::ask_inbound(router, o.trunk, did);
  if (!a.ok) {
    std::cerr << "trunkctl: " << a.error << "\n";
    return cli::kExitUnusable;
  }
  auto d = std::make_unique<route::Decision>();
  route::decide_inbound(router, t.find_trunk(o.trunk), did, *d);
  if (common.format == cli::Format::json) {
    diag::JsonWriter w;
    w.begin_object().field("trunk", o.trunk).field("did", did).field("tenant", a.tenant);
    w.field("to", a.to);
    if (!a.reason.empty()) w.field("reason", a.reason);
    w.key("decision").begin_object();
    route::write_decision(*d, t, false, w);
    std::cout << w.end_object().end_object().str() << "\n";
  } else {
    std::cout << did << " arrives on " << o.trunk << "\n"
              << "  tenant     " << (a.tenant.empty() ? "none" : a.tenant) << "\n"
              << "  to         " << (a.to.empty() ? "none" : a.to) << "\n";
    if (!a.reason.empty()) std::cout << "  why        " << a.reason << "\n";
    std::cout << route::describe_decision(*d, t, false);
  }
  return exit_code(*d);
}

int run_outbound(const Common& common, const RouteOptions& o, const route::Router& router) {
  const tables::Tables& t = router.tables();
  const std::string &tenant = o.args[0], &number = o.args[1];
  route::OutboundExplanation e = route::explain_outbound(router, tenant, number);
  if (!e.answer.ok) {
    std::cerr << "trunkctl: " << e.answer.error << "\n";
    return cli::kExitUnusable;
  }
  auto d = std::make_unique<route::Decision>();
  route::decide_outbound(router, t.find_tenant(tenant), number, *d);
  if (common.format != cli::Format::json) {
    print_outbound(e, *d, t, tenant, number);
    return exit_code(*d);
  }
  const route::Answer& a = e.answer;
  diag::JsonWriter w;
  w.begin_object().field("tenant", tenant).field("number", number).field("route", a.route);
  if (!a.reason.empty()) w.field("reason", a.reason);
  w.field("send", a.send).field("caller_id", a.caller_id).key("trunks").begin_array();
  // The trunks tried, in order: the Contacts of the answer.
  for (const auto& c : d->contact_list()) w.value(t.str(t.trunks()[c.trunk].name));
  w.end_array().key("matching").begin_array();
  for (const auto& c : e.matching) {
    w.begin_object().field("route", c.name).field("match", c.pattern);
    w.field("priority", static_cast<std::int64_t>(c.priority)).field("winner", c.winner);
    if (!c.why.empty()) w.field("why", c.why);
    w.end_object();
  }
  w.end_array().key("decision").begin_object();
  route::write_decision(*d, t, false, w);
  std::cout << w.end_object().end_object().str() << "\n";
  return exit_code(*d);
}

int run(const Common& common, const RouteOptions& o) {
  bool inbound = !o.trunk.empty();
  if (o.source.empty() && o.args.size() != (inbound ? 1u : 2u)) {
    std::cerr << "trunkctl route: give TENANT NUMBER, or --trunk NAME DID\n";
    return cli::kExitUnusable;
  }
  tables::Tables t;
  std::string bytes;  // the tables' storage when compiled in memory
  if (int code = open_tables(common, o, t, bytes); code >= 0) return code;
  route::Router router(t);
  if (!o.source.empty()) return run_facts(common, o, router);
  return inbound ? run_inbound(common, o, router) : run_outbound(common, o, router);
}

}  // namespace

Run setup_route(CLI::App& app, Common& common) {
  auto o = std::make_shared<RouteOptions>();
  app.add_option("--tables", o->tables, "Route with this tables file instead of the site");
  app.add_option("--trunk", o->trunk, "Inbound: the trunk the DID arrives on");
  app.add_option("--source", o->source,
                 "A request's facts: the address[:port] it came from (then give NUMBER)");
  app.add_option("--via", o->vias,
                 "What a trusted proxy recorded below its own Via (address[:rport]; "
                 "repeat for each hop, nearest first)");
  app.add_option("--from-host", o->from_host, "The From host of the request");
  app.add_option("ARGS", o->args,
                 "TENANT NUMBER (outbound), DID with --trunk (inbound), NUMBER with --source");
  return [&common, o] { return run(common, *o); };
}

}  // namespace trunkctl
