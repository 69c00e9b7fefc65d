// The text reader: assembles SIP messages out of log lines.
//
// Owns the line source and one message buffer reused for every message, so
// memory is bounded by the message cap whatever the size of the log. Which
// log lines announce a message, and what they say about it, is
// log_line.cpp's business; this file decides where a message starts and
// ends: at a SIP start line, through the headers to the blank line, then
// Content-Length bytes of body (counted as sent on the wire, CRLF after each
// line) or, without Content-Length, up to the next start line or log line.
// It never judges the headers: a block with a start line and broken headers
// is still handed out, for the SIP parser to report on.
#include <algorithm>
#include <cstring>
#include <string>

#include "capture/line_source.hpp"
#include "capture/log_line.hpp"
#include "capture/text_reader.hpp"

namespace trunk::capture {

namespace {

// A message (and a line) longer than this is cut and warned about.
constexpr std::size_t kMessageCap = 64 * 1024;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// The warning for a message that was cut at the cap, or that ended before
// the body its Content-Length gives (`short_body`).
void warn_if_incomplete(diag::Sink& sink, diag::SourceRegion where, bool cut, bool short_body,
                        long long body, long long length) {
  if (cut)
    sink.warning("trace-message-too-large",
                 "SIP message is larger than " + std::to_string(kMessageCap) +
                     " bytes; the rest of it is skipped",
                 where);
  else if (short_body)
    sink.warning("trace-message-truncated",
                 "SIP message ends after " + std::to_string(body) + " of the " +
                     std::to_string(length) + " body bytes its Content-Length gives",
                 where);
}

// Indentation or e-mail quoting in front of a start line: "    ", "> ", ">> ".
std::string_view quote_prefix(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (is_blank(line[i]) || line[i] == '>')) ++i;
  return line.substr(0, i);
}

class TextReader final : public Reader {
 public:
  TextReader(std::FILE* file, std::string name)
      : lines_(file, kMessageCap), name_(std::move(name)) {
    msg_.reserve(4096);
  }

  bool next(Captured& out, diag::Sink& sink) override;
  std::string_view format_name() const override {
    return format_.empty() ? std::string_view("text") : format_;
  }

 private:
  // What the last log line said about the message that follows.
  struct Context {
    LogLine log;
    bool active = false;
    bool ngrep = false;  // lasts for the whole packet, which may hold several messages
    int dotted = -1;     // ngrep: lines end in '.' for CR; -1 until the first line says
  };

  bool cook(std::string_view raw, std::string_view& line);
  void read_message(std::string_view first, diag::Sink& sink);
  bool read_ngrep_rows(std::string_view first);
  bool take_from_packet(diag::Sink& sink);
  void fill(Captured& out, std::uint32_t line) const;
  void start_message(Captured& out, std::string_view line, std::string_view prefix,
                     diag::Sink& sink);
  bool append(std::string_view line);

  LineSource lines_;
  std::string name_;
  std::string msg_;
  // A packet ngrep printed in one piece (-W single) or in rows (its default),
  // joined, with CR LF shown as "..": the messages in it are taken one by
  // one from packet_at_. packet_line_ is the line it started on.
  std::string packet_;
  std::size_t packet_at_ = 0;
  std::uint32_t packet_line_ = 0;
  std::string prefix_;
  Context ctx_;
  std::string_view format_;
  bool read_error_reported_ = false;
};

// ngrep -W byline prints a CR as a '.' before the LF and ends a packet with an
// empty line (its other outputs are read_ngrep_rows' and take_from_packet's). Returns false when `raw` ends the packet; otherwise `line` is
// `raw` without its '.' when the packet's first line had one.
bool TextReader::cook(std::string_view raw, std::string_view& line) {
  line = raw;
  if (!ctx_.ngrep) return true;
  if (raw.empty()) return false;
  if (ctx_.dotted < 0) ctx_.dotted = raw.back() == '.';
  if (ctx_.dotted && raw.back() == '.') line.remove_suffix(1);
  return true;
}

// Appends `line` and a CRLF; false (with what fits appended) past the cap.
bool TextReader::append(std::string_view line) {
  if (msg_.size() + line.size() + 2 > kMessageCap) {
    msg_.append(line.substr(0, kMessageCap - std::min(kMessageCap, msg_.size())));
    return false;
  }
  msg_.append(line);
  msg_.append("\r\n");
  return true;
}

bool TextReader::next(Captured& out, diag::Sink& sink) {
  std::string_view raw;
  if (packet_at_ < packet_.size()) {  // the next message of an ngrep packet
    if (take_from_packet(sink)) {
      fill(out, packet_line_);
      return true;
    }
    ctx_ = Context{};
  }
  packet_.clear();
  packet_at_ = 0;
  while (lines_.next(raw)) {
    // Editors on Windows start a saved paste with a byte order mark.
    if (lines_.number() == 1 && raw.starts_with("\xEF\xBB\xBF")) raw.remove_prefix(3);
    LogLine log = read_log_line(raw);
    if (log.kind == LogLine::Kind::announce) {
      ctx_ = Context{log, true, log.format == "ngrep", -1};
      // ngrep -W single: the packet is on this line, CR LF shown as "..".
      if (ctx_.ngrep && !log.payload.empty()) {
        packet_.assign(log.payload);
        packet_at_ = 0;
        packet_line_ = lines_.number();
        if (take_from_packet(sink)) {
          fill(out, packet_line_);
          return true;
        }
        packet_.clear();
      }
      continue;
    }
    if (log.kind == LogLine::Kind::end) {
      // FreeSWITCH puts a line of dashes between its log line and the
      // message: only ngrep's packet context ends here.
      if (ctx_.ngrep) ctx_ = Context{};
      continue;
    }
    std::string_view line;
    // ngrep's default output: the packet in rows under its header.
    if (ctx_.ngrep && ctx_.dotted < 0 && read_ngrep_rows(raw)) {
      if (take_from_packet(sink)) {
        fill(out, packet_line_);
        return true;
      }
      packet_.clear();
      ctx_ = Context{};
      continue;
    }
    if (!cook(raw, line)) {
      ctx_ = Context{};
      continue;
    }
    std::string_view prefix = quote_prefix(line);
    if (!is_start_line(line.substr(prefix.size()))) {
      // Noise between a log line and a message: the log line was about
      // something else.
      if (!ctx_.ngrep && !trim_blanks(line).empty()) ctx_ = Context{};
      continue;
    }
    start_message(out, line, prefix, sink);
    return true;
  }
  if (lines_.error() && !read_error_reported_) {
    read_error_reported_ = true;
    sink.warning("trace-read-error",
                 std::string("reading stopped: ") + std::strerror(lines_.error()),
                 {name_, lines_.number()});
  }
  return false;
}

// A message whose start line is `line` (after its quote `prefix`): read it
// whole, with what the log line before it said of it.
void TextReader::start_message(Captured& out, std::string_view line, std::string_view prefix,
                               diag::Sink& sink) {
  prefix_.assign(prefix);
  out = Captured{};
  out.line = lines_.number();
  if (ctx_.active) {
    out.src = ctx_.log.src;
    out.dst = ctx_.log.dst;
    out.transport = ctx_.log.transport;
    out.time_us = ctx_.log.time_us;
  }
  if (format_.empty()) format_ = ctx_.active ? ctx_.log.format : "text";
  read_message(line.substr(prefix.size()), sink);
  out.bytes = msg_;
  if (!ctx_.ngrep) ctx_ = Context{};
}

// The message just assembled, with what the log line said of it.
void TextReader::fill(Captured& out, std::uint32_t line) const {
  out = Captured{};
  out.line = line;
  out.src = ctx_.log.src;
  out.dst = ctx_.log.dst;
  out.transport = ctx_.log.transport;
  out.time_us = ctx_.log.time_us;
  out.bytes = msg_;
}

// ngrep's default output (-W normal) prints a packet in rows under its
// header: each row two spaces and then the next W bytes (W is the terminal's
// width less 5, or -c's), the last row padded with spaces to W, and every
// byte that is not printable shown as '.'. When `first` is the first such
// row of a SIP message, reads the packet's other rows (those as long as the
// first, and a shorter one that ends a packet whose padding was lost) into
// packet_ and returns true.
bool TextReader::read_ngrep_rows(std::string_view first) {
  if (!first.starts_with("  ") || first.size() < 3) return false;
  // The start line may go on in the next row: here, a method or "SIP/" and
  // a space is enough; take_from_packet checks the whole line.
  std::string_view text = first.substr(2);
  std::size_t word = 0;
  while (word < text.size() && ((text[word] >= 'A' && text[word] <= 'Z') || text[word] == '/' ||
                                text[word] == '.' || (text[word] >= '0' && text[word] <= '9')))
    ++word;
  if (word < 3 || word >= text.size() || text[word] != ' ') return false;
  packet_line_ = lines_.number();
  packet_at_ = 0;
  const std::size_t width = first.size();
  packet_.assign(text);
  std::string_view raw;
  while (packet_.size() < kMessageCap * 4 && lines_.next(raw)) {
    if (!raw.starts_with("  ") || raw.size() > width || raw.size() < 3) {
      lines_.unread();
      break;
    }
    packet_.append(raw.substr(2));
    if (raw.size() < width) break;
  }
  while (!packet_.empty() && packet_.back() == ' ') packet_.pop_back();  // the padding
  return true;
}

// The next message of packet_ from packet_at_, where CR LF is "..": when a
// SIP start line is there, rebuilds the message with CR LF (headers to the
// first empty line, then Content-Length bytes of body, or the rest of the
// packet without one) into msg_, moves packet_at_ past it and returns true.
// Printable ".." in the text, or two bytes in a row that are not printable
// (UTF-8 in a display name), read as a line end: ngrep has lost the
// difference.
bool TextReader::take_from_packet(diag::Sink& sink) {
  std::string_view rest = std::string_view(packet_).substr(packet_at_);
  while (rest.starts_with(".."))  // line ends between messages (keepalives)
    rest.remove_prefix(2);
  const std::size_t first_end = rest.find("..");
  if (first_end == std::string_view::npos || !is_start_line(rest.substr(0, first_end))) {
    packet_at_ = packet_.size();
    return false;
  }
  msg_.clear();
  if (format_.empty()) format_ = "ngrep";
  bool in_headers = true, cut = false;
  long long length = -1, body = 0;
  while (!rest.empty() && !cut) {
    std::size_t end = rest.find("..");
    std::string_view part = rest.substr(0, end);
    // Without Content-Length the body runs to the next start line.
    if (!in_headers && length < 0 && is_start_line(part)) break;
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 2);
    if (in_headers) {
      cut = !append(part);
      if (part.empty()) {
        in_headers = false;
        if (length == 0) break;
      } else if (length < 0) {
        length = content_length(part);
      }
      continue;
    }
    if (end == std::string_view::npos) {
      // The body's last piece, without a line end of its own.
      cut = msg_.size() + part.size() > kMessageCap;
      if (!cut) msg_.append(part);
      body += static_cast<long long>(part.size());
    } else {
      cut = !append(part);
      body += static_cast<long long>(part.size()) + 2;
    }
    if (length >= 0 && body >= length) break;
  }
  packet_at_ = cut ? packet_.size() : packet_.size() - rest.size();
  if (in_headers && !cut) append({});  // the blank line the packet ends in
  warn_if_incomplete(sink, {name_, packet_line_}, cut, !in_headers && length > 0 && body < length,
                     body, length);
  return true;
}

void TextReader::read_message(std::string_view first, diag::Sink& sink) {
  msg_.clear();
  const std::uint32_t start = lines_.number();
  bool cut = !append(first);
  bool in_headers = true, prev_blank = false;
  long long length = -1;  // Content-Length, -1 while unknown
  long long body = 0;     // body bytes so far, CRLF counted after each line
  std::size_t body_end = 0;
  const bool fs = ctx_.active && ctx_.log.format == "freeswitch";
  std::string_view raw, line;
  while (!cut && lines_.next(raw)) {
    if (!cook(raw, line)) {
      lines_.unread();
      break;
    }
    LogLine log = read_log_line(raw);
    bool body_pending = !in_headers && length > 0 && body < length;
    if (log.kind == LogLine::Kind::announce ||
        (log.kind == LogLine::Kind::end && (!body_pending || log.strong || fs))) {
      lines_.unread();
      break;
    }
    if (!prefix_.empty()) {
      if (line.starts_with(prefix_)) line.remove_prefix(prefix_.size());
      else if (trim_blanks(line) == trim_blanks(prefix_)) line = {};
      else {
        lines_.unread();  // the quoted block is over
        break;
      }
    }
    if (in_headers) {
      if (line.empty()) {
        in_headers = false;
        cut = !append({});
        body_end = msg_.size();
        if (length == 0) break;
        continue;
      }
      if (is_start_line(line)) {  // the next message, with no blank line before it
        lines_.unread();
        break;
      }
      if (length < 0) length = content_length(line);
      cut = !append(line);
      continue;
    }
    if (length >= 0) {
      // A Content-Length too large for the body: a start line after a blank
      // line is the next message (a message/sipfrag body starts at once).
      if (prev_blank && body > 0 && is_start_line(line)) {
        lines_.unread();
        break;
      }
      cut = !append(line);
      body += static_cast<long long>(line.size()) + 2;
      prev_blank = line.empty();
      if (body >= length) break;
    } else {
      if (is_start_line(line)) {
        lines_.unread();
        break;
      }
      cut = !append(line);
      if (!line.empty()) body_end = msg_.size();
    }
  }
  // Without Content-Length, blank lines before the next message are not body.
  if (!cut && !in_headers && length < 0) msg_.resize(body_end);
  warn_if_incomplete(sink, {name_, start}, cut, !in_headers && length > 0 && body < length, body,
                     length);
}

}  // namespace

std::unique_ptr<Reader> open_text(std::FILE* file, std::string name, diag::Sink&) {
  return std::make_unique<TextReader>(file, std::move(name));
}

}  // namespace trunk::capture
