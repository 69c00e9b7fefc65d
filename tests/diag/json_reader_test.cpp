// The JSON reader (libtrunk/diag/json_reader.hpp): what
// it reads, what it refuses and where, and that what JsonWriter writes
// reads back the same.
#include "diag/json_reader.hpp"

#include <doctest/doctest.h>

#include "diag/json.hpp"

using trunk::diag::JsonValue;
using trunk::diag::read_json;

namespace {

JsonValue read_ok(std::string_view text) {
  JsonValue v;
  std::string error;
  CHECK_MESSAGE(read_json(text, v, error), error);
  return v;
}

std::string read_error(std::string_view text) {
  JsonValue v;
  std::string error;
  CHECK_FALSE(read_json(text, v, error));
  return error;
}

}  // namespace

TEST_CASE("json reader: a key is found where it is, not inside another value") {
  // The substring search trunkctl used took the first "path": anywhere,
  // here the one inside a string and the one of a nested object.
  JsonValue v = read_ok(R"({"message":"x \"path\":\"wrong\"","inner":{"path":"nested"},)"
                        R"("path":"top","n":42,"ok":true})");
  CHECK(v.string_or("path") == "top");
  CHECK(v.find("inner")->string_or("path") == "nested");
  CHECK(v.string_or("message") == R"(x "path":"wrong")");
  CHECK(v.find("n")->as_uint() == 42u);
  CHECK(v.is_true("ok"));
  CHECK_FALSE(v.is_true("n"));
  CHECK(v.find("absent") == nullptr);
  CHECK(v.string_or("n", "fallback") == "fallback");
}

TEST_CASE("json reader: the last of a repeated name wins") {
  CHECK(read_ok(R"({"cmd":"stats","cmd":"reload"})").string_or("cmd") == "reload");
}

TEST_CASE("json reader: escapes, surrogate pairs and UTF-8") {
  JsonValue v = read_ok(R"(["a\"\\\/\b\f\n\r\t", "\u00e9\u20AC", "\ud83d\ude00", "é€😀"])");
  REQUIRE(v.items.size() == 4);
  CHECK(v.items[0].text == "a\"\\/\b\f\n\r\t");
  CHECK(v.items[1].text == "\xC3\xA9\xE2\x82\xAC");
  CHECK(v.items[2].text == "\xF0\x9F\x98\x80");
  CHECK(v.items[3].text == v.items[1].text.substr(0, 2) + v.items[1].text.substr(2) +
                               v.items[2].text);
}

TEST_CASE("json reader: numbers as written; as_uint only for plain integers") {
  JsonValue v = read_ok("[0, -1, 1.5, 2e3, 18446744073709551615, 18446744073709551616]");
  CHECK(v.items[0].as_uint() == 0u);
  CHECK_FALSE(v.items[1].as_uint());
  CHECK(v.items[2].text == "1.5");
  CHECK_FALSE(v.items[3].as_uint());
  CHECK(v.items[4].as_uint() == 18446744073709551615u);
  CHECK_FALSE(v.items[5].as_uint());
}

TEST_CASE("json reader: what it refuses, and where") {
  CHECK(read_error("") == "at byte 0: expected a JSON value, found the end");
  CHECK(read_error(R"({"a":1} x)") == "at byte 8: unexpected bytes after the value");
  CHECK(read_error(R"({"a" 1})") == "at byte 5: expected ':' after an object key");
  CHECK(read_error(R"({a:1})") == "at byte 1: expected a string as object key");
  CHECK(read_error(R"({"a":1,})") == "at byte 7: expected a string as object key");
  CHECK(read_error(R"([1 2])") == "at byte 3: expected ',' or ']' in an array");
  CHECK(read_error(R"("abc)") == "at byte 4: a string is not closed");
  CHECK(read_error("\"a\nb\"") == "at byte 2: a control character inside a string");
  CHECK(read_error(R"("\x")") == "at byte 2: an unknown escape in a string");
  CHECK(read_error(R"("\u12")") == "at byte 3: expected four hex digits after \\u");
  CHECK(read_error(R"("\udc00")") == "at byte 7: a \\u escape is a lone low surrogate");
  CHECK(read_error(R"("\ud83d x")") == "at byte 7: a high surrogate without its low half");
  CHECK(read_error("\"\xff\"") == "at byte 1: a string is not valid UTF-8");
  CHECK(read_error("01") == "at byte 1: unexpected bytes after the value");
  CHECK(read_error("1.") == "at byte 2: expected a digit after '.'");
  CHECK(read_error("-") == "at byte 0: expected a JSON value");
  CHECK(read_error("tru") == "at byte 0: expected a JSON value");
}

TEST_CASE("json reader: nesting past the cap is refused, not recursed into") {
  const auto depth = trunk::diag::kMaxJsonDepth;
  std::string ok(depth, '[');
  ok += std::string(depth, ']');
  read_ok(ok);
  std::string deep(100000, '[');
  CHECK(read_error(deep) == "at byte " + std::to_string(depth) + ": nested too deeply");
}

TEST_CASE("json reader: what JsonWriter writes reads back and writes again the same") {
  trunk::diag::JsonWriter w;
  w.begin_object().field("ok", true).field("s", "tab\there \x01 \xC2\x9B é").field("n", 7u);
  w.field("neg", -3).key("nothing").null().key("list").begin_array().value(false).begin_object();
  w.end_object().end_array().end_object();
  JsonValue v = read_ok(w.str());
  CHECK(v.string_or("s") == "tab\there \x01 \xC2\x9B é");
  trunk::diag::JsonWriter again;
  trunk::diag::write_json(v, again);
  CHECK(again.str() == w.str());
}
