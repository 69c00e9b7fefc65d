// What a call in a trace came to, and how a trunk stands, in words: the
// outcome of a call from its method and final response (see calls.hpp for
// the rules), the line sip-trace-match prints for it, and a trunk's status
// from the counts. The REGISTER words are sip::register_status()'s, shared
// with trunkctl register-test. Grouping messages into calls, timing them
// out and counting them per trunk is the CallTracker's (calls.cpp).
#include <string>
#include <string_view>

#include "sip/register_status.hpp"
#include "trace/calls.hpp"

namespace trunk::trace {
namespace {

// A REGISTER outcome as the shared registration status (no response for
// outcomes no REGISTER has), for the shared words.
sip::RegisterStatus register_status_of(Outcome o) {
  switch (o) {
    case Outcome::registered: return sip::RegisterStatus::registered;
    case Outcome::auth_failed: return sip::RegisterStatus::auth_failed;
    case Outcome::transport_inconsistent: return sip::RegisterStatus::transport_inconsistent;
    case Outcome::rejected: return sip::RegisterStatus::rejected;
    default: return sip::RegisterStatus::no_response;
  }
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
    // Challenged and never answered with credentials: the client had none
    // to give, which the operator fixes as an authentication problem.
    if ((c == 401 || c == 407) && !credentials_sent) return Outcome::auth_failed;
    switch (sip::register_status(c, credentials_sent)) {
      case sip::RegisterStatus::registered: return Outcome::registered;
      case sip::RegisterStatus::auth_failed: return Outcome::auth_failed;
      case sip::RegisterStatus::transport_inconsistent: return Outcome::transport_inconsistent;
      case sip::RegisterStatus::rejected: return Outcome::rejected;
      case sip::RegisterStatus::no_response: return Outcome::no_response;
    }
  }
  if (method == "INVITE") {
    if (c == 0) return responded ? Outcome::in_progress : Outcome::no_response;
    if (c >= 200 && c < 300) return Outcome::answered;
    if (c >= 300 && c < 400) return Outcome::redirected;
    if (c == 486 || c == 600 || busy_channels()) return Outcome::busy;
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
  return method == "INVITE" && limit_reached && answer_says_limit &&
         (final_code == 486 || final_code == 503);
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
  if (method == "REGISTER") {
    // The words trunkctl register-test uses, then what the trace adds.
    std::string out = std::string(sip::describe(register_status_of(o))) + code;
    if (o == Outcome::registered && expires >= 0)
      out += ", expires " + std::to_string(expires) + " s";
    if (o == Outcome::auth_failed && (final_code == 401 || final_code == 407) && !credentials_sent)
      out += "; challenged and never answered with credentials";
    else if (o == Outcome::auth_failed && final_code != 403)
      out += " after credentials were sent";
    return out;
  }
  // The trunk was at its limit but the answer did not say channels ran
  // out: worth knowing, not a verdict.
  const std::string limit = limit_reached ? "; " + limit_note : "";
  switch (o) {
    case Outcome::in_progress:
      return ringing ? "in progress: ringing, no final response in the trace"
                     : "in progress: no final response in the trace";
    case Outcome::answered:
      return method == "INVITE" ? "answered" + code + (bye_seen ? ", ended by BYE" : "")
                                : "answered" + code;
    case Outcome::busy:
      return busy_channels() ? "busy: maximum channels reached" + code + limit : "busy" + code + limit;
    case Outcome::no_answer: return "no answer" + code;
    case Outcome::cancelled: return "cancelled by the caller" + code;
    case Outcome::redirected: return "redirected" + code;
    case Outcome::failed: return "failed" + code + limit;
    case Outcome::auth_failed:
      return "authentication failed" + code +
             (credentials_sent && final_code != 403 ? " after credentials were sent" : "");
    case Outcome::transport_inconsistent: return "transport type inconsistent" + code;
    case Outcome::rejected: return "rejected" + code;
    case Outcome::no_response:
      return method == "INVITE" ? "unanswered: no response in the trace" : "no response";
    case Outcome::registered: break;  // REGISTER only, above
  }
  return {};
}

std::string TrunkStatus::describe(const site::Trunk&) const {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
  const std::string unanswered_registers =
      std::to_string(registers_unanswered) + (registers_unanswered == 1 ? " REGISTER" : " REGISTERs");
  if (registration_seen) {
    std::string r(sip::describe(register_status_of(registration)));
    if (registration == Outcome::registered && expires >= 0)
      r += " (expires " + std::to_string(expires) + " s)";
    if (registration == Outcome::rejected) r += " (" + std::to_string(registration_code) + ")";
    add(r);
    if (registers_unanswered) add("no response to " + unanswered_registers);
  } else if (registers_unanswered) {
    add(std::string(sip::describe(sip::RegisterStatus::no_response)) + " to " +
        unanswered_registers);
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
    part(unanswered, "unanswered");
    part(failed, "failed");
    add(c + parts);
  }
  if (peak_total > 1) add("peak " + std::to_string(peak_total) + " concurrent calls");
  if (out.empty()) add("seen");
  return out;
}

}  // namespace trunk::trace
