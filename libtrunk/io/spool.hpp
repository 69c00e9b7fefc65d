// Text set aside to be written later, in order, with bounded memory.
//
// A report that must print a section after others it is still writing
// (sip-trace-match's calls come after the messages, but close while the
// messages are read) writes the section here. Up to kMemoryBytes stay in
// memory; past that, the text goes to an unnamed temporary file
// (std::tmpfile: removed when closed or when the process ends). If no
// temporary file can be made, the text stays in memory. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdio>
#include <iosfwd>
#include <string>
#include <string_view>

namespace trunk::io {

class Spool {
 public:
  static constexpr std::size_t kMemoryBytes = 1 << 20;

  Spool() = default;
  ~Spool();
  // It owns a FILE*: one owner.
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  void write(std::string_view text);
  // Writes everything set aside to `out`, in order. False when the
  // temporary file could not be written or read back; `error` says why.
  bool copy_to(std::ostream& out, std::string& error);
  std::size_t size() const { return size_; }

 private:
  void flush();

  std::string memory_;
  std::FILE* file_ = nullptr;
  bool no_file_ = false;  // tmpfile() failed once: keep to memory
  bool failed_ = false;   // a write to the file failed
  int error_ = 0;
  std::size_t size_ = 0;
};

}  // namespace trunk::io
