// The site schema: every key a site file may hold, once. Each entry says
// the table it belongs to, its type, the range of a number, whether it is
// a secret, whether scripts may set it (`trunkctl add --set`, `trunkctl
// set`), and one line of what it means.
//
// Read by: the loader (the keys each table knows, so an unknown key is
// reported, and the range of each number), the provisioning `--set` parser
// (site/settings.hpp: which keys, their types, and which it refuses as
// secrets), and a test that holds man/trunk-site.5 to this list and the
// list to the man page; the loader redacts the value of every field marked
// secret from quoted lines, wherever and however it is written. Adding a
// field is a line here, its reading in read_sections.cpp, and its meaning
// in the man page and wherever it is applied.
// What a field means across tables (rules) stays with the rules.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace trunk::site::schema {

enum class Type { string, integer, boolean, strings, integers, table, tables };

struct Field {
  // The table: "site", "tenant", "trunk", "trunk.keepalive", "trunk.limits",
  // "trunk.auth", "trunk.tenant", "proxy", "route", "inbound", "expect".
  std::string_view table;
  std::string_view key;
  Type type;
  std::int64_t min = 0, max = 0;  // integers (and arrays of them): the range
  bool secret = false;            // its value is never printed nor repeated
  bool settable = false;          // `--set` may write it (trunk tables only)
  std::string_view doc;
};

// Every field, grouped by table, in the order trunk-site(5) lists them.
std::span<const Field> fields();

// The keys table `table` knows, sub-tables included ("keepalive" in "trunk");
// empty for a table the schema does not have. The list lives as long as the
// program.
const std::vector<std::string_view>& keys_of(std::string_view table);

// The field `key` of `table`; null when there is none.
const Field* find(std::string_view table, std::string_view key);

// Whether a secret field may be written in `table` or in a table below it
// ("" is the whole file, "trunk" holds "trunk.auth"): where it is false,
// the loader need not look for secrets.
bool may_hold_secrets(std::string_view table);

// The words trunk-site(5) uses for a type: "string", "integer", "boolean",
// "array of strings", "array of integers", "table", "array of tables".
std::string_view type_words(Type t);

}  // namespace trunk::site::schema
