// The lean reader of plain SIP messages (see scanner.hpp).
//
// Every rule here is narrower than RFC 3261 on purpose: what it lets
// through must be a message sofia-sip parses without setting a header
// aside and that the fault checks pass. Whatever is unusual (quoted
// parameters, escapes, folded lines, a header sofia-sip parses that this
// does not check) goes to the full parse; only the common shapes need to
// be fast.
#include "sip/scanner.hpp"

#include <sofia-sip/msg_mclass.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#include <cstdint>

namespace trunk::sip {
namespace {

using sv = std::string_view;

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// A table per character class: the scanner asks once or more per byte.
struct CharClass {
  bool in[256] = {};
  constexpr CharClass(sv extra) {
    for (int c = 0; c < 256; ++c)
      in[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    for (char c : extra) in[static_cast<unsigned char>(c)] = true;
  }
  bool operator()(char c) const { return in[static_cast<unsigned char>(c)]; }
};

// RFC 3261 token.
constexpr CharClass kToken("-.!%*_+`'~");
bool is_token(char c) { return kToken(c); }

bool all_of(sv s, bool (*ok)(char)) {
  for (char c : s)
    if (!ok(c)) return false;
  return true;
}

bool is_method_char(char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_'; }

// The methods read here: those of RFC 3261 and its common extensions, as
// written. sofia-sip reads others in ways of its own (it sets aside a CSeq
// of "2 I" or "2 A1" but not "2 X"); they go to the full parse.
bool known_method(sv m) {
  static constexpr sv kMethods[] = {"INVITE", "ACK",    "BYE",       "CANCEL", "OPTIONS",
                                    "REGISTER", "INFO", "PRACK",     "UPDATE", "MESSAGE",
                                    "SUBSCRIBE", "NOTIFY", "REFER",  "PUBLISH"};
  for (sv k : kMethods)
    if (m == k) return true;
  return false;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `s` equals `lower_name` (in lower case) in any case.
bool named(sv s, sv lower_name) {
  if (s.size() != lower_name.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (lower(s[i]) != lower_name[i]) return false;
  return true;
}

// A number of at most `max_digits` digits; false when it is not one.
bool number(sv s, std::size_t max_digits, std::uint32_t& out) {
  if (s.empty() || s.size() > max_digits || !all_of(s, is_digit)) return false;
  out = 0;
  for (char c : s) out = out * 10 + static_cast<std::uint32_t>(c - '0');
  return true;
}

void skip_blanks(sv& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

// Takes from `s` the longest prefix of characters `ok` accepts.
sv take(sv& s, bool (*ok)(char)) {
  std::size_t n = 0;
  while (n < s.size() && ok(s[n])) ++n;
  sv out = s.substr(0, n);
  s.remove_prefix(n);
  return out;
}

bool is_host_char(char c) { return is_alnum(c) || c == '.' || c == '-'; }
bool is_ipv6_char(char c) {
  return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f') || c == ':' || c == '.';
}

// A domain name (labels of letters, digits and inner '-', the last not
// starting with a digit) or an IPv4 address in four parts: sofia-sip
// refuses "198.5101..0".
bool host_name(sv h) {
  if (h.empty()) return false;
  std::size_t labels = 0;
  bool numeric = true;
  sv last;
  for (sv rest = h;;) {
    const auto dot = rest.find('.');
    const sv label = rest.substr(0, dot);
    if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back())) return false;
    std::uint32_t n = 0;
    if (!number(label, 3, n) || n > 255) numeric = false;
    ++labels;
    last = label;
    if (dot == sv::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (is_digit(last.front())) return numeric && labels == 4;
  return true;
}

// host [":" port] from the front of `s`: a name or IPv4 address, or an
// IPv6 reference in brackets (kept, as sofia-sip keeps them).
bool host_port(sv& s, sv& host, sv& port) {
  if (!s.empty() && s.front() == '[') {
    sv rest = s.substr(1);
    sv inside = take(rest, is_ipv6_char);
    if (inside.empty() || rest.empty() || rest.front() != ']') return false;
    host = s.substr(0, inside.size() + 2);
    s.remove_prefix(host.size());
  } else {
    host = take(s, is_host_char);
    if (!host_name(host)) return false;
  }
  port = {};
  if (!s.empty() && s.front() == ':') {
    s.remove_prefix(1);
    port = take(s, is_digit);
    std::uint32_t n = 0;
    if (!number(port, 5, n) || n > 65535) return false;
  }
  return true;
}

// ";name" or ";name=value" parameters, both tokens, to the end of `s` or
// to a stop character; `on` sees each. No quoted values, no blanks.
template <class On>
bool params(sv& s, sv stop, On&& on) {
  while (!s.empty() && s.front() == ';') {
    s.remove_prefix(1);
    sv name = take(s, is_token);
    if (name.empty()) return false;
    sv value;
    bool has_value = false;
    if (!s.empty() && s.front() == '=') {
      s.remove_prefix(1);
      value = take(s, is_token);
      if (value.empty()) return false;
      has_value = true;
    }
    if (!on(name, value, has_value)) return false;
  }
  return s.empty() || stop.find(s.front()) != sv::npos;
}

constexpr CharClass kUser("-_.!~*+&=$");
bool is_user_char(char c) { return kUser(c); }
bool is_tel_char(char c) { return is_digit(c) || c == '+' || c == '-' || c == '.'; }

// A sip:, sips: or tel: URI (the scheme in lower case) taking all of `s`:
// user and host as sofia-sip gives them (a tel: URI's number as its user).
bool uri(sv s, UriView& out) {
  out = {};
  const auto colon = s.find(':');
  if (colon == sv::npos) return false;
  out.scheme = s.substr(0, colon);
  s.remove_prefix(colon + 1);
  auto any = [](sv, sv, bool) { return true; };
  if (out.scheme == "tel") {
    out.user = take(s, is_tel_char);
    return !out.user.empty() && params(s, "", any) && s.empty();
  }
  if (out.scheme != "sip" && out.scheme != "sips") return false;
  const auto at = s.find('@');
  if (at != sv::npos) {
    out.user = s.substr(0, at);
    if (out.user.empty() || !all_of(out.user, is_user_char)) return false;
    s.remove_prefix(at + 1);
  }
  return host_port(s, out.host, out.port) && params(s, "", any) && s.empty();
}

bool is_uri_char(char c) {
  return c > ' ' && c < 0x7f && c != '<' && c != '>' && c != '"' && c != ',' && c != '?' &&
         c != '\\' && c != '%';
}
bool is_display_char(char c) { return is_token(c) || c == ' '; }

// One name-addr or addr-spec with its header parameters, from the front
// of `s`, up to the end or a ',' (left in `s`). `tag` gets the tag
// parameter's value; `has_tag` whether there is one.
bool address(sv& s, UriView& out, bool& has_tag) {
  has_tag = false;
  sv u;
  if (!s.empty() && (s.front() == '"' || s.front() == '<' || s.find('<') != sv::npos)) {
    if (s.front() == '"') {
      const auto close = s.find('"', 1);
      if (close == sv::npos) return false;
      for (char c : s.substr(1, close - 1))
        if (c == '\\' || (static_cast<unsigned char>(c) < 0x20) || c == 0x7f) return false;
      s.remove_prefix(close + 1);
      skip_blanks(s);
    } else if (s.front() != '<') {
      sv name = take(s, is_display_char);
      if (name.empty() || name.front() == ' ' || name.find("  ") != sv::npos) return false;
    }
    if (s.empty() || s.front() != '<') return false;
    s.remove_prefix(1);
    u = take(s, is_uri_char);
    if (s.empty() || s.front() != '>') return false;
    s.remove_prefix(1);
  } else {
    // A bare URI: its parameters are the header's.
    std::size_t n = 0;
    while (n < s.size() && is_uri_char(s[n]) && s[n] != ';') ++n;
    u = s.substr(0, n);
    s.remove_prefix(n);
  }
  if (!uri(u, out)) return false;
  return params(s, ",", [&](sv name, sv, bool has_value) {
    if (!named(name, "tag")) return true;
    if (has_tag || !has_value) return false;  // sofia-sip's choice among two is not ours to guess
    has_tag = true;
    return true;
  });
}

bool is_transport_char(char c) { return is_alnum(c); }

// The headers read here, by what they are; other = any other.
enum class Header { via, from, to, call_id, cseq, contact, content_length, max_forwards,
                    content_type, user_agent, server, allow, supported, other };

Header header_of(sv name) {
  if (name.size() == 1) {
    switch (lower(name[0])) {
      case 'v': return Header::via;
      case 'f': return Header::from;
      case 't': return Header::to;
      case 'i': return Header::call_id;
      case 'm': return Header::contact;
      case 'l': return Header::content_length;
      case 'c': return Header::content_type;
      case 'k': return Header::supported;
      default: return Header::other;
    }
  }
  static constexpr std::pair<sv, Header> kNames[] = {
      {"via", Header::via}, {"from", Header::from}, {"to", Header::to},
      {"call-id", Header::call_id}, {"cseq", Header::cseq}, {"contact", Header::contact},
      {"content-length", Header::content_length}, {"max-forwards", Header::max_forwards},
      {"content-type", Header::content_type}, {"user-agent", Header::user_agent},
      {"server", Header::server}, {"allow", Header::allow}, {"supported", Header::supported}};
  for (const auto& [n, h] : kNames)
    if (named(name, n)) return h;
  return Header::other;
}

// Whether sofia-sip parses a header of this name (and so may set it
// aside), as opposed to keeping it as an unknown extension header. `name`
// is followed by ':' in the message, which ends sofia-sip's reading of it.
bool sofia_parses(sv name) {
  static const msg_mclass_t* const mclass = sip_default_mclass();
  const msg_href_t* h = msg_find_hclass(mclass, name.data(), nullptr);
  return h && h->hr_class != sip_unknown_class;
}

constexpr CharClass kProduct("/.-_+ ");
bool is_product_char(char c) { return kProduct(c); }

// "a, b,c": tokens separated by commas.
bool token_list(sv s) {
  for (;;) {
    if (take(s, is_token).empty()) return false;
    skip_blanks(s);
    if (s.empty()) return true;
    if (s.front() != ',') return false;
    s.remove_prefix(1);
    skip_blanks(s);
  }
}

bool is_call_id_char(char c) { return c > ' ' && c < 0x7f && c != '"' && c != ','; }

}  // namespace

// The scanner fills MessageView's parts directly: it is a friend.
class Scanner {
 public:
  static bool scan(sv bytes, MessageView& m);

 private:
  // The headers a message may hold once, seen so far, and its
  // Content-Length.
  struct Seen {
    bool from = false, to = false, call_id = false, cseq = false, length = false,
         max_forwards = false, type = false, agent = false, server = false;
    std::uint32_t content_length = 0;
  };
  static bool start_line(sv line, MessageView& m);
  static bool vias(sv value, MessageView& m);
  static bool header(Header h, sv name, sv value, MessageView& m, Seen& seen);
};

// The Via entries of one header value; false when one is not plain.
bool Scanner::vias(sv s, MessageView& v) {
  for (;;) {
    if (s.size() < 8 || s.substr(0, 8) != "SIP/2.0/") return false;
    const char* const entry = s.data();
    sv protocol = s;
    s.remove_prefix(8);
    if (take(s, is_transport_char).empty()) return false;
    protocol = protocol.substr(0, protocol.size() - s.size());
    if (s.empty() || s.front() != ' ') return false;
    s.remove_prefix(1);
    ViaView via;
    if (!host_port(s, via.host, via.port)) return false;
    sv branch;
    bool seen_branch = false, seen_received = false, seen_rport = false;
    const bool ok = params(s, ",", [&](sv name, sv value, bool) {
      bool* seen = named(name, "branch") ? &seen_branch
                   : named(name, "received") ? &seen_received
                   : named(name, "rport")  ? &seen_rport
                                           : nullptr;
      if (!seen) return true;
      if (*seen) return false;
      *seen = true;
      if (seen == &seen_branch) branch = value;
      else if (seen == &seen_received) via.received = value;
      else via.rport = value;
      return true;
    });
    if (!ok) return false;
    if (seen_branch && branch.empty()) return false;
    if (seen_received && via.received.empty()) return false;
    if (v.via_count_ >= MessageView::kMaxVias) return false;
    via.text = sv(entry, static_cast<std::size_t>(s.data() - entry));
    if (v.via_count_ == 0) {
      v.via_protocol_ = protocol;
      v.via_branch_ = branch;
    }
    v.vias_[v.via_count_++] = via;
    if (s.empty()) return true;
    s.remove_prefix(1);  // ','
    skip_blanks(s);
  }
}


bool Scanner::start_line(sv line, MessageView& m) {
  if (line.substr(0, 8) == "SIP/2.0 ") {
    sv rest = line.substr(8);
    std::uint32_t status = 0;
    if (rest.size() < 5 || !number(rest.substr(0, 3), 3, status) || rest[3] != ' ') return false;
    if (status < 100 || status > 699) return false;
    m.status_ = static_cast<int>(status);
    m.phrase_ = rest.substr(4);
    if (m.phrase_.empty() || m.phrase_.front() == ' ' || m.phrase_.back() == ' ') return false;
    for (char c : m.phrase_)
      if ((static_cast<unsigned char>(c) < 0x20) || c == 0x7f) return false;
    return true;
  }
  m.request_ = true;
  sv rest = line;
  m.method_ = take(rest, is_method_char);
  if (!known_method(m.method_) || rest.empty() || rest.front() != ' ') return false;
  rest.remove_prefix(1);
  constexpr sv kVersion = " SIP/2.0";
  if (rest.size() <= kVersion.size() || rest.substr(rest.size() - kVersion.size()) != kVersion)
    return false;
  sv u = rest.substr(0, rest.size() - kVersion.size());
  if (!all_of(u, is_uri_char)) return false;
  return uri(u, m.request_uri_);
}

// One header line's value, read into `m` or checked; false when it is not
// plain, or is a second one of a header a message holds once.
bool Scanner::header(Header h, sv name, sv value, MessageView& m, Seen& seen) {
  auto once = [](bool& was) {
    if (was) return false;
    was = true;
    return true;
  };
  bool has_tag = false;
  switch (h) {
    case Header::via:
      return vias(value, m);
    case Header::from:
      m.from_text_ = value;
      if (!once(seen.from) || !address(value, m.from_, has_tag) || !value.empty()) return false;
      return m.from_.scheme != "tel";  // sofia-sip's From host is then the number
    case Header::to:
      m.to_text_ = value;
      if (!once(seen.to) || !address(value, m.to_, has_tag) || !value.empty()) return false;
      m.to_has_tag_ = has_tag;
      return m.to_.scheme != "tel";
    case Header::contact:
      for (;;) {
        UriView contact;
        if (!address(value, contact, has_tag) || has_tag) return false;
        if (value.empty()) return true;
        value.remove_prefix(1);  // ','
        skip_blanks(value);
      }
    case Header::call_id:
      if (!once(seen.call_id) || value.empty() || !all_of(value, is_call_id_char)) return false;
      m.call_id_ = value;
      return true;
    case Header::cseq: {
      if (!once(seen.cseq)) return false;
      sv digits = take(value, is_digit);
      if (!number(digits, 9, m.cseq_) || value.size() < 2 || value.front() != ' ') return false;
      value.remove_prefix(1);
      m.cseq_method_ = value;
      return known_method(value);
    }
    case Header::content_length:
      return once(seen.length) && number(value, 9, seen.content_length);
    case Header::max_forwards: {
      std::uint32_t hops = 0;
      return once(seen.max_forwards) && number(value, 3, hops) && hops <= 255;
    }
    case Header::content_type: {
      if (!once(seen.type) || named(value.substr(0, 10), "multipart/")) return false;
      if (take(value, is_token).empty() || value.empty() || value.front() != '/') return false;
      value.remove_prefix(1);
      if (take(value, is_token).empty()) return false;
      return params(value, "", [](sv, sv, bool) { return true; }) && value.empty();
    }
    case Header::user_agent:
    case Header::server:
      return once(h == Header::server ? seen.server : seen.agent) && !value.empty() &&
             all_of(value, is_product_char);
    case Header::allow:
    case Header::supported:
      return token_list(value);
    case Header::other:
      return !sofia_parses(name);
  }
  return false;
}

bool Scanner::scan(sv bytes, MessageView& m) {
  m = MessageView{};
  const auto first_end = bytes.find("\r\n");
  if (first_end == sv::npos || !start_line(bytes.substr(0, first_end), m)) return false;
  sv rest = bytes.substr(first_end + 2);
  Seen seen;
  for (;;) {
    const auto end = rest.find("\r\n");
    if (end == sv::npos) return false;
    sv line = rest.substr(0, end);
    rest.remove_prefix(end + 2);
    if (line.empty()) break;  // the blank line before the body
    // A folded line (the next one opens with a blank) joins this one: left
    // to the full parse.
    if (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) return false;
    for (char c : line)
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return false;
    sv name = take(line, is_token);
    if (name.empty() || line.empty() || line.front() != ':') return false;
    line.remove_prefix(1);
    skip_blanks(line);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (!header(header_of(name), name, line, m, seen)) return false;
  }
  // What message_faults() would miss: a mandatory header, the CSeq
  // method, the body's length.
  if (m.via_count_ == 0 || !seen.from || !seen.to || !seen.call_id || !seen.cseq) return false;
  if (m.request_ && (!seen.max_forwards || m.cseq_method_ != m.method_)) return false;
  if (!seen.length || seen.content_length != rest.size()) return false;
  if (needs_full_parse(m.status_, m.cseq_method_)) return false;
  m.from_host_ = m.from_.host;
  m.from_url_host_ = m.from_.host;
  return true;
}

bool scan(std::string_view bytes, MessageView& out) { return Scanner::scan(bytes, out); }

}  // namespace trunk::sip
