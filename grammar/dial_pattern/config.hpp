// The iterator and context the dial-pattern rules are instantiated for.
#pragma once

#include <boost/spirit/home/x3.hpp>
#include <string_view>

#include "grammar/dial_pattern/ast.hpp"

namespace trunk::grammar::dial {

namespace x3 = boost::spirit::x3;

using iterator_type = std::string_view::const_iterator;

// What the semantic actions write into, reached through the context.
struct Builder {
  iterator_type begin;
  DialPatternAst* out;
  // A problem the grammar accepts but the pattern can't have (a reversed
  // range); reported after the parse with its column.
  DialSyntaxError late_error;
  std::uint32_t column(iterator_type it) const {
    return static_cast<std::uint32_t>(it - begin) + 1;
  }
};
struct builder_tag;

}  // namespace trunk::grammar::dial
