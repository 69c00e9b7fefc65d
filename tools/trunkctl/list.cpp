// trunkctl list: one line per trunk, in the order the site defines them.
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "site/describe.hpp"

namespace trunkctl {

using namespace trunk;

Run setup_list(CLI::App&, Common& common) {
  return [&common] {
    cli::LoadedSite s;
    int code;
    if (!load_for_reading(common, s, code)) return code;
    if (common.format == cli::Format::json) {
      diag::JsonWriter w;
      w.begin_array();
      for (const auto& t : s.site.trunks) {
        w.begin_object()
            .field("name", t.name.value)
            .field("type", site::to_string(t.type.value))
            .field("provider", t.provider.value)
            .field("owner", t.owner.value)
            .field("host", t.host.value)
            .field("port", t.port.value)
            .field("transport", site::to_string(t.transport.value));
        w.key("tenants").begin_array();
        for (const auto& a : t.tenants) w.value(a.tenant.value);
        w.end_array().end_object();
      }
      w.end_array();
      std::cout << w.str() << "\n";
      return cli::kExitClean;
    }
    std::size_t wn = 4, wt = 4, wp = 8, wo = 5, we = 8;
    for (const auto& t : s.site.trunks) {
      wn = std::max(wn, t.name.value.size());
      wt = std::max(wt, site::to_string(t.type.value).size());
      wp = std::max(wp, t.provider.value.size());
      wo = std::max(wo, t.owner.value.size());
      we = std::max(we, site::endpoint(t).size());
    }
    auto row = [&](std::string_view a, std::string_view b, std::string_view c,
                   std::string_view d, std::string_view e, std::string_view f) {
      std::cout << std::left << std::setw(int(wn) + 2) << a << std::setw(int(wt) + 2) << b
                << std::setw(int(wp) + 2) << c << std::setw(int(wo) + 2) << d
                << std::setw(int(we) + 2) << e << f << "\n";
    };
    row("NAME", "TYPE", "PROVIDER", "OWNER", "ENDPOINT", "TENANTS");
    for (const auto& t : s.site.trunks)
      row(t.name.value, site::to_string(t.type.value), t.provider.value, t.owner.value,
          site::endpoint(t), site::tenant_list(t));
    return cli::kExitClean;
  };
}

}  // namespace trunkctl
