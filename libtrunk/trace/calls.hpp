// Calls in a trace: messages grouped by Call-ID, requests paired with their
// responses, an outcome per call and the status of each trunk as an
// operator knows it from PBX screens.
//
// A call's outcome comes from its first request's method and the final
// responses: an INVITE is answered, busy, no answer, cancelled,
// redirected or failed; a REGISTER is registered or its registration failed
// (authentication failed: 401/407 again after credentials, or 403;
// transport type inconsistent; rejected); anything else is answered or
// got no response. Calls in progress count against the trunk's limits:
// an INVITE that finds a trunk at its limit is "busy: maximum channels
// reached", as is a 486 or 503 answer. The tracker keeps one record per
// Call-ID (a few hundred bytes: methods and reason phrases are kept once
// for all calls) until the end of the trace.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sip/message.hpp"
#include "site/model.hpp"
#include "trace/match.hpp"

namespace trunk::trace {

enum class Outcome {
  in_progress,  // no final response yet
  answered,
  busy,
  no_answer,
  cancelled,
  redirected,
  failed,
  registered,
  auth_failed,
  transport_inconsistent,
  rejected,
  no_response,
};
std::string_view to_string(Outcome o);  // "answered", "auth-failed", ...

struct Call {
  std::string call_id;
  std::string_view method;  // the first request's (interned by the tracker)
  std::uint32_t trunk = kNone;   // site trunk index
  std::uint32_t tenant = kNone;  // site tenant index
  Direction direction = Direction::unknown;
  std::string route, destination, number;
  bool matched = true;       // the first request matched
  bool transport_problem = false;
  std::int64_t first_us = 0, last_us = 0;
  std::uint64_t first_frame = 0;
  std::uint32_t first_line = 0;
  std::uint32_t messages = 0;
  std::uint32_t challenges = 0;      // 401/407 answers
  bool credentials_sent = false;     // a request carried Authorization
  bool last_request_had_credentials = false;
  std::uint32_t last_cseq = 0;       // the last request's, to tell retransmissions
  std::string_view last_method;
  Endpoint last_src, last_dst;
  bool challenge_after_credentials = false;
  bool cancel_seen = false;
  bool bye_seen = false;
  bool ringing = false;              // 180/183 seen
  bool limit_reached = false;        // found its trunk at a limit
  std::string limit_note;
  bool active = false;               // counted against the trunk's limits
  int final_code = 0;                // the last final response to the first method
  std::string_view final_phrase;  // interned by the tracker
  int expires = -1;                  // REGISTER: granted

  Outcome outcome() const;
  // Busy because channels ran out (503, or a limit), not a callee's 486.
  bool busy_channels() const;
  // An outcome that fails the run (exit 1): failed, authentication failed,
  // transport type inconsistent, rejected, busy for lack of channels.
  bool failed() const;
  // What happened, in words: "answered (200 OK), ended by BYE".
  std::string describe() const;
};

struct TrunkStatus {
  std::uint32_t calls = 0, answered = 0, busy = 0, no_answer = 0, failed = 0;
  std::uint32_t channel_refusals = 0;  // 486/503 answers and limit hits
  std::uint32_t peak_inbound = 0, peak_outbound = 0, peak_total = 0;
  std::uint32_t active_inbound = 0, active_outbound = 0;
  bool registration_seen = false;
  Outcome registration = Outcome::in_progress;
  int registration_code = 0;
  int expires = -1;
  // "registered (expires 3600 s)", "registration failed: authentication
  // failed", "busy: maximum channels reached", "3 calls: 2 answered...".
  std::string describe(const site::Trunk& t) const;
};

class CallTracker {
 public:
  explicit CallTracker(const site::Site& site);

  // The call with this Call-ID, or null.
  Call* find(std::string_view call_id);
  // Whether a request belongs to an existing dialog or transaction of its
  // call (ACK, BYE, CANCEL, a request with a To tag...), so it inherits the
  // call's match.
  bool in_dialog(const sip::Message& m) const;
  // Records a request and its match; returns its call.
  Call& on_request(const sip::Message& m, const Captured& c, const Match& match);
  // Whether the request on_request() just recorded repeats the one before
  // it in its call (same CSeq and method): a retransmission.
  bool last_was_retransmission() const { return last_was_retransmission_; }
  // Records a response; returns its call, or null for an unknown Call-ID
  // (the request was not captured: a new call is opened for it).
  Call& on_response(const sip::Message& m, const Captured& c);

  // Calls in the order they first appeared.
  const std::deque<Call>& calls() const { return calls_; }
  // Each site trunk's status, with its calls counted by outcome.
  std::vector<TrunkStatus> trunk_status() const;

 private:
  Call& open(const std::string& call_id, const Captured& c);
  void count_in(Call& call);
  void count_out(Call& call);

  const site::Site* site_;
  // The same few words (methods, reason phrases) for every call, kept once.
  std::string_view intern(std::string_view word);

  std::deque<Call> calls_;  // a deque: the index below views their Call-IDs
  std::unordered_map<std::string_view, std::uint32_t> by_id_;
  std::unordered_set<std::string> words_;
  std::vector<TrunkStatus> trunks_;
  bool last_was_retransmission_ = false;
};

}  // namespace trunk::trace
