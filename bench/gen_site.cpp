// Site generators.
#include "gen_site.hpp"

#include <algorithm>
#include <fstream>
#include <cctype>
#include <map>
#include <random>
#include <set>
#include <vector>

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
    std::ofstream f(dir / (std::string("t").append(std::to_string(t)).append(".toml")));
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

namespace bench {

int write_pool_site(const std::filesystem::path& dir, const PoolSiteShape& shape) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::mt19937_64 rng(shape.seed);
  const int providers = std::max(2, shape.providers);
  const int pools_total = 2 * shape.tenants;
  const int per_pool = std::max(1, shape.entries / std::max(1, pools_total));
  constexpr std::uint64_t kBase = 2'000'000'000;  // 10-digit numbers
  constexpr std::uint64_t kStep = 20;             // between entries of a pool

  // pools[p]: the tenants with a pool on provider p, in slot order.
  std::vector<std::vector<int>> pools(providers);
  for (int t = 0; t < shape.tenants; ++t) {
    int p1 = t % providers;
    int p2 = (p1 + 1 + (t / providers) % (providers - 1)) % providers;
    pools[p1].push_back(t);
    pools[p2].push_back(t);
  }
  auto block = [&](std::size_t slot) { return kBase + slot * per_pool * kStep; };
  // One entry of a pool: every third a range of 10 numbers.
  auto entry = [&](std::size_t slot, int e) {
    std::uint64_t n = block(slot) + static_cast<std::uint64_t>(e) * kStep;
    return e % 3 ? std::to_string(n) : std::to_string(n) + "-" + std::to_string(n + 9);
  };

  // Planted pairs: on provider k % providers, two slots never used before;
  // the later pool's last entry becomes the earlier pool's first number.
  std::vector<std::map<std::size_t, std::size_t>> planted_into(providers);  // slot -> source slot
  std::vector<std::vector<std::size_t>> free_slots(providers);
  for (int p = 0; p < providers; ++p) {
    for (std::size_t s = 0; s < pools[p].size(); ++s) free_slots[p].push_back(s);
    std::shuffle(free_slots[p].begin(), free_slots[p].end(), rng);
  }
  int planted = 0;
  for (int k = 0; k < shape.planted && per_pool >= 2; ++k) {
    auto& slots = free_slots[k % providers];
    if (slots.size() < 2) continue;
    std::size_t a = slots.back();
    slots.pop_back();
    std::size_t b = slots.back();
    slots.pop_back();
    planted_into[k % providers][std::max(a, b)] = std::min(a, b);
    ++planted;
  }

  {
    std::ofstream f(dir / "00-site.toml");
    f << "[site]\nname = \"pool-bench\"\n";
  }
  for (int t0 = 0; t0 < shape.tenants; t0 += 1000) {
    std::ofstream f(dir / ("10-tenants-" + std::to_string(t0 / 1000) + ".toml"));
    for (int t = t0; t < std::min(shape.tenants, t0 + 1000); ++t)
      f << "[[tenant]]\nname = \"t" << t << "\"\nsip_domain = \"t" << t << ".pbx.example\"\n";
  }
  // first_pool[t]: (provider, slot) of tenant t's first pool, for its inbound rule.
  std::vector<std::pair<int, std::size_t>> first_pool(shape.tenants, {-1, 0});
  for (int p = 0; p < providers; ++p) {
    std::ofstream f(dir / ("20-provider-" + std::to_string(p) + ".toml"));
    f << "[[trunk]]\nname = \"prov" << p << "\"\ntype = \"peer\"\nprovider = \"prov" << p
      << "\"\nhost = \"198.51." << p / 250 << "." << p % 250 + 1 << "\"\n";
    for (std::size_t s = 0; s < pools[p].size(); ++s) {
      int t = pools[p][s];
      if (first_pool[t].first < 0) first_pool[t] = {p, s};
      f << "[[trunk.tenant]]\ntenant = \"t" << t << "\"\ndid_pool = \"";
      auto plant = planted_into[p].find(s);
      for (int e = 0; e < per_pool; ++e) {
        if (e > 0) f << "; ";
        if (e == per_pool - 1 && plant != planted_into[p].end())
          f << block(plant->second);
        else
          f << entry(s, e);
      }
      f << "\"\n";
    }
  }
  for (int t0 = 0; t0 < shape.tenants; t0 += 1000) {
    std::ofstream f(dir / ("30-inbound-" + std::to_string(t0 / 1000) + ".toml"));
    for (int t = t0; t < std::min(shape.tenants, t0 + 1000); ++t) {
      auto [p, s] = first_pool[t];
      f << "[[inbound]]\ntenant = \"t" << t << "\"\ntrunk = \"prov" << p << "\"\ndid = \""
        << entry(s, 0) << "\"\nto = \"sip:{did}@t" << t << ".pbx.example\"\n";
    }
  }
  return planted;
}

}  // namespace bench
