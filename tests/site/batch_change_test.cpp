// Batches of site changes (plan_changes) and the list they are read from
// (read_change_list): each change sees the ones before it, a refusal or an
// invalid result names its change, and a batch gives the files the changes
// one by one give.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "check/site.hpp"
#include "site/change.hpp"
#include "site/change_list.hpp"
#include "support/site_fixture.hpp"

namespace fs = std::filesystem;
namespace site = trunk::site;
using Kind = site::ChangeRequest::Kind;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TempSite {
  fs::path dir, file;
  explicit TempSite(const std::string& text) {
    std::string tmpl = (fs::temp_directory_path() / "batch_change_test.XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    file = dir / "site.toml";
    std::ofstream(file, std::ios::binary) << text;
  }
  ~TempSite() { fs::remove_all(dir); }
};

const std::string kSite = std::string(trunk::test::kBase) +
                          "\n[[trunk]]\nname = \"P\"\ntype = \"peer\"\nhost = \"192.0.2.1\"\n";

site::ChangeRequest change(Kind kind, std::string trunk, std::vector<std::string> settings = {},
                           std::string tenant = {}) {
  site::ChangeRequest r;
  r.kind = kind;
  r.trunk = std::move(trunk);
  r.type = kind == Kind::add ? "peer" : "";
  r.settings = std::move(settings);
  r.tenant = std::move(tenant);
  return r;
}

}  // namespace

TEST_CASE("a batch: each change sees the ones before it; the files are those of one by one") {
  std::vector<site::ChangeRequest> batch = {
      change(Kind::add, "Q", {"host=192.0.2.2", "provider=Q"}),
      change(Kind::assign, "Q", {}, "acme"),
      change(Kind::set, "Q", {"port=5080"}),
      change(Kind::set, "P", {"transport=tcp"}),
      change(Kind::unassign, "Q", {}, "acme"),
  };
  TempSite a(kSite), b(kSite);
  site::ChangeResult r = site::plan_changes(a.file, batch, trunk::check::check_site);
  REQUIRE(r.exit_code == 0);
  CHECK(!r.refused);
  CHECK(r.message == "5 changes made in " + a.file.string());
  std::string error;
  REQUIRE(site::apply_change(r, error));
  for (const auto& req : batch) {
    site::ChangeResult one = site::plan_change(b.file, req, trunk::check::check_site);
    REQUIRE(one.exit_code == 0);
    REQUIRE(site::apply_change(one, error));
  }
  CHECK(read(a.file) == read(b.file));
  CHECK(read(a.file).find("name = \"Q\"") != std::string::npos);
}

TEST_CASE("a batch stops at a refused change and names it") {
  TempSite s(kSite);
  std::vector<site::ChangeRequest> batch = {
      change(Kind::set, "P", {"port=5080"}),
      change(Kind::remove, "P"),
      change(Kind::set, "P", {"port=5090"}),  // P is gone: refused
  };
  site::ChangeResult r = site::plan_changes(s.file, batch, trunk::check::check_site);
  CHECK(r.exit_code == 1);
  REQUIRE(r.refused);
  CHECK(*r.refused == 2);
  REQUIRE(r.sink.all().size() == 1);
  CHECK(r.sink.all()[0].code == "unknown-trunk");
  CHECK(r.changed.empty());
  // A bad argument anywhere is found before the site is read.
  batch[0].settings = {"port=many"};
  r = site::plan_changes(s.file, batch, trunk::check::check_site);
  CHECK(r.exit_code == 2);
  REQUIRE(r.refused);
  CHECK(*r.refused == 0);
}

TEST_CASE("an invalid result names the change inside whose trunk the error is") {
  TempSite s(kSite);
  std::vector<site::ChangeRequest> batch = {
      change(Kind::add, "Q", {"host=192.0.2.2", "provider=Q"}),
      change(Kind::set, "Q", {"transport=wss"}),  // the site has no wss transport
      change(Kind::set, "P", {"port=5080"}),
  };
  site::ChangeResult r = site::plan_changes(s.file, batch, trunk::check::check_site);
  CHECK(r.exit_code == 1);
  CHECK(!r.refused);
  REQUIRE(r.sink.errors() == 1);
  CHECK(r.sink.all()[0].code == "transport-disabled");
  REQUIRE(r.blame.size() == r.sink.all().size());
  REQUIRE(r.blame[0]);
  CHECK(*r.blame[0] == 1);
  CHECK(r.message == "the changes were not made: the site would have 1 error, 0 warnings");
}

TEST_CASE("the list of changes: the commands' fields, every bad line at its place") {
  std::vector<site::ListedChange> out;
  trunk::diag::Sink sink;
  std::string text =
      "{\"op\":\"add\",\"trunk\":\"Q\",\"type\":\"peer\",\"set\":{\"host\":\"h\",\"port\":5080,"
      "\"associated_ips\":[\"192.0.2.1\",\"192.0.2.2\"],\"verify_port\":true}}\r\n"
      "\n"
      "{\"op\":\"assign\",\"trunk\":\"Q\",\"tenant\":\"acme\",\"did-pool\":\"100-199\"}\n"
      "{\"op\":\"remove\",\"trunk\":\"Q\",\"tenant\":\"acme\"}\n"
      "{\"op\":\"set\",\"trunk\":\"Q\"\n";
  CHECK_FALSE(site::read_change_list(text, "in.jsonl", out, sink));
  REQUIRE(out.size() == 2);
  CHECK(out[0].line == 1);
  CHECK(out[0].request.kind == Kind::add);
  CHECK(out[0].request.type == "peer");
  CHECK(out[0].request.settings ==
        std::vector<std::string>{"host=h", "port=5080", "associated_ips=192.0.2.1,192.0.2.2",
                                 "verify_port=true"});
  CHECK(out[1].line == 3);
  CHECK(out[1].request.tenant == "acme");
  CHECK(out[1].request.did_pool == std::optional<std::string>("100-199"));
  REQUIRE(sink.all().size() == 2);
  CHECK(sink.all()[0].where.to_string() == "in.jsonl:4:28");
  CHECK(sink.all()[0].code == "change-field");
  CHECK(sink.all()[0].message ==
        "op \"remove\" takes no field \"tenant\" (it takes \"trunk\")");
  CHECK(sink.all()[1].where.to_string() == "in.jsonl:5:24");
  CHECK(sink.all()[1].code == "change-json");
}
