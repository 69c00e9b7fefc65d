// A plain request's response headers from its bytes (see
// response_echo.hpp).
#include "sip/response_echo.hpp"

#include <charconv>
#include <cstring>

#include "sip/message.hpp"

namespace trunk::sip {
namespace {

// A From or To value as written, in the form sofia-sip encodes: a bare
// URI, "<uri>...", or a display name (a token run or a quoted string)
// followed by exactly one blank and '<'. The scanner has already checked
// the URI and the parameters.
bool address_as_written(std::string_view value) {
  if (value.empty() || value.front() == '<') return true;
  std::size_t open = std::string_view::npos;
  if (value.front() == '"') {
    const auto close = value.find('"', 1);
    if (close == std::string_view::npos) return false;
    open = close + 2;
    if (value.size() <= open || value[close + 1] != ' ') return false;
  } else {
    open = value.find('<');
    if (open == std::string_view::npos) return true;  // a bare URI
    if (open < 2 || value[open - 1] != ' ' || value[open - 2] == ' ') return false;
  }
  return value[open] == '<';
}

// "SIP/2.0/UDP ...": sofia-sip writes a transport it knows in upper case
// (which ones depends on its version); one already in upper case is
// written as it came, known or not.
bool via_as_written(std::string_view entry) {
  constexpr std::size_t kPrefix = 8;  // "SIP/2.0/", checked by the scanner
  for (std::size_t i = kPrefix; i < entry.size() && entry[i] != ' '; ++i)
    if (entry[i] >= 'a' && entry[i] <= 'z') return false;
  return true;
}

// A writer that counts what does not fit rather than writing it.
struct Writer {
  std::span<char> out;
  std::size_t at = 0;
  void put(std::string_view s) {
    if (s.size() <= out.size() && at <= out.size() - s.size())
      std::memcpy(out.data() + at, s.data(), s.size());
    at += s.size();
  }
};

}  // namespace

bool echoes_as_written(const MessageView& request) {
  if (request.via_count() > request.vias().size()) return false;
  for (const ViaView& v : request.vias())
    if (v.text.empty() || !via_as_written(v.text)) return false;
  return address_as_written(request.from_text()) && address_as_written(request.to_text());
}

std::size_t write_response_headers(const MessageView& request, std::string_view to_tag,
                                   std::span<char> out) {
  Writer w{out};
  for (const ViaView& v : request.vias()) {
    w.put("Via: ");
    w.put(v.text);
    w.put("\r\n");
  }
  w.put("From: ");
  w.put(request.from_text());
  w.put("\r\nTo: ");
  w.put(request.to_text());
  if (!request.to_has_tag() && !to_tag.empty()) {
    w.put(";tag=");
    w.put(to_tag);
  }
  w.put("\r\nCall-ID: ");
  w.put(request.call_id());
  // sofia-sip prints the number it read ("%u"): "CSeq: 007" gives 7.
  char number[16];
  const auto end = std::to_chars(number, number + sizeof number, request.cseq_number()).ptr;
  w.put("\r\nCSeq: ");
  w.put({number, static_cast<std::size_t>(end - number)});
  w.put(" ");
  w.put(request.cseq_method());
  w.put("\r\n");
  // sofia-sip's encoders need room for a NUL after each header.
  if (w.at >= out.size()) return Message::kTooLong;
  return w.at;
}

}  // namespace trunk::sip
