// Fuzzes the text reader (capture/text_reader.hpp) with arbitrary bytes: no
// crash, no hang, every message it hands out starts with a SIP start line,
// stays under the cap and ends its lines in CRLF, and every line it names is
// in the input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "capture/log_line.hpp"
#include "capture/text_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > (1u << 18)) return 0;
  // fmemopen needs a writable buffer in older glibc; a copy keeps `data` const.
  char* copy = static_cast<char*>(std::malloc(size));
  std::memcpy(copy, data, size);
  std::FILE* f = fmemopen(copy, size, "rb");
  if (!f) {
    std::free(copy);
    return 0;
  }
  std::size_t lines = 1;
  for (std::size_t i = 0; i < size; ++i) lines += data[i] == '\n';
  trunk::diag::Sink sink;
  auto reader = trunk::capture::open_text(f, "fuzz.txt", sink);
  trunk::capture::Captured c;
  while (reader->next(c, sink)) {
    if (c.bytes.size() > 64 * 1024) std::abort();
    if (c.line == 0 || c.line > lines) std::abort();
    auto eol = c.bytes.find("\r\n");
    if (eol == std::string_view::npos && c.bytes.size() < 64 * 1024) std::abort();
    if (eol != std::string_view::npos && !trunk::capture::is_start_line(c.bytes.substr(0, eol)))
      std::abort();
  }
  (void)reader->format_name();
  reader.reset();
  std::free(copy);
  return 0;
}
