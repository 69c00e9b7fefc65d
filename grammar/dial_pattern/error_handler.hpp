// Turns an X3 expectation failure into words an operator understands:
// the rule that was expected, named as the user knows it.
#pragma once

#include <map>
#include <string>

#include "grammar/dial_pattern/config.hpp"

namespace trunk::grammar::dial {

inline std::string expected_words(const std::string& which) {
  static const std::map<std::string, std::string> kWords = {
      {"elements", "a digit, *, #, +, X, Z, N, a [class], '.' or '!'"},
      {"class_items", "a dial symbol or a range like 1-5 inside [...]"},
      {"range_end", "a dial symbol (0-9, *, #, +) to end the range"},
      {"']'", "']' to close the class"},
      {"exact_symbol", "a digit, *, #, or +"},
      {"end", "the end of the pattern"},
  };
  auto it = kWords.find(which);
  return it != kWords.end() ? it->second : which;
}

}  // namespace trunk::grammar::dial
