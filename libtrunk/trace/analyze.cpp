// One pass over a trace (see analyze.hpp).
#include "trace/analyze.hpp"

#include "sip/malformed.hpp"

namespace trunk::trace {

Analyzer::Analyzer(const site::Site& site, const route::Router& router, std::size_t max_calls)
    : matcher_(site, router), calls_(site, max_calls), max_calls_(max_calls) {}

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
  out = MessageReport{};
  out.index = ++messages_;
  std::string error;
  auto parsed = sip::Message::parse(c.bytes, error);
  out.faults = sip::start_line_faults(c.bytes);
  if (!parsed) {
    ++not_sip_;
    out.parse_error = error;
    return;
  }
  const sip::Message& m = *parsed;
  out.parsed = true;
  out.request = m.is_request();
  out.call_id = m.call_id();
  out.cseq_method = m.cseq_method();
  out.from_host = m.from_host_lenient();
  out.malformed = sip::header_faults(m, c.bytes);
  for (auto& f : m.message_faults()) out.faults.push_back(std::move(f));
  if (out.request) {
    ++requests_;
    out.method = m.method();
    const sip::Uri u = m.request_uri();
    out.request_uri = u.scheme + ":" + (u.user.empty() ? "" : u.user + (u.host.empty() ? "" : "@")) +
                      u.host + (u.port.empty() ? "" : ":" + u.port);
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
