// LineSource: bounded, allocation-free line reading (see line_source.hpp).
#include "capture/line_source.hpp"

#include <cerrno>

namespace trunk::capture {

LineSource::LineSource(std::FILE* file, std::size_t cap) : file_(file), cap_(cap) {
  line_.reserve(cap_ + 1);
}

LineSource::~LineSource() {
  if (file_) std::fclose(file_);
}

bool LineSource::next(std::string_view& line) {
  if (again_) {
    again_ = false;
    line = line_;
    return true;
  }
  line_.clear();
  cut_ = false;
  if (eof_ || !file_) return false;
  int c = 0;
  bool any = false;
  while ((c = getc_unlocked(file_)) != EOF) {
    any = true;
    if (c == '\n') break;
    if (line_.size() < cap_) line_.push_back(static_cast<char>(c));
    else cut_ = true;
  }
  if (c == EOF) {
    eof_ = true;
    if (std::ferror(file_)) error_ = errno ? errno : EIO;
    if (!any) return false;
  }
  if (!line_.empty() && line_.back() == '\r' && (c == '\n' || c == EOF)) line_.pop_back();
  ++number_;
  line = line_;
  return true;
}

}  // namespace trunk::capture
