// One SIP message, parsed by sofia-sip's message parser (msg/sip).
//
// Message owns the parsed msg_t and frees it; it is move-only. Parsing is
// tolerant as sofia-sip is: a malformed header is set aside (listed by
// malformed_headers()) and the rest of the message is still usable, which
// is what a redirect server and a trace reader need. sofia-sip stays
// inside libtrunk/sip: no other module includes its headers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sip/message_view.hpp"

struct msg_s;

namespace trunk::sip {

// The parts of a SIP URI that routing looks at.
struct Uri {
  std::string scheme;  // "sip", "sips", "tel"
  std::string user;    // "+14155550142"
  std::string host;
  std::string port;    // as written; empty when absent
};

class Message {
 public:
  // Parses `bytes` (one whole message). Nullopt when the bytes are not a
  // SIP message at all (no request or status line), with `error` set.
  static std::optional<Message> parse(std::string_view bytes, std::string& error);

  Message(Message&&) noexcept;
  Message& operator=(Message&&) noexcept;
  Message(const Message&) = delete;  // owns the parsed message
  Message& operator=(const Message&) = delete;
  ~Message();

  bool is_request() const;
  std::string method() const;       // requests: "INVITE"
  // The same fields as views into the parsed message, valid while it
  // lives, for the paths that must not allocate: the method, the Call-ID,
  // the Request-URI's user (a tel: URI's number) and the From URI's host.
  std::string_view method_view() const;
  std::string_view call_id_view() const;
  std::string_view request_user_view() const;
  std::string_view from_host_view() const;
  // What one Via says of the hop that sent it, as views into the parsed
  // message (see message_view.hpp).
  using ViaView = sip::ViaView;
  // Writes the Vias, top first, into `out`; returns how many there are
  // (which may be more than `out` holds). Allocates nothing.
  std::size_t vias(std::span<ViaView> out) const;
  int status() const;               // responses: 200; requests: 0
  Uri request_uri() const;
  Uri from_uri() const;
  Uri to_uri() const;
  bool to_has_tag() const;
  std::string call_id() const;
  std::string cseq_method() const;
  // Headers sofia-sip set aside, by name, in message order: one it could
  // not parse ("Contact"), or an extra copy of a header allowed once (a
  // second "Content-Length"). Empty for a clean message.
  std::vector<std::string> malformed_headers() const;
  // The same with each header's text as written (value only, folded lines
  // joined), for reports that say what is wrong with it.
  struct RawHeader {
    std::string name;
    std::string value;
    bool repeated = false;  // a header allowed once, given again
  };
  std::vector<RawHeader> malformed_header_texts() const;
  // Every header line of the message text `bytes` as written (value only,
  // folded lines joined), in message order, up to the blank line before the
  // body; `repeated` is false throughout. A Message does not keep its text
  // unless a header is malformed, hence the bytes.
  static std::vector<RawHeader> header_texts(std::string_view bytes);
  // The Reason headers (RFC 3326; see sip::Reason).
  using Reason = sip::Reason;
  std::vector<Reason> reasons() const;
  // The status line's reason phrase ("Busy Here"); empty for requests.
  std::string phrase() const;
  std::uint32_t cseq_number() const;  // 0 when there is no CSeq
  // The top Via's transport in lower case ("udp", "tcp", "tls"); empty
  // when there is no parsed Via.
  std::string via_transport() const;
  std::string via_branch() const;  // the top Via's branch
  // Whether the request carries Authorization or Proxy-Authorization.
  bool has_credentials() const;
  // Whether a 401/407's challenge says stale=true: the credentials were
  // right, only the nonce was old.
  bool challenge_is_stale() const;
  // The expiry granted or asked for: the largest Contact expires
  // parameter, else the Expires header; -1 when neither is there.
  int expires() const;
  // How many bytes of the body its Content-Length announces that the
  // message does not have (0: none missing). Over a datagram that is an
  // error (RFC 3261 18.3): the rest of the body never comes.
  std::size_t body_shortfall() const;
  // Faults of the message as a whole that no single header shows: a
  // missing mandatory header, a CSeq method that is not the request's, a
  // version other than SIP/2.0, a body shorter than its Content-Length, a
  // syntax error sofia-sip flagged without naming a header. In words, one
  // per fault.
  std::vector<std::string> message_faults() const;
  // The user of the From URI when the From header could not be parsed:
  // the host is then taken from the raw text (sip:user@HOST..., or
  // user@HOST... when the scheme is missing), so a trace with a broken From
  // can still be matched. Empty when not found.
  std::string from_host_lenient() const;
  // What the trace rules read of this message, as views into it, valid
  // while it lives; `out.parsed()` is this Message. Allocates nothing.
  void fill_view(MessageView& out) const;
  // Whether the headers a response must echo (Via, From, To, Call-ID,
  // CSeq) are all present and parsed.
  bool can_be_answered() const;
  // Those headers encoded for a response, each "Name: value\r\n", Vias in
  // order; To gains `to_tag` when it has no tag.
  std::string response_headers(std::string_view to_tag) const;
  // The same written into `out`: the length, or kTooLong (out holds
  // something unfinished) when they do not fit. Allocates nothing.
  static constexpr std::size_t kTooLong = static_cast<std::size_t>(-1);
  std::size_t write_response_headers(std::string_view to_tag, std::span<char> out) const;

 private:
  explicit Message(msg_s* msg);
  // The header lines as received, kept only when some header is malformed
  // (sofia-sip keeps no text of a header it could not parse).
  std::string raw_headers_;
  std::size_t body_received_ = 0;  // bytes after the blank line that ends the headers
  // from_host_lenient(), kept when the From header could not be parsed,
  // for fill_view()'s views.
  std::string lenient_from_host_;
  struct Free {
    void operator()(msg_s* m) const;
  };
  std::unique_ptr<msg_s, Free> msg_;
};

}  // namespace trunk::sip
