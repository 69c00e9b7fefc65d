// SIP start lines and Content-Length framing over raw bytes.
#include "capture/sip_framing.hpp"
#include "text/ascii.hpp"

#include <cstring>
#include <limits>

namespace trunk::capture {

namespace {

// A start line longer than this is not taken for one: a real Request-URI
// fits easily, and the cap bounds what a TCP stream holds while it waits.
constexpr std::size_t kMaxStartLine = 4096;
constexpr std::string_view kVersion = "SIP/2.0";

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// "SIP/2.0 200 ..." given that the line starts "SIP/".
StartLine status_line(std::string_view line, bool whole) {
  constexpr std::string_view kPrefix = "SIP/2.0 ";
  std::size_t n = line.size() < kPrefix.size() ? line.size() : kPrefix.size();
  if (line.substr(0, n) != kPrefix.substr(0, n)) return StartLine::no;
  for (std::size_t i = kPrefix.size(); i < kPrefix.size() + 3; ++i) {
    if (i >= line.size()) return whole ? StartLine::no : StartLine::more;
    if (!is_digit(line[i])) return StartLine::no;
  }
  if (line.size() > 11 && line[11] != ' ') return StartLine::no;
  return whole ? StartLine::yes : StartLine::more;
}

}  // namespace

StartLine start_line(std::string_view bytes) {
  if (bytes.empty()) return StartLine::more;
  if (!is_upper(bytes[0])) return StartLine::no;
  std::size_t limit = bytes.size() < kMaxStartLine ? bytes.size() : kMaxStartLine;
  const void* nl = std::memchr(bytes.data(), '\n', limit);
  bool whole = nl != nullptr;
  if (!whole && bytes.size() >= kMaxStartLine) return StartLine::no;
  std::string_view line = bytes.substr(
      0, whole ? static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data()) : limit);
  if (whole && !line.empty() && line.back() == '\r') line.remove_suffix(1);

  std::size_t i = 0;
  while (i < line.size() && i < 32 && is_upper(line[i])) ++i;
  if (i == line.size()) return !whole && i < 32 ? StartLine::more : StartLine::no;
  if (line[i] == '/') return status_line(line, whole);
  if (line[i] != ' ') return StartLine::no;

  // METHOD SP Request-URI SP SIP/2.0
  std::size_t uri = i + 1;
  std::size_t sp = line.find(' ', uri);
  if (sp == std::string_view::npos) return whole ? StartLine::no : StartLine::more;
  std::string_view target = line.substr(uri, sp - uri);
  if (target.empty() || target.find(':') == std::string_view::npos) return StartLine::no;
  std::string_view rest = line.substr(sp + 1);
  if (whole) return rest == kVersion ? StartLine::yes : StartLine::no;
  return kVersion.starts_with(rest) ? StartLine::more : StartLine::no;
}

MessageExtent message_extent(std::string_view bytes, std::size_t scan_from) {
  MessageExtent e;
  std::size_t p = scan_from < bytes.size() ? scan_from : bytes.size();
  std::size_t end = 0;
  while (p < bytes.size()) {
    const void* nl = std::memchr(bytes.data() + p, '\n', bytes.size() - p);
    if (!nl) break;
    p = static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data());
    if (p + 1 < bytes.size() && bytes[p + 1] == '\n') {
      end = p + 2;
      break;
    }
    if (p + 2 < bytes.size() && bytes[p + 1] == '\r' && bytes[p + 2] == '\n') {
      end = p + 3;
      break;
    }
    ++p;
  }
  if (end == 0) return e;
  e.header_size = end;

  // Content-Length (or its compact form "l") among the header lines; the
  // first one counts.
  std::string_view headers = bytes.substr(0, end);
  std::size_t line_start = headers.find('\n');
  while (line_start != std::string_view::npos && line_start + 1 < headers.size()) {
    std::size_t from = line_start + 1;
    std::size_t next = headers.find('\n', from);
    std::string_view line = headers.substr(from, next == std::string_view::npos
                                                     ? std::string_view::npos
                                                     : next - from);
    line_start = next;
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon));
    if (!text::equal_ci(name, "content-length") && !text::equal_ci(name, "l")) continue;
    std::string_view value = trim(line.substr(colon + 1));
    if (value.empty()) {
      e.status = MessageExtent::bad_length;
      return e;
    }
    std::size_t n = 0;
    for (char c : value) {
      if (!is_digit(c) || n > std::numeric_limits<std::uint32_t>::max()) {
        e.status = MessageExtent::bad_length;
        return e;
      }
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    e.body_size = n;
    break;
  }
  e.size = e.header_size + e.body_size;
  e.status = e.body_size <= bytes.size() - e.header_size ? MessageExtent::complete
                                                           : MessageExtent::need_more;
  return e;
}

}  // namespace trunk::capture
