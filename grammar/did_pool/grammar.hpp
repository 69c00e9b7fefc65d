// The DID pool rule declaration; the definition is in grammar_def.hpp and
// its one instantiation in did_pool.cpp (Spirit's rexpr_full layout).
#pragma once

#include <vector>

#include "grammar/did_pool/config.hpp"

namespace trunk::grammar::pool {

struct pool_class;
using pool_type = x3::rule<pool_class, std::vector<PoolEntry>>;
BOOST_SPIRIT_DECLARE(pool_type)

const pool_type& pool();

}  // namespace trunk::grammar::pool
