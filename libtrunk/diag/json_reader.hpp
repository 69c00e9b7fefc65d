// Reading JSON: trunkd's control socket (requests in trunkd, replies in
// trunkctl) and trunkctl apply's change lists.
//
// Both ends speak one JSON object per line (trunkd(8), CONTROL SOCKET).
// They used to read it two ways: trunkd with a reader of flat objects of
// strings, trunkctl by searching the reply for "key": substrings, which
// takes a key nested in another object, or quoted inside a string, for the
// one it wants. This is the one reader both use: all of RFC 8259 (nested
// values, every escape, surrogate pairs), strict (valid UTF-8, no trailing
// bytes), with a cap on nesting so hostile input cannot exhaust the stack.
// Writing JSON is diag::JsonWriter's; what a reply means is the caller's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::diag {

class JsonWriter;

struct JsonMember;

// One JSON value and everything in it; a plain owning tree.
struct JsonValue {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  // A string's text (decoded, UTF-8) or a number as it was written.
  std::string text;
  std::vector<JsonValue> items;     // an array's elements
  std::vector<JsonMember> members;  // an object's members, in input order

  bool is_object() const { return kind == Kind::object; }
  // The member named `key` of an object (the last one, should the name
  // repeat, as JavaScript reads it); null when there is none or this is no
  // object. The pointer lives as long as this value.
  const JsonValue* find(std::string_view key) const;
  // The string member `key`, or `fallback` when it is absent or no string.
  std::string string_or(std::string_view key, std::string_view fallback = {}) const;
  // True only for a member `key` that is the literal true.
  bool is_true(std::string_view key) const;
  // A number without sign, fraction or exponent that fits 64 bits.
  std::optional<std::uint64_t> as_uint() const;
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

// Nesting deeper than this is refused: no control message comes close.
inline constexpr std::size_t kMaxJsonDepth = 32;

// Reads `text` as one JSON value (white space around it allowed). On
// failure returns false, leaves `out` unspecified and sets `error` to what
// is wrong and where: "at byte 12: expected ':' after an object key".
bool read_json(std::string_view text, JsonValue& out, std::string& error);

// Writes `v` back through `w` (after a key, in an array, or at the top).
// Integers are written as integers; other numbers as doubles (JsonWriter
// keeps six significant digits).
void write_json(const JsonValue& v, diag::JsonWriter& w);

}  // namespace trunk::diag
