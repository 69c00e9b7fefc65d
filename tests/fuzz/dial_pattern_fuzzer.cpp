// Fuzzes the dial-pattern grammar and its semantic rules: no crash, no hang,
// and every accepted pattern prints canonically to a pattern that parses to
// the same set.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pattern/dial_pattern.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  trunk::diag::Sink sink;
  auto p = trunk::pattern::parse_pattern(text, {}, "fuzz", sink);
  if (!p) {
    if (sink.errors() == 0) std::abort();  // a refusal always says why
    return 0;
  }
  std::string canon = trunk::pattern::to_string(*p);
  trunk::diag::Sink again;
  auto q = trunk::pattern::parse_pattern(canon, {}, "fuzz", again);
  if (!q || !(*q == *p)) std::abort();
  if (!trunk::pattern::is_subset(*p, *p)) std::abort();
  std::string w = trunk::pattern::example(*p);
  if (!p->matches(w)) std::abort();
  return 0;
}
