// Diagnostics: rendering as text and JSON, typo hints, secret masking.
#include <doctest/doctest.h>

#include "diag/diagnostic.hpp"
#include "diag/json.hpp"
#include "diag/render.hpp"

using namespace trunk::diag;

TEST_CASE("text rendering quotes the line and points at the column") {
  SourceText src;
  src.add("site.toml", "[[trunk]]\nhost = \"sip.example\"\n");
  Sink sink;
  auto& d = sink.error("invalid-value", "host is wrong", {"site.toml", 2, 8, 2, 21});
  with_hint(d, "fix it");
  with_related(d, {"other.toml", 4, 1}, "first defined here");
  CHECK(render_text(sink, &src) ==
        "site.toml:2:8: error[invalid-value]: host is wrong\n"
        "  2 | host = \"sip.example\"\n"
        "    |        ^~~~~~~~~~~~~\n"
        "  note: other.toml:4:1: first defined here\n"
        "  hint: fix it\n");
  CHECK(summary(sink) == "1 error, 0 warnings");
}

TEST_CASE("a diagnostic without a position prints the file alone") {
  Sink sink;
  sink.error("io", "cannot read file", {"missing.toml"});
  CHECK(render_text(sink, nullptr) == "missing.toml: error[io]: cannot read file\n");
}

TEST_CASE("quoted lines never show a password value") {
  SourceText src;
  src.add("s.toml",
          "password = \"hunter2-secret\"\n"
          "auth = { username = \"u\", password = 'p4ss' }\n"
          "password_env = \"XYZ_PASSWORD\"\n"
          "password = \"unterminated\n"
          "secret = \"\"\"\nmulti\n\"\"\"\n");
  CHECK(src.line("s.toml", 1) == "password = ****************");
  CHECK(src.line("s.toml", 2) == "auth = { username = \"u\", password = ********");
  CHECK(src.line("s.toml", 3) == "password_env = \"XYZ_PASSWORD\"");
  CHECK(src.line("s.toml", 4) == "password = *************");
  CHECK(src.line("s.toml", 5) == "secret = ***");
  CHECK(src.line("s.toml", 6) == "*****");
  CHECK(src.line("s.toml", 7) == "***");
}

TEST_CASE("misspelt password keys, quoted keys and trailing comments are masked too") {
  SourceText src;
  src.add("s.toml",
          "pasword = \"s3cret\"\n"
          "\"password\" = \"s3cret\"\n"
          "password = \"x\"  # old: s3cret\n"
          "auth.password = '''\n"
          "s3cret\n"
          "'''\n"
          "host = \"h\" # password = not a key here\n");
  CHECK(src.line("s.toml", 1) == "pasword = ********");
  CHECK(src.line("s.toml", 2) == "\"password\" = ********");
  CHECK(src.line("s.toml", 3) == "password = ******************");
  CHECK(src.line("s.toml", 4) == "auth.password = ***");
  CHECK(src.line("s.toml", 5) == "******");
  CHECK(src.line("s.toml", 6) == "***");
  CHECK(src.line("s.toml", 7) == "host = \"h\" # password = not a key here");
}

TEST_CASE("explicitly redacted regions are masked") {
  SourceText src;
  src.add("s.toml", "a = 1\nkey = \"abcdef\"\n");
  src.redact({"s.toml", 2, 7, 2, 15});
  CHECK(src.line("s.toml", 2) == "key = ********");
}

// place_of reads lines through plain_line: it may hand out a line only
// where line() would mask nothing, and then the very same text.
TEST_CASE("plain_line is the line as line() shows it, or nothing where line() masks") {
  SourceText src;
  src.add("s.toml",
          "match = \"_1[2-7]\"\r\n"
          "password = \"hunter2\"\n"
          "key = \"abcdef\"\n"
          "broken = \"x\n"
          "secret = \"\"\"\nmulti\n\"\"\"\n"
          "host = \"h\" # password = not a key here\n");
  src.redact({"s.toml", 3, 7, 3, 15});
  src.mark_broken({"s.toml", 4, 1});
  CHECK(src.plain_line("s.toml", 1) == std::optional<std::string_view>("match = \"_1[2-7]\""));
  CHECK(src.plain_line("s.toml", 8) ==
        std::optional<std::string_view>("host = \"h\" # password = not a key here"));
  CHECK(src.line("s.toml", 8) == "host = \"h\" # password = not a key here");
  for (std::uint32_t n : {2u, 3u, 4u, 5u, 6u, 7u}) {
    INFO("line ", n);
    CHECK_FALSE(src.plain_line("s.toml", n).has_value());
  }
  CHECK_FALSE(src.plain_line("s.toml", 0).has_value());
  CHECK_FALSE(src.plain_line("s.toml", 99).has_value());
  CHECK_FALSE(src.plain_line("other.toml", 1).has_value());
}

TEST_CASE("sorting orders by place then code") {
  Sink sink;
  sink.warning("b", "second", {"a.toml", 3, 1});
  sink.error("a", "first", {"a.toml", 1, 5});
  sink.error("c", "third", {"b.toml", 1, 1});
  sink.sort();
  REQUIRE(sink.all().size() == 3);
  CHECK(sink.all()[0].code == "a");
  CHECK(sink.all()[1].code == "b");
  CHECK(sink.all()[2].code == "c");
  CHECK(sink.errors() == 2);
  CHECK(sink.warnings() == 1);
}

TEST_CASE("closest_match finds plausible typos only") {
  std::vector<std::string_view> keys = {"transport", "transports", "host", "port"};
  CHECK(closest_match("transprot", keys) == "transport");
  CHECK(closest_match("hots", keys) == "host");
  CHECK(closest_match("zzzzzzzz", keys) == "");
  CHECK(closest_match("host", keys) == "");  // exact: no hint needed
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("JSON writer escapes and separates") {
  JsonWriter w;
  w.begin_object()
      .field("s", "a\"b\\c\n\x01")
      .field("n", 42)
      .field("b", true)
      .key("a")
      .begin_array()
      .value(1)
      .value("x")
      .null()
      .end_array()
      .key("o")
      .begin_object()
      .end_object()
      .end_object();
  CHECK(w.str() == R"({"s":"a\"b\\c\n\u0001","n":42,"b":true,"a":[1,"x",null],"o":{}})");
}

TEST_CASE("diagnostic JSON carries every field") {
  Sink sink;
  auto& d = sink.error("duplicate-name", "trunk \"A\" is defined twice", {"s.toml", 9, 8, 9, 11});
  with_related(d, {"s.toml", 2, 8}, "first defined here");
  with_hint(d, "rename one");
  JsonWriter w;
  write_json(w, d);
  CHECK(w.str() ==
        R"({"severity":"error","code":"duplicate-name","message":"trunk \"A\" is defined twice",)"
        R"("location":{"file":"s.toml","line":9,"column":8,"end_line":9,"end_column":11},)"
        R"("related":{"label":"first defined here","location":{"file":"s.toml","line":2,"column":8}},)"
        R"("hints":["rename one"]})");
}
