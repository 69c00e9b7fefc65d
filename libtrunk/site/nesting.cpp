// The nesting scan (see nesting.hpp): one pass over the text with a small
// state machine (reading a key, expecting a value, after a value) and a
// stack of the arrays and inline tables open around the current place.
#include "site/nesting.hpp"

#include <vector>

namespace trunk::site {

namespace {

class Scanner {
 public:
  Scanner(std::string_view text, std::uint32_t max_depth) : t_(text), max_(max_depth) {}

  std::optional<TooDeep> run() {
    for (i_ = 0; i_ < t_.size(); ++i_) {
      char c = t_[i_];
      if (c == '\n') {
        new_line(i_ + 1);
        // A key/value pair outside brackets ends with its line.
        if (open_.empty()) start_key();
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') continue;
      if (c == '#') {
        while (i_ + 1 < t_.size() && t_[i_ + 1] != '\n') ++i_;
        continue;
      }
      bool ok = mode_ == Mode::key ? key(c) : mode_ == Mode::value ? value(c) : after_value(c);
      if (!ok) return too_deep_;
    }
    return std::nullopt;
  }

 private:
  enum class Mode { key, value, after_value };
  struct Open {
    bool table;           // an inline table (keys follow), else an array
    std::uint32_t depth;  // of the container itself
  };

  void new_line(std::size_t start) {
    ++line_;
    line_start_ = start;
  }

  void start_key() {
    mode_ = Mode::key;
    segments_ = 0;
  }

  // The depth of what a key at this place names, before its own segments.
  std::uint32_t base() const { return open_.empty() ? header_depth_ : open_.back().depth; }

  // Records the place of byte i_ and says so (false ends the scan).
  bool deeper_than_allowed(std::uint32_t depth) {
    if (depth <= max_) return true;
    TooDeep at;
    at.line = line_;
    at.column = 1;
    for (std::size_t k = line_start_; k < i_; ++k)  // code points, not bytes
      if ((static_cast<unsigned char>(t_[k]) & 0xc0) != 0x80) ++at.column;
    too_deep_ = at;
    return false;
  }

  // Skips the string opening at i_ (a key or a value); i_ ends on its last
  // byte. Multi-line strings may cross lines; an unterminated one-line
  // string ends at its line, an unterminated multi-line one at the end of
  // the text (toml++ reports both).
  void skip_string() {
    const char q = t_[i_];
    const std::string_view triple = q == '"' ? "\"\"\"" : "'''";
    const bool multi = t_.substr(i_, 3) == triple;
    for (std::size_t k = i_ + (multi ? 3 : 1); k < t_.size(); ++k) {
      char c = t_[k];
      if (c == '\n') {
        if (!multi) {
          i_ = k - 1;  // the line's end is seen by run()
          return;
        }
        new_line(k + 1);
      } else if (c == '\\' && q == '"') {
        if (k + 1 < t_.size() && t_[k + 1] == '\n') {
          if (!multi) {
            i_ = k;
            return;
          }
          new_line(k + 2);
        }
        ++k;
      } else if (!multi && c == q) {
        i_ = k;
        return;
      } else if (multi && t_.substr(k, 3) == triple) {
        k += 2;
        // Up to two more quotes are content: """a""""" holds a"".
        for (int extra = 0; extra < 2 && k + 1 < t_.size() && t_[k + 1] == q; ++extra) ++k;
        i_ = k;
        return;
      }
    }
    i_ = t_.size() - 1;
  }

  // `[a.b]` or `[[a.b]]` at the start of a line: the depth of what follows.
  bool header() {
    bool array = i_ + 1 < t_.size() && t_[i_ + 1] == '[';
    i_ += array ? 2 : 1;
    std::uint32_t segments = 1;
    for (; i_ < t_.size() && t_[i_] != ']' && t_[i_] != '\n'; ++i_) {
      char c = t_[i_];
      if (c == '"' || c == '\'') {
        skip_string();
        continue;
      }
      if (c == '.' && !deeper_than_allowed(++segments + array)) return false;
    }
    header_depth_ = segments + array;
    if (i_ < t_.size() && t_[i_] == '\n') --i_;  // the line ends the header
    mode_ = Mode::after_value;
    return true;
  }

  bool key(char c) {
    if (c == '[' && open_.empty() && segments_ == 0) return header();
    if (c == '"' || c == '\'') {
      skip_string();
      if (segments_ == 0) segments_ = 1;
      return true;
    }
    if (c == '.') return deeper_than_allowed(base() + ++segments_);
    if (c == '=') {
      value_depth_ = base() + (segments_ ? segments_ : 1);
      mode_ = Mode::value;
      return deeper_than_allowed(value_depth_);
    }
    if (c == '}') return close();  // `{}`, or a trailing comma
    if (c != ',' && segments_ == 0) segments_ = 1;
    return true;
  }

  bool value(char c) {
    if (c == '[' || c == '{') {
      bool table = c == '{';
      // An array's elements sit one level below it.
      if (!table && !deeper_than_allowed(value_depth_ + 1)) return false;
      open_.push_back({table, value_depth_});
      if (table) start_key();
      else ++value_depth_;
      return true;
    }
    if (c == ']' || c == '}') return close();  // an empty array
    if (c == '"' || c == '\'') skip_string();
    mode_ = Mode::after_value;  // a scalar: the rest of it is not looked at
    return true;
  }

  bool after_value(char c) {
    if (c == ']' || c == '}') return close();
    if (c != ',' || open_.empty()) return true;
    if (open_.back().table) {
      start_key();
    } else {
      mode_ = Mode::value;
      value_depth_ = open_.back().depth + 1;
    }
    return true;
  }

  bool close() {
    if (!open_.empty()) open_.pop_back();
    mode_ = Mode::after_value;
    return true;
  }

  std::string_view t_;
  std::uint32_t max_;
  std::size_t i_ = 0;
  std::uint32_t line_ = 1;
  std::size_t line_start_ = 0;
  Mode mode_ = Mode::key;
  std::uint32_t segments_ = 0;     // of the key being read
  std::uint32_t header_depth_ = 0; // of the last [table] header
  std::uint32_t value_depth_ = 0;  // of the value expected next
  std::vector<Open> open_;         // never deeper than max_ + 1
  std::optional<TooDeep> too_deep_;
};

}  // namespace

std::optional<TooDeep> find_too_deep(std::string_view text, std::uint32_t max_depth) {
  return Scanner(text, max_depth).run();
}

}  // namespace trunk::site
