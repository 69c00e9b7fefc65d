// The control socket's JSON reader: a recursive-descent parser over a
// string_view, one function per RFC 8259 production, depth-capped. See
// json_reader.hpp for why it exists.
#include "diag/json_reader.hpp"

#include <charconv>
#include <cstdlib>

#include "diag/json.hpp"
#include "text/utf8.hpp"

namespace trunk::diag {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool document(JsonValue& out) {
    space();
    if (!value(out, 0)) return false;
    space();
    return at_ == s_.size() || fail("unexpected bytes after the value");
  }

  std::string error;

 private:
  bool fail(std::string_view what) {
    error = "at byte " + std::to_string(at_) + ": " + std::string(what);
    return false;
  }
  void space() {
    while (at_ < s_.size() &&
           (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\r' || s_[at_] == '\n'))
      ++at_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(at_, word.size()) != word) return fail("expected a JSON value");
    at_ += word.size();
    return true;
  }

  bool value(JsonValue& out, std::size_t depth) {
    if (at_ >= s_.size()) return fail("expected a JSON value, found the end");
    switch (s_[at_]) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': out.kind = JsonValue::Kind::string; return string(out.text);
      case 't': out.kind = JsonValue::Kind::boolean; out.boolean = true; return literal("true");
      case 'f': out.kind = JsonValue::Kind::boolean; out.boolean = false; return literal("false");
      case 'n': out.kind = JsonValue::Kind::null; return literal("null");
      default: out.kind = JsonValue::Kind::number; return number(out.text);
    }
  }

  bool object(JsonValue& out, std::size_t depth) {
    if (depth > kMaxJsonDepth) return fail("nested too deeply");
    out.kind = JsonValue::Kind::object;
    ++at_;  // '{'
    space();
    if (at_ < s_.size() && s_[at_] == '}') return ++at_, true;
    for (;;) {
      JsonMember m;
      if (at_ >= s_.size() || s_[at_] != '"') return fail("expected a string as object key");
      if (!string(m.key)) return false;
      space();
      if (at_ >= s_.size() || s_[at_] != ':') return fail("expected ':' after an object key");
      ++at_;
      space();
      if (!value(m.value, depth)) return false;
      out.members.push_back(std::move(m));
      space();
      if (at_ < s_.size() && s_[at_] == ',') {
        ++at_;
        space();
        continue;
      }
      if (at_ < s_.size() && s_[at_] == '}') return ++at_, true;
      return fail("expected ',' or '}' in an object");
    }
  }

  bool array(JsonValue& out, std::size_t depth) {
    if (depth > kMaxJsonDepth) return fail("nested too deeply");
    out.kind = JsonValue::Kind::array;
    ++at_;  // '['
    space();
    if (at_ < s_.size() && s_[at_] == ']') return ++at_, true;
    for (;;) {
      out.items.emplace_back();
      if (!value(out.items.back(), depth)) return false;
      space();
      if (at_ < s_.size() && s_[at_] == ',') {
        ++at_;
        space();
        continue;
      }
      if (at_ < s_.size() && s_[at_] == ']') return ++at_, true;
      return fail("expected ',' or ']' in an array");
    }
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, kept as written.
  bool number(std::string& out) {
    const std::size_t start = at_;
    auto digits = [&] {
      std::size_t from = at_;
      while (at_ < s_.size() && s_[at_] >= '0' && s_[at_] <= '9') ++at_;
      return at_ > from;
    };
    if (at_ < s_.size() && s_[at_] == '-') ++at_;
    if (at_ < s_.size() && s_[at_] == '0') {
      ++at_;
    } else if (!digits()) {
      at_ = start;
      return fail("expected a JSON value");
    }
    if (at_ < s_.size() && s_[at_] == '.') {
      ++at_;
      if (!digits()) return fail("expected a digit after '.'");
    }
    if (at_ < s_.size() && (s_[at_] == 'e' || s_[at_] == 'E')) {
      ++at_;
      if (at_ < s_.size() && (s_[at_] == '+' || s_[at_] == '-')) ++at_;
      if (!digits()) return fail("expected a digit in the exponent");
    }
    out.assign(s_.substr(start, at_ - start));
    return true;
  }

  bool hex4(std::uint32_t& out) {
    if (s_.size() - at_ < 4) return fail("expected four hex digits after \\u");
    out = 0;
    for (int i = 0; i < 4; ++i, ++at_) {
      char c = s_[at_];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return fail("expected four hex digits after \\u");
      out = out * 16 + static_cast<std::uint32_t>(d);
    }
    return true;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // \uXXXX, with a UTF-16 surrogate pair taken as one code point; a lone
  // surrogate has no UTF-8 form and is refused.
  bool escaped_code_point(std::string& out) {
    std::uint32_t cp = 0;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("a \\u escape is a lone low surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::uint32_t low = 0;
      if (s_.substr(at_, 2) != "\\u") return fail("a high surrogate without its low half");
      at_ += 2;
      if (!hex4(low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return fail("a high surrogate without its low half");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, cp);
    return true;
  }

  bool string(std::string& out) {
    ++at_;  // '"'
    while (at_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[at_]);
      if (c == '"') return ++at_, true;
      if (c < 0x20) return fail("a control character inside a string");
      if (c == '\\') {
        if (++at_ >= s_.size()) break;
        const char e = s_[at_++];
        switch (e) {
          case '"': case '\\': case '/': out += e; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u':
            if (!escaped_code_point(out)) return false;
            break;
          default: --at_; return fail("an unknown escape in a string");
        }
        continue;
      }
      std::size_t n = c < 0x80 ? 1 : text::utf8_sequence(s_, at_);
      if (n == 0) return fail("a string is not valid UTF-8");
      out.append(s_.substr(at_, n));
      at_ += n;
    }
    return fail("a string is not closed");
  }

  std::string_view s_;
  std::size_t at_ = 0;
};

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
  if (kind != Kind::object) return nullptr;
  for (auto it = members.rbegin(); it != members.rend(); ++it)
    if (it->key == key) return &it->value;
  return nullptr;
}

std::string JsonValue::string_or(std::string_view key, std::string_view fallback) const {
  const JsonValue* v = find(key);
  return std::string(v && v->kind == Kind::string ? std::string_view(v->text) : fallback);
}

bool JsonValue::is_true(std::string_view key) const {
  const JsonValue* v = find(key);
  return v && v->kind == Kind::boolean && v->boolean;
}

std::optional<std::uint64_t> JsonValue::as_uint() const {
  if (kind != Kind::number) return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

bool read_json(std::string_view text, JsonValue& out, std::string& error) {
  out = JsonValue();
  Reader r(text);
  if (r.document(out)) return true;
  error = std::move(r.error);
  return false;
}

void write_json(const JsonValue& v, diag::JsonWriter& w) {
  switch (v.kind) {
    case JsonValue::Kind::null: w.null(); break;
    case JsonValue::Kind::boolean: w.value(v.boolean); break;
    case JsonValue::Kind::string: w.value(v.text); break;
    case JsonValue::Kind::number:
      if (auto n = v.as_uint()) {
        w.value(*n);
      } else {
        std::int64_t i = 0;
        auto [end, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), i);
        if (ec == std::errc() && end == v.text.data() + v.text.size())
          w.value(i);
        else
          w.value(std::strtod(v.text.c_str(), nullptr));
      }
      break;
    case JsonValue::Kind::array:
      w.begin_array();
      for (const auto& item : v.items) write_json(item, w);
      w.end_array();
      break;
    case JsonValue::Kind::object:
      w.begin_object();
      for (const auto& m : v.members) {
        w.key(m.key);
        write_json(m.value, w);
      }
      w.end_object();
      break;
  }
}

}  // namespace trunk::diag
