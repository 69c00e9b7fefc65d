// The steps of the dial-plan compiler, private to libtrunk/route/compile*.cpp.
//
// route::compile (compile.cpp) is a short pipeline over one tables::Plan:
// plan the tenants and trunks with their addresses and limits
// (compile_trunks.cpp), the trusted proxies (compile_trunks.cpp), each
// tenant's routes and the outbound index (compile_routes.cpp), then the DID
// pools and inbound rules of every trunk (compile_inbound.cpp). Each step
// fills its own part of the plan and reports to the sink; the order of the
// steps is the order of the diagnostics. Laying an automaton out as table
// words (format.hpp) is shared by the outbound and inbound steps and lives in
// compile_layout.cpp. Nothing here is for the tools: they call compile().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "diag/diagnostic.hpp"
#include "diag/render.hpp"
#include "route/automaton.hpp"
#include "site/model.hpp"
#include "tables/plan.hpp"

namespace trunk::route::compile_steps {

// Tenants and trunks by name, as indexes into plan.tenants and plan.trunks.
// A name the site does not define gives tables::kNone (the validator has
// reported it).
struct Names {
  std::map<std::string, std::uint32_t> tenant_index, trunk_index;
  std::uint32_t tenant(const std::string& name) const;
  std::uint32_t trunk(const std::string& name) const;
};

// Fills plan.tenants, plan.trunks and plan.addresses, in site order.
Names plan_tenants_and_trunks(const site::Site& site, tables::Plan& plan);

// Fills plan.proxies and plan.proxy_addresses.
void plan_proxies(const site::Site& site, tables::Plan& plan);

// Fills plan.routes, each tenant's outbound automaton (plan.outbound_nodes,
// outbound_root, dial_symbols) and plan.outbound_index; reports route
// errors and warnings. The automata are laid out only when no route has an
// error.
void plan_routes(const site::Site& site, const diag::SourceText& sources, const Names& names,
                 diag::Sink& sink, tables::Plan& plan);

// Fills plan.inbound, plan.pool_nodes, plan.inbound_nodes and each trunk's
// pool_root and inbound_root; reports inbound-to and inbound-overlap.
void plan_inbound(const site::Site& site, const diag::SourceText& sources, const Names& names,
                  diag::Sink& sink, tables::Plan& plan);

// The word a node's accept set becomes (format.hpp): 0 for none, else an
// item's index plus one.
using AcceptOf = std::function<std::uint32_t(SetId)>;

// Lays out the automaton reachable from `root` after the words already in
// `out` (which starts with the dead node) and returns the root's offset.
std::uint32_t emit(const AutomatonBuilder& b, NodeId root, std::vector<std::uint32_t>& out,
                   const AcceptOf& accept_of);

// A tenant's automaton in a hot part (`hot`, starting with a local dead
// node) and a cold part; see compile_layout.cpp. Returns the root's local
// offset; append_split() makes the offsets global.
std::uint32_t emit_split(const AutomatonBuilder& b, NodeId root, std::vector<std::uint32_t>& hot,
                         std::vector<std::uint32_t>& cold, const AcceptOf& accept_of);

// A tenant's split automaton: its hot and its cold words.
using SplitParts = std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>;

// Joins tenants' split automata: all hot parts, then all cold parts, every
// child word and every *roots[t] moved to its global offset in `out`.
void append_split(std::vector<std::uint32_t>& out, std::vector<std::uint32_t*>& roots,
                  std::vector<SplitParts>& parts);

}  // namespace trunk::route::compile_steps
