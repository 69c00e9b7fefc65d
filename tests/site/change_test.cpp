// Site changes planned as a whole: the templates shipped in
// examples/templates, the diff that never shows a password, and a change
// that would break the site leaving nothing to write.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "check/site.hpp"
#include "site/change.hpp"
#include "site/builtin_templates.hpp"
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
  site::TemplateSearch files_only{{dir}, false};
  auto names = site::template_names(files_only);
  CHECK(names.size() >= 8);
  for (const auto& name : names) {
    CAPTURE(name);
    auto found = site::find_template(name, files_only);
    REQUIRE(found);
    std::string text = read(found->path);
    // `trunkctl templates` prints this line: `# NAME: DESCRIPTION`.
    CHECK(text.starts_with("# " + name + ": "));
    CHECK_FALSE(site::template_description(name, text).empty());
    std::string body = site::template_body(text);
    CHECK(body.find("name =") == std::string::npos);
    auto c = trunk::test::load_only(std::string(trunk::test::kBase) +
                                    "\n[[trunk]]\nname = \"T\"\n" + body);
    for (const auto& d : c.sink.all()) {
      CAPTURE(d.message);
      CHECK(d.message == "[[trunk]] is missing required key `host`");
    }
  }
}

// The tools carry the templates (site/builtin_templates.hpp): the same
// names and the same bytes as examples/templates, so a build never ships a
// stale or forgotten one.
TEST_CASE("the built-in templates are examples/templates, byte for byte") {
  fs::path dir = fs::path(TRUNK_SOURCE_DIR) / "examples" / "templates";
  std::vector<std::string> builtin;
  for (const auto& t : site::builtin_templates()) {
    CAPTURE(t.name);
    builtin.emplace_back(t.name);
    CHECK(read(dir / (std::string(t.name) + ".toml")) == t.text);
  }
  CHECK(builtin == site::template_names({{dir}, false}));
}

TEST_CASE("a template name is looked up in the directories, then built in") {
  TempSite s("");
  fs::create_directory(s.dir / "templates");
  write(s.dir / "templates" / "generic.toml", "# generic: the house's own\n\ntype = \"peer\"\n");
  auto search = site::template_search("", s.file);
  REQUIRE(search.dirs.size() >= 1);
  CHECK(search.dirs.back() == s.dir / "templates");
  CHECK(search.builtin);

  auto own = site::find_template("generic", search);
  REQUIRE(own);
  CHECK(own->origin() == (s.dir / "templates" / "generic.toml").string());
  auto builtin = site::find_template("teams.toml", search);
  REQUIRE(builtin);
  CHECK(builtin->origin() == "built-in");
  std::string text, error;
  REQUIRE(site::read_template(*builtin, text, error));
  CHECK(text.find("sip.pstnhub.microsoft.com") != std::string::npos);
  // A path is read as it is, wherever it is.
  auto path = site::find_template((s.dir / "templates" / "generic.toml").string(), search);
  REQUIRE(path);
  CHECK(path->path == s.dir / "templates" / "generic.toml");
  CHECK_FALSE(site::find_template("no-such", search));

  // --templates DIR alone: no built-in set behind it.
  auto only = site::template_search((s.dir / "templates").string(), s.file);
  CHECK_FALSE(only.builtin);
  CHECK_FALSE(site::find_template("teams", only));
  CHECK(site::template_names(only) == std::vector<std::string>{"generic"});
  CHECK(site::describe_search(only) == (s.dir / "templates").string());

  auto entries = site::list_templates(search);
  auto it = std::find_if(entries.begin(), entries.end(),
                         [](const site::TemplateEntry& e) { return e.name == "generic"; });
  REQUIRE(it != entries.end());
  CHECK(it->description == "the house's own");
}

TEST_CASE("a template's description is its first line") {
  CHECK(site::template_description("x", "# x: an IP peer\n# more\n\ntype = 1\n") == "an IP peer");
  CHECK(site::template_description("x", "# Some words\r\n") == "Some words");
  CHECK(site::template_description("x", "# xy: not the name\n") == "xy: not the name");
  CHECK(site::template_description("x", "type = \"peer\"\n").empty());
  CHECK(site::template_description("x", "").empty());
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
