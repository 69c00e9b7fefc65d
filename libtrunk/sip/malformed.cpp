// Describing malformed headers (see malformed.hpp).
#include "sip/malformed.hpp"

#include <algorithm>

#include "sip/message.hpp"
#include "text/ascii.hpp"

namespace trunk::sip {
namespace {

bool is_address_header(const std::string& n) {
  return n == "from" || n == "f" || n == "to" || n == "t" || n == "contact" || n == "m" ||
         n == "route" || n == "record-route" || n == "reply-to" || n == "refer-to" ||
         n == "r" || n == "p-asserted-identity" || n == "remote-party-id" ||
         n == "diversion" || n == "referred-by" || n == "b";
}

// Where the quoted string opening at v[open] ends (just past its closing
// '"'; a backslash escapes the next character), or npos if it never does.
std::size_t quoted_end(std::string_view v, std::size_t open) {
  for (std::size_t i = open + 1; i < v.size(); ++i) {
    if (v[i] == '\\') ++i;
    else if (v[i] == '"') return i + 1;
  }
  return std::string_view::npos;
}

// `v` without the white space RFC 3261 allows around the separators of a
// Via (SLASH, COLON, SEMI, EQUAL, COMMA): "SIP / 2.0 / UDP h ; branch = x"
// reads as "SIP/2.0/UDP h;branch=x".
std::string without_lws_around_separators(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c == ' ' || c == '\t') {
      auto next = v.find_first_not_of(" \t", i);
      const bool before_sep = next != std::string_view::npos &&
                              std::string_view("/:;=,").find(v[next]) != std::string_view::npos;
      const bool after_sep = !out.empty() && std::string_view("/:;=,").find(out.back()) !=
                                                 std::string_view::npos;
      if (before_sep || after_sep) {
        i = (next == std::string_view::npos ? v.size() : next) - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

// The faults of one name-addr or addr-spec, joined by " and ": a header
// often has more than one ("12032130635@host>" lacks both its scheme and
// its '<'), and the operator fixes them all at once.
std::string address_fault(std::string_view v) {
  if (v.empty()) return "the value is empty";
  if (v == "*") return {};
  // Past a quoted display name: a '<' or '>' inside the quotes is text.
  // Only a value's first character opens one; a quote further on is a
  // parameter's value (trunkd's caller-id="+15125550000").
  std::size_t after_name = 0;
  if (auto q = v.find_first_not_of(" \t"); q != std::string_view::npos && v[q] == '"') {
    after_name = quoted_end(v, q);
    if (after_name == std::string_view::npos) return "a quoted display name is never closed";
  }
  const auto lt = v.find('<', after_name);
  const auto gt = v.find('>', after_name);
  std::string faults;
  auto add = [&](std::string_view f) {
    if (!faults.empty()) faults += " and ";
    faults += f;
  };
  std::string_view uri;
  if (lt != std::string_view::npos && gt == std::string_view::npos) {
    add("'<' is never closed by '>'");
    uri = v.substr(lt + 1);
  } else if (lt != std::string_view::npos && lt < gt) {
    uri = v.substr(lt + 1, gt - lt - 1);
    if (!uri.empty() && (uri.find_first_of(" \t") == 0 || uri.find_last_of(" \t") == uri.size() - 1))
      add("white space between '<' '>' and the URI");
    while (!uri.empty() && (uri.back() == ' ' || uri.back() == '\t')) uri.remove_suffix(1);
  } else {
    // No '<' before the URI: what precedes its '>' or parameters, less a
    // display name, which may not stand before a bare URI.
    const bool stray_gt = gt != std::string_view::npos;
    if (stray_gt) add("'>' without an opening '<'");
    uri = v.substr(after_name, stray_gt ? gt - after_name : std::string_view::npos);
    if (!stray_gt) uri = uri.substr(0, uri.find(';'));
    while (!uri.empty() && (uri.back() == ' ' || uri.back() == '\t')) uri.remove_suffix(1);
    auto blank = uri.find_last_of(" \t");
    if (after_name > 0 || blank != std::string_view::npos) {
      if (!stray_gt) add("a display name is followed by a URI that is not in '<' '>'");
      if (blank != std::string_view::npos) uri.remove_prefix(blank + 1);
    }
  }
  while (!uri.empty() && (uri.front() == ' ' || uri.front() == '\t')) uri.remove_prefix(1);
  const auto colon = uri.find(':');
  const auto at = uri.find('@');
  // In "user@host:5060" the colon comes after the '@': a port, not a scheme.
  if (colon == std::string_view::npos || colon == 0 || at < colon) {
    add("the URI has no scheme (sip:, sips: or tel:)");
    return faults;
  }
  const std::string scheme = text::ascii_lower(uri.substr(0, colon));
  if (scheme == "sip" || scheme == "sips") {
    const std::string_view rest = uri.substr(colon + 1);
    const auto user_end = rest.find('@');
    const std::string_view host = user_end == std::string_view::npos ? rest : rest.substr(user_end + 1);
    if (user_end == 0) add("the URI has '@' but no user before it");
    else if (host.empty() || host.front() == ':' || host.front() == ';') add("the URI has no host");
    else if (host.find_first_of(" \t") != std::string_view::npos) add("the URI's host contains a space");
  }
  return faults;
}

std::string via_fault(std::string_view raw) {
  const std::string normalized = without_lws_around_separators(raw);
  const std::string_view v = normalized;
  std::string l = text::ascii_lower(v);
  if (l.rfind("sip/2.0/", 0) != 0) return "it does not start with SIP/2.0/TRANSPORT";
  auto space = l.find_first_of(" \t", 8);
  // "SIP/2.0/ host": the blank after the slash was taken for LWS, but
  // then nothing is left for the sent-by: the transport is what is missing.
  if (const auto blank = raw.find_first_of(" \t");
      space == std::string::npos && blank != std::string_view::npos && blank > 0 &&
      raw[blank - 1] == '/')
    space = 8;
  if (space == std::string::npos || space == 8) {
    return space == 8 ? "the transport is missing after SIP/2.0/"
                      : "the sent-by host is missing after " + std::string(v.substr(0, l.size()));
  }
  auto host = l.find_first_not_of(" \t", space);
  if (host == std::string::npos || l[host] == ';' || l[host] == ',')
    return "the sent-by host is missing after " + std::string(v.substr(0, space));
  auto end = l.find_first_of(";,", host);
  std::string sent_by = l.substr(host, end == std::string::npos ? std::string::npos : end - host);
  while (!sent_by.empty() && (sent_by.back() == ' ' || sent_by.back() == '\t')) sent_by.pop_back();
  if (auto blank = sent_by.find_first_of(" \t"); blank != std::string::npos) {
    const auto port = sent_by.find_first_not_of(" \t", blank);
    if (std::all_of(sent_by.begin() + static_cast<long>(port), sent_by.end(),
                    [](char c) { return c >= '0' && c <= '9'; }))
      return "a space, not ':', separates the sent-by host from its port";
    return "the sent-by host contains a space";
  }
  if (auto colon = sent_by.rfind(':');
      colon != std::string::npos && sent_by.front() != '[' &&
      (colon + 1 == sent_by.size() ||
       !std::all_of(sent_by.begin() + static_cast<long>(colon) + 1, sent_by.end(),
                    [](char c) { return c >= '0' && c <= '9'; })))
    return "the sent-by port is not a number";
  return {};
}

// The headers whose accepted text is still checked: those the trunk
// matching reads, where sofia-sip is more lenient than RFC 3261.
bool checked_when_accepted(const std::string& n) {
  return n == "from" || n == "f" || n == "to" || n == "t" || n == "contact" || n == "m" ||
         n == "via" || n == "v";
}

// The entries of a list value ("<sip:a@x>, <sip:b@y>"): split at commas
// outside quotes and '<' '>'.
std::vector<std::string_view> list_entries(std::string_view v) {
  std::vector<std::string_view> out;
  int angle = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c == '"') {
      const auto end = quoted_end(v, i);
      if (end == std::string_view::npos) break;  // what_is_wrong() says so
      i = end - 1;
    } else if (c == '<') {
      ++angle;
    } else if (c == '>' && angle > 0) {
      --angle;
    } else if (angle == 0 && c == ',') {
      out.push_back(v.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(v.substr(start));
  for (auto& e : out) {
    while (!e.empty() && (e.front() == ' ' || e.front() == '\t')) e.remove_prefix(1);
    while (!e.empty() && (e.back() == ' ' || e.back() == '\t')) e.remove_suffix(1);
  }
  return out;
}

}  // namespace

std::vector<HeaderFault> header_faults(const Message& m, std::string_view bytes) {
  std::vector<HeaderFault> out;
  for (auto& h : m.malformed_header_texts()) {
    std::string problem = h.repeated ? "it appears more than once, and may appear only once"
                                     : what_is_wrong(h.name, h.value);
    out.push_back({std::move(h.name), std::move(h.value), std::move(problem)});
  }
  const std::size_t set_aside = out.size();
  const std::vector<Message::RawHeader> texts = Message::header_texts(bytes);
  for (const auto& h : texts) {
    if (!checked_when_accepted(text::ascii_lower(h.name))) continue;
    bool reported = false;
    for (std::size_t i = 0; i < set_aside && !reported; ++i)
      reported = text::equal_ci(out[i].name, h.name) && out[i].value == h.value;
    if (reported) continue;
    std::string problem;
    for (std::string_view entry : list_entries(h.value)) {
      std::string f = what_is_wrong(h.name, entry);
      if (f == kNoKnownFault) continue;
      problem += (problem.empty() ? "" : "; ") + f;
    }
    if (!problem.empty()) out.push_back({h.name, h.value, std::move(problem)});
  }
  // Both kinds in the order of the message's lines.
  auto line_of = [&](const HeaderFault& f) {
    std::size_t i = 0;
    while (i < texts.size() && !(text::equal_ci(texts[i].name, f.name) && texts[i].value == f.value))
      ++i;
    return i;
  };
  std::stable_sort(out.begin(), out.end(), [&](const HeaderFault& a, const HeaderFault& b) {
    return line_of(a) < line_of(b);
  });
  return out;
}

std::string what_is_wrong(std::string_view name, std::string_view value) {
  const std::string n = text::ascii_lower(name);
  std::string fault;
  if (is_address_header(n)) {
    fault = address_fault(value);
  } else if (n == "via" || n == "v") {
    fault = via_fault(value);
  } else if (n == "cseq") {
    auto space = value.find(' ');
    std::string_view num = value.substr(0, space);
    if (num.empty() || !std::all_of(num.begin(), num.end(), [](char c) { return c >= '0' && c <= '9'; }))
      fault = "the sequence number is not a number";
    else if (space == std::string_view::npos)
      fault = "the method is missing after the sequence number";
    else if (num.size() > 10)
      fault = "the sequence number is larger than 2**31";
  } else if (n == "content-length" || n == "l" || n == "max-forwards" || n == "expires") {
    if (value.empty() || !std::all_of(value.begin(), value.end(),
                                      [](char c) { return c >= '0' && c <= '9'; }))
      fault = "the value is not a whole number";
    else
      fault = "the number is out of range";
  } else if (n == "call-id" || n == "i") {
    if (value.empty()) fault = "the value is empty";
    else if (value.find_first_of(" \t") != std::string_view::npos)
      fault = "the Call-ID contains a space";
  }
  if (fault.empty()) fault = kNoKnownFault;
  return fault;
}

std::vector<std::string> start_line_faults(std::string_view message) {
  std::vector<std::string> out;
  std::string_view line = message.substr(0, message.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // A status line ends in its reason phrase, which may be empty or end
  // in a space; a request line ends in the version.
  const bool status = line.rfind("SIP/", 0) == 0;
  if (!status && !line.empty() && (line.back() == ' ' || line.back() == '\t'))
    out.push_back("the request line ends in white space");
  std::string_view trimmed = line;
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t'))
    trimmed.remove_suffix(1);
  if (!status) {
    // METHOD SP Request-URI SP SIP-Version: exactly two single spaces.
    auto first = trimmed.find(' ');
    auto last = trimmed.rfind(' ');
    if (first != std::string_view::npos && last > first) {
      std::string_view uri = trimmed.substr(first + 1, last - first - 1);
      if (uri.empty() || uri.front() == ' ' || uri.back() == ' ')
        out.push_back("more than one space separates the parts of the request line");
      else if (uri.find_first_of(" \t") != std::string_view::npos)
        out.push_back("the Request-URI contains white space");
      if (!uri.empty() && (uri.front() == '<' || uri.back() == '>'))
        out.push_back("the Request-URI is enclosed in '<' '>'");
      if (uri.find('?') != std::string_view::npos)
        out.push_back("the Request-URI carries headers ('?'), which a Request-URI may not");
    }
  }
  return out;
}

}  // namespace trunk::sip
