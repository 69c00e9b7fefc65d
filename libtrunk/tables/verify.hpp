// The one piece of the tables verifier (verify.cpp) that the file readers
// in reader.cpp also need: the header checks, which they make on the first
// 64 bytes before a byte more of a file is mapped or read. Everything else
// the verifier proves is private to Tables::verify.
#pragma once

#include <cstdint>
#include <string>

#include "tables/format.hpp"

namespace trunk::tables {

// Magic, version, and the declared size against `size`, the real one.
// Returns false with `error` set to what is wrong (no file name: callers
// that have one put it in front).
bool check_header(const Header& h, std::uint64_t size, std::string& error);

}  // namespace trunk::tables
