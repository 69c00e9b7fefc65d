// Calls and trunk status from a trace (see calls.hpp): the CallTracker
// groups messages into calls, times them out and counts them per trunk.
// What a call came to, and the words for it, are call_outcome.cpp's.
#include "trace/calls.hpp"

#include <algorithm>

#include "diag/diagnostic.hpp"
#include "text/ascii.hpp"

namespace trunk::trace {
namespace {

bool is_dialog_method(std::string_view m) {
  return m == "ACK" || m == "BYE" || m == "CANCEL" || m == "PRACK" || m == "UPDATE" ||
         m == "INFO";
}

// The idle timeouts, by where a call stands (see calls.hpp).
enum IdleClass : std::uint8_t { kTransaction, kSetup, kRegistration, kAnswered };
constexpr std::int64_t kTimeouts[] = {
    CallTracker::kTransactionTimeout, CallTracker::kSetupTimeout,
    CallTracker::kRegistrationTimeout, CallTracker::kAnsweredTimeout};

std::uint8_t idle_class_of(const Call& call) {
  if (call.bye_seen) return kTransaction;
  // First seen in the middle (the capture began after its INVITE): a
  // dialog that may last as long as an answered call.
  if (is_dialog_method(call.method)) return kAnswered;
  const int c = call.final_code;
  // A REGISTER's Call-ID comes back with each refresh.
  if (call.method == "REGISTER") return c ? kRegistration : call.responded ? kSetup : kTransaction;
  if (call.method == "INVITE" && c >= 200 && c < 300) return kAnswered;
  // Challenged: the client may come back with credentials, a person may
  // have to type them.
  if (c == 401 || c == 407) return kSetup;
  if (c >= 200) return kTransaction;  // over: only retransmissions and ACK may follow
  return call.responded ? kSetup : kTransaction;
}

// A closed or open call's part in its trunk's counts.
void count_outcome(std::vector<TrunkStatus>& trunks, const Call& call) {
  if (call.trunk == kNone || call.trunk >= trunks.size()) return;
  TrunkStatus& ts = trunks[call.trunk];
  if (call.method == "REGISTER") {
    if (call.outcome() == Outcome::no_response) ++ts.registers_unanswered;
    return;
  }
  if (call.method != "INVITE") return;
  ++ts.calls;
  if (call.busy_channels()) ++ts.channel_refusals;
  switch (call.outcome()) {
    case Outcome::answered: ++ts.answered; break;
    case Outcome::busy: ++ts.busy; break;
    case Outcome::no_answer:
    case Outcome::cancelled: ++ts.no_answer; break;
    case Outcome::no_response: ++ts.unanswered; break;
    case Outcome::in_progress:
    case Outcome::redirected: break;
    default: ++ts.failed; break;
  }
}

// Whether a final answer says channels ran out (see calls.hpp): a 486 or
// 503 whose reason phrase or Reason text names channels, a limit or a
// maximum, or whose Reason is Q.850 cause 34 (no circuit/channel
// available). Other codes do not: a 403 "limit" is a policy.
bool says_channels_ran_out(const sip::MessageView& m) {
  const int status = m.status();
  if (status != 486 && status != 503) return false;
  auto names_it = [](std::string_view words) {
    const std::string l = text::ascii_lower(words);
    return l.find("channel") != std::string::npos || l.find("limit") != std::string::npos ||
           l.find("maximum") != std::string::npos;
  };
  if (names_it(m.phrase())) return true;
  for (const auto& r : m.reasons()) {
    if (names_it(r.text)) return true;
    if (text::equal_ci(r.protocol, "Q.850") && r.cause == 34) return true;
  }
  return false;
}

}  // namespace

CallTracker::CallTracker(const site::Site& site, std::size_t max_calls)
    : site_(&site), trunks_(site.trunks.size()), max_calls_(std::max<std::size_t>(max_calls, 1)) {}

std::vector<TrunkStatus> CallTracker::trunk_status() const {
  std::vector<TrunkStatus> out = trunks_;
  for (const Call* call : held()) count_outcome(out, *call);
  return out;
}

std::string_view CallTracker::key_of(std::string_view call_id, KeyBuffer& buf) {
  if (call_id.size() <= kMaxCallIdBytes) return call_id;
  // FNV-1a: the same key on every run and every machine.
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : call_id) {
    h ^= ch;
    h *= 0x100000001b3ull;
  }
  // Both ends: the random part and the host are each at one of them.
  constexpr std::size_t kEnd = (kMaxCallIdBytes - 3 - 1 - 16) / 2;
  char* out = buf.data();
  out = std::copy_n(call_id.data(), kEnd, out);
  out = std::copy_n("...", 3, out);
  out = std::copy_n(call_id.data() + call_id.size() - kEnd, kEnd, out);
  *out++ = '#';
  for (int shift = 60; shift >= 0; shift -= 4) *out++ = "0123456789abcdef"[(h >> shift) & 15];
  return {buf.data(), static_cast<std::size_t>(out - buf.data())};
}

std::string CallTracker::call_key(std::string_view call_id) {
  KeyBuffer buf;
  return std::string(key_of(call_id, buf));
}

std::string_view CallTracker::intern(std::string_view word) {
  if (word.size() > kMaxWordBytes) word = word.substr(0, kMaxWordBytes);
  auto it = words_.find(word);
  if (it != words_.end()) return *it;
  // Traces can make up words without end; past the cap they are not kept.
  if (words_.size() >= kMaxWords) return "(not kept)";
  return *words_.emplace(word).first;
}

const CallTracker::Calls::iterator* CallTracker::lookup_key(std::string_view key) const {
  if (last_found_ && (*last_found_)->call_id == key) return last_found_;
  auto it = by_id_.find(key);
  if (it == by_id_.end()) return nullptr;
  last_found_ = &it->second;
  return last_found_;
}

const CallTracker::Calls::iterator* CallTracker::lookup(std::string_view call_id) const {
  KeyBuffer buf;
  return lookup_key(key_of(call_id, buf));
}

Call* CallTracker::find(std::string_view call_id) {
  auto* it = lookup(call_id);
  return it ? &**it : nullptr;
}

bool CallTracker::in_dialog(const sip::MessageView& m) const {
  if (!lookup(m.call_id())) return false;
  return m.to_has_tag() || is_dialog_method(m.method());
}

std::vector<const Call*> CallTracker::held() const {
  std::vector<const Call*> out;
  out.reserve(by_id_.size());
  for (const Calls& list : lists_)
    for (const Call& call : list) out.push_back(&call);
  std::sort(out.begin(), out.end(),
            [](const Call* a, const Call* b) { return a->order < b->order; });
  return out;
}

CallTracker::Calls* CallTracker::first_to_time_out() {
  Calls* first = nullptr;
  std::int64_t deadline = 0;
  for (int k = 0; k < kClasses; ++k) {
    if (lists_[k].empty()) continue;
    const std::int64_t d = lists_[k].front().touched_us + kTimeouts[k];
    if (!first || d < deadline) {
      first = &lists_[k];
      deadline = d;
    }
  }
  return first;
}

void CallTracker::advance(std::int64_t time_us) {
  now_ = std::max(now_, time_us);
  while (Calls* list = first_to_time_out()) {
    const Call& call = list->front();
    if (now_ - call.touched_us <= kTimeouts[call.idle_class]) break;
    close(*list, list->begin());
  }
}

void CallTracker::finish() {
  std::vector<std::pair<Calls*, Calls::iterator>> open;
  open.reserve(by_id_.size());
  for (Calls& list : lists_)
    for (auto it = list.begin(); it != list.end(); ++it) open.emplace_back(&list, it);
  std::sort(open.begin(), open.end(),
            [](const auto& a, const auto& b) { return a.second->order < b.second->order; });
  for (auto& [list, it] : open) close(*list, it);
}

void CallTracker::close(Calls& list, Calls::iterator it) {
  count_out(*it);
  count_outcome(trunks_, *it);
  if (on_close_) on_close_(*it);
  last_found_ = nullptr;
  by_id_.erase(std::string_view(it->call_id));
  list.erase(it);
}

CallTracker::Calls::iterator CallTracker::open(std::string_view call_id,
                                               const capture::Captured& c) {
  KeyBuffer buf;
  const std::string_view key = key_of(call_id, buf);
  if (auto* it = lookup_key(key)) return *it;
  if (by_id_.size() >= max_calls_) {
    Calls* list = first_to_time_out();
    close(*list, list->begin());
    ++closed_early_;
  }
  Calls& list = lists_[kTransaction];
  Call& call = list.emplace_back();
  call.call_id = key;
  call.order = opened_++;
  call.first_us = c.time_us;
  call.first_frame = c.frame;
  call.first_line = c.line;
  call.touched_us = now_;
  call.idle_class = kTransaction;
  by_id_.emplace(call.call_id, std::prev(list.end()));
  return std::prev(list.end());
}

void CallTracker::touch(Calls::iterator it) {
  const std::uint8_t k = idle_class_of(*it);
  it->touched_us = now_;
  lists_[k].splice(lists_[k].end(), lists_[it->idle_class], it);
  it->idle_class = k;
}

void CallTracker::count_in(Call& call) {
  if (call.trunk == kNone || call.active) return;
  call.active = true;
  TrunkStatus& ts = trunks_[call.trunk];
  const site::Limits& lim = site_->trunks[call.trunk].limits;
  const bool inbound = call.direction == Direction::from_trunk;
  std::uint32_t& dir = inbound ? ts.active_inbound : ts.active_outbound;
  const std::uint32_t total = ts.active_inbound + ts.active_outbound;
  const site::Field<std::int64_t>& dir_limit = inbound ? lim.inbound : lim.outbound;
  const std::string& name = site_->trunks[call.trunk].name.value;
  if (dir_limit.present && dir >= dir_limit.value) {
    call.limit_reached = true;
    call.limit_note = "trunk " + diag::quoted(name) + " already had " + std::to_string(dir) +
                      (inbound ? " inbound" : " outbound") + " calls, its limits." +
                      (inbound ? "inbound" : "outbound") + " is " + std::to_string(dir_limit.value);
  } else if (lim.total.present && total >= lim.total.value) {
    call.limit_reached = true;
    call.limit_note = "trunk " + diag::quoted(name) + " already had " + std::to_string(total) +
                      " calls, its limits.total is " + std::to_string(lim.total.value);
  }
  ++dir;
  ts.peak_inbound = std::max(ts.peak_inbound, ts.active_inbound);
  ts.peak_outbound = std::max(ts.peak_outbound, ts.active_outbound);
  ts.peak_total = std::max(ts.peak_total, ts.active_inbound + ts.active_outbound);
}

void CallTracker::count_out(Call& call) {
  if (!call.active) return;
  call.active = false;
  TrunkStatus& ts = trunks_[call.trunk];
  std::uint32_t& dir = call.direction == Direction::from_trunk ? ts.active_inbound
                                                               : ts.active_outbound;
  if (dir) --dir;
}

Call& CallTracker::on_request(const sip::MessageView& m, const capture::Captured& c,
                              const Match& match) {
  const auto it = open(m.call_id(), c);
  record_request(*it, m, c, match);
  touch(it);
  return *it;
}

Call& CallTracker::on_response(const sip::MessageView& m, const capture::Captured& c) {
  const auto it = open(m.call_id(), c);
  record_response(*it, m, c);
  touch(it);
  return *it;
}

void CallTracker::record_request(Call& call, const sip::MessageView& m, const capture::Captured& c,
                                 const Match& match) {
  const std::string_view method = m.method();
  ++call.messages;
  const std::uint32_t cseq = m.cseq_number();
  // The same request on the same hop; a proxy's copy on the next hop is
  // not a retransmission.
  last_was_retransmission_ = call.messages > 1 && cseq == call.last_cseq &&
                             method == call.last_method && method != "ACK" &&
                             c.src == call.last_src && c.dst == call.last_dst;
  call.last_cseq = cseq;
  call.last_method = intern(method);
  call.last_src = c.src;
  call.last_dst = c.dst;
  call.last_us = c.time_us;
  if (call.method.empty() || (call.method == "ACK" && method != "ACK")) {
    call.method = intern(method);
    call.trunk = match.trunk;
    call.tenant = match.tenant;
    call.direction = match.direction;
    call.route = match.route;
    call.destination = match.destination;
    call.matched = match.matched();
    for (const auto& p : match.problems)
      if (p.rfind("transport type inconsistent", 0) == 0) call.transport_problem = true;
  }  // a retry (with credentials) keeps the first request's decision
  if (method == call.method) {
    if (m.has_credentials()) call.credentials_sent = true;
    call.last_request_had_credentials = m.has_credentials();
  }
  if (method == "CANCEL") call.cancel_seen = true;
  if (method == "BYE") {
    call.bye_seen = true;
    count_out(call);
  }
  if (method == "INVITE" && call.method == "INVITE" && !m.to_has_tag() &&
      !last_was_retransmission_)
    count_in(call);
}

void CallTracker::record_response(Call& call, const sip::MessageView& m, const capture::Captured& c) {
  ++call.messages;
  call.last_us = c.time_us;
  const std::string_view cseq_method = m.cseq_method();
  if (call.method.empty()) call.method = intern(cseq_method);  // the request was not captured
  const int status = m.status();
  if (cseq_method != call.method) return;
  call.responded = true;
  if (status < 200) {
    if (status == 180 || status == 183) call.ringing = true;
    return;
  }
  if (status == 401 || status == 407) {
    ++call.challenges;
    // Answering a request that carried credentials, a challenge means they
    // were refused, unless it only says the nonce went stale.
    if (call.last_request_had_credentials && !m.challenge_is_stale())
      call.challenge_after_credentials = true;
  }
  // Retransmitted finals and the answer to a retry both land here; the
  // last one seen is the outcome.
  call.final_code = status;
  call.final_phrase = intern(m.phrase());
  call.answer_says_limit = says_channels_ran_out(m);
  if (call.method == "REGISTER" && status >= 200 && status < 300) call.expires = m.expires();
  if (call.method == "INVITE" && status >= 300) count_out(call);

  if (call.trunk != kNone) {
    TrunkStatus& ts = trunks_[call.trunk];
    if (call.method == "REGISTER") {
      ts.registration_seen = true;
      ts.registration = call.outcome();
      ts.registration_code = status;
      ts.expires = call.expires;
    }
  }
}

}  // namespace trunk::trace
