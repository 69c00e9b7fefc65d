// The site schema against trunk-site(5): every field the man page
// documents is in the schema with the same type and range, and every field
// of the schema is documented. Also: the loader knows exactly the schema's
// keys, and --set exactly its settable ones.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "site/schema.hpp"
#include "site/settings.hpp"
#include "site/templates.hpp"
#include "support/site_fixture.hpp"

namespace schema = trunk::site::schema;

namespace {

struct Documented {
  std::string type;  // "string", "integer", "array of strings", ...
  std::string range;  // "1 to 65535" or ""
  int line = 0;
};

// (table, key) -> what the man page says, from its field entries:
// ".TP" then ".BR key \" (TYPE[ A to B][; ...])\"" under a table's heading.
std::map<std::pair<std::string, std::string>, Documented> man_fields() {
  std::ifstream in(std::string(TRUNK_SOURCE_DIR) + "/man/trunk-site.5");
  REQUIRE(in);
  static const std::map<std::string, std::string> kHeadings = {
      {".SH [site]", "site"},
      {".SH [[tenant]]", "tenant"},
      {".SH [[trunk]]", "trunk"},
      {".SS [trunk.keepalive]", "trunk.keepalive"},
      {".SS [trunk.limits]", "trunk.limits"},
      {".SS [trunk.auth]", "trunk.auth"},
      {".SS [[trunk.tenant]]", "trunk.tenant"},
      {".SH [[proxy]]", "proxy"},
      {".SS [[route]]", "route"},
      {".SS [[inbound]]", "inbound"},
      {".SH EXPECTATIONS", "expect"}};
  static const std::regex kEntry(
      R"re(^\.BR ([a-z_]+) " \((string|integer|boolean|array of strings|array of integers)( \\?-?[0-9]+ to [0-9]+)?[;)].*)re");
  std::map<std::pair<std::string, std::string>, Documented> out;
  std::string table, line, previous;
  for (int number = 1; std::getline(in, line); ++number, previous = line) {
    if (line.rfind(".SH", 0) == 0 || line.rfind(".SS", 0) == 0) {
      auto it = kHeadings.find(line);
      table = it == kHeadings.end() ? "" : it->second;
      continue;
    }
    std::smatch m;
    if (table.empty() || previous != ".TP" || !std::regex_match(line, m, kEntry)) continue;
    std::string range = m[3].str();
    if (!range.empty()) range = range.substr(1);
    if (range.rfind("\\-", 0) == 0) range.erase(0, 1);
    out[{table, m[1].str()}] = {m[2].str(), range, number};
  }
  return out;
}

}  // namespace

TEST_CASE("schema: man/trunk-site.5 documents exactly the schema's fields, types and ranges") {
  auto documented = man_fields();
  std::set<std::pair<std::string, std::string>> in_schema;
  for (const schema::Field& f : schema::fields()) {
    if (f.type == schema::Type::table || f.type == schema::Type::tables) continue;  // headings
    std::pair<std::string, std::string> id{std::string(f.table), std::string(f.key)};
    in_schema.insert(id);
    auto it = documented.find(id);
    INFO("schema field ", f.table, ".", f.key);
    REQUIRE_MESSAGE(it != documented.end(), "not documented in man/trunk-site.5");
    CHECK(it->second.type == std::string(schema::type_words(f.type)));
    if (f.type == schema::Type::integer || f.type == schema::Type::integers)
      CHECK(it->second.range == std::to_string(f.min) + " to " + std::to_string(f.max));
  }
  for (const auto& [id, doc] : documented) {
    INFO("man/trunk-site.5:", doc.line, ": ", id.first, ".", id.second);
    CHECK_MESSAGE(in_schema.count(id) == 1, "documented but not in the schema");
  }
}

TEST_CASE("schema: the loader knows the schema's keys and no others") {
  // A key of every table the schema has is accepted; the same key with a
  // typo is not (the unknown-key list is the schema's).
  auto ok = trunk::test::load_only(std::string(trunk::test::kBase) + R"(
[[trunk]]
name = "T1"
type = "peer"
host = "203.0.113.5"
failover_on = [503]
[trunk.keepalive]
options = true
)");
  CHECK(ok.text() == "");
  auto bad = trunk::test::load_only(std::string(trunk::test::kBase) + R"(
[[trunk]]
name = "T1"
type = "peer"
host = "203.0.113.5"
failover_onn = [503]
)");
  CHECK(bad.text().find("unknown key `failover_onn` in [[trunk]]") != std::string::npos);
  CHECK(bad.text().find("did you mean `failover_on`?") != std::string::npos);
}

TEST_CASE("schema: --set takes exactly the settable fields, never a secret") {
  std::set<std::string> settable;
  for (const auto& k : trunk::site::settable_keys()) settable.insert(std::string(k.key));
  CHECK(settable.count("limits.total") == 1);
  CHECK(settable.count("auth.password_env") == 1);
  CHECK(settable.count("auth.password") == 0);
  CHECK(settable.count("name") == 0);
  std::size_t marked = 0;
  for (const schema::Field& f : schema::fields()) {
    marked += f.settable;
    CHECK_FALSE((f.secret && f.settable));
  }
  CHECK(settable.size() == marked);
}

// The templates shipped in examples/templates are held to the schema the
// same way a site is: `trunkctl add --template` copies a template's body
// below a new [[trunk]] header, and the loader then refuses any key the
// schema lacks or a value out of its range. Each is loaded here as that
// trunk would be.
TEST_CASE("schema: every shipped template holds only the schema's keys") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(TRUNK_SOURCE_DIR) / "examples" / "templates";
  int seen = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".toml") continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    CAPTURE(e.path().string());
    auto c = trunk::test::load_only(std::string(trunk::test::kBase) +
                                    "\n[[trunk]]\nname = \"from-template\"\n" +
                                    trunk::site::template_body(text.str()));
    // A template may leave `host` to --set; nothing else may be missing or wrong.
    for (const auto& d : c.sink.all())
      CHECK_MESSAGE(d.message == "[[trunk]] is missing required key `host`", c.text());
    ++seen;
  }
  CHECK(seen >= 4);
}

// keys_of and find answer from a list built once, one entry per table,
// which holds a table's fields only if kFields lists them together.
TEST_CASE("schema: keys_of and find agree with fields() for every table") {
  std::map<std::string, std::vector<std::string>> keys;
  for (const schema::Field& f : schema::fields()) {
    keys[std::string(f.table)].push_back(std::string(f.key));
    INFO(f.table, ".", f.key);
    CHECK(schema::find(f.table, f.key) == &f);
  }
  for (const auto& [table, want] : keys) {
    INFO(table);
    const auto& got = schema::keys_of(table);
    CHECK(std::vector<std::string>(got.begin(), got.end()) == want);
  }
  CHECK(schema::keys_of("nowhere").empty());
  CHECK(schema::find("route", "password") == nullptr);
  CHECK(schema::find("trunk.aut", "password") == nullptr);
}

// The loader skips looking for secrets where this says none can be.
TEST_CASE("schema: may_hold_secrets names the tables on the way to a secret field") {
  CHECK(schema::may_hold_secrets(""));
  CHECK(schema::may_hold_secrets("trunk"));
  CHECK(schema::may_hold_secrets("trunk.auth"));
  CHECK_FALSE(schema::may_hold_secrets("trunk.aut"));
  CHECK_FALSE(schema::may_hold_secrets("trunk.auth.extra"));
  CHECK_FALSE(schema::may_hold_secrets("trunk.tenant"));
  CHECK_FALSE(schema::may_hold_secrets("route"));
  CHECK_FALSE(schema::may_hold_secrets("tenant"));
  CHECK_FALSE(schema::may_hold_secrets("tru"));
}
