// The site loader's table reading, shared by the loader (loader.cpp) and the
// section readers (read_sections.cpp); private to site/. A TableReader reads
// the keys of one table: it reports keys the schema (schema.hpp) does not
// list for that table, and reads each field with its type, range, enum
// words and default, reporting at the exact place. toml++ stays in site/.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include "diag/diagnostic.hpp"
#include "site/model.hpp"
#include "site/schema.hpp"

namespace trunk::site::reading {

inline SourceRegion region(const toml::source_region& r) {
  SourceRegion out;
  if (r.path) out.file = diag::FilePath(*r.path);
  out.line = r.begin.line;
  out.column = r.begin.column;
  out.end_line = r.end.line;
  out.end_column = r.end.column;
  return out;
}

// `key` in backticks, as messages name keys. Built by appending: GCC 12
// warns falsely (-Wrestrict) on "`" + std::string(...).
inline std::string ticked(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 2);
  out += '`';
  out += key;
  out += '`';
  return out;
}

inline std::string_view type_word(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "nothing";
  }
}

template <class E>
struct EnumWord {
  std::string_view word;
  E value;
};

inline constexpr EnumWord<TrunkType> kTrunkTypes[] = {
    {"register", TrunkType::register_}, {"accept-register", TrunkType::accept_register},
    {"peer", TrunkType::peer},          {"teams", TrunkType::teams},
    {"webrtc", TrunkType::webrtc},      {"whatsapp", TrunkType::whatsapp},
    {"ip", TrunkType::peer},            {"account", TrunkType::accept_register},
};
inline constexpr EnumWord<Transport> kTransports[] = {
    {"udp", Transport::udp}, {"tcp", Transport::tcp},
    {"tls", Transport::tls}, {"wss", Transport::wss}};
inline constexpr EnumWord<Direction> kDirections[] = {
    {"both", Direction::both}, {"inbound", Direction::inbound},
    {"outbound", Direction::outbound}};
inline constexpr EnumWord<RelayMedia> kRelayMedia[] = {
    {"yes", RelayMedia::yes}, {"no", RelayMedia::no}, {"auto", RelayMedia::automatic}};

// Reads the keys of one table. `label` names the table in messages
// ("[[trunk]]", "[trunk.auth]").
class TableReader {
 public:
  // `table` names the table in the schema (schema.hpp): its keys are the
  // ones this table knows, its numbers' ranges the ones read_number checks.
  TableReader(const toml::table& t, std::string label, diag::Sink& sink, std::string_view table)
      : t_(t), label_(std::move(label)), sink_(sink), table_(table),
        known_(schema::keys_of(table)) {
    for (auto&& [k, v] : t_) {
      if (std::find(known_.begin(), known_.end(), k.str()) != known_.end()) continue;
      auto& d = sink_.error("unknown-key",
                            "unknown key `" + std::string(k.str()) + "` in " + label_,
                            region(k.source()));
      std::string near = diag::closest_match(k.str(), known_);
      if (!near.empty()) diag::with_hint(d, "did you mean `" + near + "`?");
      else diag::with_hint(d, "known keys in " + label_ + ": " + join_known());
    }
  }

  SourceRegion where() const { return region(t_.source()); }
  const toml::node* node(std::string_view key) const { return t_.get(key); }

  template <class T>
  void default_at(Field<T>& f, T value) const {
    f.value = std::move(value);
    f.where = where();
  }

  bool locate(std::string_view key, const toml::node*& n, std::uint32_t& key_column) const {
    auto it = t_.find(key);
    if (it == t_.end()) return false;
    n = &it->second;
    key_column = it->first.source().begin.column;
    return true;
  }

  void wrong_type(std::string_view key, const toml::node& n, std::string_view want) {
    sink_.error("wrong-type",
                ticked(key) + " in " + label_ + " must be " +
                    std::string(want) + ", found " + std::string(type_word(n)),
                region(n.source()));
  }

  bool read(std::string_view key, Field<std::string>& f) {
    const toml::node* n;
    if (!locate(key, n, f.key_column)) return false;
    if (!n->is_string()) {
      wrong_type(key, *n, "a string");
      return false;
    }
    f.value = n->as_string()->get();
    f.where = region(n->source());
    f.present = true;
    return true;
  }

  bool read(std::string_view key, Field<bool>& f) {
    const toml::node* n;
    if (!locate(key, n, f.key_column)) return false;
    if (!n->is_boolean()) {
      wrong_type(key, *n, "true or false");
      return false;
    }
    f.value = n->as_boolean()->get();
    f.where = region(n->source());
    f.present = true;
    return true;
  }

  bool read(std::string_view key, Field<std::int64_t>& f, std::int64_t min,
            std::int64_t max) {
    const toml::node* n;
    if (!locate(key, n, f.key_column)) return false;
    if (!n->is_integer()) {
      wrong_type(key, *n, "a whole number");
      return false;
    }
    std::int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
      sink_.error("out-of-range",
                  ticked(key) + " in " + label_ + " is " + std::to_string(v) +
                      ", outside " + std::to_string(min) + " to " + std::to_string(max),
                  region(n->source()));
      return false;
    }
    f.value = v;
    f.where = region(n->source());
    f.present = true;
    return true;
  }

  template <class E, std::size_t N>
  bool read(std::string_view key, Field<E>& f, const EnumWord<E> (&words)[N],
            Field<std::string>* text = nullptr) {
    Field<std::string> s;
    if (!read(key, s)) return false;
    for (const auto& w : words) {
      if (w.word == s.value) {
        f.value = w.value;
        f.where = s.where;
        f.key_column = s.key_column;
        f.present = true;
        if (text) *text = s;
        return true;
      }
    }
    invalid_enum(key, s, words);
    return false;
  }

  template <class E, std::size_t N>
  void invalid_enum(std::string_view key, const Field<std::string>& s,
                    const EnumWord<E> (&words)[N]) {
    std::vector<std::string_view> options;
    std::string list;
    for (const auto& w : words) {
      options.push_back(w.word);
      if (!list.empty()) list += ", ";
      list += w.word;
    }
    auto& d = sink_.error("invalid-value",
                          ticked(key) + " in " + label_ + " is \"" + s.value +
                              "\", not one of " + list,
                          s.where);
    std::string near = diag::closest_match(s.value, options);
    if (!near.empty()) diag::with_hint(d, "did you mean \"" + near + "\"?");
  }

  bool read(std::string_view key, Field<std::vector<Field<std::string>>>& f) {
    return read_array(key, f, "strings", [&](const toml::node& e, std::string& value) {
      if (!e.is_string()) return wrong_element(key, e, "strings");
      value = e.as_string()->get();
      return true;
    });
  }

  bool read(std::string_view key, Field<std::vector<Field<std::int64_t>>>& f, std::int64_t min,
            std::int64_t max) {
    return read_array(key, f, "whole numbers", [&](const toml::node& e, std::int64_t& value) {
      if (!e.is_integer()) return wrong_element(key, e, "whole numbers");
      value = e.as_integer()->get();
      if (value >= min && value <= max) return true;
      sink_.error("out-of-range",
                  "an element of " + ticked(key) + " in " + label_ + " is " +
                      std::to_string(value) + ", outside " + std::to_string(min) + " to " +
                      std::to_string(max),
                  region(e.source()));
      return false;
    });
  }

  // An array of `noun`: `element` reads one element into its value, or
  // reports why it cannot and returns false (that element is left out).
  template <class T, class Element>
  bool read_array(std::string_view key, Field<std::vector<Field<T>>>& f, std::string_view noun,
                  Element element) {
    const toml::node* n;
    if (!locate(key, n, f.key_column)) return false;
    const toml::array* a = n->as_array();
    if (!a) {
      wrong_type(key, *n, "an array of " + std::string(noun));
      return false;
    }
    f.where = region(n->source());
    f.present = true;
    for (const auto& e : *a) {
      Field<T> item;
      if (!element(e, item.value)) continue;
      item.where = region(e.source());
      item.present = true;
      f.value.push_back(std::move(item));
    }
    return true;
  }

  bool wrong_element(std::string_view key, const toml::node& e, std::string_view noun) {
    sink_.error("wrong-type",
                "elements of `" + std::string(key) + "` in " + label_ + " must be " +
                    std::string(noun) + ", found " + std::string(type_word(e)),
                region(e.source()));
    return false;
  }

  // A number, or an array of numbers, in the schema's range for `key`.
  template <class F>
  bool read_number(std::string_view key, F& f) {
    const schema::Field* spec = schema::find(table_, key);
    return read(key, f, spec->min, spec->max);
  }

  template <class T>
  void require(std::string_view key, const Field<T>& f) {
    if (f.present || t_.contains(key)) return;
    sink_.error("missing-field", label_ + " is missing required key `" +
                                     std::string(key) + "`",
                where());
  }

  // A sub-table: `[trunk.auth]` or `auth = { ... }`. Null when absent or wrong.
  const toml::table* table(std::string_view key) {
    const toml::node* n = t_.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) {
      wrong_type(key, *n, "a table");
      return nullptr;
    }
    return n->as_table();
  }

  // An array of tables: `[[trunk.tenant]]`.
  const toml::array* tables(std::string_view key) {
    const toml::node* n = t_.get(key);
    if (!n) return nullptr;
    const toml::array* a = n->as_array();
    if (!a || !a->is_array_of_tables()) {
      wrong_type(key, *n, "an array of tables ([[...]])");
      return nullptr;
    }
    return a;
  }

  const std::string& label() const { return label_; }
  diag::Sink& sink() { return sink_; }

 private:
  std::string join_known() const {
    std::string out;
    for (auto k : known_) {
      if (!out.empty()) out += ", ";
      out += k;
    }
    return out;
  }

  const toml::table& t_;
  std::string label_;
  diag::Sink& sink_;
  std::string_view table_;
  const std::vector<std::string_view>& known_;  // the schema's, never copied
};

}  // namespace trunk::site::reading
