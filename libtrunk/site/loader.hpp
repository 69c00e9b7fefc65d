// Reading a site: one TOML file or a directory of *.toml fragments.
//
// The loader owns the schema: which keys exist, their types, ranges,
// defaults and enumerations. Every schema problem becomes a diagnostic at the
// exact key or value (unknown keys with a "did you mean" hint, wrong types,
// missing required keys, out-of-range values, a plain key defined in two
// fragments). Cross-object rules (uniqueness, ownership, failover) are the
// site rules' (check/rules.hpp). toml++ stays inside this module.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostic.hpp"
#include "diag/render.hpp"
#include "site/model.hpp"

namespace trunk::site {

enum class LoadStatus {
  loaded,      // the model is filled; `sink` may still hold errors
  unreadable,  // the path is missing or a file could not be read (exit 2)
};

// Reads the site at `path` (file or directory). Diagnostics go to `sink`;
// the text of every file read goes to `sources` for quoting in messages.
LoadStatus load_site(const std::filesystem::path& path, Site& out,
                     diag::Sink& sink, diag::SourceText& sources);

// One file of a site, already in memory: its path as the site names it
// (as load_site would) and its text.
struct SiteFile {
  std::string path;
  std::string text;
};

// Reads a site whose files are in memory, in the order given, exactly as
// load_site reads files from disk: diagnostics name `path`, `sources` gets
// the texts. Used to check an edited site before any file is written.
void load_texts(const std::vector<SiteFile>& files, Site& out, diag::Sink& sink,
                diag::SourceText& sources);

// Reads one fragment from memory, as if it were a file named `name`; appends
// to `out`. Used for each file of a site, by tests and by the fuzzer.
void load_fragment(std::string_view text, const std::string& name, Site& out,
                   diag::Sink& sink);

// The site path a tool uses when -c is not given: $TRUNK_SITE, else ./site.
std::filesystem::path default_site_path();

}  // namespace trunk::site
