// Describing malformed headers (see malformed.hpp).
#include "sip/malformed.hpp"

#include <algorithm>

#include "text/ascii.hpp"

namespace trunk::sip {
namespace {

bool is_address_header(const std::string& n) {
  return n == "from" || n == "f" || n == "to" || n == "t" || n == "contact" || n == "m" ||
         n == "route" || n == "record-route" || n == "reply-to" || n == "refer-to" ||
         n == "r" || n == "p-asserted-identity" || n == "remote-party-id" ||
         n == "diversion" || n == "referred-by" || n == "b";
}

// The fault of one name-addr or addr-spec.
std::string address_fault(std::string_view v) {
  if (v.empty()) return "the value is empty";
  if (v == "*") return {};
  auto lt = v.find('<');
  auto gt = v.find('>');
  if (lt != std::string_view::npos && gt == std::string_view::npos)
    return "'<' is never closed by '>'";
  if (gt != std::string_view::npos && (lt == std::string_view::npos || gt < lt))
    return "'>' without an opening '<'";
  if (std::count(v.begin(), v.end(), '"') % 2 != 0) return "a quoted display name is never closed";
  std::string_view uri = v;
  if (lt != std::string_view::npos) uri = v.substr(lt + 1, gt - lt - 1);
  else if (auto semi = v.find(';'); semi != std::string_view::npos) uri = v.substr(0, semi);
  auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return "the URI has no scheme (sip:, sips: or tel:)";
  std::string scheme = text::ascii_lower(uri.substr(0, colon));
  std::string_view rest = uri.substr(colon + 1);
  if (scheme == "sip" || scheme == "sips") {
    auto at = rest.find('@');
    std::string_view host = at == std::string_view::npos ? rest : rest.substr(at + 1);
    if (at != std::string_view::npos && at == 0) return "the URI has '@' but no user before it";
    if (host.empty() || host.front() == ':' || host.front() == ';')
      return "the URI has no host";
    if (host.find_first_of(" \t") != std::string_view::npos)
      return "the URI's host contains a space";
    if (lt == std::string_view::npos && v.find_first_of(" \t") != std::string_view::npos &&
        v.find(';') == std::string_view::npos)
      return "a display name is followed by a URI that is not in '<' '>'";
  }
  return {};
}

std::string via_fault(std::string_view v) {
  std::string l = text::ascii_lower(v);
  if (l.rfind("sip/2.0/", 0) != 0) return "it does not start with SIP/2.0/TRANSPORT";
  auto space = l.find_first_of(" \t", 8);
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
  if (sent_by.find_first_of(" \t") != std::string::npos) return "the sent-by host contains a space";
  if (auto colon = sent_by.rfind(':');
      colon != std::string::npos && sent_by.front() != '[' &&
      (colon + 1 == sent_by.size() ||
       !std::all_of(sent_by.begin() + static_cast<long>(colon) + 1, sent_by.end(),
                    [](char c) { return c >= '0' && c <= '9'; })))
    return "the sent-by port is not a number";
  return {};
}

}  // namespace

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
