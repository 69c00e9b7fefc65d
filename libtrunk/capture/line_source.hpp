// Lines out of a FILE*, for the text reader (text_reader.hpp).
//
// Owns the FILE* it is given and closes it. Reads with getc_unlocked into
// one reused buffer, so a line costs no allocation and a pipe delivers each
// line as soon as it arrives (fread would wait for a whole block). A line
// longer than the cap is handed out cut at the cap and the rest of it is
// skipped: memory stays bounded whatever the input. Knows nothing of SIP.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace trunk::capture {

class LineSource {
 public:
  LineSource(std::FILE* file, std::size_t cap);
  ~LineSource();
  LineSource(const LineSource&) = delete;  // owns the FILE*
  LineSource& operator=(const LineSource&) = delete;

  // The next line without its LF and without a CR before the LF; false at
  // the end of the input. The view is valid until the next call to next().
  bool next(std::string_view& line);
  // Makes the next call to next() return the same line again (one line only).
  void unread() { again_ = true; }
  // 1-based number of the line last returned.
  std::uint32_t number() const { return number_; }
  // The line last returned was longer than the cap.
  bool cut() const { return cut_; }
  // Reading stopped on an error rather than at the end: its errno, else 0.
  int error() const { return error_; }

 private:
  std::FILE* file_;
  std::size_t cap_;
  std::string line_;
  std::uint32_t number_ = 0;
  bool again_ = false;
  bool cut_ = false;
  bool eof_ = false;
  int error_ = 0;
};

}  // namespace trunk::capture
