// One pass over a trace (see analyze.hpp).
#include "trace/analyze.hpp"

#include <cstdlib>
#include <string_view>

#include "sip/malformed.hpp"
#include "sip/scanner.hpp"

namespace trunk::trace {

Analyzer::Analyzer(const site::Site& site, const route::Router& router, std::size_t max_calls)
    : matcher_(site, router), calls_(site, max_calls), max_calls_(max_calls) {
  const char* full = std::getenv("TRUNK_TRACE_FULL_PARSE");
  full_parse_ = full && std::string_view(full) == "1";
}

void Analyzer::finish(diag::Sink& warnings, const diag::FilePath& file) {
  calls_.finish();
  if (const std::uint64_t early = calls_.closed_early()) {
    diag::SourceRegion where;
    where.file = file;
    warnings.warning("trace-calls-limit",
                     std::to_string(early) + (early == 1 ? " call" : " calls") +
                         " closed early: more than " + std::to_string(max_calls_) +
                         " calls were open at once, and those nearest their idle timeout made "
                         "room; their outcomes are what had been seen by then",
                     where);
  }
}

void Analyzer::process(const capture::Captured& c, MessageReport& out) {
  // Calls that timed out before this message close first; the previous
  // message's call may be among them.
  calls_.advance(c.time_us);
  out.index = ++messages_;
  out.parse_error.clear();
  out.method = out.phrase = out.cseq_method = out.call_id = out.from_host = {};
  out.request_uri.clear();
  out.status = 0;
  out.request = false;
  out.in_dialog = out.retransmission = false;
  out.match = Match{};
  out.malformed.clear();
  out.faults.clear();
  out.call = nullptr;
  parsed_.reset();
  const sip::MessageView& m = view_;
  if (full_parse_ || !sip::scan(c.bytes, view_)) {
    // Suspect, or not understood: sofia-sip's parse and every fault check.
    parsed_ = sip::Message::parse(c.bytes, out.parse_error);
    out.faults = sip::start_line_faults(c.bytes);
    if (!parsed_) {
      ++not_sip_;
      out.parsed = false;
      return;
    }
    parsed_->fill_view(view_);
    out.malformed = sip::header_faults(*parsed_, c.bytes);
    for (auto& f : parsed_->message_faults()) out.faults.push_back(std::move(f));
  } else {
    ++scanned_;  // plain: no faults to find
  }
  out.parsed = true;
  out.request = m.is_request();
  out.call_id = m.call_id();
  out.cseq_method = m.cseq_method();
  out.from_host = m.from_host_lenient();
  if (out.request) {
    ++requests_;
    out.method = m.method();
    const sip::UriView& u = m.request_uri();
    out.request_uri.append(u.scheme).append(":");
    if (!u.user.empty()) out.request_uri.append(u.user).append(u.host.empty() ? "" : "@");
    out.request_uri.append(u.host);
    if (!u.port.empty()) out.request_uri.append(":").append(u.port);
    out.in_dialog = calls_.in_dialog(m);
    out.match = matcher_.match_request(m, c, out.in_dialog);
    if (out.in_dialog) {
      // The dialog's decision was made by the call's first request; this
      // one only needs to belong to it.
      if (const Call* call = calls_.find(out.call_id)) {
        if (out.match.trunk == kNone && out.match.tenant == kNone) {
          out.match.problems.clear();
          out.match.trunk = call->trunk;
          out.match.tenant = call->tenant;
          out.match.direction = call->direction;
          out.match.trunk_by = "its call";
        }
      }
    }
    out.call = &calls_.on_request(m, c, out.match);
    out.retransmission = calls_.last_was_retransmission();
  } else {
    ++responses_;
    out.status = m.status();
    out.phrase = m.phrase();
    const Call& call = calls_.on_response(m, c);
    out.call = &call;
    out.match.trunk = call.trunk;
    out.match.tenant = call.tenant;
    out.match.direction = call.direction;
  }
}

}  // namespace trunk::trace
