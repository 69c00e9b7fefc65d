// Calls in a trace: messages grouped by Call-ID, requests paired with their
// responses, an outcome per call and the status of each trunk as an
// operator knows it from PBX screens.
//
// A call's outcome comes from its first request's method and the final
// responses: an INVITE is answered, busy, no answer, cancelled,
// redirected, failed, or unanswered (no response at all); a REGISTER is
// registered or its registration failed, judged and worded by
// sip::register_status() as `trunkctl register-test` judges it (a 403 to
// the first REGISTER is rejected, after credentials authentication
// failed), plus transport type inconsistent and a challenge never
// answered; anything else is answered or got no response.
//
// Calls in progress count against the trunk's limits. "busy: maximum
// channels reached" takes both sides: the INVITE found its trunk at a
// limit (as many calls in progress in the trace as a limits.inbound,
// outbound or total of the site), and the answer says channels ran out (a
// 486 or 503 whose reason phrase or Reason header text says "channel",
// "limit" or "maximum", or a Reason of Q.850 cause 34, no circuit/channel
// available). A 486 alone is the callee's "busy", a 503 alone "failed".
//
// Memory is bounded whatever the length of the trace: the tracker holds a
// call only until it is over, then hands it to the close handler and
// forgets it, its outcome added to its trunk's counts. A call is closed
// when it has had no message for an idle timeout of capture time that
// depends on where it stands (32 s once over or while its request has had
// no answer at all, as long as a transaction lives; 5 minutes while it
// rings or waits for credentials; an hour for a REGISTER's Call-ID, reused
// by the refreshes; 4 hours while answered), when more than kMaxCalls are
// open (the one closest to its timeout goes first), or at the end of the
// trace. One call holds a few hundred bytes: a Call-ID longer than
// kMaxCallIdBytes is kept shortened, methods and reason phrases are kept
// once for all calls, up to kMaxWords of them. The tracker is calls.cpp;
// the outcomes and their words are call_outcome.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <functional>
#include <list>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "capture/reader.hpp"
#include "sip/message_view.hpp"
#include "site/model.hpp"
#include "trace/match.hpp"

namespace trunk::trace {

enum class Outcome {
  in_progress,  // provisional responses only
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
  // The Call-ID; one longer than CallTracker::kMaxCallIdBytes is kept as its
  // two ends and a hash of the whole (see CallTracker::call_key).
  std::string call_id;
  std::string_view method;  // the first request's (interned by the tracker)
  std::uint32_t trunk = kNone;   // site trunk index
  std::uint32_t tenant = kNone;  // site tenant index
  Direction direction = Direction::unknown;
  std::string route, destination;
  bool matched = true;       // the first request matched
  bool transport_problem = false;
  std::int64_t first_us = 0, last_us = 0;
  std::uint64_t first_frame = 0;
  std::uint64_t order = 0;           // 0 for the first call the tracker opened, 1 for the next...
  std::uint32_t first_line = 0;
  std::uint32_t messages = 0;
  std::uint32_t challenges = 0;      // 401/407 answers
  bool credentials_sent = false;     // a request carried Authorization
  bool last_request_had_credentials = false;
  std::uint32_t last_cseq = 0;       // the last request's, to tell retransmissions
  std::string_view last_method;
  capture::Endpoint last_src, last_dst;
  bool challenge_after_credentials = false;
  bool cancel_seen = false;
  bool bye_seen = false;
  bool ringing = false;              // 180/183 seen
  bool responded = false;            // any response to the first method seen
  bool limit_reached = false;        // found its trunk at a limit
  std::string limit_note;
  bool answer_says_limit = false;    // the final answer says channels ran out
  bool active = false;               // counted against the trunk's limits
  int final_code = 0;                // the last final response to the first method
  std::string_view final_phrase;  // interned by the tracker
  int expires = -1;                  // REGISTER: granted
  // The tracker's bookkeeping: its clock at the call's last message, and
  // which idle timeout applies.
  std::int64_t touched_us = 0;
  std::uint8_t idle_class = 0;

  Outcome outcome() const;
  // Busy because channels ran out: the trunk at its limit in the trace and
  // a 486/503 answer that says so (see the top of this file).
  bool busy_channels() const;
  // An outcome that fails the run (exit 1): failed, authentication failed,
  // transport type inconsistent, rejected, busy for lack of channels.
  bool failed() const;
  // What happened, in words: "answered (200 OK), ended by BYE".
  std::string describe() const;
};

struct TrunkStatus {
  std::uint32_t calls = 0, answered = 0, busy = 0, no_answer = 0, failed = 0;
  std::uint32_t unanswered = 0;        // INVITEs with no response at all
  std::uint32_t channel_refusals = 0;  // calls busy for lack of channels (busy_channels)
  std::uint32_t registers_unanswered = 0;  // REGISTER calls with no response at all
  std::uint32_t peak_inbound = 0, peak_outbound = 0, peak_total = 0;
  std::uint32_t active_inbound = 0, active_outbound = 0;
  bool registration_seen = false;
  Outcome registration = Outcome::in_progress;
  int registration_code = 0;
  int expires = -1;
  // "registered (expires 3600 s)", "registration failed: authentication
  // failed", "registration failed: no response to 2 REGISTERs", "busy:
  // maximum channels reached", "3 calls: 2 answered...".
  std::string describe(const site::Trunk& t) const;
};

class CallTracker {
 public:
  // What the tracker holds at most; the man page gives the same figures.
  static constexpr std::size_t kMaxCalls = 100'000;      // open at once
  static constexpr std::size_t kMaxCallIdBytes = 256;    // of one Call-ID
  static constexpr std::size_t kMaxWords = 1024;         // methods and reason phrases
  static constexpr std::size_t kMaxWordBytes = 64;       // of one of them
  // Idle timeouts, in microseconds of capture time.
  static constexpr std::int64_t kTransactionTimeout = 32'000'000;  // 64 x T1
  static constexpr std::int64_t kSetupTimeout = 300'000'000;
  static constexpr std::int64_t kRegistrationTimeout = 3'600'000'000;
  static constexpr std::int64_t kAnsweredTimeout = 14'400'000'000;

  // `max_calls` other than kMaxCalls is for tests.
  explicit CallTracker(const site::Site& site, std::size_t max_calls = kMaxCalls);

  // Called with each call as it is closed, just before the tracker forgets
  // it; the Call is valid only during the call. Without a handler, closed
  // calls are only counted.
  using CloseHandler = std::function<void(const Call&)>;
  void on_close(CloseHandler handler) { on_close_ = std::move(handler); }

  // Moves the tracker's clock to `time_us` (never back: the clock is the
  // latest capture time seen) and closes the calls whose idle timeout has
  // passed, the one that timed out first first. A trace without times
  // (time 0) never times out; kMaxCalls still bounds it.
  void advance(std::int64_t time_us);
  // Closes every call still open, in the order they started.
  void finish();

  // The call with this Call-ID, or null. Valid until the next advance(),
  // on_request(), on_response() or finish().
  Call* find(std::string_view call_id);
  // Whether a request belongs to an existing dialog or transaction of its
  // call (ACK, BYE, CANCEL, a request with a To tag...), so it inherits the
  // call's match.
  bool in_dialog(const sip::MessageView& m) const;
  // Records a request and its match; returns its call.
  Call& on_request(const sip::MessageView& m, const capture::Captured& c, const Match& match);
  // Whether the request on_request() just recorded repeats the one before
  // it in its call (same CSeq and method): a retransmission.
  bool last_was_retransmission() const { return last_was_retransmission_; }
  // Records a response; returns its call (for an unknown Call-ID the
  // request was not captured: a new call is opened for it).
  Call& on_response(const sip::MessageView& m, const capture::Captured& c);

  // The calls open now, in the order they started.
  std::vector<const Call*> held() const;
  // Calls opened since the start, and those closed early because more
  // than kMaxCalls (max_calls) were open.
  std::uint64_t opened() const { return opened_; }
  std::uint64_t closed_early() const { return closed_early_; }
  // Each site trunk's status, with every call counted by outcome: those
  // closed and those still open.
  std::vector<TrunkStatus> trunk_status() const;

  // The key a Call-ID is filed under: itself up to kMaxCallIdBytes, else its
  // first 118 bytes, "...", its last 118, "#" and 16 hex digits of a hash
  // (FNV-1a) of the whole: kMaxCallIdBytes in all.
  static std::string call_key(std::string_view call_id);

 private:
  using KeyBuffer = std::array<char, kMaxCallIdBytes>;
  // call_key() without allocating: the Call-ID itself, or its key written
  // into `buf`. Every message looks its call up once or twice, so the key
  // is made where it is needed, on the stack.
  static std::string_view key_of(std::string_view call_id, KeyBuffer& buf);
  using Calls = std::list<Call>;
  static constexpr int kClasses = 4;

  Calls::iterator open(std::string_view call_id, const capture::Captured& c);
  void record_request(Call& call, const sip::MessageView& m, const capture::Captured& c,
                      const Match& match);
  void record_response(Call& call, const sip::MessageView& m, const capture::Captured& c);
  void count_in(Call& call);
  void count_out(Call& call);
  // Files the call again after a message: its clock and idle timeout.
  void touch(Calls::iterator it);
  // The list whose front times out first, or null when no call is open.
  Calls* first_to_time_out();
  // Counts the call in, hands it to the handler and forgets it.
  void close(Calls& list, Calls::iterator it);
  const Calls::iterator* lookup(std::string_view call_id) const;
  const Calls::iterator* lookup_key(std::string_view key) const;

  const site::Site* site_;
  // The same few words (methods, reason phrases) for every call, kept once.
  std::string_view intern(std::string_view word);

  // Open calls, one list per idle timeout, each in the order of its calls'
  // last message: the front times out first. A call moves (splice) to the
  // back of its list at each message.
  Calls lists_[kClasses];
  std::unordered_map<std::string_view, Calls::iterator> by_id_;  // views Call::call_id
  // The entry of by_id_ the last lookup found, or null: a request looks its
  // call up two or three times (in_dialog, find, on_request), and each
  // lookup in a table of thousands of calls is a cache miss or two.
  // Forgotten when a call closes.
  mutable const Calls::iterator* last_found_ = nullptr;
  // Looked up by string_view, so that finding a word allocates nothing.
  struct WordHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, WordHash, std::equal_to<>> words_;
  std::vector<TrunkStatus> trunks_;  // closed calls counted in
  CloseHandler on_close_;
  std::int64_t now_ = 0;
  std::size_t max_calls_;
  std::uint64_t opened_ = 0, closed_early_ = 0;
  bool last_was_retransmission_ = false;
};

}  // namespace trunk::trace
