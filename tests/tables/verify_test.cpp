// The tables file: deterministic bytes, and a verifier that refuses every
// single-byte change, every truncation and a newer format version.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "support/compiled.hpp"
#include "tables/checksum.hpp"
#include "tables/dump.hpp"

using namespace trunk;

namespace {

const std::string kSite = std::string(test::kBase) + R"(
[[trunk]]
name = "gw"
type = "peer"
host = "203.0.113.5"
associated_ips = ["198.51.100.0/24"]
[[trunk.tenant]]
tenant = "acme"
did_pool = "100-199"

[[route]]
tenant = "acme"
name = "all"
match = "_X."
trunks = ["gw"]

[[route]]
tenant = "acme"
name = "local"
match = "_NXX"
trunks = ["gw"]

[[inbound]]
tenant = "acme"
trunk = "gw"
did = "100-149"
to = "sip:{did}@acme.example"
)";

// The bytes of section `kind`, found through the directory.
char* section(std::string& bytes, tables::SectionKind kind) {
  const auto* h = reinterpret_cast<const tables::Header*>(bytes.data());
  const auto* dir = reinterpret_cast<const tables::SectionEntry*>(bytes.data() + 64);
  for (std::uint32_t i = 0; i < h->section_count; ++i)
    if (dir[i].kind == static_cast<std::uint32_t>(kind)) return bytes.data() + dir[i].offset;
  return nullptr;
}

// Writes `value` at `at`, then a checksum that fits again: only the
// structural checks stand between the changed file and the router.
template <class T>
void put_and_reseal(std::string& bytes, char* at, T value) {
  std::memcpy(at, &value, sizeof value);
  std::uint64_t sum = tables::checksum(bytes.data(), bytes.size());
  std::memcpy(bytes.data() + 24, &sum, 8);
}

// Whether the verifier refuses `bytes`, with `error` its message.
bool refused(const std::string& bytes, std::string& error) {
  tables::Tables t;
  return !t.load_bytes(bytes, error);
}

}  // namespace

TEST_CASE("the same site gives byte-identical tables") {
  auto a = test::compile_site(kSite);
  auto b = test::compile_site(kSite);
  REQUIRE_MESSAGE(a->ok, a->text());
  CHECK(a->bytes == b->bytes);
  CHECK(a->bytes.size() % 8 == 0);
}

TEST_CASE("every single-byte change is refused") {
  auto c = test::compile_site(kSite);
  REQUIRE(c->ok);
  std::string bytes = c->bytes;
  std::size_t refused = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (unsigned char delta : {0x01, 0x80, 0xff}) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(static_cast<unsigned char>(damaged[i]) ^ delta);
      tables::Tables t;
      std::string error;
      if (!t.load_bytes(damaged, error)) ++refused;
      else FAIL_CHECK("byte " << i << " ^ " << int(delta) << " was accepted");
    }
  }
  CHECK(refused == bytes.size() * 3);
}

TEST_CASE("every truncation is refused") {
  auto c = test::compile_site(kSite);
  REQUIRE(c->ok);
  for (std::size_t n = 0; n < c->bytes.size(); ++n) {
    tables::Tables t;
    std::string error;
    CHECK_FALSE(t.load_bytes(std::string_view(c->bytes).substr(0, n), error));
  }
}

TEST_CASE("a newer or older format version is refused by name") {
  auto c = test::compile_site(kSite);
  REQUIRE(c->ok);
  auto with_version = [&](std::uint32_t v) {
    std::string bytes = c->bytes;
    std::memcpy(bytes.data() + 8, &v, 4);
    std::uint64_t sum = tables::checksum(bytes.data(), bytes.size());
    std::memcpy(bytes.data() + 24, &sum, 8);
    tables::Tables t;
    std::string error;
    CHECK_FALSE(t.load_bytes(bytes, error));
    return error;
  };
  CHECK(with_version(4) ==
        "format version 4 is newer than this trunkline reads (3); upgrade trunkline or compile "
        "with the matching dialplan-compile");
  // Version 2 tables have no failover codes; version 1 no limits, proxies
  // or trunk address ranges.
  CHECK(with_version(2) ==
        "format version 2 is older than this trunkline reads (3); compile the site again with "
        "this dialplan-compile");
}

TEST_CASE("a structurally bad file with a good checksum is still refused") {
  auto c = test::compile_site(kSite);
  REQUIRE(c->ok);
  // Point the first route's trunk list past the end, then fix the checksum:
  // only the structural checks stand between this file and the router.
  std::string bytes = c->bytes;
  char* base = section(bytes, tables::SectionKind::routes);
  REQUIRE(base != nullptr);
  put_and_reseal(bytes, base + offsetof(tables::RouteRecord, trunk_first), std::uint32_t{1000});
  std::string error;
  CHECK(refused(bytes, error));
  CHECK(error == "route 0 is out of bounds");
}

TEST_CASE("a tenant's dial_symbols other than '*' and '#' are refused") {
  auto c = test::compile_site(kSite);
  REQUIRE(c->ok);
  std::string bytes = c->bytes;
  char* tenants = section(bytes, tables::SectionKind::tenants);
  REQUIRE(tenants != nullptr);
  // '+' (symbol 12) is never a plan symbol: it is allowed first, only.
  put_and_reseal(bytes, tenants + offsetof(tables::TenantRecord, dial_symbols),
                 std::uint32_t{1u << 12});
  std::string error;
  CHECK(refused(bytes, error));
  CHECK(error == "tenant 0 is out of bounds");
}

TEST_CASE("written atomically, mapped, dumped") {
  auto c = test::compile_site(kSite);
  REQUIRE(c->ok);
  auto dir = std::filesystem::temp_directory_path() / "trunk_tables_test";
  std::filesystem::create_directories(dir);
  auto path = dir / "site.tables";
  std::string error;
  REQUIRE(tables::write_atomically(path, c->bytes, error));
  tables::Tables t;
  REQUIRE_MESSAGE(t.open(path, error), error);
  std::string text = tables::dump_text(t);
  CHECK(text.find("acme/local match=_NXX priority=0 strip=0 trunks=gw\n") != std::string::npos);
  CHECK(text.find("gw did=100-149 -> acme sip:{did}@acme.example\n") != std::string::npos);
  CHECK(t.addresses().size() == 2);
  // No temporary file is left behind.
  std::size_t files = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir)) ++files;
  CHECK(files == 1);
  CHECK_FALSE(tables::write_atomically(dir / "missing" / "x.tables", c->bytes, error));
  CHECK(error.find("cannot create a temporary file") == 0);
  std::filesystem::remove_all(dir);
}

// The plan keeps each route's texts and trunks as runs shared by all routes
// (tables/plan.hpp): every route must get back its own, whatever the routes
// before it held, and a name written twice is one string in the pool.
TEST_CASE("each route's texts and trunks come back as written, route by route") {
  auto c = test::compile_site(std::string(test::kBase) + R"(
[[trunk]]
name = "gw"
type = "peer"
host = "203.0.113.5"
[[trunk.tenant]]
tenant = "acme"
[[trunk.tenant]]
tenant = "globex"

[[trunk]]
name = "gw2"
type = "peer"
provider = "other"
host = "203.0.113.6"
[[trunk.tenant]]
tenant = "acme"

[[route]]
tenant = "acme"
name = "intl"
match = "_00X."
priority = 2
strip = 2
prepend = "+"
caller_id = "+15550100"
trunks = ["gw", "gw2"]

[[route]]
tenant = "acme"
name = "local"
match = "_NXX"
trunks = ["gw2"]

[[route]]
tenant = "globex"
name = "intl"
match = "_00X."
caller_id = "+15550199"
trunks = ["gw"]
)");
  REQUIRE(c->ok);
  const std::string text = tables::dump_text(c->tables);
  CHECK(text.find("acme/intl match=_00X. priority=2 strip=2 prepend=+ caller_id=+15550100 "
                  "trunks=gw,gw2\n") != std::string::npos);
  CHECK(text.find("acme/local match=_NXX priority=0 strip=0 trunks=gw2\n") != std::string::npos);
  CHECK(text.find("globex/intl match=_00X. priority=0 strip=0 caller_id=+15550199 trunks=gw\n") !=
        std::string::npos);
  const auto routes = c->tables.routes();
  REQUIRE(routes.size() == 3);
  CHECK(routes[0].name.offset == routes[2].name.offset);
  CHECK(routes[0].pattern.offset == routes[2].pattern.offset);
}

TEST_CASE("read into memory of its own: the file can change, the tables do not") {
  auto c = test::compile_site(kSite);
  REQUIRE(c->ok);
  auto dir = std::filesystem::temp_directory_path() / "trunk_tables_read_test";
  std::filesystem::create_directories(dir);
  auto path = dir / "site.tables";
  std::string error;
  REQUIRE(tables::write_atomically(path, c->bytes, error));
  tables::Tables t;
  REQUIRE_MESSAGE(t.read(path, error), error);
  CHECK(t.size() == c->bytes.size());
  CHECK(std::string_view(t.str(t.routes()[1].name)) == "local");
  // Truncated in place: a mapping would fault, what was read stays whole.
  std::filesystem::resize_file(path, 64);
  CHECK(tables::dump_text(t) == tables::dump_text(c->tables));
  // Moved, it still reads; the moved-from object holds nothing.
  tables::Tables moved = std::move(t);
  CHECK(moved.loaded());
  CHECK_FALSE(t.loaded());
  CHECK(moved.find_tenant("acme") == 0);
  // The truncated file is refused, and so is a missing one, by name.
  tables::Tables again;
  CHECK_FALSE(again.read(path, error));
  CHECK(error.find(path.string() + ": the header says") == 0);
  CHECK_FALSE(again.loaded());
  CHECK_FALSE(again.read(dir / "missing.tables", error));
  CHECK(error.find("cannot open " + (dir / "missing.tables").string()) == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the address trie finds the longest block, in any number of trunks") {
  auto c = test::compile_site(std::string(test::kBase) + R"(
[[trunk]]
name = "wide"
type = "peer"
provider = "A"
host = "198.51.100.1"
associated_ips = ["10.0.0.0/8", "2001:db8::/32"]

[[trunk]]
name = "narrow"
type = "peer"
provider = "B"
host = "10.1.2.3"
associated_ips = ["10.1.0.0/16"]
)");
  REQUIRE_MESSAGE(c->ok, c->text());
  auto v4 = [](int a, int b, int cc, int d) {
    std::uint8_t out[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    out[12] = static_cast<std::uint8_t>(a);
    out[13] = static_cast<std::uint8_t>(b);
    out[14] = static_cast<std::uint8_t>(cc);
    out[15] = static_cast<std::uint8_t>(d);
    std::array<std::uint8_t, 16> arr;
    std::memcpy(arr.data(), out, 16);
    return arr;
  };
  auto find = [&](std::array<std::uint8_t, 16> a) {
    std::uint8_t raw[16];
    std::memcpy(raw, a.data(), 16);
    std::uint32_t t = c->tables.find_trunk_by_address(raw);
    return t == tables::kNone ? std::string("-") : std::string(c->tables.str(c->tables.trunks()[t].name));
  };
  CHECK(find(v4(10, 9, 9, 9)) == "wide");
  CHECK(find(v4(10, 1, 9, 9)) == "narrow");
  CHECK(find(v4(10, 1, 2, 3)) == "narrow");
  CHECK(find(v4(198, 51, 100, 1)) == "wide");
  CHECK(find(v4(198, 51, 100, 2)) == "-");
  std::array<std::uint8_t, 16> v6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  CHECK(find(v6) == "wide");
  CHECK(c->tables.find_trunk_by_host("10.1.2.3") == 1);
  CHECK(c->tables.find_trunk_by_from_host("") == tables::kNone);
}

TEST_CASE("a trunk's failover codes hold only digits and commas") {
  // They go into a quoted Contact parameter as they are: a quote in them
  // would let a tables file write headers into trunkd's 302.
  auto c = test::compile_site(kSite);
  REQUIRE(c->ok);
  std::string bytes = c->bytes;
  std::size_t at = bytes.find("408,480,500,502,503,504");
  REQUIRE(at != std::string::npos);
  put_and_reseal(bytes, bytes.data() + at + 3, '"');
  tables::Tables t;
  std::string error;
  CHECK_FALSE(t.load_bytes(bytes, error));
  CHECK(error.find("trunk 0") != std::string::npos);
}
