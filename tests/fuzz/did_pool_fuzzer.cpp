// libFuzzer target for DID pool text (did::parse_pool, and through it the
// X3 grammar in grammar/did_pool). Input is capped at 4 KiB, as re2's fuzzer
// caps patterns: longer input finds nothing new and slows every run. Beyond
// "no crash, no sanitizer report", it traps when an invariant breaks: a
// result exactly when there were no errors, every diagnostic placed inside
// the text, and the canonical form parsing back to the same set.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "did/pool.hpp"

namespace {

constexpr std::size_t kMaxInput = 4096;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  using namespace trunk;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const diag::StringPlace place{"fuzz.toml", 1, 1, true};

  diag::Sink sink;
  auto set = did::parse_pool(text, place, "did_pool", sink);
  check(set.has_value() == (sink.errors() == 0));
  for (const diag::Diagnostic& d : sink.all()) {
    check(!d.code.empty() && !d.message.empty());
    check(d.where.line == 1 && d.where.column >= 1 && d.where.column <= size + 1);
  }
  if (!set) return 0;

  // The canonical text is a pool with the same numbers and nothing to say.
  diag::Sink again;
  auto back = did::parse_pool(set->to_string(), place, "did_pool", again);
  check(back.has_value() && *back == *set && again.empty());
  check(back->count() == set->count());
  return 0;
}
