// write_atomically over Linux: the link chain followed to the target; stale
// temporary files of killed runs removed; an unnamed O_TMPFILE (or a named
// file where there is none) written, fchmod, fsync; linkat to a temporary
// name, renameat over the target, and an fsync of the directory so the
// rename itself survives a crash. Every step works relative to one open
// directory, so a directory renamed meanwhile cannot split the steps.
#include "io/atomic_write.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <random>

namespace trunk::io {
namespace {

// As many links as Linux follows in one path lookup (MAXSYMLINKS).
constexpr int kMaxLinks = 40;

std::string sys_error() { return std::strerror(errno); }

// Stops the process where a test asked to (see atomic_write.hpp), so that
// it can be killed at that point without any timing.
void test_stop(const char* stage) {
  const char* at = std::getenv("TRUNK_TEST_STOP_IN_WRITE");
  if (at && std::strcmp(at, stage) == 0) std::raise(SIGSTOP);
}

// "." + NAME + ".tmp.": every temporary file of NAME starts so, and only
// those are ever removed as leftovers.
std::string temp_prefix(const std::string& name) { return "." + name + ".tmp."; }

std::string temp_name(const std::string& name) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937 gen{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kChars - 2);
  std::string out = temp_prefix(name);
  for (int i = 0; i < 6; ++i) out += kChars[pick(gen)];
  return out;
}

// Removes the temporary files of `name` in `dir` that no writer holds: a
// writer holds its own under flock(2) from before the file has a name
// until after the rename, and the lock goes with the process however it
// ends. A file we cannot open is someone else's and stays.
void remove_leftovers(int dir, const std::string& name) {
  int scan = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (scan < 0) return;
  DIR* d = fdopendir(scan);
  if (!d) {
    close(scan);
    return;
  }
  const std::string prefix = temp_prefix(name);
  while (const dirent* e = readdir(d)) {
    std::string_view entry = e->d_name;
    if (!entry.starts_with(prefix)) continue;
    int fd = openat(dir, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0)
      unlinkat(dir, e->d_name, 0);
    close(fd);
  }
  closedir(d);
}

// An open, locked temporary file in `dir`: unnamed (O_TMPFILE) where the
// file system has it, else named `.NAME.tmp.XXXXXX`. -1 with `error` set.
int open_temp(int dir, const std::string& name, bool unnamed, std::string& temp,
              std::string& error) {
  if (unnamed) {
    int fd = openat(dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) {
      flock(fd, LOCK_EX);  // before it has a name: nobody else can hold it
      temp.clear();
      return fd;
    }
    // EOPNOTSUPP, EISDIR or EINVAL: no O_TMPFILE here; other errors recur below.
  }
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = temp_name(name);
    int fd = openat(dir, temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      error = sys_error();
      return -1;
    }
    // Between create and lock, another writer's remove_leftovers may have
    // taken the file for a leftover and removed it: then start again.
    struct stat mine, named;
    if (flock(fd, LOCK_EX) == 0 && fstat(fd, &mine) == 0 &&
        fstatat(dir, temp.c_str(), &named, AT_SYMLINK_NOFOLLOW) == 0 &&
        mine.st_ino == named.st_ino && mine.st_dev == named.st_dev)
      return fd;
    close(fd);
  }
  error = "no free temporary name";
  return -1;
}

// Gives the unnamed file `fd` a temporary name in `dir`.
bool name_temp(int fd, int dir, const std::string& name, std::string& temp) {
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = temp_name(name);
    // Through /proc, as linkat(2) advises: AT_EMPTY_PATH needs a capability
    // on kernels before 6.10.
    if (linkat(AT_FDCWD, self.c_str(), dir, temp.c_str(), AT_SYMLINK_FOLLOW) == 0 ||
        linkat(fd, "", dir, temp.c_str(), AT_EMPTY_PATH) == 0)
      return true;
    if (errno != EEXIST) return false;
  }
  errno = EEXIST;
  return false;
}

}  // namespace

bool write_target(const std::filesystem::path& path, std::filesystem::path& target,
                  std::string& error) {
  std::filesystem::path p = path;
  for (int hops = 0;; ++hops) {
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) {
      if (errno == ENOENT && hops > 0) {
        error = "cannot write " + path.string() + ": it is a symbolic link to " + p.string() +
                ", which does not exist";
        return false;
      }
      if (errno == ENOENT) {  // a new file
        target = p;
        return true;
      }
      error = "cannot write " + path.string() + ": " + sys_error();
      return false;
    }
    if (!S_ISLNK(st.st_mode)) {
      target = p;
      return true;
    }
    if (hops == kMaxLinks) {
      error = "cannot write " + path.string() + ": " + std::strerror(ELOOP);
      return false;
    }
    std::error_code ec;
    std::filesystem::path link = std::filesystem::read_symlink(p, ec);
    if (ec) {
      error = "cannot read the symbolic link " + p.string() + ": " + ec.message();
      return false;
    }
    p = link.is_absolute() ? link : p.parent_path() / link;
  }
}

bool write_atomically(const std::filesystem::path& path, const std::string& bytes,
                      std::string& error) {
  std::filesystem::path target;
  if (!write_target(path, target, error)) return false;
  const std::filesystem::path dir_path =
      target.parent_path().empty() ? "." : target.parent_path();
  const std::string name = target.filename().string();
  const std::string shown = target.string();
  int dir = open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    error = "cannot create a temporary file in " + dir_path.string() + ": " + sys_error();
    return false;
  }
  remove_leftovers(dir, name);
  mode_t mode = 0644;
  if (struct stat st; fstatat(dir, name.c_str(), &st, 0) == 0) mode = st.st_mode & 07777;

  std::string temp;  // the temporary file's name; empty while it has none
  int fd = -1;
  auto fail = [&](const std::string& what) {
    error = what + ": " + sys_error();
    if (!temp.empty()) unlinkat(dir, temp.c_str(), 0);
    if (fd >= 0) close(fd);
    close(dir);
    return false;
  };
  // Unnamed first; named when the file system has no O_TMPFILE or the
  // unnamed file cannot be linked (no /proc, and a kernel before 6.10).
  for (bool unnamed : {std::getenv("TRUNK_TEST_NO_TMPFILE") == nullptr, false}) {
    fd = open_temp(dir, name, unnamed, temp, error);
    if (fd < 0) {
      error = "cannot create a temporary file in " + dir_path.string() + ": " + error;
      close(dir);
      return false;
    }
    test_stop("temp");
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
      ssize_t n = write(fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail("cannot write " + shown);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    if (fchmod(fd, mode) != 0) return fail("cannot set the permissions of " + shown);
    if (fsync(fd) != 0) return fail("cannot sync " + shown);
    // An unnamed file cannot be renamed over the target, and linkat cannot
    // replace one: it gets a temporary name first, for as short a time as
    // the two calls take. A run killed in between leaves that name, under
    // no lock, for the next run's remove_leftovers.
    if (!temp.empty() || name_temp(fd, dir, name, temp)) break;
    temp.clear();  // the unnamed file could not be linked: the named way, once
    close(fd);
    fd = -1;
  }
  test_stop("named");
  if (renameat(dir, temp.c_str(), dir, name.c_str()) != 0)
    return fail("cannot rename " + (dir_path / temp).string() + " to " + shown);
  temp.clear();
  // The rename is in the directory: sync it too. A file system that cannot
  // sync a directory does not undo a done rename.
  fsync(dir);
  // Closing, and so unlocking, only now: until the rename the named file
  // was ours. An error closing a synced file loses nothing.
  close(fd);
  close(dir);
  return true;
}

}  // namespace trunk::io
