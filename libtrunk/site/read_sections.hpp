// The readers of a site file's sections, called by the loader (loader.cpp)
// for each table of a parsed file; private to site/. Each appends what it
// read to `site` and reports to `sink` at the exact place.
#pragma once

#include <map>
#include <string>
#include <toml++/toml.h>

#include "diag/diagnostic.hpp"
#include "site/model.hpp"

namespace trunk::site::reading {

// [site]; `site_keys` remembers where each key was written, so that the
// fragment that writes one again is told (duplicate-key).
void read_site_info(const toml::table& t, Site& site, diag::Sink& sink,
                    std::map<std::string, SourceRegion>& site_keys);
void read_proxy(const toml::table& t, Site& site, diag::Sink& sink);
void read_tenant(const toml::table& t, Site& site, diag::Sink& sink);
void read_trunk(const toml::table& t, Site& site, diag::Sink& sink);
void read_route(const toml::table& t, Site& site, diag::Sink& sink);
void read_inbound(const toml::table& t, Site& site, diag::Sink& sink);
void read_expect(const toml::table& t, Site& site, diag::Sink& sink);

}  // namespace trunk::site::reading
