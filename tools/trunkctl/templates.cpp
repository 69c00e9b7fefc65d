// trunkctl templates: the templates `trunkctl add --template NAME` can
// start from, one line each (name, where it comes from, description),
// found as add finds them (site/templates.hpp); this file only prints.
#include <iomanip>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "site/templates.hpp"

namespace trunkctl {

using namespace trunk;

Run setup_templates(CLI::App& app, Common& common) {
  auto dir = std::make_shared<std::string>();
  app.add_option("--templates", *dir,
                 "List the templates in DIR only (default: $TRUNK_TEMPLATES, SITE/templates, "
                 "then the built-in ones)")
      ->type_name("DIR");
  return [&common, dir] {
    auto entries = site::list_templates(site::template_search(*dir, common.site));
    // A file that cannot be read is listed, said on stderr, and makes the
    // exit 2: `add` would stop on it the same way.
    int code = cli::kExitClean;
    for (const auto& e : entries)
      if (!e.error.empty()) {
        std::cerr << "trunkctl templates: cannot read template: " << e.error << "\n";
        code = cli::kExitUnusable;
      }
    if (common.format == cli::Format::json) {
      diag::JsonWriter w;
      w.begin_array();
      for (const auto& e : entries)
        w.begin_object()
            .field("name", e.name)
            .field("source", e.origin)
            .field("description", e.description)
            .end_object();
      std::cout << w.end_array().str() << "\n";
      return code;
    }
    std::size_t wn = 4, wo = 6;
    for (const auto& e : entries) {
      wn = std::max(wn, e.name.size());
      wo = std::max(wo, e.origin.size());
    }
    auto row = [&](std::string_view n, std::string_view o, std::string_view d) {
      std::cout << std::left << std::setw(int(wn) + 2) << n << std::setw(int(wo) + 2) << o << d
                << "\n";
    };
    row("NAME", "SOURCE", "DESCRIPTION");
    for (const auto& e : entries) row(e.name, e.origin, e.description);
    return code;
  };
}

}  // namespace trunkctl
