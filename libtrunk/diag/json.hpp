// A minimal streaming JSON writer for --format json output.
//
// Owns nothing but the output string; it escapes strings per RFC 8259 and
// writes valid UTF-8 whatever it is given (ill-formed bytes become U+FFFD,
// control characters, C1 ones too, are escaped), and
// leaves structure (commas, nesting) to the caller's calls, checked only by
// the tests that parse every tool's JSON. No parsing lives here: trunkline
// reads TOML, SIP and binary tables, never JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::diag {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(std::uint64_t n);
  JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
  JsonWriter& value(unsigned n) { return value(static_cast<std::uint64_t>(n)); }
  JsonWriter& value(double d);
  JsonWriter& value(bool b);
  JsonWriter& null();
  // key + value in one call.
  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }
  // Empty again, its memory kept: a writer that prints one object per
  // message reuses one JsonWriter rather than allocating for each.
  void clear() {
    out_.clear();
    first_.clear();
    after_key_ = false;
  }

 private:
  void separate();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

// Appends `s` to `out` as a quoted JSON string: valid UTF-8, each byte of
// `s` that is not part of a well-formed sequence replaced by U+FFFD.
void append_json_string(std::string& out, std::string_view s);

}  // namespace trunk::diag
