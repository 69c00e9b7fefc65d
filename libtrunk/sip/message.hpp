// One SIP message, parsed by sofia-sip's message parser (msg/sip).
//
// Message owns the parsed msg_t and frees it; it is move-only. Parsing is
// tolerant as sofia-sip is: a malformed header is set aside (listed by
// malformed_headers()) and the rest of the message is still usable, which
// is what a redirect server and a trace reader need. sofia-sip stays
// inside libtrunk/sip: no other module includes its headers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  // Whether the headers a response must echo (Via, From, To, Call-ID,
  // CSeq) are all present and parsed.
  bool can_be_answered() const;
  // Those headers encoded for a response, each "Name: value\r\n", Vias in
  // order; To gains `to_tag` when it has no tag.
  std::string response_headers(std::string_view to_tag) const;

 private:
  explicit Message(msg_s* msg);
  struct Free {
    void operator()(msg_s* m) const;
  };
  std::unique_ptr<msg_s, Free> msg_;
};

}  // namespace trunk::sip
