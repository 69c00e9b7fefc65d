// Replacing a file so that readers see the old bytes or the new ones, never
// a part: a temporary file in the same directory, written, synced, renamed
// over the target, then the directory synced. dialplan-compile writes its
// tables this way and trunkctl its edits of a site. Owns no state; leaves
// locking (two writers at once) to the caller (io/dir_lock.hpp).
#pragma once

#include <filesystem>
#include <string>

namespace trunk::io {

// Writes `bytes` to `path`. The new file gets the mode of the file it
// replaces, or 0644 when there is none. On failure returns false with
// `error` set (naming the file and the system's reason) and leaves `path`
// untouched; the temporary file is removed.
bool write_atomically(const std::filesystem::path& path, const std::string& bytes,
                      std::string& error);

}  // namespace trunk::io
