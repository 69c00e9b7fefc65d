// trunkctl show NAME: every field of one trunk, password redacted.
#include <iostream>

#include "commands.hpp"
#include "site/describe.hpp"

namespace trunkctl {

using namespace trunk;

Run setup_show(CLI::App& app, Common& common) {
  auto name = std::make_shared<std::string>();
  app.add_option("NAME", *name, "The trunk's name")->required();
  return [&common, name] {
    cli::LoadedSite s;
    int code;
    if (!load_for_reading(common, s, code)) return code;
    const site::Trunk* t = find_trunk_or_explain(s, *name, common);
    if (!t) return cli::kExitUnusable;
    if (common.format == cli::Format::json) {
      diag::JsonWriter w;
      site::write_trunk_json(w, *t);
      std::cout << w.str() << "\n";
    } else {
      std::cout << site::describe_trunk_text(*t);
    }
    return cli::kExitClean;
  };
}

}  // namespace trunkctl
