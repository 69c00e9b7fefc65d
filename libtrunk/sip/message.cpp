// SIP messages through sofia-sip's parser.
#include "sip/message.hpp"

#include "sip/header_values.hpp"
#include "sip/malformed.hpp"
#include "text/ascii.hpp"

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_types.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_string.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace trunk::sip {
namespace {

std::string str(const char* s) { return s ? std::string(s) : std::string(); }

// A tel: URI holds the number where a sip: URI holds the host: sofia-sip
// parses tel:+1415... with the number as its host.
bool number_in_host(const url_t* u) {
  return u->url_type == url_tel && (!u->url_user || !*u->url_user);
}

std::string_view view(const char* s) { return s ? std::string_view(s) : std::string_view(); }

// The URI's parts as views into the parsed message.
UriView uri_view(const url_t* u) {
  UriView out;
  if (!u) return out;
  out.scheme = view(u->url_scheme);
  if (out.scheme.empty()) {
    if (u->url_type == url_sip) out.scheme = "sip";
    else if (u->url_type == url_sips) out.scheme = "sips";
    else if (u->url_type == url_tel) out.scheme = "tel";
  }
  out.user = view(number_in_host(u) ? u->url_host : u->url_user);
  if (!number_in_host(u)) out.host = view(u->url_host);
  out.port = view(u->url_port);
  return out;
}

Uri uri_of(const url_t* u) {
  const UriView v = uri_view(u);
  return {std::string(v.scheme), std::string(v.user), std::string(v.host), std::string(v.port)};
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
  std::size_t end = bytes.find("\r\n\r\n"), blank = 4;
  if (end == std::string_view::npos) {
    end = bytes.find("\n\n");
    blank = 2;
  }
  out.body_received_ = end == std::string_view::npos ? 0 : bytes.size() - end - blank;
  if (sip->sip_error) out.raw_headers_ = std::string(bytes.substr(0, end));
  if (!sip->sip_from) out.lenient_from_host_ = out.from_host_lenient();
  return out;
}

bool Message::is_request() const { return sip_object(msg_.get())->sip_request != nullptr; }

std::string_view Message::method_view() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_request ? view(sip->sip_request->rq_method_name) : std::string_view();
}

std::string_view Message::call_id_view() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_call_id ? view(sip->sip_call_id->i_id) : std::string_view();
}

std::string_view Message::request_user_view() const {
  const sip_t* sip = sip_object(msg_.get());
  if (!sip->sip_request) return {};
  const url_t* u = sip->sip_request->rq_url;
  return view(number_in_host(u) ? u->url_host : u->url_user);
}

std::string_view Message::from_host_view() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_from ? view(sip->sip_from->a_url->url_host) : std::string_view();
}

std::size_t Message::vias(std::span<ViaView> out) const {
  const sip_t* sip = sip_object(msg_.get());
  std::size_t n = 0;
  for (const sip_via_t* v = sip->sip_via; v; v = v->v_next, ++n)
    if (n < out.size())
      out[n] = {view(v->v_host), view(v->v_port), view(v->v_received), view(v->v_rport), {}};
  return n;
}

void Message::fill_view(MessageView& out) const {
  const sip_t* sip = sip_object(msg_.get());
  out = MessageView{};
  out.parsed_ = this;
  out.request_ = sip->sip_request != nullptr;
  if (sip->sip_request) {
    out.method_ = view(sip->sip_request->rq_method_name);
    out.request_uri_ = uri_view(sip->sip_request->rq_url);
  }
  if (sip->sip_status) {
    out.status_ = sip->sip_status->st_status;
    out.phrase_ = view(sip->sip_status->st_phrase);
  }
  if (sip->sip_from) {
    out.from_ = uri_view(sip->sip_from->a_url);
    out.from_host_ = out.from_.host;
    out.from_url_host_ = from_host_view();
  } else {
    out.from_host_ = lenient_from_host_;
  }
  if (sip->sip_to) {
    out.to_ = uri_view(sip->sip_to->a_url);
    out.to_has_tag_ = sip->sip_to->a_tag != nullptr;
  }
  if (sip->sip_call_id) out.call_id_ = view(sip->sip_call_id->i_id);
  if (sip->sip_cseq) {
    out.cseq_ = sip->sip_cseq->cs_seq;
    out.cseq_method_ = view(sip->sip_cseq->cs_method_name);
  }
  out.via_count_ = vias(out.vias_);
  if (sip->sip_via) {
    out.via_protocol_ = view(sip->sip_via->v_protocol);
    out.via_branch_ = view(sip->sip_via->v_branch);
  }
  out.has_credentials_ = sip->sip_authorization || sip->sip_proxy_authorization;
}

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

namespace {

// The compact form of a header name (RFC 3261 7.3.3), or 0.
char compact_form(std::string_view name) {
  static constexpr std::pair<std::string_view, char> forms[] = {
      {"via", 'v'}, {"from", 'f'}, {"to", 't'}, {"contact", 'm'}, {"call-id", 'i'},
      {"content-length", 'l'}, {"content-type", 'c'}, {"supported", 'k'}, {"subject", 's'},
      {"content-encoding", 'e'}, {"refer-to", 'r'}, {"referred-by", 'b'}, {"event", 'o'}};
  for (const auto& [full, c] : forms)
    if (text::equal_ci(name, full)) return c;
  return 0;
}

bool same_name(std::string_view line_name, std::string_view name) {
  if (text::equal_ci(line_name, name)) return true;
  char c = compact_form(name);
  return c && line_name.size() == 1 && text::ascii_lower(line_name[0]) == c;
}

}  // namespace

std::vector<Message::RawHeader> Message::header_texts(std::string_view bytes) {
  std::vector<RawHeader> lines;
  std::string_view rest = bytes;
  bool start_line = true;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (start_line) {
      start_line = false;
      continue;
    }
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t') && !lines.empty()) {
      auto text = line.find_first_not_of(" \t");
      if (text != std::string_view::npos) {  // a line of blanks adds nothing
        lines.back().value += " ";
        lines.back().value += line.substr(text);
      }
      continue;
    }
    if (line.empty()) break;  // the blank line before the body
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    std::string_view value = line.substr(colon + 1);
    auto first = value.find_first_not_of(" \t");
    value = first == std::string_view::npos ? std::string_view() : value.substr(first);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    lines.push_back({std::string(name), std::string(value), false});
  }
  return lines;
}

std::vector<Message::RawHeader> Message::malformed_header_texts() const {
  // The header lines (continuation lines joined), after the start line.
  const std::vector<RawHeader> raw = header_texts(raw_headers_);
  std::vector<std::pair<std::string, std::string>> lines;
  lines.reserve(raw.size());
  for (const auto& h : raw) lines.emplace_back(h.name, h.value);
  std::vector<bool> used(lines.size(), false);
  std::vector<std::pair<std::size_t, RawHeader>> found;  // by line, for the order of the message
  for (const sip_error_t* e = sip_object(msg_.get())->sip_error; e; e = e->er_next) {
    RawHeader h;
    // See malformed_headers(): an extra copy of a single header is filed
    // as itself, not as an error object.
    const msg_hclass_t* hc = e->er_common->h_class;
    h.repeated = hc != sip_error_class;
    h.name = h.repeated ? str(hc->hc_name) : str(e->er_name);
    // Of several lines of this header, the first whose text shows a fault.
    std::size_t pick = lines.size();
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (used[i] || !same_name(lines[i].first, h.name)) continue;
      if (h.repeated) {  // the copy after the first
        pick = i;
        continue;
      }
      if (pick == lines.size()) pick = i;
      if (what_is_wrong(h.name, lines[i].second) != kNoKnownFault) {
        pick = i;
        break;
      }
    }
    if (pick < lines.size()) {
      used[pick] = true;
      h.value = lines[pick].second;
      if (h.name.empty()) h.name = lines[pick].first;
    }
    found.emplace_back(pick, std::move(h));
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<RawHeader> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

std::vector<Message::Reason> Message::reasons() const {
  std::vector<Reason> out;
  for (const sip_reason_t* r = sip_object(msg_.get())->sip_reason; r; r = r->re_next) {
    Reason x;
    x.protocol = str(r->re_protocol);
    const std::string cause = str(r->re_cause);
    if (!cause.empty() && cause.size() <= 4 &&
        std::all_of(cause.begin(), cause.end(), [](char c) { return c >= '0' && c <= '9'; }))
      x.cause = std::stoi(cause);
    std::string_view text = r->re_text ? std::string_view(r->re_text) : std::string_view();
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
      text = text.substr(1, text.size() - 2);
    x.text = std::string(text);
    out.push_back(std::move(x));
  }
  return out;
}

std::string Message::phrase() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_status ? str(sip->sip_status->st_phrase) : std::string();
}

std::uint32_t Message::cseq_number() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_cseq ? sip->sip_cseq->cs_seq : 0;
}

std::string Message::via_transport() const {
  const sip_t* sip = sip_object(msg_.get());
  if (!sip->sip_via || !sip->sip_via->v_protocol) return {};
  return transport_of(sip->sip_via->v_protocol);
}

std::string Message::via_branch() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_via ? str(sip->sip_via->v_branch) : std::string();
}

bool Message::has_credentials() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_authorization || sip->sip_proxy_authorization;
}

bool Message::challenge_is_stale() const { return challenge_stale(sip_object(msg_.get())); }

int Message::expires() const { return expires_of(sip_object(msg_.get())); }

namespace {

const msg_auth_t* challenge_of(const sip_t* sip) {
  return sip->sip_www_authenticate ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
}

}  // namespace

int expires_of(const sip_t* sip) {
  int best = -1;
  for (const sip_contact_t* m = sip->sip_contact; m; m = m->m_next)
    if (m->m_expires) best = std::max(best, std::atoi(m->m_expires));
  if (best < 0 && sip->sip_expires) best = static_cast<int>(sip->sip_expires->ex_delta);
  return best;
}

bool challenge_stale(const sip_t* sip) {
  const msg_auth_t* au = challenge_of(sip);
  const char* stale = au ? msg_params_find(au->au_params, "stale=") : nullptr;
  return stale && (text::equal_ci(stale, "true") || text::equal_ci(stale, "\"true\""));
}

std::string Message::from_host_lenient() const {
  const sip_t* sip = sip_object(msg_.get());
  if (sip->sip_from) return from_uri().host;
  for (const auto& h : malformed_header_texts()) {
    if (h.name != "From" && h.name != "f") continue;
    std::string_view v = h.value;
    auto scheme = v.find("sip:");
    if (scheme == std::string_view::npos) scheme = v.find("sips:");
    if (scheme != std::string_view::npos) {
      v.remove_prefix(v.find(':', scheme) + 1);
    } else {
      // No scheme ("4155550142@pbx.example>"): the host is still after '@'.
      auto at = v.find('@');
      if (at == std::string_view::npos) return {};
      const auto user = v.find_last_of(" \t<\"", at);
      if (user != std::string_view::npos) v.remove_prefix(user + 1);
    }
    auto at = v.find('@');
    auto end_of_uri = v.find_first_of(">;? \t");
    if (at != std::string_view::npos && (end_of_uri == std::string_view::npos || at < end_of_uri))
      v.remove_prefix(at + 1);
    auto end = v.find_first_of(">;:? \t");
    return std::string(v.substr(0, end));
  }
  return {};
}

std::size_t Message::body_shortfall() const {
  const sip_t* sip = sip_object(msg_.get());
  if (!sip->sip_content_length) return 0;
  const std::size_t want = sip->sip_content_length->l_length;
  return want > body_received_ ? want - body_received_ : 0;
}

std::vector<std::string> Message::message_faults() const {
  const sip_t* sip = sip_object(msg_.get());
  std::vector<std::string> out;
  const std::vector<std::string> bad = malformed_headers();
  auto has_bad = [&](const char* name) {
    return std::find(bad.begin(), bad.end(), name) != bad.end();
  };
  std::string missing;
  auto need = [&](const void* h, const char* name) {
    if (!h && !has_bad(name)) missing += (missing.empty() ? "" : ", ") + std::string(name);
  };
  need(sip->sip_via, "Via");
  need(sip->sip_from, "From");
  need(sip->sip_to, "To");
  need(sip->sip_call_id, "Call-ID");
  need(sip->sip_cseq, "CSeq");
  if (sip->sip_request) need(sip->sip_max_forwards, "Max-Forwards");
  if (!missing.empty()) out.push_back("mandatory headers missing: " + missing);
  const char* version = sip->sip_request ? sip->sip_request->rq_version
                        : sip->sip_status ? sip->sip_status->st_version : nullptr;
  if (version && !su_casematch(version, "SIP/2.0"))
    out.push_back("the version is " + std::string(version) + ", not SIP/2.0");
  if (sip->sip_request && sip->sip_cseq && sip->sip_request->rq_method_name &&
      sip->sip_cseq->cs_method_name &&
      std::strcmp(sip->sip_request->rq_method_name, sip->sip_cseq->cs_method_name) != 0)
    out.push_back("the CSeq method " + str(sip->sip_cseq->cs_method_name) +
                  " is not the request's " + str(sip->sip_request->rq_method_name));
  const std::size_t short_by = body_shortfall();
  if (short_by > 0)
    out.push_back("the body is " + std::to_string(short_by) + " bytes shorter than its "
                  "Content-Length of " + std::to_string(sip->sip_content_length->l_length));
  if (msg_get_flags(msg_.get(), MSG_FLG_ERROR) && bad.empty() && missing.empty() && short_by == 0)
    out.push_back("sofia-sip found a syntax error it could not tie to a header");
  return out;
}

bool Message::can_be_answered() const {
  const sip_t* sip = sip_object(msg_.get());
  return sip->sip_request && sip->sip_via && sip->sip_from && sip->sip_to && sip->sip_call_id &&
         sip->sip_cseq;
}

}  // namespace trunk::sip
