// didpool-check -c SITE: the whole site, every check, with the pool figures.
#include <iostream>

#include "check/site.hpp"
#include "didpool_check.hpp"

namespace didpool {

using namespace trunk;

int run_site(const Options& o) {
  // Every check of the site, as trunkctl validate runs them, with the pool
  // figures coming back from the same pass.
  check::PoolStats stats;
  cli::LoadedSite s = cli::load_and_check(o.site, &stats);
  int code = s.readable ? cli::exit_code_for(s.sink, o.strict) : cli::kExitUnusable;

  cli::SiteReport r{s, o.site, code, false, {}, {}};
  r.counts_text = diag::count(stats.pools, "pool") + " on " +
                  diag::count(stats.providers, "provider") + ", " +
                  diag::count(stats.numbers, "number") + ", " +
                  diag::count(stats.overlaps, "overlap") + ", " +
                  diag::count(stats.inbound_rules, "inbound rule") + " checked";
  r.counts_json = [&](diag::JsonWriter& w) {
    w.key("pools")
        .begin_object()
        .field("checked", static_cast<std::uint64_t>(stats.pools))
        .field("providers", static_cast<std::uint64_t>(stats.providers))
        .field("ranges", static_cast<std::uint64_t>(stats.entries))
        .field("numbers", stats.numbers)
        .field("overlaps", static_cast<std::uint64_t>(stats.overlaps))
        .field("inbound_rules", static_cast<std::uint64_t>(stats.inbound_rules))
        .end_object();
  };
  return cli::print_site_report(r, o.format);
}

}  // namespace didpool
