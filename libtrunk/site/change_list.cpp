// The JSON-lines reader of trunkctl apply's changes (site/change_list.hpp):
// each line decoded by control/json_reader (the project's one JSON reader),
// then checked field by field against the op's flags.
#include "site/change_list.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "diag/json_reader.hpp"
#include "text/utf8.hpp"

namespace trunk::site {
namespace {

using diag::JsonValue;
using Kind = ChangeRequest::Kind;

struct Op {
  std::string_view name;
  Kind kind;
  // The fields the op takes besides "op" and "trunk", as its command's flags.
  std::vector<std::string_view> fields;
};

const std::array<Op, 5>& ops() {
  static const std::array<Op, 5> all{{
      {"add", Kind::add, {"type", "template", "templates", "set"}},
      {"set", Kind::set, {"set"}},
      {"remove", Kind::remove, {}},
      {"assign", Kind::assign, {"tenant", "did-pool"}},
      {"unassign", Kind::unassign, {"tenant"}},
  }};
  return all;
}

// Where a problem with member `key` is: the column of its first quoted
// occurrence in the line, else the line's start.
std::uint32_t column_of(std::string_view line, std::string_view key) {
  std::string quoted(1, '"');
  quoted.append(key).push_back('"');
  std::size_t at = line.find(quoted);
  return at == std::string_view::npos ? 1 : static_cast<std::uint32_t>(at + 1);
}

// A value of "set" as the KEY=VALUE argument of the commands writes it:
// strings as they are, numbers as written, true/false, arrays joined by
// commas. False for anything else (null, objects, nested arrays).
bool setting_text(const JsonValue& v, std::string& out) {
  switch (v.kind) {
    case JsonValue::Kind::string:
    case JsonValue::Kind::number: out = v.text; return true;
    case JsonValue::Kind::boolean: out = v.boolean ? "true" : "false"; return true;
    case JsonValue::Kind::array:
      out.clear();
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        const JsonValue& item = v.items[i];
        if (item.kind != JsonValue::Kind::string && item.kind != JsonValue::Kind::number)
          return false;
        if (i) out += ',';
        out += item.text;
      }
      return true;
    default: return false;
  }
}

class LineReader {
 public:
  LineReader(std::string_view line, const std::string& name, std::uint32_t number,
             diag::Sink& sink)
      : line_(line), name_(name), number_(number), sink_(sink) {}

  bool read(ListedChange& out) {
    for (std::size_t at = 0; at < line_.size();) {
      std::size_t n = text::utf8_sequence(line_, at);
      if (n == 0)
        return fail("change-utf8", "the line is not valid UTF-8 (byte " +
                                       std::to_string(at + 1) + ")",
                    static_cast<std::uint32_t>(at + 1));
      at += n;
    }
    JsonValue v;
    std::string error;
    if (!diag::read_json(line_, v, error)) return fail("change-json", json_error(error));
    if (!v.is_object())
      return fail("change-json", "a change is a JSON object: {\"op\":\"set\",\"trunk\":...}");
    const JsonValue* op = v.find("op");
    if (!op || op->kind != JsonValue::Kind::string)
      return fail("change-op", "the change has no \"op\" (add, set, remove, assign, unassign)");
    auto it = std::find_if(ops().begin(), ops().end(),
                           [&](const Op& o) { return o.name == op->text; });
    if (it == ops().end())
      return fail("change-op",
                  "unknown op " + diag::quoted(op->text) +
                      " (add, set, remove, assign or unassign)",
                  column_of(line_, "op"));
    out.request.kind = it->kind;
    out.line = number_;
    for (const auto& m : v.members) {
      if (m.key == "op") continue;
      if (m.key != "trunk" && std::find(it->fields.begin(), it->fields.end(), m.key) ==
                                  it->fields.end())
        return fail("change-field", "op " + diag::quoted(it->name) + " takes no field " +
                                        diag::quoted(m.key) + allowed(*it),
                    column_of(line_, m.key));
      if (!take(m.key, m.value, out)) return false;
    }
    if (out.request.trunk.empty())
      return fail("change-field", "the change names no trunk (\"trunk\":\"NAME\")");
    if ((it->kind == Kind::assign || it->kind == Kind::unassign) && out.request.tenant.empty())
      return fail("change-field", "op " + diag::quoted(it->name) +
                                      " needs \"tenant\":\"NAME\"");
    if (it->kind == Kind::set && out.request.settings.empty())
      return fail("change-field",
                  "op \"set\" needs \"set\":{\"KEY\":VALUE,...} with at least one key");
    return true;
  }

 private:
  static std::string allowed(const Op& op) {
    std::string out = " (it takes \"trunk\"";
    for (auto f : op.fields) out += ", \"" + std::string(f) + "\"";
    return out + ")";
  }

  // read_json's "at byte N: what", N from 0, as a column.
  std::string json_error(const std::string& error) {
    std::size_t n = 0;
    std::string_view e = error;
    if (e.starts_with("at byte ")) {
      auto [p, ec] = std::from_chars(e.data() + 8, e.data() + e.size(), n);
      if (ec == std::errc() && std::string_view(p).starts_with(": ")) {
        column_ = static_cast<std::uint32_t>(n + 1);
        return "not JSON: " + std::string(p + 2);
      }
    }
    return "not JSON: " + error;
  }

  bool string_field(const std::string& key, const JsonValue& v, std::string& out) {
    if (v.kind != JsonValue::Kind::string)
      return fail("change-field", "field " + diag::quoted(key) + " must be a string",
                  column_of(line_, key));
    out = v.text;
    return true;
  }

  bool take(const std::string& key, const JsonValue& v, ListedChange& out) {
    ChangeRequest& r = out.request;
    if (key == "trunk") return string_field(key, v, r.trunk);
    if (key == "type") return string_field(key, v, r.type);
    if (key == "template") return string_field(key, v, r.template_name);
    if (key == "templates") return string_field(key, v, out.templates_dir);
    if (key == "tenant") return string_field(key, v, r.tenant);
    if (key == "did-pool") {
      std::string pool;
      if (!string_field(key, v, pool)) return false;
      r.did_pool = std::move(pool);
      return true;
    }
    // "set": KEY=VALUE arguments, in the object's order.
    if (v.kind != JsonValue::Kind::object)
      return fail("change-field", "field \"set\" must be an object {\"KEY\":VALUE,...}",
                  column_of(line_, key));
    for (const auto& m : v.members) {
      std::string value;
      if (!setting_text(m.value, value))
        return fail("change-field",
                    "the value of " + diag::quoted(m.key) +
                        " in \"set\" must be a string, a number, true, false or an array of "
                        "strings",
                    column_of(line_, m.key));
      r.settings.push_back(m.key + "=" + value);
    }
    return true;
  }

  bool fail(std::string code, std::string message, std::uint32_t column = 0) {
    diag::SourceRegion where{name_};
    where.line = number_;
    where.column = column ? column : std::max<std::uint32_t>(column_, 1);
    sink_.error(std::move(code), std::move(message), where);
    return false;
  }

  std::string_view line_;
  const std::string& name_;
  std::uint32_t number_;
  diag::Sink& sink_;
  std::uint32_t column_ = 0;
};

}  // namespace

bool read_change_list(std::string_view text, const std::string& name,
                      std::vector<ListedChange>& out, diag::Sink& sink) {
  bool ok = true;
  std::uint32_t number = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ListedChange c;
    if (LineReader(line, name, number, sink).read(c))
      out.push_back(std::move(c));
    else
      ok = false;
  }
  return ok;
}

}  // namespace trunk::site
