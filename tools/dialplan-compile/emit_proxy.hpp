// --emit kamailio DIR: the proxy's configuration for the site just checked.
#pragma once

#include <string>
#include <vector>

#include "compile_site.hpp"
#include "diag/diagnostic.hpp"
#include "site/model.hpp"

namespace dialplan {

// Writes the configuration proxy::emit_kamailio() makes for `site` into the
// directory o.emit[1], each file atomically, the script last; `written`
// gets the paths. Returns kExitClean, kExitFindings (the site cannot be
// served as asked: diagnostics in `sink`, nothing written) or
// kExitUnusable (a bad address, an unknown proxy kind, a write that failed:
// `error` says which).
int emit_proxy(const Options& o, const trunk::site::Site& site, const std::string& digest,
               trunk::diag::Sink& sink, std::vector<std::string>& written, std::string& error);

}  // namespace dialplan
