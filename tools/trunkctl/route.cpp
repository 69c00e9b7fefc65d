// trunkctl route: the routing decision for a number, with its explanation,
// from the same router trunkd uses (compiled from the site in memory, or
// read from a tables file with --tables).
#include <iostream>

#include "commands.hpp"
#include "route/explain.hpp"

namespace trunkctl {

using namespace trunk;

namespace {

struct RouteOptions {
  std::string tables, trunk;
  std::vector<std::string> args;  // TENANT NUMBER, or DID with --trunk
};

void print_outbound(const route::OutboundExplanation& e, const std::string& tenant,
                    const std::string& number) {
  const route::Answer& a = e.answer;
  std::cout << tenant << " dials " << number << "\n";
  if (a.route.empty() || e.matching.empty()) {
    std::cout << "  route      none: "
              << (a.reason.empty() ? "no route of the tenant matches" : a.reason) << "\n";
    return;
  }
  std::string trunks;
  for (std::size_t i = 0; i < a.trunks.size(); ++i) trunks += (i ? ", " : "") + a.trunks[i];
  std::cout << "  route      " << a.route << " (match " << e.matching.front().pattern
            << ", priority " << e.matching.front().priority << ")\n"
            << "  send       " << a.send << "\n"
            << "  trunks     " << trunks << " (tried in this order)\n"
            << "  caller id  " << (a.caller_id.empty() ? "-" : a.caller_id) << "\n";
  for (std::size_t i = 1; i < e.matching.size(); ++i)
    std::cout << "  also       " << e.matching[i].name << " (match " << e.matching[i].pattern
              << "): " << e.matching[i].why << "\n";
}

int run(const Common& common, const RouteOptions& o) {
  bool inbound = !o.trunk.empty();
  if (o.args.size() != (inbound ? 1u : 2u)) {
    std::cerr << "trunkctl route: give TENANT NUMBER, or --trunk NAME DID\n";
    return cli::kExitUnusable;
  }
  tables::Tables t;
  std::string bytes, error;
  if (!o.tables.empty()) {
    if (!t.open(o.tables, error)) {
      std::cerr << "trunkctl: " << error << "\n";
      return cli::kExitUnusable;
    }
  } else {
    cli::LoadedSite s;
    int code;
    if (!load_for_reading(common, s, code)) return code;
    // load_for_reading ran every rule, the compiler's too: the plan is complete.
    if (!cli::tables_in_memory(s, bytes, t, error)) {
      std::cerr << "trunkctl: internal error: " << error << "\n";
      return cli::kExitUnusable;
    }
  }
  route::Router router(t);
  bool json = common.format == cli::Format::json;
  diag::JsonWriter w;
  if (inbound) {
    const std::string& did = o.args[0];
    route::Answer a = route::ask_inbound(router, o.trunk, did);
    if (!a.ok) {
      std::cerr << "trunkctl: " << a.error << "\n";
      return cli::kExitUnusable;
    }
    if (json) {
      w.begin_object().field("trunk", o.trunk).field("did", did).field("tenant", a.tenant);
      w.field("to", a.to);
      if (!a.reason.empty()) w.field("reason", a.reason);
      std::cout << w.end_object().str() << "\n";
    } else {
      std::cout << did << " arrives on " << o.trunk << "\n"
                << "  tenant     " << (a.tenant.empty() ? "none" : a.tenant) << "\n"
                << "  to         " << (a.to.empty() ? "none" : a.to) << "\n";
      if (!a.reason.empty()) std::cout << "  why        " << a.reason << "\n";
    }
    return a.to.empty() ? cli::kExitFindings : cli::kExitClean;
  }
  const std::string &tenant = o.args[0], &number = o.args[1];
  route::OutboundExplanation e = route::explain_outbound(router, tenant, number);
  if (!e.answer.ok) {
    std::cerr << "trunkctl: " << e.answer.error << "\n";
    return cli::kExitUnusable;
  }
  if (json) {
    const route::Answer& a = e.answer;
    w.begin_object().field("tenant", tenant).field("number", number).field("route", a.route);
    if (!a.reason.empty()) w.field("reason", a.reason);
    w.field("send", a.send).field("caller_id", a.caller_id).key("trunks").begin_array();
    for (const auto& tr : a.trunks) w.value(tr);
    w.end_array().key("matching").begin_array();
    for (const auto& c : e.matching) {
      w.begin_object().field("route", c.name).field("match", c.pattern);
      w.field("priority", static_cast<std::int64_t>(c.priority)).field("winner", c.winner);
      if (!c.why.empty()) w.field("why", c.why);
      w.end_object();
    }
    std::cout << w.end_array().end_object().str() << "\n";
  } else {
    print_outbound(e, tenant, number);
  }
  return e.answer.route.empty() ? cli::kExitFindings : cli::kExitClean;
}

}  // namespace

Run setup_route(CLI::App& app, Common& common) {
  auto o = std::make_shared<RouteOptions>();
  app.add_option("--tables", o->tables, "Route with this tables file instead of the site");
  app.add_option("--trunk", o->trunk, "Inbound: the trunk the DID arrives on");
  app.add_option("ARGS", o->args, "TENANT NUMBER (outbound), or DID with --trunk (inbound)");
  return [&common, o] { return run(common, *o); };
}

}  // namespace trunkctl
