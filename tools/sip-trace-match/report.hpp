// sip-trace-match's report: a line (or JSON line) per message, then the
// calls, the trunks and a summary. Filters decide which messages and calls
// are shown; the exit code follows what is shown.
#pragma once

#include <iosfwd>
#include <string>
#include <unordered_set>

#include "cli/common.hpp"
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
  Report(const trunk::site::Site& site, const Filters& filters, trunk::cli::Format format,
         std::string input, std::ostream& out);

  // Prints one message when the filters let it through.
  void message(const trunk::trace::Captured& c, const trunk::trace::MessageReport& r);
  // The calls, trunks, reader warnings and summary; returns the exit code.
  int finish(const trunk::trace::Analyzer& a, std::string_view format_name,
             const trunk::diag::Sink& warnings);

 private:
  bool shown(const trunk::trace::MessageReport& r) const;
  std::string trunk_name(std::uint32_t i) const;
  std::string tenant_name(std::uint32_t i) const;
  void message_text(const trunk::trace::Captured& c, const trunk::trace::MessageReport& r);
  void message_json(const trunk::trace::Captured& c, const trunk::trace::MessageReport& r);

  const trunk::site::Site& site_;
  Filters filters_;
  trunk::cli::Format format_;
  std::string input_;
  std::ostream& out_;
  std::unordered_set<std::string> shown_calls_;
  std::uint64_t shown_ = 0, unmatched_ = 0, malformed_ = 0, not_sip_ = 0;
};

}  // namespace sip_trace_match
