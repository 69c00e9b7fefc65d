// The headers a response copies from its request (RFC 3261 8.2.6.2): the
// Vias, From, To (tagged), Call-ID and CSeq, encoded by sofia-sip from the
// parsed request. Message's own; apart from message.cpp to keep each file
// to one job.
#include "sip/message.hpp"

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#include <cstring>

namespace trunk::sip {
namespace {

// Encodes header `h` at `at` in `out`; false when it does not fit.
bool encode_header(std::span<char> out, std::size_t& at, const void* h) {
  if (at >= out.size()) return false;
  issize_t n = msg_header_e(out.data() + at, static_cast<isize_t>(out.size() - at),
                            static_cast<const msg_header_t*>(h), 0);
  if (n <= 0 || static_cast<std::size_t>(n) >= out.size() - at) return false;
  at += static_cast<std::size_t>(n);
  return true;
}

}  // namespace

std::size_t Message::write_response_headers(std::string_view to_tag, std::span<char> out) const {
  const sip_t* sip = sip_object(msg_.get());
  std::size_t at = 0;
  for (const sip_via_t* v = sip->sip_via; v; v = v->v_next)
    if (!encode_header(out, at, v)) return kTooLong;
  if (!encode_header(out, at, sip->sip_from)) return kTooLong;
  if (!encode_header(out, at, sip->sip_to)) return kTooLong;
  if (!sip->sip_to->a_tag && !to_tag.empty()) {
    // ";tag=..." goes before the To line's CR LF.
    constexpr std::string_view kTag = ";tag=";
    if (out.size() - at < kTag.size() + to_tag.size() || at < 2) return kTooLong;
    at -= 2;
    std::memcpy(out.data() + at, kTag.data(), kTag.size());
    at += kTag.size();
    std::memcpy(out.data() + at, to_tag.data(), to_tag.size());
    at += to_tag.size();
    std::memcpy(out.data() + at, "\r\n", 2);
    at += 2;
  }
  if (!encode_header(out, at, sip->sip_call_id)) return kTooLong;
  if (!encode_header(out, at, sip->sip_cseq)) return kTooLong;
  return at;
}

std::string Message::response_headers(std::string_view to_tag) const {
  std::string out(4096, '\0');
  for (;;) {
    std::size_t n = write_response_headers(to_tag, out);
    if (n != kTooLong) {
      out.resize(n);
      return out;
    }
    out.resize(out.size() * 2);
  }
}

}  // namespace trunk::sip
