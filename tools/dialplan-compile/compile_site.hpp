// dialplan-compile's two jobs: compile (with --check, -o, --test) and dump.
#pragma once

#include <string>
#include <vector>

#include "cli/common.hpp"

namespace dialplan {

struct Options {
  std::string site, output, dump, test;
  std::string junit;  // with --test: the results as JUnit XML, written here
  bool check = false, strict = false, verbose = false;
  // --emit kamailio DIR and the deployment it is for (emit_proxy.hpp).
  std::vector<std::string> emit;
  std::vector<std::string> listen, trunkd, dmq_peers;
  std::string dmq, kamailio_ctl = "unix:/run/kamailio/kamailio_ctl";
  int children = 8;
  trunk::cli::Format format = trunk::cli::Format::text;
};

int run_compile(const Options& o);
int run_dump(const Options& o);

}  // namespace dialplan
