// The dial-pattern rule declarations (definitions in grammar_def.hpp).
#pragma once

#include "grammar/dial_pattern/config.hpp"

namespace trunk::grammar::dial {

struct pattern_class;
using pattern_type = x3::rule<pattern_class>;
BOOST_SPIRIT_DECLARE(pattern_type)

const pattern_type& pattern();

}  // namespace trunk::grammar::dial
