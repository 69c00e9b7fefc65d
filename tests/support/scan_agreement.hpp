// Whether sip::scan() and sofia-sip's full parse agree on a message, for
// the scanner's unit test and its fuzz target: when the scanner calls a
// message plain, sofia-sip must parse it, find no fault the trace report
// would show, and give every field the scanner gives.
#pragma once

#include <string>
#include <string_view>

#include "sip/malformed.hpp"
#include "sip/message.hpp"
#include "sip/scanner.hpp"

namespace trunk::test {

// "" when scan() finds `bytes` suspect, or plain and in agreement with the
// full parse; else what differs, in words.
inline std::string scan_disagreement(std::string_view bytes) {
  sip::MessageView s;
  if (!sip::scan(bytes, s)) return {};
  std::string error;
  auto parsed = sip::Message::parse(bytes, error);
  if (!parsed) return "plain to the scanner, not SIP to sofia-sip: " + error;
  if (const auto faults = sip::header_faults(*parsed, bytes); !faults.empty())
    return "plain, but header " + faults.front().name + " has a fault: " + faults.front().problem;
  if (!parsed->message_faults().empty()) return "plain, but the message has a fault: " +
                                                parsed->message_faults().front();
  if (!sip::start_line_faults(bytes).empty()) return "plain, but the start line has a fault";
  sip::MessageView f;
  parsed->fill_view(f);
  std::string out;
  auto same = [&](const char* what, const auto& a, const auto& b) {
    if (!(a == b) && out.empty()) out = std::string(what) + " differs";
  };
  auto same_uri = [&](const char* what, const sip::UriView& a, const sip::UriView& b) {
    same(what, a.scheme, b.scheme), same(what, a.user, b.user);
    same(what, a.host, b.host), same(what, a.port, b.port);
  };
  same("request", s.is_request(), f.is_request());
  same("method", s.method(), f.method());
  same_uri("Request-URI", s.request_uri(), f.request_uri());
  same("status", s.status(), f.status());
  same("phrase", s.phrase(), f.phrase());
  same_uri("From", s.from_uri(), f.from_uri());
  same_uri("To", s.to_uri(), f.to_uri());
  same("From host", s.from_host(), f.from_host());
  same("lenient From host", s.from_host_lenient(), f.from_host_lenient());
  same("To tag", s.to_has_tag(), f.to_has_tag());
  same("Call-ID", s.call_id(), f.call_id());
  same("CSeq number", s.cseq_number(), f.cseq_number());
  same("CSeq method", s.cseq_method(), f.cseq_method());
  same("Via count", s.via_count(), f.via_count());
  same("Via transport", s.via_transport(), f.via_transport());
  same("Via branch", s.via_branch(), f.via_branch());
  same("credentials", s.has_credentials(), f.has_credentials());
  same("full parse needed", sip::needs_full_parse(f.status(), f.cseq_method()), false);
  for (std::size_t i = 0; i < s.vias().size() && i < f.vias().size(); ++i) {
    const sip::ViaView &a = s.vias()[i], &b = f.vias()[i];
    same("Via host", a.host, b.host), same("Via port", a.port, b.port);
    same("Via received", a.received, b.received), same("Via rport", a.rport, b.rport);
  }
  return out;
}

}  // namespace trunk::test
