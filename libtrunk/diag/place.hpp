// Where a string value sits in an input file, so that a grammar's column
// inside the string becomes a file position. A pool or pattern given on the
// command line has no file; its place is just the column in the string.
#pragma once

#include <cstdint>
#include <string>

#include "diag/diagnostic.hpp"

namespace trunk::diag {

struct StringPlace {
  FilePath file;             // empty for command-line input (interned: no copy per value)
  std::uint32_t line = 0;    // line of the string's first content character
  std::uint32_t column = 0;  // its column; 0 when the mapping is unknown
  // Characters in the file map one-to-one onto the string's bytes (no
  // escapes, one line), so column offsets can be added.
  bool exact = false;

  // The region of `length` bytes at 1-based `offset` within the string.
  SourceRegion at(std::uint32_t offset, std::uint32_t length = 1) const {
    SourceRegion r;
    r.file = file;
    if (line == 0) return r;
    r.line = r.end_line = line;
    r.column = exact ? column + offset - 1 : column;
    r.end_column = exact ? r.column + length : column;
    return r;
  }
};

}  // namespace trunk::diag
