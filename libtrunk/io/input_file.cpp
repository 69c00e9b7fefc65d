// InputFile over POSIX: open(2) with O_NONBLOCK so that a FIFO without a
// writer returns at once, fstat(2) on the descriptor (not the name, which
// may change in between), then blocking reads again, bounded by the cap.
#include "io/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace trunk::io {

namespace {

std::string_view file_type_words(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// "4 GiB", "16 MiB", "4 KiB", or bytes when the cap is not a round number.
std::string size_words(std::uint64_t bytes) {
  if (bytes >= (1u << 30) && bytes % (1u << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::string too_large(const std::filesystem::path& path, std::string_view kind_name,
                      std::uint64_t size, std::uint64_t max_size, bool grew) {
  return path.string() + (grew ? " grew past " : " is ") + std::to_string(size) +
         " bytes, more than a " + std::string(kind_name) + " may have (" +
         size_words(max_size) + ")";
}

}  // namespace

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

int InputFile::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

bool InputFile::open(const std::filesystem::path& path, std::string_view kind_name,
                     std::uint64_t max_size, std::string& error) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd_ < 0) {
    int err = errno;
    // A dangling link says "No such file" of a name that is there: say why.
    struct stat link;
    if (err == ENOENT && ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode))
      error = path.string() + " is a symbolic link to a missing file";
    else
      error = "cannot open " + path.string() + ": " + std::strerror(err);
    return false;
  }
  struct stat st;
  if (::fstat(fd_, &st) != 0) {
    error = "cannot open " + path.string() + ": " + std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    error = path.string() + " is " + std::string(file_type_words(st.st_mode)) +
            ", not a regular file";
  } else if (static_cast<std::uint64_t>(st.st_size) > max_size) {
    error = too_large(path, kind_name, static_cast<std::uint64_t>(st.st_size), max_size, false);
  } else {
    // Reads block again: a regular file never makes them wait, and some
    // filesystems (FUSE) treat O_NONBLOCK reads as may-fail.
    int flags = ::fcntl(fd_, F_GETFL);
    if (flags >= 0) ::fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
    size_ = static_cast<std::uint64_t>(st.st_size);
    return true;
  }
  ::close(fd_);
  fd_ = -1;
  return false;
}

namespace {

// Reads `fd` to its end into `text`, `expected` bytes to start with, up to
// one byte past the cap: that byte says the input is too large.
bool read_capped(int fd, const std::string& name, std::size_t expected, const InputKind& kind,
                 bool stream, std::string& text, std::string& error) {
  text.resize(expected);
  std::size_t got = 0;
  for (;;) {
    if (got == text.size()) {
      if (got > kind.max_size) break;
      text.resize(std::min<std::uint64_t>(kind.max_size + 1, got + 4096 + got / 2));
    }
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = "cannot read " + name + ": " + std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > kind.max_size) {
    // A stream has no size to quote: it is cut at the cap.
    error = stream ? name + " holds more than a " + std::string(kind.name) + " may have (" +
                         size_words(kind.max_size) + ")"
                   : too_large(name, kind.name, got, kind.max_size, true);
    return false;
  }
  text.resize(got);
  return true;
}

}  // namespace

bool read_input(const std::filesystem::path& path, const InputKind& kind, std::string& text,
                std::string& error) {
  InputFile in;
  if (!in.open(path, kind.name, kind.max_size, error)) return false;
  return read_capped(in.fd(), path.string(), static_cast<std::size_t>(in.size()), kind,
                     false, text, error);
}

bool read_stream(int fd, const std::string& name, const InputKind& kind, std::string& text,
                 std::string& error) {
  return read_capped(fd, name, 0, kind, true, text, error);
}

}  // namespace trunk::io
