// write_atomically over POSIX: mkstemp, write, fchmod, fsync, rename, and an
// fsync of the directory so the rename itself survives a crash.
#include "io/atomic_write.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace trunk::io {

bool write_atomically(const std::filesystem::path& path, const std::string& bytes,
                      std::string& error) {
  std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  std::string tmpl =
      (dir / std::string(".").append(path.filename().string()).append(".tmp.XXXXXX")).string();
  mode_t mode = 0644;
  if (struct stat st; stat(path.c_str(), &st) == 0) mode = st.st_mode & 07777;
  int fd = mkstemp(tmpl.data());
  if (fd < 0) {
    error = "cannot create a temporary file in " + dir.string() + ": " + std::strerror(errno);
    return false;
  }
  auto fail = [&](const char* what) {
    error = std::string(what) + " " + tmpl + ": " + std::strerror(errno);
    close(fd);
    unlink(tmpl.c_str());
    return false;
  };
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (fchmod(fd, mode) != 0) return fail("cannot set permissions of");
  if (fsync(fd) != 0) return fail("cannot sync");
  if (close(fd) != 0) {
    error = "cannot close " + tmpl + ": " + std::strerror(errno);
    unlink(tmpl.c_str());
    return false;
  }
  if (std::rename(tmpl.c_str(), path.c_str()) != 0) {
    error = "cannot rename " + tmpl + " to " + path.string() + ": " + std::strerror(errno);
    unlink(tmpl.c_str());
    return false;
  }
  // The rename is in the directory: sync it too. A directory that cannot be
  // opened for this (some file systems) does not undo a done rename.
  if (int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return true;
}

}  // namespace trunk::io
