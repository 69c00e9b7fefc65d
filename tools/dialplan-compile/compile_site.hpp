// dialplan-compile's two jobs: compile (with --check, -o, --test) and dump.
#pragma once

#include <string>

#include "cli/common.hpp"

namespace dialplan {

struct Options {
  std::string site, output, dump, test;
  bool check = false, strict = false, verbose = false;
  trunk::cli::Format format = trunk::cli::Format::text;
};

int run_compile(const Options& o);
int run_dump(const Options& o);

}  // namespace dialplan
