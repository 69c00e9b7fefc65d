// A bounded-memory spool (see spool.hpp).
#include "io/spool.hpp"

#include <cerrno>
#include <cstring>
#include <ostream>

namespace trunk::io {

Spool::~Spool() {
  if (file_) std::fclose(file_);
}

void Spool::write(std::string_view text) {
  size_ += text.size();
  memory_.append(text);
  if (memory_.size() >= kMemoryBytes && !no_file_) flush();
}

void Spool::flush() {
  if (!file_) {
    file_ = std::tmpfile();
    if (!file_) {
      no_file_ = true;
      return;
    }
  }
  if (!failed_ && std::fwrite(memory_.data(), 1, memory_.size(), file_) != memory_.size()) {
    failed_ = true;
    error_ = errno;
  }
  memory_.clear();
}

bool Spool::copy_to(std::ostream& out, std::string& error) {
  if (file_) {
    flush();
    if (!failed_ && (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0)) {
      failed_ = true;
      error_ = errno;
    }
    char buf[1 << 16];
    std::size_t n = 0;
    while (!failed_ && (n = std::fread(buf, 1, sizeof buf, file_)) > 0)
      out.write(buf, static_cast<std::streamsize>(n));
    if (!failed_ && std::ferror(file_)) {
      failed_ = true;
      error_ = errno;
    }
    if (failed_) {
      error = std::string("temporary file: ") + std::strerror(error_);
      return false;
    }
  }
  out << memory_;
  return true;
}

}  // namespace trunk::io
