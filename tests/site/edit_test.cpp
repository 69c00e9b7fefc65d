// The site text editor: layouts, each edit's exact output, the comment
// attachment rule, and round trips that give the original bytes back.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "site/edit.hpp"

namespace edit = trunk::site::edit;
using Kind = edit::Statement::Kind;
using Line = edit::Layout::Line;

namespace {

const std::string kTwo = R"(# Trunks of the test site.

# A comment that belongs to A.
[[trunk]]
name = "A"
port = 5060   # the SBC's port
associated_ips = [
  "203.0.113.10",  # gw1
  "203.0.113.11",
]

[trunk.limits]
total = 10

[[trunk.tenant]]
tenant = "acme"
did_pool = "100-199"

# B is a peer.
[[trunk]]
name = "B"
type = "peer"
)";

std::string apply_set(std::string text, std::size_t trunk, const char* key, const char* value) {
  std::string error;
  REQUIRE_MESSAGE(edit::set_key(text, trunk, key, value, error), error);
  return text;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("scan: statements with their value spans, and what each line is") {
  edit::Layout l = edit::scan(kTwo);
  REQUIRE(l.ok);
  REQUIRE(l.statements.size() == 12);
  CHECK(l.statements[0].kind == Kind::header);
  CHECK(l.statements[0].name == "trunk");
  CHECK(l.statements[0].array);
  CHECK(l.statements[0].line == 3);
  const edit::Statement& ips = l.statements[3];
  CHECK(ips.name == "associated_ips");
  CHECK(ips.line == 6);
  CHECK(ips.last_line == 9);
  CHECK(kTwo.substr(ips.value_begin, ips.value_end - ips.value_begin).starts_with("[\n"));
  CHECK(kTwo.substr(ips.value_end - 1, 1) == "]");
  const edit::Statement& port = l.statements[2];
  CHECK(kTwo.substr(port.value_begin, port.value_end - port.value_begin) == "5060");
  CHECK(l.statements[4].name == "trunk.limits");
  CHECK_FALSE(l.statements[4].array);
  CHECK(l.lines[0] == Line::comment);
  CHECK(l.lines[1] == Line::blank);
  CHECK(l.lines[8] == Line::code);  // inside the array
}

TEST_CASE("scan: quoted and dotted keys, literal and multi-line strings") {
  edit::Layout l = edit::scan("\"a b\".c = 'x'\nd = \"\"\"\nline\n\"\"\"\n e = { f = 1, g = [2] }\n");
  REQUIRE(l.ok);
  REQUIRE(l.statements.size() == 3);
  CHECK(l.statements[0].name == "a b.c");
  CHECK(l.statements[1].last_line == 3);
  CHECK(l.statements[2].name == "e");
}

TEST_CASE("scan: text it cannot read is reported, not guessed") {
  edit::Layout l = edit::scan("a = [1, 2\n");
  CHECK_FALSE(l.ok);
  CHECK(l.error == "line 1: a value the editor cannot read");
}

TEST_CASE("toml_string and string_value are inverses for names and pools") {
  for (std::string s : {"XYZ-Primary", "a \"quoted\" \\ name", "tab\there", "4155550100-4155550199; 300"})
    CHECK(edit::string_value(edit::toml_string(s)) == s);
  CHECK(edit::toml_string("a\x01") == "\"a\\u0001\"");
  CHECK(edit::string_value("'C:\\path'") == "C:\\path");
  CHECK_FALSE(edit::string_value("5060").has_value());
}

TEST_CASE("trunk_ordinal and count_trunks count [[trunk]] headers only") {
  CHECK(edit::count_trunks(kTwo) == 2);
  CHECK(edit::trunk_ordinal(kTwo, 4) == 0u);
  CHECK(edit::trunk_ordinal(kTwo, 20) == 1u);
  CHECK_FALSE(edit::trunk_ordinal(kTwo, 12).has_value());  // [trunk.limits]
}

TEST_CASE("set_key replaces a value in place and keeps the comment after it") {
  std::string out = apply_set(kTwo, 0, "port", "5080");
  std::string want = kTwo;
  want.replace(want.find("5060"), 4, "5080");
  CHECK(out == want);
}

TEST_CASE("set_key adds a missing key after the trunk's last key, before its sub-tables") {
  std::string out = apply_set(kTwo, 0, "transport", "\"tcp\"");
  std::string want = kTwo;
  want.insert(want.find("\n\n[trunk.limits]") + 1, "transport = \"tcp\"\n");
  CHECK(out == want);
  // The last trunk of the file: at the end.
  CHECK(apply_set(kTwo, 1, "host", "\"b.example\"") == kTwo + "host = \"b.example\"\n");
}

TEST_CASE("set_key: a dotted key goes into its sub-table, created when absent") {
  std::string out = apply_set(kTwo, 0, "limits.inbound", "5");
  std::string want = kTwo;
  want.insert(want.find("total = 10\n") + 11, "inbound = 5\n");
  CHECK(out == want);

  out = apply_set(kTwo, 0, "keepalive.interval", "60");
  want = kTwo;
  want.insert(want.find("[[trunk.tenant]]"), "[trunk.keepalive]\ninterval = 60\n\n");
  CHECK(out == want);

  // No [[trunk.tenant]]: at the end of the trunk's tables.
  out = apply_set(kTwo, 1, "auth.username", "\"b\"");
  CHECK(out == kTwo + "\n[trunk.auth]\nusername = \"b\"\n");
}

TEST_CASE("set_key refuses an inline table and a key written twice") {
  std::string text = "[[trunk]]\nname = \"A\"\nlimits = { total = 1 }\n";
  std::string error;
  CHECK_FALSE(edit::set_key(text, 0, "limits.total", "2", error));
  CHECK(error == "`limits` of the trunk is written as a dotted key or an inline table; "
                 "edit it by hand");
  text = "[[trunk]]\nname = \"A\"\n[trunk.limits]\ntotal = 1\ntotal = 2\n";
  CHECK_FALSE(edit::set_key(text, 0, "limits.total", "3", error));
  CHECK(error == "`total` is written twice");
  CHECK_FALSE(edit::set_key(text, 5, "port", "3", error));
  CHECK(error == "no [[trunk]] table number 6 in the file");
}

TEST_CASE("remove_trunk takes the comments above it and the blank lines after it") {
  std::string text = kTwo + "\n[[trunk]]\nname = \"C\"\n";
  std::string error;
  REQUIRE(edit::remove_trunk(text, 1, error));
  CHECK(text == kTwo.substr(0, kTwo.find("# B is a peer.")) + "[[trunk]]\nname = \"C\"\n");
}

TEST_CASE("remove_trunk: the file's own comment, detached by a blank line, stays") {
  std::string text = kTwo;
  std::string error;
  REQUIRE(edit::remove_trunk(text, 0, error));
  CHECK(text == "# Trunks of the test site.\n\n# B is a peer.\n[[trunk]]\nname = \"B\"\ntype = \"peer\"\n");
}

TEST_CASE("remove_trunk: the last trunk takes the blank lines before it") {
  std::string text = kTwo;
  std::string error;
  REQUIRE(edit::remove_trunk(text, 1, error));
  CHECK(text == kTwo.substr(0, kTwo.find("\n# B is a peer.")));
}

TEST_CASE("remove_trunk: comments right under a trunk's last key go with it") {
  std::string text = "[[trunk]]\nname = \"A\"\n# old: port = 5070\n\n# about B\n[[trunk]]\nname = \"B\"\n";
  std::string error;
  REQUIRE(edit::remove_trunk(text, 0, error));
  CHECK(text == "# about B\n[[trunk]]\nname = \"B\"\n");
}

TEST_CASE("append_trunk then remove_trunk gives the file back byte for byte") {
  std::string text = kTwo;
  edit::append_trunk(text, "[[trunk]]\nname = \"N\"\ntype = \"peer\"\n");
  CHECK(text == kTwo + "\n[[trunk]]\nname = \"N\"\ntype = \"peer\"\n");
  std::string error;
  REQUIRE(edit::remove_trunk(text, 2, error));
  CHECK(text == kTwo);
}

TEST_CASE("add_assignment, set_assignment_pool and remove_assignment round-trip") {
  std::string text = kTwo, error;
  REQUIRE(edit::add_assignment(text, 0, "globex", std::string("200-299"), error));
  std::string want = kTwo;
  want.insert(want.find("\n\n# B is a peer."),
              "\n\n[[trunk.tenant]]\ntenant = \"globex\"\ndid_pool = \"200-299\"");
  CHECK(text == want);
  REQUIRE(edit::set_assignment_pool(text, 0, "globex", "200-250", error));
  CHECK(text.find("did_pool = \"200-250\"") != std::string::npos);
  REQUIRE(edit::remove_assignment(text, 0, "globex", error));
  CHECK(text == kTwo);
  CHECK_FALSE(edit::remove_assignment(text, 0, "initech", error));
  CHECK(error == "the trunk is not assigned to tenant \"initech\"");
  // The last trunk of the file, with nothing after it.
  REQUIRE(edit::add_assignment(text, 1, "acme", std::nullopt, error));
  CHECK(text == kTwo + "\n[[trunk.tenant]]\ntenant = \"acme\"\n");
  REQUIRE(edit::remove_assignment(text, 1, "acme", error));
  CHECK(text == kTwo);
}

TEST_CASE("the example site's trunks file: every edit undone gives the same bytes") {
  const std::string original = read(std::string(TRUNK_SOURCE_DIR) + "/examples/site/10-trunks.toml");
  REQUIRE(edit::count_trunks(original) == 6);
  std::string text = original, error;
  edit::append_trunk(text, "[[trunk]]\nname = \"New\"\ntype = \"peer\"\nhost = \"192.0.2.1\"\n");
  REQUIRE(edit::add_assignment(text, 6, "acme", std::string("700-799"), error));
  REQUIRE(edit::set_key(text, 6, "limits.total", "4", error));
  REQUIRE(edit::add_assignment(text, 2, "globex", std::string("800"), error));
  REQUIRE(edit::remove_assignment(text, 2, "globex", error));
  REQUIRE(edit::remove_trunk(text, 6, error));
  CHECK(text == original);
}

TEST_CASE("a file with CRLF line ends gets CRLF lines and round-trips") {
  auto crlf = [](std::string s) {
    for (std::size_t i = 0; (i = s.find('\n', i)) != std::string::npos; i += 2) s.insert(i, "\r");
    return s;
  };
  auto lone_lf = [](const std::string& s) {
    for (std::size_t i = 0; i < s.size(); ++i)
      if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return true;
    return false;
  };
  const std::string original = crlf(kTwo);
  std::string text = original, error;
  edit::append_trunk(text, "[[trunk]]\nname = \"N\"\ntype = \"peer\"\n");
  CHECK(text == original + "\r\n[[trunk]]\r\nname = \"N\"\r\ntype = \"peer\"\r\n");
  REQUIRE(edit::add_assignment(text, 0, "globex", std::string("200-299"), error));
  REQUIRE(edit::set_key(text, 1, "limits.total", "4", error));
  REQUIRE(edit::set_key(text, 1, "port", "5080", error));
  REQUIRE(edit::set_key(text, 0, "port", "5062", error));
  CHECK_FALSE(lone_lf(text));
  CHECK(text.find("port = 5062   # the SBC's port\r\n") != std::string::npos);
  CHECK(text.find("[trunk.limits]\r\ntotal = 4\r\n") != std::string::npos);
  REQUIRE(edit::set_key(text, 0, "port", "5060", error));
  REQUIRE(edit::remove_assignment(text, 0, "globex", error));
  REQUIRE(edit::remove_trunk(text, 2, error));
  REQUIRE(edit::remove_trunk(text, 1, error));
  edit::append_trunk(text, "[[trunk]]\nname = \"B\"\ntype = \"peer\"\n");
  // B went away with its comment and comes back without it.
  CHECK_FALSE(lone_lf(text));
  CHECK(text.find("\r\n[[trunk]]\r\nname = \"B\"\r\ntype = \"peer\"\r\n") != std::string::npos);
}

TEST_CASE("an assignment added before a header or comment that follows directly round-trips") {
  // The trunk's last key runs straight into the next trunk's comment.
  const std::string packed = "[[trunk]]\nname = \"A\"\n# about B\n[[trunk]]\nname = \"B\"\n";
  std::string text = packed, error;
  REQUIRE(edit::add_assignment(text, 0, "acme", std::nullopt, error));
  CHECK(text == "[[trunk]]\nname = \"A\"\n\n[[trunk.tenant]]\ntenant = \"acme\"\n# about B\n"
                "[[trunk]]\nname = \"B\"\n");
  REQUIRE(edit::remove_assignment(text, 0, "acme", error));
  CHECK(text == packed);
}

TEST_CASE("a trunk's trailing comment stays with it when an assignment is added") {
  const std::string noted = "[[trunk]]\nname = \"A\"\n# note on A\n\n[[trunk]]\nname = \"B\"\n";
  std::string text = noted, error;
  REQUIRE(edit::add_assignment(text, 0, "acme", std::nullopt, error));
  CHECK(text == "[[trunk]]\nname = \"A\"\n# note on A\n\n[[trunk.tenant]]\ntenant = \"acme\"\n\n"
                "[[trunk]]\nname = \"B\"\n");
  REQUIRE(edit::remove_assignment(text, 0, "acme", error));
  CHECK(text == noted);
}

TEST_CASE("extra blank lines after a trunk, or at the end of the file, survive a round trip") {
  const std::string spaced = "[[trunk]]\nname = \"A\"\n\n\n# about B\n[[trunk]]\nname = \"B\"\n\n";
  std::string text = spaced, error;
  REQUIRE(edit::add_assignment(text, 0, "acme", std::nullopt, error));
  CHECK(text == "[[trunk]]\nname = \"A\"\n\n\n[[trunk.tenant]]\ntenant = \"acme\"\n\n# about B\n"
                "[[trunk]]\nname = \"B\"\n\n");
  REQUIRE(edit::remove_assignment(text, 0, "acme", error));
  CHECK(text == spaced);
  edit::append_trunk(text, "[[trunk]]\nname = \"C\"\n");
  CHECK(text == spaced + "[[trunk]]\nname = \"C\"\n\n");
  REQUIRE(edit::remove_trunk(text, 2, error));
  CHECK(text == spaced);
}

TEST_CASE("append_trunk puts a new trunk after the last trunk, before the routes") {
  const std::string one = "[[trunk]]\nname = \"A\"\n\n# Routes.\n[[route]]\nname = \"r\"\n";
  std::string text = one, error;
  edit::append_trunk(text, "[[trunk]]\nname = \"B\"\n");
  CHECK(text == "[[trunk]]\nname = \"A\"\n\n[[trunk]]\nname = \"B\"\n\n# Routes.\n[[route]]\n"
                "name = \"r\"\n");
  REQUIRE(edit::remove_trunk(text, 1, error));
  CHECK(text == one);
}

TEST_CASE("a [[proxy]] after a trunk ends the trunk: edits stay out of the proxy") {
  const std::string one = "[[trunk]]\nname = \"A\"\n\n[[proxy]]\nname = \"edge\"\n"
                          "addresses = [\"192.0.2.10\"]\n";
  CHECK(apply_set(one, 0, "port", "5080") ==
        "[[trunk]]\nname = \"A\"\nport = 5080\n\n[[proxy]]\nname = \"edge\"\n"
        "addresses = [\"192.0.2.10\"]\n");
  std::string text = one, error;
  edit::append_trunk(text, "[[trunk]]\nname = \"B\"\n");
  CHECK(text == "[[trunk]]\nname = \"A\"\n\n[[trunk]]\nname = \"B\"\n\n[[proxy]]\nname = \"edge\"\n"
                "addresses = [\"192.0.2.10\"]\n");
  REQUIRE(edit::remove_trunk(text, 0, error));
  REQUIRE(edit::remove_trunk(text, 0, error));
  CHECK(text == "[[proxy]]\nname = \"edge\"\naddresses = [\"192.0.2.10\"]\n");
}
