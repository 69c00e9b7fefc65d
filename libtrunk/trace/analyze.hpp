// One pass over a trace: each message parsed (sofia-sip), each request
// matched against the site, every message filed under its call.
//
// The Analyzer is what sip-trace-match, its tests and its benchmark share:
// the tool prints what process() reports, the calls and the trunks' status.
// A message sofia-sip cannot read at all is reported (not_sip) and skipped;
// a malformed header is listed with what is wrong with it and the rest of
// the message is still matched. Calls are handed out as they close (see
// calls.hpp), so a whole trace never sits in memory. Getting the messages
// out of a capture or a log is capture/'s job (capture/reader.hpp): trace/
// starts from a capture::Captured and never looks at frames or log lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/reader.hpp"
#include "diag/diagnostic.hpp"
#include "route/router.hpp"
#include "sip/malformed.hpp"
#include "sip/message.hpp"
#include "sip/message_view.hpp"
#include "site/model.hpp"
#include "trace/calls.hpp"
#include "trace/match.hpp"

namespace trunk::trace {

// A header with a fault: its name and text as written, and what is wrong
// ("'<' is never closed by '>'"); see sip::header_faults().
using MalformedHeader = sip::HeaderFault;

// What process() found about one message. The views point into the
// message's bytes or into the Analyzer's parse of it: valid until the next
// process() and while the capture's bytes live; nothing of them is
// allocated for a plain message.
struct MessageReport {
  std::uint64_t index = 0;   // 1-based, over the whole trace
  bool parsed = false;       // false: not a SIP message at all
  std::string parse_error;
  bool request = false;
  std::string_view method;   // requests
  int status = 0;            // responses
  std::string_view phrase;
  std::string_view cseq_method;
  std::string_view call_id;
  std::string request_uri;   // "sip:+14155550142@pbx.example"
  std::string_view from_host;
  bool in_dialog = false;    // requests: inherits its call's match
  bool retransmission = false;  // requests: the same CSeq and method again
  Match match;               // requests; responses get their call's trunk
  std::vector<MalformedHeader> malformed;
  std::vector<std::string> faults;  // of the message as a whole (sip::Message::message_faults)
  const Call* call = nullptr;  // valid until the next process() or finish()
  // A request that matched no trunk or tenant, or failed a step. Requests
  // inside a dialog are the call's first request's business: they count
  // only for problems of their own (a transport that does not fit).
  bool unmatched() const {
    if (!request || !parsed) return false;
    if (in_dialog) return !match.problems.empty() && match.trunk_or_tenant_known();
    return !match.matched();
  }
};

class Analyzer {
 public:
  // `site` and `router` must outlive the Analyzer. `max_calls` other than
  // CallTracker::kMaxCalls is for tests.
  Analyzer(const site::Site& site, const route::Router& router,
           std::size_t max_calls = CallTracker::kMaxCalls);

  // Whether every message goes through sofia-sip's full parse, the lean
  // scanner (sip/scanner.hpp) left out. Off by default; on when the
  // environment sets TRUNK_TRACE_FULL_PARSE=1 at construction, which the
  // differential test uses to compare both paths' output.
  void set_full_parse(bool on) { full_parse_ = on; }
  bool full_parse() const { return full_parse_; }
  // Messages the scanner read without the full parse.
  std::uint64_t scanned() const { return scanned_; }

  // Calls closed by process() (those that timed out, in capture time,
  // before this message) and by finish() go to `handler`.
  void on_call_closed(CallTracker::CloseHandler handler) { calls_.on_close(std::move(handler)); }
  void process(const capture::Captured& c, MessageReport& out);
  // The end of the trace: closes the calls still open, in the order they
  // started, and warns in `warnings` (about `file`) when calls had to be
  // closed early because too many were open at once.
  void finish(diag::Sink& warnings, const diag::FilePath& file);

  const CallTracker& calls() const { return calls_; }
  const Matcher& matcher() const { return matcher_; }
  std::uint64_t messages() const { return messages_; }
  std::uint64_t requests() const { return requests_; }
  std::uint64_t responses() const { return responses_; }
  std::uint64_t not_sip() const { return not_sip_; }

 private:
  Matcher matcher_;
  CallTracker calls_;
  std::size_t max_calls_;
  std::uint64_t messages_ = 0, requests_ = 0, responses_ = 0, not_sip_ = 0, scanned_ = 0;
  bool full_parse_ = false;
  // The message being reported: scanned, or parsed (then `parsed_` holds
  // it until the next process(), for the report's views).
  sip::MessageView view_;
  std::optional<sip::Message> parsed_;
};

}  // namespace trunk::trace
