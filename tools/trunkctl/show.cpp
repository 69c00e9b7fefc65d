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
    const site::Trunk* t = s.site.find_trunk(*name);
    if (!t) {
      std::vector<std::string_view> names;
      for (const auto& o : s.site.trunks) names.push_back(o.name.value);
      std::string near = diag::closest_match(*name, names);
      std::cerr << "trunkctl: no trunk named \"" << *name << "\" in " << common.site << "\n";
      if (!near.empty()) std::cerr << "  hint: did you mean \"" << near << "\"?\n";
      else std::cerr << "  hint: `trunkctl list` shows the trunks\n";
      return cli::kExitUnusable;
    }
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
