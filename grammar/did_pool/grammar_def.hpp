// The DID pool grammar (spec: "DID pools"), skipping whitespace between
// tokens:
//
//   pool      := end | entry (';' entry)* ';'? end
//   entry     := number ('-' range_end)?
//   number    := '+'? digit+          (one token: no space after '+')
//
// The grammar is deliberately loose about numbers: a leading '+' and any
// count of digits are accepted here so that the entry rules in did/pool.cpp
// reject them with the entry named and a corrected entry in the hint, rather
// than "expected a number". Everything else is a syntax error at the first
// byte that cannot continue the pool. No rule recurses, so input length
// never deepens the stack.
#pragma once

#include <boost/fusion/include/adapt_struct.hpp>
#include <string>
#include <vector>

#include "grammar/did_pool/ast.hpp"
#include "grammar/did_pool/config.hpp"
#include "grammar/did_pool/error_handler.hpp"
#include "grammar/did_pool/grammar.hpp"

// Only the text is the rules' attribute; the position is set by the entry
// rule's on_success hook.
BOOST_FUSION_ADAPT_STRUCT(trunk::grammar::PoolEntry, first, last)

namespace trunk::grammar::pool {

// Position tagging: an entry records where it starts (after skipped
// whitespace) and how long it is.
struct entry_class {
  template <typename Iterator, typename Context>
  void on_success(Iterator const& first, Iterator const& last, PoolEntry& entry,
                  Context const& context) const {
    ParseState& state = x3::get<state_tag>(context).get();
    entry.column = state.column(first);
    entry.length = static_cast<std::uint32_t>(last - first);
    state.last_was_range = !entry.last.empty();
  }
};
struct number_class {};
struct range_end_class {};
struct body_class {};
struct end_class {};
struct pool_class : error_handler_base {};

// The names are the ids error_handler.hpp maps to words.
const x3::rule<number_class, std::string> number = "number";
const x3::rule<range_end_class, std::string> range_end = "range_end";
const x3::rule<entry_class, PoolEntry> entry = "entry";
const x3::rule<body_class, std::vector<PoolEntry>> body = "body";
const x3::rule<end_class> end = "end";
const pool_type pool_rule = "pool";

// x3::char_('0', '9') compares bytes; x3::digit would call isdigit on
// negative chars.
const auto number_def = x3::raw[x3::lexeme[-x3::lit('+') >> +x3::char_('0', '9')]];
const auto range_end_def = number;
const auto entry_def = number >> -('-' > range_end);
// A ';' must be followed by an entry, except the last one: "1;" is a pool,
// "1;;2" is not.
const auto body_def =
    x3::eoi | ((entry >> *((';' >> !x3::eoi) > entry) >> -x3::lit(';')) > end);
const auto end_def = x3::eoi;
const auto pool_rule_def = x3::eps > body;

BOOST_SPIRIT_DEFINE(number, range_end, entry, body, end, pool_rule)

}  // namespace trunk::grammar::pool
