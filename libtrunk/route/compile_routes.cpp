// The compiler's route step: every tenant's outbound automaton and index.
//
// Parses and checks each route (pattern, prepend, duplicate names), records
// it in plan.routes, then builds one automaton per tenant in which every
// number ends on the routes that win it (the higher priority, then the
// strictly smaller set of numbers). A number with more than one winner is a
// route-ambiguous error; a route that never wins is a route-shadowed
// warning. Tenants are independent and built in parallel; the result does
// not depend on the scheduling. Laying the automata out as words is
// compile_layout.cpp; the site rules on routes are
// check/references.cpp (check/rules.hpp lists every family).
#include <algorithm>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "parallel/parallel_for.hpp"
#include "route/compile_steps.hpp"
#include "route/router.hpp"
#include "site/place.hpp"
#include "tables/format.hpp"

namespace trunk::route::compile_steps {

using pattern::DialPattern;

namespace {

std::string q(std::string_view s) { return diag::quoted(s); }

struct CompiledRoute {
  const site::Route* source;
  std::uint32_t index;  // in plan.routes and site.routes
  DialPattern pattern;
};

// Route a beats route b for a number both match.
bool beats(const CompiledRoute& a, const CompiledRoute& b) {
  if (a.source->priority.value != b.source->priority.value)
    return a.source->priority.value > b.source->priority.value;
  return pattern::is_subset(a.pattern, b.pattern) && !pattern::is_subset(b.pattern, a.pattern);
}

// Routes of one tenant that match the same numbers. Only the members of the
// highest priority can ever win, and they win or lose together, so they
// enter the automaton as one item: N equal routes cost one insertion, and a
// conflict among them is reported once with its count, not once per pair.
struct PatternGroup {
  // Local indexes: the highest priority first, file order within a priority.
  std::vector<std::uint32_t> members;
  std::uint32_t top = 0;  // members[0..top) share the highest priority
  std::uint32_t first() const { return members.front(); }
};

// Groups routes by the set of numbers they match (canonical pattern), the
// groups ordered by their first member, so that item order is file order.
std::vector<PatternGroup> group_routes(const std::vector<CompiledRoute>& routes) {
  std::vector<DialPattern> key(routes.size());
  std::vector<std::uint32_t> order(routes.size());
  for (std::uint32_t i = 0; i < routes.size(); ++i) {
    key[i] = pattern::canonical(routes[i].pattern);
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (auto c = key[a] <=> key[b]; c != 0) return c < 0;
    if (routes[a].source->priority.value != routes[b].source->priority.value)
      return routes[a].source->priority.value > routes[b].source->priority.value;
    return a < b;
  });
  std::vector<PatternGroup> groups;
  for (std::size_t k = 0; k < order.size(); ++k) {
    std::uint32_t i = order[k];
    if (k == 0 || key[i] != key[order[k - 1]]) groups.emplace_back();
    PatternGroup& g = groups.back();
    if (g.members.empty() ||
        routes[i].source->priority.value == routes[g.first()].source->priority.value)
      ++g.top;
    g.members.push_back(i);
  }
  std::sort(groups.begin(), groups.end(),
            [](const PatternGroup& a, const PatternGroup& b) { return a.first() < b.first(); });
  return groups;
}

// At most this many route-ambiguous pairs name any one group: a pair of two
// groups already named this often is counted, not shown. Routes that all
// cross each other then give a bounded report, not one line per pair.
constexpr std::uint32_t kPairsPerGroup = 5;
// A route-shadowed warning names at most this many of the winning routes.
constexpr std::size_t kTakersNamed = 5;

// Two groups that win a number together (a != b), or a group whose equal
// routes win together (a == b); `node` is where, in the reachable list.
struct Conflict {
  std::uint32_t a, b;
  std::size_t node;
};

// One tenant's routes, grouped, and the automaton they build. The
// builder's items are group indexes; a group stands for its first member.
class TenantAutomaton {
 public:
  TenantAutomaton(const std::string& tenant, const std::vector<CompiledRoute>& routes)
      : tenant_(tenant), routes_(routes), groups_(group_routes(routes)),
        builder_([this](const std::vector<std::uint32_t>& set, std::uint32_t item) {
          return winners(set, item);
        }) {}
  // The builder's combine function points back here.
  TenantAutomaton(const TenantAutomaton&) = delete;
  TenantAutomaton& operator=(const TenantAutomaton&) = delete;
  void build();
  void report_conflicts(diag::Sink& sink);
  void report_shadowed(diag::Sink& sink) const;
  std::uint32_t emit(std::vector<std::uint32_t>& hot, std::vector<std::uint32_t>& cold) const;

 private:
  const CompiledRoute& rep(std::uint32_t g) const { return routes_[groups_[g].first()]; }
  std::vector<std::uint32_t> winners(const std::vector<std::uint32_t>& set,
                                     std::uint32_t item) const;
  std::vector<Conflict> find_conflicts(const std::vector<AutomatonBuilder::Reached>& nodes);
  std::pair<const CompiledRoute*, const CompiledRoute*> routes_of(const Conflict& c) const;
  diag::Diagnostic& report_conflict(diag::Sink& sink, const Conflict& c,
                                    const std::vector<AutomatonBuilder::Reached>& nodes) const;
  std::string takers_of(std::uint32_t g) const;

  const std::string& tenant_;
  const std::vector<CompiledRoute>& routes_;
  const std::vector<PatternGroup> groups_;
  AutomatonBuilder builder_;
  NodeId root_ = kDead;
  std::vector<bool> reached_;  // the group wins some number
};

// Keeps the groups no other group here beats: the winners for the number.
std::vector<std::uint32_t> TenantAutomaton::winners(const std::vector<std::uint32_t>& set,
                                                    std::uint32_t item) const {
  std::vector<std::uint32_t> out;
  const CompiledRoute& r = rep(item);
  bool r_loses = false;
  for (std::uint32_t x : set) {
    if (beats(r, rep(x))) continue;
    if (beats(rep(x), r)) r_loses = true;
    out.push_back(x);
  }
  if (!r_loses) out.push_back(item);
  std::sort(out.begin(), out.end());
  return out;
}

void TenantAutomaton::build() {
  // Insert the broad patterns first: the later, narrower ones then only copy
  // their own paths. The order changes the work, not the result.
  std::vector<std::uint32_t> order(groups_.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const DialPattern &pa = rep(a).pattern, &pb = rep(b).pattern;
    if (pa.bounded() != pb.bounded()) return !pa.bounded();
    return pa.classes.size() < pb.classes.size();
  });
  for (std::uint32_t g : order) root_ = builder_.insert(root_, rep(g).pattern, g);
}

// Conflicts, in the order of their shortest numbers; marks the groups that
// win some number.
std::vector<Conflict> TenantAutomaton::find_conflicts(
    const std::vector<AutomatonBuilder::Reached>& nodes) {
  std::vector<Conflict> conflicts;
  reached_.assign(groups_.size(), false);
  std::unordered_set<std::uint64_t> paired;
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const auto& set = builder_.set(builder_.node(nodes[k].id).accept);
    for (auto x : set) {
      if (!reached_[x] && groups_[x].top > 1) conflicts.push_back({x, x, k});
      reached_[x] = true;
    }
    for (std::size_t i = 0; i < set.size(); ++i)
      for (std::size_t j = i + 1; j < set.size(); ++j)
        if (paired.insert(std::uint64_t(set[i]) << 32 | set[j]).second)
          conflicts.push_back({set[i], set[j], k});
  }
  return conflicts;
}

// The first two routes of a conflict, in file order; the others are counted.
std::pair<const CompiledRoute*, const CompiledRoute*> TenantAutomaton::routes_of(
    const Conflict& c) const {
  const CompiledRoute* a = &routes_[groups_[c.a].first()];
  const CompiledRoute* b = &routes_[c.a == c.b ? groups_[c.a].members[1] : groups_[c.b].first()];
  return a->index < b->index ? std::pair{a, b} : std::pair{b, a};
}

diag::Diagnostic& TenantAutomaton::report_conflict(
    diag::Sink& sink, const Conflict& c, const std::vector<AutomatonBuilder::Reached>& nodes) const {
  auto [first, second] = routes_of(c);
  const CompiledRoute &earlier = *first, &later = *second;
  std::size_t more = groups_[c.a].top + (c.a == c.b ? 0 : groups_[c.b].top) - 2;
  std::string message =
      "routes " + q(earlier.source->name.value) + " and " + q(later.source->name.value) +
      " of tenant " + q(tenant_) + " both match " + AutomatonBuilder::number_of(nodes, c.node) +
      " with priority " + std::to_string(earlier.source->priority.value) +
      (pattern::is_subset(earlier.pattern, later.pattern)
           ? ", and they match the same numbers"
           : ", and neither matches all the numbers of the other");
  if (more > 0)
    message += "; " + std::to_string(more) + " more route" + (more == 1 ? " has" : "s have") +
               (c.a == c.b ? " this pattern" : " one of these patterns") + " and priority";
  auto& d = sink.error("route-ambiguous", std::move(message), later.source->match.where);
  diag::with_related(d, earlier.source->match.where, "the other route");
  diag::with_hint(d, "give one of them a higher priority, or narrow a pattern so that "
                     "one lies inside the other");
  return d;
}

// Which conflicts are shown: all but pairs of two groups that are each
// named kPairsPerGroup times already. The one shown last (in file order,
// as the tools print) counts the rest.
void TenantAutomaton::report_conflicts(diag::Sink& sink) {
  const auto nodes = builder_.reachable(root_);
  const std::vector<Conflict> conflicts = find_conflicts(nodes);
  std::vector<std::uint32_t> named(groups_.size(), 0);
  std::vector<bool> shown(conflicts.size(), false);
  std::size_t omitted = 0, last_shown = 0;
  for (std::size_t k = 0; k < conflicts.size(); ++k) {
    const Conflict& c = conflicts[k];
    if (c.a != c.b && named[c.a] >= kPairsPerGroup && named[c.b] >= kPairsPerGroup) {
      ++omitted;
      continue;
    }
    ++named[c.a];
    if (c.b != c.a) ++named[c.b];
    shown[k] = true;
    if (routes_of(c).second->index >= routes_of(conflicts[last_shown]).second->index)
      last_shown = k;
  }
  for (std::size_t k = 0; k < conflicts.size(); ++k) {
    if (!shown[k]) continue;
    auto& d = report_conflict(sink, conflicts[k], nodes);
    if (k == last_shown && omitted > 0)
      diag::with_hint(d,
                      std::to_string(omitted) + " more ambiguous pair" +
                          (omitted == 1 ? "" : "s") + " of patterns of tenant " + q(tenant_) +
                          " not shown: each pattern is named in at most " +
                          std::to_string(kPairsPerGroup));
  }
}

// The names of the groups that take group g's numbers, found by walking its
// pattern through the automaton (shortest numbers first), not by comparing
// it with every other route.
std::string TenantAutomaton::takers_of(std::uint32_t g) const {
  std::vector<std::uint32_t> takers;
  bool others = false;
  builder_.for_each_match(root_, rep(g).pattern, [&](SetId s) {
    for (std::uint32_t w : builder_.set(s)) {
      if (w == g || std::find(takers.begin(), takers.end(), w) != takers.end()) continue;
      // An unused group is taken from by the winners that beat it; the
      // routes below a group's top lose to every winner of its numbers.
      if (!reached_[g] && !beats(rep(w), rep(g))) continue;
      if (takers.size() == kTakersNamed) {
        others = true;
        return false;
      }
      takers.push_back(w);
    }
    return true;
  });
  if (reached_[g]) takers.insert(takers.begin(), g);
  if (takers.size() > kTakersNamed) {
    takers.resize(kTakersNamed);
    others = true;
  }
  std::string names;
  for (std::uint32_t w : takers) names += (names.empty() ? "" : ", ") + q(rep(w).source->name.value);
  if (others) names += " and others";
  if (names.empty()) names = "another route";
  return names;
}

// Shadowed routes, one warning per group: all its routes if the group
// never wins, else those below its highest priority.
void TenantAutomaton::report_shadowed(diag::Sink& sink) const {
  for (std::uint32_t g = 0; g < groups_.size(); ++g) {
    const PatternGroup& group = groups_[g];
    std::vector<std::uint32_t> unused(group.members.begin() + (reached_[g] ? group.top : 0),
                                      group.members.end());
    if (unused.empty()) continue;
    std::sort(unused.begin(), unused.end());
    const std::string names = takers_of(g);
    const CompiledRoute& first = routes_[unused[0]];
    std::string message;
    if (unused.size() == 1) {
      message = "route " + q(first.source->name.value) + " of tenant " + q(tenant_) +
                " is never used: every number it matches goes to " + names;
    } else {
      const CompiledRoute& second = routes_[unused[1]];
      message = "routes " + q(first.source->name.value) + " and " + q(second.source->name.value) +
                " of tenant " + q(tenant_);
      if (unused.size() > 2)
        message += " and " + std::to_string(unused.size() - 2) + " more with the same pattern";
      message += " are never used: every number they match goes to " + names;
    }
    auto& d = sink.warning("route-shadowed", std::move(message), first.source->match.where);
    if (unused.size() > 1)
      diag::with_related(d, routes_[unused[1]].source->match.where, "also never used");
    diag::with_hint(d, unused.size() == 1 ? "remove the route, or raise its priority"
                                          : "remove the routes, or raise their priorities");
  }
}

std::uint32_t TenantAutomaton::emit(std::vector<std::uint32_t>& hot,
                                    std::vector<std::uint32_t>& cold) const {
  return emit_split(builder_, root_, hot, cold, [&](SetId s) -> std::uint32_t {
    const auto& set = builder_.set(s);
    return set.empty() ? 0 : rep(set.front()).index + 1;
  });
}

// What checking a route needs: the site, where each route's tenant is, and
// the plan whose routes it fills.
struct RouteInputs {
  const site::Site& site;
  const diag::SourceText& sources;
  const Names& names;
  const std::vector<std::uint32_t>& route_tenant;  // per site route; kNone if unknown
  tables::Plan& plan;
};

// Parses route i's pattern and checks its prepend into `out`. Returns the
// pattern, or nothing if it does not parse.
std::optional<DialPattern> check_route(const RouteInputs& in, std::uint32_t i, diag::Sink& out) {
  const site::Route& r = in.site.routes[i];
  std::string what = "match of route " + q(r.name.value);
  auto pat = pattern::parse_pattern(r.match.value, site::place_of(r.match, in.sources), what, out);
  if (r.prepend.present && !pattern::is_dial_number(r.prepend.value))
    diag::with_hint(out.error("invalid-value",
                              "prepend " + q(r.prepend.value) + " of route " + q(r.name.value) +
                                  " has characters that are not dial symbols",
                              r.prepend.where),
                    "prepend holds digits, *, # and + only");
  return pat;
}

// Every route's record in plan.routes, in site order: its texts and trunks
// are appended to the plan's runs one route after the other, so this runs
// on one thread, once per route, without an allocation per route.
void plan_route_records(const RouteInputs& in) {
  const auto& routes = in.site.routes;
  tables::Plan& plan = in.plan;
  std::size_t text = 0, trunks = 0;
  for (const site::Route& r : routes) {
    text += r.name.value.size() + r.match.value.size() + r.prepend.value.size() +
            r.caller_id.value.size();
    trunks += r.trunks.value.size();
  }
  plan.routes.resize(routes.size());
  plan.route_text.reserve(text);
  plan.route_trunks.reserve(trunks);
  std::vector<std::uint32_t> route_trunks;
  for (std::uint32_t i = 0; i < routes.size(); ++i) {
    const site::Route& r = routes[i];
    tables::Plan::Route& pr = plan.routes[i];
    pr.tenant = in.route_tenant[i];
    pr.priority = static_cast<std::int32_t>(r.priority.value);
    pr.strip = static_cast<std::uint32_t>(r.strip.value);
    // Whether each trunk may carry the route (assignment, direction) is a
    // site rule (check/references.cpp), checked before the compiler runs.
    route_trunks.clear();
    for (const auto& tf : r.trunks.value) {
      std::uint32_t ti = in.names.trunk(tf.value);
      if (ti == tables::kNone) continue;  // unknown-trunk: reported by the validator
      route_trunks.push_back(ti);
    }
    plan.add_route_text(pr, r.name.value, r.match.value, r.prepend.value, r.caller_id.value,
                        route_trunks);
  }
}

// One tenant's share of the step, built on its own core: its diagnostics
// and its automaton's words.
struct TenantResult {
  diag::Sink sink;
  std::vector<std::uint32_t> hot{0, 0};  // a local dead node, then the top of the automaton
  std::vector<std::uint32_t> cold;
  std::uint32_t root = 0;
  std::uint32_t dial_symbols = 0;  // '*' and '#' the routes name
};

// Checks a tenant's routes (given as site indexes) and, if they have no
// error, builds and lays out its automaton.
void compile_tenant(const RouteInputs& in, std::uint32_t t,
                    const std::vector<std::uint32_t>& route_indexes, TenantResult& res) {
  std::vector<CompiledRoute> routes;
  std::unordered_map<std::string_view, const site::Route*> names;
  for (std::uint32_t i : route_indexes) {
    const site::Route& r = in.site.routes[i];
    auto pat = check_route(in, i, res.sink);
    auto [it, fresh] = names.emplace(r.name.value, &r);
    if (!fresh)
      diag::with_related(res.sink.error("duplicate-route",
                                        "tenant " + q(r.tenant.value) + " has two routes named " +
                                            q(r.name.value),
                                        r.name.where),
                         it->second->name.where, "first defined here");
    if (!pat) continue;
    for (std::uint16_t set : pat->classes) res.dial_symbols |= set & tables::kPlanSymbols;
    routes.push_back({&r, i, std::move(*pat)});
  }
  if (res.sink.errors() != 0) return;
  TenantAutomaton automaton(in.plan.tenants[t].name, routes);
  automaton.build();
  automaton.report_conflicts(res.sink);
  automaton.report_shadowed(res.sink);
  res.root = automaton.emit(res.hot, res.cold);
}

// Joins the tenants' results in tenant order; lays the automata out only
// when no route has an error (`route_errors`).
void join_tenants(std::vector<TenantResult>& results, bool route_errors, diag::Sink& sink,
                  tables::Plan& plan) {
  std::vector<SplitParts> parts;
  std::vector<std::uint32_t*> roots;
  for (std::uint32_t t = 0; t < plan.tenants.size(); ++t) {
    TenantResult& res = results[t];
    sink.append(res.sink);
    plan.tenants[t].outbound_root = res.root;
    plan.tenants[t].dial_symbols = res.dial_symbols;
    roots.push_back(&plan.tenants[t].outbound_root);
    parts.emplace_back(std::move(res.hot), std::move(res.cold));
    res = TenantResult{};
  }
  if (!route_errors) append_split(plan.outbound_nodes, roots, parts);
}

// The index of every tenant's first two levels (format.hpp).
void plan_outbound_index(tables::Plan& plan) {
  for (std::uint32_t t = 0; t < plan.tenants.size(); ++t) {
    for (int s0 = 0; s0 < pattern::kDialSymbols; ++s0) {
      for (int s1 = 0; s1 < pattern::kDialSymbols; ++s1) {
        const char two[2] = {grammar::dial_symbol_char(s0), grammar::dial_symbol_char(s1)};
        plan.outbound_index[t * tables::kPairs + static_cast<std::uint32_t>(s0 * 13 + s1)] =
            position_after(plan.outbound_nodes, plan.tenants[t].outbound_root, {two, 2});
      }
    }
  }
}

}  // namespace

// Routes, grouped by tenant. Tenants are independent: their routes are
// checked and their automata built on every core, each into its own words
// and diagnostics, then joined in tenant order so the output does not
// depend on the scheduling.
void plan_routes(const site::Site& site, const diag::SourceText& sources, const Names& names,
                 diag::Sink& sink, tables::Plan& plan) {
  const std::size_t errors_before = sink.errors();
  std::vector<std::vector<std::uint32_t>> tenant_routes(plan.tenants.size());
  std::vector<std::uint32_t> route_tenant(site.routes.size());
  for (std::uint32_t i = 0; i < site.routes.size(); ++i) {
    route_tenant[i] = names.tenant(site.routes[i].tenant.value);
    if (route_tenant[i] != tables::kNone) tenant_routes[route_tenant[i]].push_back(i);
  }
  const RouteInputs in{site, sources, names, route_tenant, plan};
  plan_route_records(in);
  for (std::uint32_t i = 0; i < site.routes.size(); ++i)
    if (route_tenant[i] == tables::kNone) check_route(in, i, sink);  // unknown-tenant: validator

  std::vector<TenantResult> results(plan.tenants.size());
  parallel::parallel_for(plan.tenants.size(), 1, [&](std::size_t t) {
    compile_tenant(in, static_cast<std::uint32_t>(t), tenant_routes[t], results[t]);
  });
  bool route_errors = sink.errors() != errors_before;
  for (const auto& res : results) route_errors = route_errors || res.sink.errors() > 0;
  join_tenants(results, route_errors, sink, plan);
  // Only over automata that were laid out.
  plan.outbound_index.assign(plan.tenants.size() * tables::kPairs, 0);
  if (!route_errors) plan_outbound_index(plan);
}

}  // namespace trunk::route::compile_steps
