// didpool-check: check the DID pools of a site, or one pool string, from
// shells, CI and scripts (man didpool-check(1)).
#include <iostream>

#include "didpool_check.hpp"
#include "site/loader.hpp"

int main(int argc, char** argv) {
  CLI::App app{"didpool-check: check DID pools: entry rules, overlaps between tenants on a "
               "provider, inbound rules inside their pools",
               "didpool-check"};
  app.set_version_flag("--version", std::string("didpool-check ") + TRUNK_VERSION);
  didpool::Options o;
  o.site = trunk::site::default_site_path().string();
  trunk::cli::add_site_option(app, o.site);
  trunk::cli::add_format_option(app, o.format, trunk::cli::Formats::with_findings);
  auto* pool = app.add_option("--pool", o.pool,
                              "Check this pool text instead of a site, e.g. \"101; 203; 300-450\"")
                   ->type_name("TEXT");
  app.get_option("--config")->excludes(pool);
  app.add_flag("--normalize", o.normalize, "Print the canonical form of the --pool")
      ->needs(pool);
  app.add_option("--contains", o.contains,
                 "Answer yes (exit 0) or no (exit 1): is NUMBER in the --pool?")
      ->type_name("NUMBER")
      ->needs(pool)
      ->excludes("--normalize");
  app.add_flag("--strict", o.strict, "Treat warnings as errors");
  if (int code = trunk::cli::parse_arguments(app, argc, argv); code >= 0) return code;
  try {
    return o.pool ? didpool::run_pool(o) : didpool::run_site(o);
  } catch (const std::exception& e) {
    std::cerr << "didpool-check: internal error: " << e.what() << "\n";
    return trunk::cli::kExitUnusable;
  }
}
