// Maps a string value of the site back to its characters in the file, for
// grammars (DID pools, dial patterns) that report a column inside the value.
#pragma once

#include "diag/place.hpp"
#include "diag/render.hpp"
#include "site/model.hpp"

namespace trunk::site {

// The place of `f`'s content. Exact when the value is a one-line basic or
// literal string without escapes; otherwise every offset maps to the value's
// opening quote.
diag::StringPlace place_of(const Field<std::string>& f, const diag::SourceText& sources);

}  // namespace trunk::site
