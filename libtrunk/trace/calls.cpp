// Calls and trunk status from a trace (see calls.hpp).
#include "trace/calls.hpp"

#include "diag/diagnostic.hpp"

namespace trunk::trace {
namespace {

bool is_dialog_method(std::string_view m) {
  return m == "ACK" || m == "BYE" || m == "CANCEL" || m == "PRACK" || m == "UPDATE" ||
         m == "INFO";
}

std::string code_text(int code, std::string_view phrase) {
  std::string out = std::to_string(code);
  if (!phrase.empty()) out.append(1, ' ').append(phrase);
  return out;
}

}  // namespace

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::in_progress: return "in-progress";
    case Outcome::answered: return "answered";
    case Outcome::busy: return "busy";
    case Outcome::no_answer: return "no-answer";
    case Outcome::cancelled: return "cancelled";
    case Outcome::redirected: return "redirected";
    case Outcome::failed: return "failed";
    case Outcome::registered: return "registered";
    case Outcome::auth_failed: return "auth-failed";
    case Outcome::transport_inconsistent: return "transport-inconsistent";
    case Outcome::rejected: return "rejected";
    case Outcome::no_response: return "no-response";
  }
  return "in-progress";
}

Outcome Call::outcome() const {
  const int c = final_code;
  if (method == "REGISTER") {
    if (c >= 200 && c < 300) return Outcome::registered;
    if (transport_problem) return Outcome::transport_inconsistent;
    if (c == 403 || ((c == 401 || c == 407) && (credentials_sent || challenge_after_credentials)))
      return Outcome::auth_failed;
    if (c == 401 || c == 407) return Outcome::auth_failed;  // challenged, never answered
    if (c >= 300) return Outcome::rejected;
    return Outcome::no_response;
  }
  if (method == "INVITE") {
    if (c == 0) return limit_reached ? Outcome::busy : Outcome::in_progress;
    if (c >= 200 && c < 300) return Outcome::answered;
    if (c >= 300 && c < 400) return Outcome::redirected;
    if (c == 486 || c == 600 || c == 503) return Outcome::busy;
    if (c == 487) return cancel_seen ? Outcome::cancelled : Outcome::no_answer;
    if (c == 408 || c == 480) return Outcome::no_answer;
    if ((c == 401 || c == 407) && challenge_after_credentials) return Outcome::auth_failed;
    if (c == 403 && credentials_sent) return Outcome::auth_failed;
    if (transport_problem) return Outcome::transport_inconsistent;
    return Outcome::failed;
  }
  if (c == 0) return Outcome::no_response;
  if (c >= 200 && c < 300) return Outcome::answered;
  if (transport_problem) return Outcome::transport_inconsistent;
  return Outcome::failed;
}

bool Call::busy_channels() const {
  return outcome() == Outcome::busy && (final_code == 503 || limit_reached);
}

bool Call::failed() const {
  switch (outcome()) {
    case Outcome::failed:
    case Outcome::auth_failed:
    case Outcome::transport_inconsistent:
    case Outcome::rejected:
      return true;
    case Outcome::busy:
      return busy_channels();
    default:
      return false;
  }
}

std::string Call::describe() const {
  const Outcome o = outcome();
  const std::string code = final_code ? " (" + code_text(final_code, final_phrase) + ")" : "";
  switch (o) {
    case Outcome::in_progress:
      return ringing ? "in progress: ringing, no final response in the trace"
                     : "in progress: no final response in the trace";
    case Outcome::answered:
      return method == "INVITE" ? "answered" + code + (bye_seen ? ", ended by BYE" : "")
                                : "answered" + code;
    case Outcome::busy:
      if (limit_reached) return "busy: maximum channels reached" + code + "; " + limit_note;
      return final_code == 503 ? "busy: maximum channels reached" + code : "busy" + code;
    case Outcome::no_answer: return "no answer" + code;
    case Outcome::cancelled: return "cancelled by the caller" + code;
    case Outcome::redirected: return "redirected" + code;
    case Outcome::failed: return "failed" + code;
    case Outcome::registered:
      return "registered" + code + (expires >= 0 ? ", expires " + std::to_string(expires) + " s" : "");
    case Outcome::auth_failed:
      if ((final_code == 401 || final_code == 407) && !credentials_sent)
        return "registration failed: authentication failed" + code +
               "; challenged and never answered with credentials";
      return (method == "REGISTER" ? "registration failed: authentication failed"
                                   : "authentication failed") +
             code + (credentials_sent && final_code != 403 ? " after credentials were sent" : "");
    case Outcome::transport_inconsistent:
      return (method == "REGISTER" ? "registration failed: transport type inconsistent"
                                   : "transport type inconsistent") + code;
    case Outcome::rejected:
      return (method == "REGISTER" ? "registration failed: rejected" : "rejected") + code;
    case Outcome::no_response:
      return method == "REGISTER" ? "registration failed: no response" : "no response";
  }
  return {};
}

std::string TrunkStatus::describe(const site::Trunk&) const {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
  if (registration_seen) {
    switch (registration) {
      case Outcome::registered:
        add("registered" + (expires >= 0 ? " (expires " + std::to_string(expires) + " s)"
                                         : std::string()));
        break;
      case Outcome::auth_failed: add("registration failed: authentication failed"); break;
      case Outcome::transport_inconsistent:
        add("registration failed: transport type inconsistent");
        break;
      case Outcome::rejected:
        add("registration failed: rejected (" + std::to_string(registration_code) + ")");
        break;
      default: add("registration failed: no response"); break;
    }
  }
  if (channel_refusals) add("busy: maximum channels reached");
  if (calls) {
    std::string c = std::to_string(calls) + (calls == 1 ? " call" : " calls");
    std::string parts;
    auto part = [&](std::uint32_t n, const char* what) {
      if (n) parts += (parts.empty() ? ": " : ", ") + std::to_string(n) + " " + what;
    };
    part(answered, "answered");
    part(busy, "busy");
    part(no_answer, "no answer");
    part(failed, "failed");
    add(c + parts);
  }
  if (peak_total > 1) add("peak " + std::to_string(peak_total) + " concurrent calls");
  if (out.empty()) add("seen");
  return out;
}

CallTracker::CallTracker(const site::Site& site) : site_(&site), trunks_(site.trunks.size()) {}

std::vector<TrunkStatus> CallTracker::trunk_status() const {
  std::vector<TrunkStatus> out = trunks_;
  for (const Call& call : calls_) {
    if (call.trunk == kNone || call.method != "INVITE") continue;
    TrunkStatus& ts = out[call.trunk];
    ++ts.calls;
    switch (call.outcome()) {
      case Outcome::answered: ++ts.answered; break;
      case Outcome::busy: ++ts.busy; break;
      case Outcome::no_answer:
      case Outcome::cancelled: ++ts.no_answer; break;
      case Outcome::in_progress:
      case Outcome::redirected: break;
      default: ++ts.failed; break;
    }
  }
  return out;
}

std::string_view CallTracker::intern(std::string_view word) {
  auto it = words_.find(std::string(word));
  if (it == words_.end()) it = words_.emplace(word).first;
  return *it;
}

Call* CallTracker::find(std::string_view call_id) {
  auto it = by_id_.find(call_id);
  return it == by_id_.end() ? nullptr : &calls_[it->second];
}

bool CallTracker::in_dialog(const sip::Message& m) const {
  auto it = by_id_.find(m.call_id());
  if (it == by_id_.end()) return false;
  return m.to_has_tag() || is_dialog_method(m.method());
}

Call& CallTracker::open(const std::string& call_id, const Captured& c) {
  auto it = by_id_.find(call_id);
  if (it != by_id_.end()) return calls_[it->second];
  Call& call = calls_.emplace_back();
  call.call_id = call_id;
  by_id_.emplace(call.call_id, static_cast<std::uint32_t>(calls_.size() - 1));
  call.first_us = c.time_us;
  call.first_frame = c.frame;
  call.first_line = c.line;
  return call;
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
  if (call.limit_reached) ++ts.channel_refusals;
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

Call& CallTracker::on_request(const sip::Message& m, const Captured& c, const Match& match) {
  const std::string method = m.method();
  Call& call = open(m.call_id(), c);
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
    call.number = match.did.empty() ? match.send : match.did;
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
  return call;
}

Call& CallTracker::on_response(const sip::Message& m, const Captured& c) {
  Call& call = open(m.call_id(), c);
  ++call.messages;
  call.last_us = c.time_us;
  const std::string cseq_method = m.cseq_method();
  if (call.method.empty()) call.method = intern(cseq_method);  // the request was not captured
  if (cseq_method != call.method) return call;
  const int status = m.status();
  if (status < 200) {
    if (status == 180 || status == 183) call.ringing = true;
    return call;
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
    if (call.method == "INVITE" && (status == 486 || status == 503)) ++ts.channel_refusals;
  }
  return call;
}

}  // namespace trunk::trace
