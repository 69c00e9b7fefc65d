// What trace matching, call tracking and a redirect read of one SIP
// message, as views: the one interface both ways of reading a message
// fill, so the rules that read it are written once.
//
// sip::scan() (scanner.hpp) fills a MessageView straight from the bytes of
// a plain message, allocating nothing; sip::Message::view() fills one from
// sofia-sip's full parse, for every message the scanner finds suspect. The
// views point into the message bytes (scan) or into the parsed Message;
// they are valid while those live. A MessageView owns nothing. The rare
// reads only sofia-sip's parse answers (Reason headers, a challenge's stale
// flag, the granted expiry) go to the Message behind it; scan() leaves to
// the full parse every message those reads are asked of (see
// needs_full_parse()).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::sip {

class Message;

// The parts of a URI that routing looks at, as written. A tel: URI's
// number is its user; its host is then empty.
struct UriView {
  std::string_view scheme;  // "sip", "sips", "tel"
  std::string_view user;
  std::string_view host;
  std::string_view port;    // empty when absent
};

// What one Via says of the hop that sent it: the sent-by host (brackets
// kept for IPv6) and port, the received and rport parameters (rport empty
// when absent or valueless). `text` is the whole entry as written
// ("SIP/2.0/UDP host:port;branch=..."), kept by the scanner only (a
// scanned request's response echoes it; see sip/response_echo.hpp).
struct ViaView {
  std::string_view host, port, received, rport;
  std::string_view text;
};

// A Reason header (RFC 3326): "Q.850;cause=34;text=\"No circuit/channel
// available\"" gives {"Q.850", 34, "No circuit/channel available"}; cause
// is 0 when absent or not a number, text is unquoted.
struct Reason {
  std::string protocol;
  int cause = 0;
  std::string text;
};

class MessageView {
 public:
  // The Vias a view keeps; a message with more still counts them all.
  static constexpr std::size_t kMaxVias = 16;

  bool is_request() const { return request_; }
  std::string_view method() const { return method_; }  // requests: "INVITE"
  const UriView& request_uri() const { return request_uri_; }
  std::string_view request_user() const { return request_uri_.user; }
  int status() const { return status_; }                // responses: 200; requests: 0
  std::string_view phrase() const { return phrase_; }   // responses: "Busy Here"
  const UriView& from_uri() const { return from_; }
  const UriView& to_uri() const { return to_; }
  // The From URI's host as route::decide() reads it (of a tel: URI, the
  // number, as sofia-sip parses it).
  std::string_view from_host() const { return from_url_host_; }
  // The From host; when the From header could not be parsed, the host
  // found in its raw text (Message::from_host_lenient()).
  std::string_view from_host_lenient() const { return from_host_; }
  bool to_has_tag() const { return to_has_tag_; }
  std::string_view call_id() const { return call_id_; }
  // The From and To values as written (blanks around them trimmed), kept
  // by the scanner only: empty in a view of a full parse.
  std::string_view from_text() const { return from_text_; }
  std::string_view to_text() const { return to_text_; }
  std::uint32_t cseq_number() const { return cseq_; }  // 0 when there is no CSeq
  std::string_view cseq_method() const { return cseq_method_; }
  // The Vias, top first: at most kMaxVias of them, and how many there are.
  std::span<const ViaView> vias() const { return {vias_.data(), std::min(via_count_, kMaxVias)}; }
  std::size_t via_count() const { return via_count_; }
  // The top Via's transport in lower case ("udp"); empty without a Via.
  std::string via_transport() const;
  std::string_view via_branch() const { return via_branch_; }
  // Whether the request carries Authorization or Proxy-Authorization.
  bool has_credentials() const { return has_credentials_; }

  // Reads only sofia-sip's parse answers; on a scanned view (no Message
  // behind it) they give nothing: empty, false, -1.
  std::vector<Reason> reasons() const;
  bool challenge_is_stale() const;
  int expires() const;
  // The full parse behind this view, or null when it was scanned.
  const Message* parsed() const { return parsed_; }

 private:
  friend class Message;
  friend class Scanner;
  bool request_ = false;
  std::string_view method_;
  UriView request_uri_;
  int status_ = 0;
  std::string_view phrase_;
  UriView from_, to_;
  std::string_view from_host_;
  std::string_view from_url_host_;
  bool to_has_tag_ = false;
  std::string_view call_id_;
  std::string_view from_text_, to_text_;
  std::uint32_t cseq_ = 0;
  std::string_view cseq_method_;
  std::size_t via_count_ = 0;
  std::array<ViaView, kMaxVias> vias_{};
  std::string_view via_protocol_;  // the top Via's "SIP/2.0/UDP"
  std::string_view via_branch_;
  bool has_credentials_ = false;
  const Message* parsed_ = nullptr;
};

// Whether the trace rules read, of a message with this start line and
// CSeq method, what only the full parse answers (see MessageView::reasons,
// challenge_is_stale, expires): the scanner leaves such messages to it.
bool needs_full_parse(int status, std::string_view cseq_method);

// The transport of a Via's protocol ("SIP/2.0/UDP" gives "udp").
std::string transport_of(std::string_view via_protocol);

}  // namespace trunk::sip
