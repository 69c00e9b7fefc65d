// Test helpers: load a site fragment from a string and render what it reports.
#pragma once

#include <string>

#include "diag/render.hpp"
#include "check/site.hpp"
#include "site/loader.hpp"

namespace trunk::test {

struct Checked {
  site::Site site;
  diag::Sink sink;
  diag::SourceText sources;
  // Every diagnostic rendered without quoted lines, one block each.
  // Sorted by place, as tools print them.
  std::string text() const {
    diag::Sink sorted = sink;
    sorted.sort();
    return diag::render_text(sorted, nullptr);
  }
};

// Loads `toml` as the file "site.toml" and runs every site check.
inline Checked check_site(const std::string& toml) {
  Checked c;
  c.sources.add("site.toml", toml);
  site::load_fragment(toml, "site.toml", c.site, c.sink);
  if (c.sink.errors() == 0) trunk::check::site_rules(c.site, c.sources, c.sink);
  return c;
}

// Loads only (no cross-object rules).
inline Checked load_only(const std::string& toml) {
  Checked c;
  c.sources.add("site.toml", toml);
  site::load_fragment(toml, "site.toml", c.site, c.sink);
  return c;
}

// A minimal valid prefix: a site with udp+tcp+tls and tenants acme and globex.
inline const char* kBase = R"([site]
name = "t"
transports = ["udp", "tcp", "tls"]

[[tenant]]
name = "acme"
sip_domain = "acme.example"

[[tenant]]
name = "globex"
sip_domain = "globex.example"
)";
// kBase has 11 lines: a fragment appended after it starts on line 12.

}  // namespace trunk::test
