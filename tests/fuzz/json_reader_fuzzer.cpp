// Fuzzes the JSON reader (diag/json_reader.hpp), which
// trunkd runs on every request line a local client sends: no crash, no
// deep recursion past the cap, and whatever it accepts writes back through
// diag::JsonWriter into JSON that reads again. Numbers other than integers
// go through a double (six digits, -0 read again as 0), so the text is
// stable from the second writing on, not the first.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "diag/json_reader.hpp"
#include "control/reload_outcome.hpp"
#include "diag/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (1u << 16)) return 0;  // trunkd takes request lines of 64 KiB at most
  std::string_view text(reinterpret_cast<const char*>(data), size);
  trunk::diag::JsonValue v;
  std::string error;
  if (!trunk::diag::read_json(text, v, error)) {
    if (error.empty()) std::abort();
  } else {
    std::string written[3];
    for (auto& out : written) {
      trunk::diag::JsonWriter w;
      trunk::diag::write_json(v, w);
      out = w.take();
      if (!trunk::diag::read_json(out, v, error)) std::abort();
    }
    if (written[2] != written[1]) std::abort();
  }
  // The reload reply reader takes the same bytes as a trunkd's answer.
  auto r = trunk::control::read_reload_reply("fuzz.sock", text);
  if (r.state == trunk::control::ReloadState::unreachable && r.error.empty()) std::abort();
  return 0;
}
