// DID pool text -> DidSet, with the entry rules of the spec ("DID pools").
//
// The grammar (grammar/did_pool) splits the text into entries; this file
// applies the rules to each entry and reports every problem as a
// diag::Diagnostic placed at the entry's characters in the input file:
//
//   did-syntax        error    the text is not `entry; entry; ...`
//   did-plus          error    an entry starts with '+' (hint: the entry without it)
//   did-intl-prefix   error    an entry starts with "00" (hint: the entry without it)
//   did-length        error    a number has more than 15 digits
//   did-range-length  error    the ends of a range have different lengths
//   did-range-order   error    a range's first number is after its last
//   did-duplicate     warning  an entry repeats numbers of earlier entries
//
// Each entry gets at most one error, from the first rule in this order that
// it breaks. Rules between pools (tenants sharing numbers on a provider) are
// not here; they compare the DidSets this returns.
#pragma once

#include <optional>
#include <string_view>

#include "diag/diagnostic.hpp"
#include "diag/place.hpp"
#include "did/number_set.hpp"

namespace trunk::did {

// Parses pool `text` (the string's content, without quotes). `place` maps a
// column inside the text to the file; `what` names the pool in messages
// ("did_pool of tenant \"acme\" on trunk \"XYZ\"", "--pool"); it prefixes
// every message as "WHAT: ", and is left out when empty.
//
// Returns the pool's numbers, or nullopt when an error was reported to
// `sink` (warnings alone still return the set). An empty or all-blank text
// is an empty pool. Never throws on bad input; time is O(n log n) in the
// text's length, and a pool of 10000000-99999999 costs what "101" costs.
std::optional<DidSet> parse_pool(std::string_view text, const diag::StringPlace& place,
                                 std::string_view what, diag::Sink& sink);

}  // namespace trunk::did
