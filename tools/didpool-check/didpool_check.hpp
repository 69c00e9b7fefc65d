// didpool-check's two jobs: every DID pool rule over a site (check_site.cpp),
// or one pool string from the command line, with --normalize and --contains
// (check_pool.cpp). main.cpp only parses the flags into Options.
#pragma once

#include <optional>
#include <string>

#include "cli/common.hpp"

namespace didpool {

struct Options {
  std::string site;                   // -c, when no --pool
  std::optional<std::string> pool;    // --pool TEXT
  std::optional<std::string> contains;  // --contains NUMBER (needs --pool)
  bool normalize = false, strict = false;
  trunk::cli::Format format = trunk::cli::Format::text;
};

// Loads the site and runs every site check; diagnostics and a summary of
// the pools. Exit 0 clean, 1 findings, 2 unreadable site.
int run_site(const Options& o);
// Checks o.pool; prints its canonical form (--normalize) or whether it holds
// o.contains. Exit 0 clean (or yes), 1 findings (or no), 2 when --contains
// cannot answer because the pool or the number has errors.
int run_pool(const Options& o);

}  // namespace didpool
