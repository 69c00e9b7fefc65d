// Serializing a Plan into the tables format, and writing it atomically.
#pragma once

#include <filesystem>
#include <string>

#include "tables/plan.hpp"

namespace trunk::tables {

// The file's bytes. Deterministic: the same plan gives the same bytes.
std::string serialize(const Plan& plan);

// Writes `bytes` to `path` through a temporary file in the same directory
// and a rename, so readers see the old file or the new one, never a part
// (io::write_atomically). On failure returns false with `error` set and
// leaves `path` untouched.
bool write_atomically(const std::filesystem::path& path, const std::string& bytes,
                      std::string& error);

}  // namespace trunk::tables
