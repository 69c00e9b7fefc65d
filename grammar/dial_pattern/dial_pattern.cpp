// The one instantiation of the dial-pattern grammar, and its error mapping.
#include "grammar/dial_pattern/grammar_def.hpp"

namespace trunk::grammar {

bool parse_dial_pattern(std::string_view text, DialPatternAst& out, DialSyntaxError& err) {
  using namespace dial;
  out = DialPatternAst{};
  if (text.empty()) {
    err = {1, "empty pattern: expected a number, or '_' and a pattern"};
    return false;
  }
  Builder b{text.begin(), &out, {}};
  auto first = text.begin();
  try {
    auto parser = x3::with<builder_tag>(std::ref(b))[pattern()];
    if (x3::parse(first, text.end(), parser)) {
      if (b.late_error.message.empty()) return true;
      err = b.late_error;
      return false;
    }
    // The '_'-less alternative failed without an expectation: a bad symbol.
    std::uint32_t col = b.column(first);
    for (auto it = text.begin(); it != text.end(); ++it) {
      if (dial_symbol_index(*it) < 0) {
        col = b.column(it);
        break;
      }
    }
    err = {col, "unexpected '" + std::string(1, text[col - 1]) +
                    "': a number without '_' has only digits, *, # and +"};
    if (std::string_view("XxZzNn.![").find(text[col - 1]) != std::string_view::npos)
      err.message += "; start the pattern with '_' to use X, Z, N, classes and wildcards";
    return false;
  } catch (const x3::expectation_failure<std::string_view::const_iterator>& e) {
    std::uint32_t col = b.column(e.where());
    std::string found = e.where() == text.end() ? std::string("the end")
                                                : "'" + std::string(1, *e.where()) + "'";
    bool plain_letter = e.where() != text.end() &&
                        std::string_view("XxZzNn.![").find(*e.where()) != std::string_view::npos;
    if (e.which() == "end" && out.exact && plain_letter)
      err = {col, "unexpected " + found +
                      ": a number without '_' has only digits, *, # and +; start the pattern "
                      "with '_' to use X, Z, N, classes and wildcards"};
    else if (e.which() == "class_items" && e.where() != text.end() && *e.where() == ']')
      err = {col, "empty class: put at least one symbol between [ and ]"};
    else
      err = {col, "expected " + expected_words(e.which()) + ", found " + found};
    return false;
  }
}

}  // namespace trunk::grammar
