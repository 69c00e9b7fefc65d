// Replacing a file so that readers see the old bytes or the new ones, never
// a part, and so that a run killed at any point leaves nothing a later run
// or `git status` sees: a temporary file in the target's directory,
// written, synced, renamed over the target, then the directory synced.
// dialplan-compile writes its tables this way and trunkctl its edits of a
// site. Owns no state; leaves locking (two writers at once) to the caller
// (io/dir_lock.hpp).
//
// A symbolic link is kept: the file at the end of its chain is the one
// replaced, with the temporary file beside it. The temporary file has no
// name at all where the file system offers O_TMPFILE (Linux: ext4, xfs,
// btrfs, tmpfs) until an instant before the rename; elsewhere, and in that
// instant, it is `.NAME.tmp.XXXXXX`, held under flock(2) by its writer.
// Such a file that no live writer holds is a leftover of a killed run: the
// next write of NAME in that directory removes it.
//
// For tests only: TRUNK_TEST_STOP_IN_WRITE=temp stops the process
// (SIGSTOP) once the temporary file exists, =named once it has its name;
// TRUNK_TEST_NO_TMPFILE=1 takes the path file systems without O_TMPFILE
// take.
#pragma once

#include <filesystem>
#include <string>

namespace trunk::io {

// The file a write to `path` replaces: `path` itself, or, when it is a
// symbolic link, the end of its chain (a relative link is taken from the
// directory of the link). False with `error` set when the chain leads to
// nothing (a dangling link), loops, or cannot be read. A `path` that does
// not exist (and is not a link) is its own target: a new file.
bool write_target(const std::filesystem::path& path, std::filesystem::path& target,
                  std::string& error);

// Writes `bytes` to write_target(`path`). The new file gets the mode of the
// file it replaces, or 0644 when there is none. On failure returns false
// with `error` set (naming the file and the system's reason) and leaves the
// target untouched; the temporary file is removed.
bool write_atomically(const std::filesystem::path& path, const std::string& bytes,
                      std::string& error);

}  // namespace trunk::io
