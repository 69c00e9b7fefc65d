// An exclusive lock on a directory, for writers that read, change and
// replace files in it: two `trunkctl set` runs on one site take turns
// instead of one losing the other's change. The lock is flock(2) on the
// directory itself, so it survives the renames that replace files in it
// and leaves no lock file behind; it is released when the DirLock goes (or
// the process ends, however it ends). Advisory: it orders writers that
// take it, not editors or git.
#pragma once

#include <filesystem>
#include <string>

namespace trunk::io {

class DirLock {
 public:
  DirLock() = default;
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

  // Takes the lock on `dir`, waiting up to `wait_seconds` (0: not at all)
  // for another holder to let it go. False with `error` set when the
  // directory cannot be opened or the wait ran out.
  bool acquire(const std::filesystem::path& dir, double wait_seconds, std::string& error);

 private:
  int fd_ = -1;
};

}  // namespace trunk::io
