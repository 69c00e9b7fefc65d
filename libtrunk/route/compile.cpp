// The dial-plan compiler's pipeline: a checked site in, a tables::Plan out.
//
// compile() runs the steps of compile_steps.hpp in order over one plan:
// tenants and trunks with their addresses and limits, the trusted proxies
// (compile_trunks.cpp), every tenant's routes and the outbound index
// (compile_routes.cpp), the DID pools and inbound rules of every trunk
// (compile_inbound.cpp), beside the site digest computed here. The order of
// the steps is the order of the diagnostics and of the tables' sections, so
// it is kept here, in one place; what each step checks is in its file.
#include "route/compile.hpp"

#include <filesystem>
#include <future>

#include "route/compile_steps.hpp"
#include "tables/sha256.hpp"

namespace trunk::route {

std::array<std::uint8_t, 32> site_digest(const site::Site& site,
                                         const diag::SourceText& sources) {
  tables::Sha256 h;
  for (const auto& f : site.files) {
    std::string_view text = sources.text(f);
    // The file's name, not its path: the same site gives the same digest
    // whether it is given as examples/site, ./examples/site or /abs/path.
    h.update(std::filesystem::path(f).filename().string());
    h.update(std::string(1, '\0'));
    h.update(std::to_string(text.size()));
    h.update(std::string(1, '\0'));
    h.update(text);
  }
  return h.finish();
}

namespace {

void fill_stats(const tables::Plan& plan, CompileStats& stats) {
  stats.routes = plan.routes.size();
  stats.tenants = plan.tenants.size();
  stats.trunks = plan.trunks.size();
  stats.inbound = plan.inbound.size();
  stats.outbound_words = plan.outbound_nodes.size();
  stats.inbound_words = plan.inbound_nodes.size();
  stats.pool_words = plan.pool_nodes.size();
}

}  // namespace

bool compile(const site::Site& site, const diag::SourceText& sources, diag::Sink& sink,
             tables::Plan& plan, CompileStats* stats) {
  using namespace compile_steps;
  const std::size_t errors_before = sink.errors();
  plan = tables::Plan{};
  // Each automaton section starts with the dead node.
  plan.outbound_nodes = {0, 0};
  plan.inbound_nodes = {0, 0};
  plan.pool_nodes = {0, 0};
  // The digest reads every file once; it runs beside the compiler (a
  // future carries its exception, if any, to the get() below).
  auto digest = std::async(std::launch::async, [&] { return site_digest(site, sources); });

  const Names names = plan_tenants_and_trunks(site, plan);
  plan_proxies(site, plan);
  plan_routes(site, sources, names, sink, plan);
  plan_inbound(site, sources, names, sink, plan);

  if (stats) fill_stats(plan, *stats);
  plan.site_digest = digest.get();
  return sink.errors() == errors_before;
}

}  // namespace trunk::route
