// Fuzzes the site text editor with arbitrary text: no crash, no hang, and
// its promises kept on whatever it agrees to edit: an edit leaves text it
// can read again, and adding a trunk or an assignment then removing it
// gives the original bytes back.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "site/edit.hpp"

namespace edit = trunk::site::edit;

namespace {

// Aborts (a finding for libFuzzer) naming the promise broken.
void require(bool ok, const char* promise) {
  if (ok) return;
  std::fprintf(stderr, "site_edit_fuzzer: broken: %s\n", promise);
  std::abort();
}

// The round trips hold for text that ends in a newline (appending adds
// one where it is missing).
bool ends_in_newline(const std::string& t) { return t.empty() || t.back() == '\n'; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16384) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (!edit::scan(text).ok) return 0;
  const std::size_t trunks = edit::count_trunks(text);
  std::string error;

  std::string t = text;
  edit::append_trunk(t, "[[trunk]]\nname = \"fuzz-new\"\n");
  require(edit::scan(t).ok && edit::count_trunks(t) == trunks + 1, "append_trunk");
  require(edit::remove_trunk(t, trunks, error), "remove the appended trunk");
  if (ends_in_newline(text)) require(t == text, "append then remove gives the text back");

  bool tenant_free = text.find("fuzz-tenant") == std::string::npos;
  for (std::size_t i = 0; i < trunks && i < 8; ++i) {
    t = text;
    if (edit::add_assignment(t, i, "fuzz-tenant", std::string("1-2"), error)) {
      require(edit::scan(t).ok, "add_assignment leaves readable text");
      if (tenant_free && ends_in_newline(text)) {
        require(edit::remove_assignment(t, i, "fuzz-tenant", error), "remove the assignment");
        require(t == text, "add then remove an assignment gives the text back");
      }
    }
    for (const char* key : {"port", "limits.total", "auth.username"}) {
      t = text;
      if (edit::set_key(t, i, key, "7", error))
        require(edit::scan(t).ok && edit::count_trunks(t) == trunks, "set_key");
    }
    t = text;
    if (edit::remove_trunk(t, i, error))
      require(edit::scan(t).ok && edit::count_trunks(t) == trunks - 1, "remove_trunk");
  }
  return 0;
}
