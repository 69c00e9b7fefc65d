// Site generators.
#include "gen_site.hpp"

#include <fstream>
#include <cctype>
#include <map>
#include <random>
#include <set>

#include "pattern/dial_pattern.hpp"

namespace bench {

void write_route_site(const std::filesystem::path& dir, const RouteSiteShape& shape) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::mt19937_64 rng(shape.seed);
  {
    std::ofstream f(dir / "00-site.toml");
    f << "[site]\nname = \"bench\"\n\n";
    for (int t = 0; t < shape.tenants; ++t)
      f << "[[tenant]]\nname = \"t" << t << "\"\nsip_domain = \"t" << t << ".pbx.example\"\n";
    f << "\n[[trunk]]\nname = \"carrier\"\ntype = \"peer\"\nhost = \"203.0.113.5\"\n";
    for (int t = 0; t < shape.tenants; ++t) f << "[[trunk.tenant]]\ntenant = \"t" << t << "\"\n";
  }
  int per = shape.routes / shape.tenants;
  for (int t = 0; t < shape.tenants; ++t) {
    std::ofstream f(dir / ("t" + std::to_string(t) + ".toml"));
    int count = per + (t < shape.routes % shape.tenants ? 1 : 0);
    // Routes whose first two symbols are both digits are compared only
    // within that bucket; others against every route of the first digit.
    std::map<std::string, std::vector<trunk::pattern::DialPattern>> buckets;
    std::set<std::string> names;
    for (int r = 0; r < count;) {
      int len = 1 + static_cast<int>(rng() % 12);
      std::string match;
      bool plain = true;
      for (int i = 0; i < len; ++i) {
        if (i > 0 && rng() % 64 == 0) {
          match += "[2-7]";
          plain = false;
        } else if (i > 2 && rng() % 48 == 0) {
          match += 'X';
          plain = false;
        } else {
          match += static_cast<char>('0' + rng() % 10);
        }
      }
      if (rng() % 8 == 0) {
        match += '.';
        plain = false;
      }
      std::string text = (plain ? "" : "_") + match;
      trunk::diag::Sink sink;
      auto p = trunk::pattern::parse_pattern(text, {}, "gen", sink);
      // At one priority, two routes that share numbers must nest.
      bool clash = false;
      auto check = [&](const std::vector<trunk::pattern::DialPattern>& others) {
        for (const auto& q : others) {
          if (clash || !trunk::pattern::intersects(*p, q)) continue;
          bool pq = trunk::pattern::is_subset(*p, q), qp = trunk::pattern::is_subset(q, *p);
          clash = pq == qp;
        }
      };
      std::string key = match.substr(0, std::isdigit(match[1 % match.size()]) ? 2 : 1);
      if (key.size() == 2) {
        check(buckets[key]);
        check(buckets[key.substr(0, 1)]);
        check(buckets[key.substr(0, 1) + "*"]);
      } else {
        for (auto& [k, v] : buckets)
          if (k[0] == key[0]) check(v);
      }
      if (clash) continue;
      buckets[key.size() == 2 || match.size() == 1 ? key : key + "*"].push_back(*p);
      f << "[[route]]\ntenant = \"t" << t << "\"\nname = \"r" << r << "\"\nmatch = \"" << text
        << "\"\ntrunks = [\"carrier\"]\n";
      ++r;
    }
  }
}

}  // namespace bench
