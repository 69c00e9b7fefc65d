// The iterator, skipper and context the DID pool rules are instantiated for,
// and the state the rules' hooks share during one parse (as in Spirit's
// rexpr_full/config.hpp). Only grammar/did_pool includes this.
#pragma once

#include <boost/spirit/home/x3.hpp>
#include <cstdint>
#include <functional>
#include <string_view>

#include "grammar/did_pool/ast.hpp"

namespace trunk::grammar::pool {

namespace x3 = boost::spirit::x3;

using iterator_type = std::string_view::const_iterator;

// Reached through the context by the entry hook (columns) and the error
// handler (message). Lives on parse_did_pool's stack.
struct ParseState {
  iterator_type begin;
  PoolSyntaxError* error = nullptr;
  // Whether the entry parsed last was a range: after a single number '-' may
  // also follow, and the message says so.
  bool last_was_range = false;

  std::uint32_t column(iterator_type it) const {
    return static_cast<std::uint32_t>(it - begin) + 1;
  }
};
struct state_tag;

// Whitespace (ASCII space, tab, CR, LF, VT, FF) may stand between any two
// tokens. x3::ascii::space tests ischar first, so bytes >= 0x80 are safe.
using skipper_type = x3::ascii::space_type;
using phrase_context_type = x3::phrase_parse_context<skipper_type>::type;
using context_type =
    x3::context<state_tag, std::reference_wrapper<ParseState>, phrase_context_type>;

}  // namespace trunk::grammar::pool
