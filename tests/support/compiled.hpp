// Test helper: compile a site fragment into verified tables in memory.
#pragma once

#include <memory>
#include <string>

#include "route/compile.hpp"
#include "route/router.hpp"
#include "support/site_fixture.hpp"
#include "tables/reader.hpp"
#include "tables/writer.hpp"

namespace trunk::test {

struct Compiled {
  Checked checked;
  tables::Plan plan;
  std::string bytes;
  tables::Tables tables;
  bool ok = false;
  std::string text() const { return checked.text(); }
};

// Loads, checks and compiles `toml`; `ok` when it compiled and verified.
inline std::unique_ptr<Compiled> compile_site(const std::string& toml) {
  auto c = std::make_unique<Compiled>();
  c->checked = check_site(toml);
  if (c->checked.sink.errors() > 0) return c;
  if (!route::compile(c->checked.site, c->checked.sources, c->checked.sink, c->plan)) return c;
  c->bytes = tables::serialize(c->plan);
  std::string error;
  c->ok = c->tables.load_bytes(c->bytes, error);
  return c;
}

}  // namespace trunk::test
