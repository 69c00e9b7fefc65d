// The trunk templates built into the tools: the text of every
// examples/templates/*.toml as it was when the tools were built, so that
// `trunkctl add --template NAME` works from a build tree, an installed
// package or a .deb alike, with no file to find. The definition is generated
// at build time (site/embed_templates.cmake); lookup, order and what of a
// template goes into a site are in site/templates.hpp.
#pragma once

#include <span>
#include <string_view>

namespace trunk::site {

struct BuiltinTemplate {
  std::string_view name;  // the file's name without .toml
  std::string_view text;  // the whole file, comments included
};

// Every built-in template, sorted by name; static storage, never empty in a
// build of this tree.
std::span<const BuiltinTemplate> builtin_templates();

}  // namespace trunk::site
