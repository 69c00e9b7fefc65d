// The site editor's edits of a trunk's [[trunk.tenant]] tables (edit.hpp):
// assigning the trunk to a tenant, setting the assignment's DID pool, and
// removing the assignment. The span arithmetic is shared with the trunk
// edits (edit_span.cpp).
#include "site/edit.hpp"

#include "site/edit_span.hpp"

namespace trunk::site::edit {

using namespace detail;

namespace {

// The [[trunk.tenant]] header of `tenant` in the block, or npos.
std::size_t find_assignment(const Layout& l, const Block& b, std::string_view text,
                            std::string_view tenant, std::string& error) {
  std::size_t found = npos;
  for (std::size_t i = b.first_sub; i < b.end; ++i) {
    const Statement& s = l.statements[i];
    if (!is_header(s) || !s.array || s.name != "trunk.tenant") continue;
    std::string err;
    std::size_t k = find_key(l, i + 1, table_end(l, i, b.end), "tenant", err);
    if (k == npos) continue;
    const Statement& kv = l.statements[k];
    auto v = string_value(text.substr(kv.value_begin, kv.value_end - kv.value_begin));
    if (!v || *v != tenant) continue;
    if (found != npos) {
      error = "the trunk is assigned to tenant \"" + std::string(tenant) + "\" twice";
      return npos;
    }
    found = i;
  }
  return found;
}

// The [[trunk.tenant]] of `tenant` in trunk number `trunk`, with the
// layout and block it was found in; npos with `error` set when there is none.
std::size_t assignment_in(const std::string& text, std::size_t trunk, std::string_view tenant,
                          Layout& l, Block& b, std::string& error) {
  error.clear();
  if (!block_of(text, trunk, l, b, error)) return npos;
  std::size_t h = find_assignment(l, b, text, tenant, error);
  if (h == npos && error.empty())
    error = "the trunk is not assigned to tenant \"" + std::string(tenant) + "\"";
  return h;
}

}  // namespace

bool add_assignment(std::string& text, std::size_t trunk, std::string_view tenant,
                    const std::optional<std::string>& did_pool, std::string& error) {
  error.clear();
  Layout l;
  Block b;
  if (!block_of(text, trunk, l, b, error)) return false;
  std::string table = "[[trunk.tenant]]\ntenant = " + toml_string(tenant) + "\n";
  if (did_pool) table += "did_pool = " + toml_string(*did_pool) + "\n";
  insert_table(text, l, b.end, table);
  return true;
}

bool set_assignment_pool(std::string& text, std::size_t trunk, std::string_view tenant,
                         std::string_view did_pool, std::string& error) {
  Layout l;
  Block b;
  std::size_t h = assignment_in(text, trunk, tenant, l, b, error);
  if (h == npos) return false;
  std::size_t e = table_end(l, h, b.end);
  std::size_t k = find_key(l, h + 1, e, "did_pool", error);
  if (!error.empty()) return false;
  if (k != npos) replace_value(text, l.statements[k], toml_string(did_pool));
  else
    insert_at_line(text, l, l.statements[e - 1].last_line + 1,
                   "did_pool = " + toml_string(did_pool) + "\n");
  return true;
}

bool remove_assignment(std::string& text, std::size_t trunk, std::string_view tenant,
                       std::string& error) {
  Layout l;
  Block b;
  std::size_t h = assignment_in(text, trunk, tenant, l, b, error);
  if (h == npos) return false;
  auto [from, to] = table_span(l, h, table_end(l, h, l.statements.size()), text.size());
  text.erase(from, to - from);
  return true;
}

}  // namespace trunk::site::edit
