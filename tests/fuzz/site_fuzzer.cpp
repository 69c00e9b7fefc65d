// Fuzzes the site loader and every site check with arbitrary TOML text:
// no crash, no hang, and a diagnostic for everything refused.
#include <cstddef>
#include <cstdint>
#include <string>

#include "check/site.hpp"
#include "site/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  trunk::site::Site site;
  trunk::diag::Sink sink;
  trunk::diag::SourceText sources;
  sources.add("fuzz.toml", text);
  trunk::site::load_fragment(text, "fuzz.toml", site, sink);
  if (sink.errors() == 0) trunk::check::site_rules(site, sources, sink);
  for (const auto& d : sink.all()) (void)trunk::diag::render_text(d, &sources);
  return 0;
}
