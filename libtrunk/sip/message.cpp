// SIP messages through sofia-sip's parser.
#include "sip/message.hpp"

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

namespace trunk::sip {
namespace {

std::string str(const char* s) { return s ? std::string(s) : std::string(); }

Uri uri_of(const url_t* u) {
  Uri out;
  if (!u) return out;
  out.scheme = str(u->url_scheme);
  if (out.scheme.empty()) {
    if (u->url_type == url_sip) out.scheme = "sip";
    else if (u->url_type == url_sips) out.scheme = "sips";
    else if (u->url_type == url_tel) out.scheme = "tel";
  }
  out.user = str(u->url_user);
  out.host = str(u->url_host);
  out.port = str(u->url_port);
  // A tel: URI holds the number where a sip: URI holds the host.
  if (u->url_type == url_tel && out.user.empty()) {
    out.user = out.host;
    out.host.clear();
  }
  return out;
}

void append_header(std::string& out, const void* h) {
  char buf[2048];
  issize_t n = msg_header_e(buf, sizeof buf, static_cast<const msg_header_t*>(h), 0);
  if (n > 0 && static_cast<std::size_t>(n) < sizeof buf) out.append(buf, static_cast<std::size_t>(n));
}

}  // namespace

void Message::Free::operator()(msg_s* m) const { msg_destroy(m); }

Message::Message(msg_s* msg) : msg_(msg) {}
Message::Message(Message&&) noexcept = default;
Message& Message::operator=(Message&&) noexcept = default;
Message::~Message() = default;

std::optional<Message> Message::parse(std::string_view bytes, std::string& error) {
  if (bytes.empty()) {
    error = "empty message";
    return std::nullopt;
  }
  msg_t* msg = msg_make(sip_default_mclass(), 0, bytes.data(), static_cast<ssize_t>(bytes.size()));
  if (!msg) {
    error = "not a SIP message";
    return std::nullopt;
  }
  Message out(msg);
  const sip_t* sip = sip_object(msg);
  if (!sip || (!sip->sip_request && !sip->sip_status)) {
    error = "no request or status line";
    return std::nullopt;
  }
  return out;
}

bool Message::is_request() const { return sip_object(msg_.get())->sip_request != nullptr; }

std::string Message::method() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_request ? str(sip->sip_request->rq_method_name) : std::string();
}

int Message::status() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_status ? sip->sip_status->st_status : 0;
}

Uri Message::request_uri() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_request ? uri_of(sip->sip_request->rq_url) : Uri{};
}

Uri Message::from_uri() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_from ? uri_of(sip->sip_from->a_url) : Uri{};
}

Uri Message::to_uri() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_to ? uri_of(sip->sip_to->a_url) : Uri{};
}

bool Message::to_has_tag() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_to && sip->sip_to->a_tag;
}

std::string Message::call_id() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_call_id ? str(sip->sip_call_id->i_id) : std::string();
}

std::string Message::cseq_method() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_cseq ? str(sip->sip_cseq->cs_method_name) : std::string();
}

std::vector<std::string> Message::malformed_headers() const {
  std::vector<std::string> out;
  // sofia-sip files two kinds of entry on this list: an error object for a
  // header it could not parse (er_name names it), and, cast to sip_error_t,
  // each extra copy of a header allowed once (a second Content-Length or
  // CSeq), whose er_name slot holds that header's own data, not a name.
  for (const sip_error_t* e = sip_object(msg_.get())->sip_error; e; e = e->er_next) {
    const msg_hclass_t* hc = e->er_common->h_class;
    out.push_back(hc == sip_error_class ? str(e->er_name) : str(hc->hc_name));
  }
  return out;
}

bool Message::can_be_answered() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_request && sip->sip_via && sip->sip_from && sip->sip_to && sip->sip_call_id &&
         sip->sip_cseq;
}

std::string Message::response_headers(std::string_view to_tag) const {
  const sip_t* sip = sip_object(msg_.get());
  std::string out;
  for (const sip_via_t* v = sip->sip_via; v; v = v->v_next) append_header(out, v);
  append_header(out, sip->sip_from);
  std::string to;
  append_header(to, sip->sip_to);
  if (!sip->sip_to->a_tag && !to_tag.empty() && to.size() >= 2) {
    to.insert(to.size() - 2, ";tag=");
    to.insert(to.size() - 2, to_tag);
  }
  out += to;
  append_header(out, sip->sip_call_id);
  append_header(out, sip->sip_cseq);
  return out;
}

}  // namespace trunk::sip
