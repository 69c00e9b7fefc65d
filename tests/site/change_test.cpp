// Site changes planned as a whole: the templates shipped in
// examples/templates, the diff that never shows a password, and a change
// that would break the site leaving nothing to write.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "check/site.hpp"
#include "site/change.hpp"
#include "site/templates.hpp"
#include "support/site_fixture.hpp"

namespace fs = std::filesystem;
namespace route = trunk::route;
namespace site = trunk::site;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// A one-file site in a fresh temporary directory.
struct TempSite {
  fs::path dir;
  fs::path file;
  explicit TempSite(const std::string& text) {
    std::string tmpl = (fs::temp_directory_path() / "change_test.XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    file = dir / "site.toml";
    write(file, text);
  }
  ~TempSite() { fs::remove_all(dir); }
};

const char* kSecret = "Zq8-very-secret-inline";

}  // namespace

TEST_CASE("every shipped template loads as a trunk; only the host may be left to set") {
  fs::path dir = fs::path(TRUNK_SOURCE_DIR) / "examples" / "templates";
  auto names = site::template_names({dir});
  CHECK(names == std::vector<std::string>{"generic", "teams", "telnyx", "twilio-elastic-sip"});
  for (const auto& name : names) {
    CAPTURE(name);
    auto found = site::find_template(name, {dir});
    REQUIRE(found);
    std::string body = site::template_body(read(*found));
    CHECK(body.find("name =") == std::string::npos);
    auto c = trunk::test::load_only(std::string(trunk::test::kBase) +
                                    "\n[[trunk]]\nname = \"T\"\n" + body);
    for (const auto& d : c.sink.all()) {
      CAPTURE(d.message);
      CHECK(d.message == "[[trunk]] is missing required key `host`");
    }
  }
}

TEST_CASE("template_body leaves out the opening comment paragraph") {
  CHECK(site::template_body("# about\n# more\n\ntype = \"peer\"  # why\n\n") ==
        "type = \"peer\"  # why\n");
  CHECK(site::template_body("type = \"peer\"\n") == "type = \"peer\"\n");
}

TEST_CASE("the diff of a change never shows an inline password") {
  TempSite s(std::string(trunk::test::kBase) + R"(
[[trunk]]
name = "R"
type = "register"
host = "sip.example"

[trunk.auth]
username = "u1"
password = ")" + kSecret + R"("
)");
  site::ChangeRequest req;
  req.kind = site::ChangeRequest::Kind::set;
  req.trunk = "R";
  req.settings = {"auth.username=u2"};
  site::ChangeResult r = site::plan_change(s.file, req, trunk::check::check_site);
  CHECK(r.exit_code == 0);
  CHECK(r.diff.find("+username = \"u2\"") != std::string::npos);
  CHECK(r.diff.find(" password = ") != std::string::npos);  // the context line, masked
  CHECK(r.diff.find(kSecret) == std::string::npos);
  CHECK(read(s.file).find("u1") != std::string::npos);  // planned, not written
}

TEST_CASE("a change that breaks the site is planned with its diagnostics, nothing to write") {
  TempSite s(std::string(trunk::test::kBase) + R"(
[[trunk]]
name = "P"
type = "peer"
host = "192.0.2.1"
)");
  site::ChangeRequest req;
  req.kind = site::ChangeRequest::Kind::set;
  req.trunk = "P";
  req.settings = {"transport=wss"};
  site::ChangeResult r = site::plan_change(s.file, req, trunk::check::check_site);
  CHECK(r.exit_code == 1);
  REQUIRE(r.sink.errors() == 1);
  CHECK(r.sink.all()[0].code == "transport-disabled");
  CHECK(r.sink.all()[0].where.file.str() == s.file.string());
  CHECK(r.sink.all()[0].where.line == 17);  // the line added after host
  CHECK(r.message == "the change was not made: the site would have 1 error, 0 warnings");
}

TEST_CASE("unknown trunks and bad arguments: 1 with a finding, 2 with a message") {
  TempSite s(std::string(trunk::test::kBase) + "\n[[trunk]]\nname = \"Peer-1\"\ntype = \"peer\"\nhost = \"192.0.2.1\"\n");
  site::ChangeRequest req;
  req.kind = site::ChangeRequest::Kind::remove;
  req.trunk = "Peer-2";
  site::ChangeResult r = site::plan_change(s.file, req, trunk::check::check_site);
  CHECK(r.exit_code == 1);
  REQUIRE(r.sink.all().size() == 1);
  CHECK(r.sink.all()[0].message == "no trunk named \"Peer-2\" in the site");
  CHECK(r.sink.all()[0].hints == std::vector<std::string>{"did you mean \"Peer-1\"?"});
  req.kind = site::ChangeRequest::Kind::set;
  req.trunk = "Peer-1";
  req.settings = {"port=many"};
  r = site::plan_change(s.file, req, trunk::check::check_site);
  CHECK(r.exit_code == 2);
  CHECK(r.message == "`port` takes a whole number");
}

TEST_CASE("trunk-in-use and not-assigned: full text and places") {
  TempSite s(std::string(trunk::test::kBase) + R"(
[[trunk]]
name = "P"
type = "peer"
host = "192.0.2.1"

[[trunk.tenant]]
tenant = "acme"
did_pool = "100-199"

[[trunk]]
name = "Q"
type = "peer"
provider = "other"
host = "192.0.2.2"
failover = "P"
[[trunk.tenant]]
tenant = "acme"

[[route]]
tenant = "acme"
name = "all"
match = "_X."
trunks = ["Q", "P"]

[[inbound]]
tenant = "acme"
trunk = "P"
did = "100-109"
to = "sip:{did}@acme.example"
)");
  std::string f = s.file.string();
  site::ChangeRequest req;
  req.kind = site::ChangeRequest::Kind::remove;
  req.trunk = "P";
  site::ChangeResult r = site::plan_change(s.file, req, trunk::check::check_site);
  CHECK(r.exit_code == 1);
  CHECK(trunk::diag::render_text(r.sink, nullptr) ==
        f + ":27:12: error[trunk-in-use]: trunk \"Q\" fails over to trunk \"P\"\n"
            "  hint: take the trunk out of it first\n" +
        f + ":35:16: error[trunk-in-use]: route \"all\" of tenant \"acme\" sends calls to trunk \"P\"\n"
            "  hint: take the trunk out of it first\n" +
        f + ":39:9: error[trunk-in-use]: inbound rule for \"100-109\" of tenant \"acme\" takes calls "
            "from trunk \"P\"\n  hint: take the trunk out of it first\n");
  CHECK(r.message == "trunk \"P\" is in use (3 references); nothing was changed");
  CHECK(r.changed.empty());
  CHECK(r.diff.empty());

  req.kind = site::ChangeRequest::Kind::unassign;
  req.tenant = "globex";
  r = site::plan_change(s.file, req, trunk::check::check_site);
  CHECK(r.exit_code == 1);
  CHECK(trunk::diag::render_text(r.sink, nullptr) ==
        f + ":13:1: error[not-assigned]: trunk \"P\" is not assigned to tenant \"globex\"\n"
            "  hint: its tenants: \"acme\"\n");
}
