// Trunk templates for `trunkctl add --template NAME` and `trunkctl
// templates`: where they are looked up, how one is described, and what of
// a template goes into the site.
//
// A template is a TOML text NAME.toml holding a [[trunk]] body without the
// header and without `name`: keys, then [trunk.keepalive], [trunk.limits]
// or [trunk.auth] tables. Its opening comment paragraph (up to the first
// blank line) describes the template and stays out of the site; its first
// line, `# NAME: DESCRIPTION`, is the one-line description `trunkctl
// templates` prints. The rest, comments included, is copied below the new
// trunk's header and name.
//
// Lookup of a name: `--templates DIR` alone when given; otherwise, in
// order, $TRUNK_TEMPLATES, a `templates/` directory in the site directory
// (or beside a one-file site: a directory site does not read
// subdirectories, so templates kept there are not site fragments), then
// the templates built into the tools (site/builtin_templates.hpp). A
// --template holding a '/' is a file's path and is read as it is.
// Reading files here goes through io::read_input (regular files of at most
// 16 MiB); nothing here writes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::site {

// Where names are looked up: the directories in order, then the built-in
// templates unless --templates replaced the search.
struct TemplateSearch {
  std::vector<std::filesystem::path> dirs;
  bool builtin = true;
};

// The search for a site at `site`; `explicit_dir` (from --templates)
// replaces it when not empty.
TemplateSearch template_search(const std::string& explicit_dir, const std::filesystem::path& site);

// A template found: a file, or a built-in text.
struct FoundTemplate {
  std::filesystem::path path;     // empty for a built-in template
  std::string_view builtin_text;  // a built-in template's text (static storage)
  // The file's path, or "built-in".
  std::string origin() const;
};

// `name` with a '/' is a path, returned as it is (reading it says what is
// wrong with it); otherwise the first DIR/NAME.toml that exists (NAME may
// end in .toml), then the built-in NAME. Nothing found: nullopt.
std::optional<FoundTemplate> find_template(std::string_view name, const TemplateSearch& search);

// The template's text; false with `error` (naming the path) when a file
// cannot be read.
bool read_template(const FoundTemplate& t, std::string& text, std::string& error);

// The names the search can find (without .toml), sorted, each once.
std::vector<std::string> template_names(const TemplateSearch& search);

// "DIR1, DIR2 and the built-in templates": where a name was looked up.
std::string describe_search(const TemplateSearch& search);

// One template as `trunkctl templates` lists it: the one a name finds.
struct TemplateEntry {
  std::string name;
  std::string description;  // empty when the template has none
  std::string origin;       // FoundTemplate::origin()
  std::string error;        // why the file could not be read, or empty
};

// Every name the search can find, sorted, with the template it finds.
std::vector<TemplateEntry> list_templates(const TemplateSearch& search);

// The one-line description of template `name` from its first line:
// `# NAME: DESCRIPTION` gives DESCRIPTION, any other comment line its
// text; a template that opens with no comment has none ("").
std::string template_description(std::string_view name, std::string_view text);

// What of a template's text goes into the site: everything after its
// opening comment paragraph, ending in one newline.
std::string template_body(std::string_view text);

}  // namespace trunk::site
