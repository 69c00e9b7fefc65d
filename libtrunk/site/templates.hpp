// Trunk templates for `trunkctl add --template NAME`: where they are looked
// up, and what of a template file goes into the site.
//
// A template is a TOML file NAME.toml holding a [[trunk]] body without the
// header and without `name`: keys, then [trunk.keepalive], [trunk.limits]
// or [trunk.auth] tables. Its opening comment paragraph (up to the first
// blank line) describes the template and stays out of the site; the rest,
// comments included, is copied below the new trunk's header and name.
//
// Lookup: `--templates DIR` alone when given; otherwise, in order,
// $TRUNK_TEMPLATES, a `templates/` directory in the site directory (or
// beside a one-file site: a directory site does not read subdirectories,
// so templates kept there are not site fragments), then the templates
// installed with trunkline (the docdir's examples/templates).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::site {

// The directories searched, in order, for a site at `site`. `explicit_dir`
// (from --templates) replaces the search when not empty.
std::vector<std::filesystem::path> template_dirs(const std::string& explicit_dir,
                                                 const std::filesystem::path& site);

// The first DIR/NAME.toml that exists (NAME may end in .toml).
std::optional<std::filesystem::path> find_template(
    std::string_view name, const std::vector<std::filesystem::path>& dirs);

// The names of the templates in `dirs` (without .toml), sorted, each once.
std::vector<std::string> template_names(const std::vector<std::filesystem::path>& dirs);

// What of a template's text goes into the site: everything after its
// opening comment paragraph, ending in one newline.
std::string template_body(std::string_view text);

}  // namespace trunk::site
