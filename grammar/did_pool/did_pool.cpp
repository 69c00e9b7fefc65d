// The one instantiation of the DID pool grammar, and parse_did_pool, the
// grammar's only entry point: it owns the parse state and turns a failed
// parse into a PoolSyntaxError. X3 stays inside grammar/; callers see ast.hpp.
#include "grammar/did_pool/grammar_def.hpp"

namespace trunk::grammar {

namespace pool {
BOOST_SPIRIT_INSTANTIATE(pool_type, iterator_type, context_type)
const pool_type& pool() { return pool_rule; }
}  // namespace pool

bool parse_did_pool(std::string_view text, std::vector<PoolEntry>& out, PoolSyntaxError& err) {
  namespace x3 = boost::spirit::x3;
  out.clear();
  err = {};
  if (text.size() > kMaxPoolBytes) {
    err = {1, "pool is longer than " + std::to_string(kMaxPoolBytes >> 20) +
                  " MiB; split it into several pools"};
    return false;
  }
  pool::ParseState state{text.begin(), &err};
  auto first = text.begin();
  const auto parser = x3::with<pool::state_tag>(std::ref(state))[pool::pool()];
  if (x3::phrase_parse(first, text.end(), parser, x3::ascii::space, out)) return true;
  out.clear();
  if (err.message.empty()) {
    // Unreachable: every failure below the top rule is an expectation
    // failure the handler fills in. Kept so a grammar change can't return
    // false with no message.
    err = {state.column(first), "malformed pool"};
  }
  return false;
}

}  // namespace trunk::grammar
