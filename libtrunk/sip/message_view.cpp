// The reads of a MessageView (see message_view.hpp): those that need more
// than a field, and those only the full parse behind it answers.
#include "sip/message_view.hpp"

#include "sip/message.hpp"
#include "text/ascii.hpp"

namespace trunk::sip {

std::string transport_of(std::string_view via_protocol) {
  const auto slash = via_protocol.rfind('/');
  return text::ascii_lower(slash == std::string_view::npos ? via_protocol
                                                           : via_protocol.substr(slash + 1));
}

std::string MessageView::via_transport() const {
  return via_protocol_.empty() ? std::string() : transport_of(via_protocol_);
}

std::vector<Reason> MessageView::reasons() const {
  return parsed_ ? parsed_->reasons() : std::vector<Reason>();
}

bool MessageView::challenge_is_stale() const { return parsed_ && parsed_->challenge_is_stale(); }

int MessageView::expires() const { return parsed_ ? parsed_->expires() : -1; }

bool needs_full_parse(int status, std::string_view cseq_method) {
  // The call tracker reads a challenge's stale flag (401, 407), the Reason
  // of a refusal that may say channels ran out (486, 503) and the expiry a
  // REGISTER's 2xx grants (trace/calls.cpp).
  return status == 401 || status == 407 || status == 486 || status == 503 ||
         (cseq_method == "REGISTER" && status >= 200 && status < 300);
}

}  // namespace trunk::sip
