// sip-trace-match's report: a line (or JSON line) per message, then the
// calls, the trunks and a summary. Filters decide which messages and calls
// are shown; the exit code follows what is shown. Calls arrive as they
// close, while messages are still being printed: they are set aside in a
// spool (bounded memory) and printed after the messages, in the order they
// closed. Text output escapes every control character taken from a trace.
// Lines are written into one buffer, with no string per line, and handed to
// the stream a megabyte at a time: on a capture of SIP only, writing the
// report was about 40% of the tool's time.
#pragma once

#include <iosfwd>
#include <string>
#include <unordered_set>

#include "capture/reader.hpp"
#include "cli/common.hpp"
#include "diag/json.hpp"
#include "io/spool.hpp"
#include "trace/analyze.hpp"

namespace sip_trace_match {

struct Filters {
  std::string call_id, method, trunk;
  bool unmatched = false;
  bool summary_only = false;  // no line per message
  bool any() const { return !call_id.empty() || !method.empty() || !trunk.empty() || unmatched; }
};

class Report {
 public:
  // `tables` (compiled from `site`) renders trunkd's decisions.
  Report(const trunk::site::Site& site, const trunk::tables::Tables& tables,
         const Filters& filters, trunk::cli::Format format, std::string input, std::ostream& out);

  // Prints one message when the filters let it through.
  void message(const trunk::capture::Captured& c, const trunk::trace::MessageReport& r);
  // Sets a closed call aside when the filters let it through (one of its
  // messages was shown, or there are no filters).
  void call(const trunk::trace::Call& call);
  // The calls, trunks, reader warnings and summary, once the analyzer has
  // finished; returns the exit code.
  int finish(const trunk::trace::Analyzer& a, std::string_view format_name,
             const trunk::diag::Sink& warnings);

 private:
  bool shown(const trunk::trace::MessageReport& r) const;
  std::string_view trunk_name(std::uint32_t i) const;
  std::string_view tenant_name(std::uint32_t i) const;
  void message_text(const trunk::capture::Captured& c, const trunk::trace::MessageReport& r);
  void match_text(const trunk::trace::MessageReport& r);
  void message_json(const trunk::capture::Captured& c, const trunk::trace::MessageReport& r);
  // One line of text output (`text` then `more`), its control characters
  // escaped.
  void line(std::string_view text, std::string_view more = {});
  // Ends the line written into buf_ from `start` on: escapes its control
  // characters (when it has any) and adds the newline.
  void end_line(std::size_t start);
  // "10:01:02.123456" (UTC) appended to `out`; nothing when us <= 0.
  void append_time(std::string& out, std::int64_t us);
  // Hands buf_ to the stream once it is large (or always, with `all`).
  void flush(bool all);
  // The parts of finish(), in the order they are printed.
  void print_trunks(const trunk::trace::Analyzer& a);
  void print_warnings(const trunk::diag::Sink& warnings);
  void print_summary(const trunk::trace::Analyzer& a, std::string_view format_name,
                     const trunk::diag::Sink& warnings, int code);

  const trunk::site::Site& site_;
  const trunk::tables::Tables& tables_;
  Filters filters_;
  trunk::cli::Format format_;
  std::string input_;
  std::ostream& out_;
  std::string buf_;           // text not yet handed to out_
  std::string scratch_;       // a call's line, a line being escaped
  trunk::diag::JsonWriter json_;  // reused for each message
  // The time of day of second_ ("10:01:02."): messages come many to a
  // second, and gmtime_r and snprintf for each were a visible cost.
  std::int64_t second_ = -1;
  char second_text_[16] = {};
  // With filters: the open calls one of whose messages was shown.
  std::unordered_set<const trunk::trace::Call*> shown_calls_;
  trunk::io::Spool calls_;
  std::uint64_t shown_ = 0, unmatched_ = 0, malformed_ = 0, not_sip_ = 0;
  std::uint64_t calls_shown_ = 0, calls_failed_ = 0;
};

}  // namespace sip_trace_match
