// Recognising log lines of the text log formats (see log_line.hpp).
#include "capture/log_line.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "text/ascii.hpp"

namespace trunk::capture {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

using text::equal_ci;

// Position of `needle` (lower case) in `hay`, ignoring case; npos if absent.
std::size_t find_ci(std::string_view hay, std::string_view needle, std::size_t from = 0) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (text::ascii_lower(hay[i]) != needle[0]) continue;
    std::size_t k = 1;
    while (k < needle.size() && text::ascii_lower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && equal_ci(s.substr(s.size() - suffix.size()), suffix);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_blank(s.front()))) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The word starting at `pos` (up to a blank or the end).
std::string_view word_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return {};
  std::size_t end = pos;
  while (end < s.size() && !is_blank(s[end])) ++end;
  return s.substr(pos, end - pos);
}

// "UDP:203.0.113.10:5060" or "203.0.113.10:5060" (Asterisk).
bool parse_asterisk_address(std::string_view token, Endpoint& ep, Transport& t) {
  auto colon = token.find(':');
  if (colon != std::string_view::npos) {
    Transport named = parse_transport(token.substr(0, colon));
    if (named != Transport::unknown) {
      t = named;
      token.remove_prefix(colon + 1);
    }
  }
  return parse_host_port(token, false, ep);
}

// Asterisk, pjsip and chan_sip: `<--- ... from X --->`, `<--- ... to X --->`,
// `<------------->`, and the older `Reliably Transmitting (NAT) to X:`.
bool read_asterisk(std::string_view line, LogLine& out) {
  auto arrow = line.find("<---");
  std::string_view rest;
  if (arrow != std::string_view::npos) {
    rest = line.substr(arrow + 4);
    if (trim(rest).find_first_not_of("->") == std::string_view::npos) {
      out.kind = LogLine::Kind::end;
      out.format = "asterisk";
      out.strong = true;
      return true;
    }
  } else {
    auto t = line.find("ransmitting");
    if (t == std::string_view::npos || t == 0 || text::ascii_lower(line[t - 1]) != 't') return false;
    rest = line.substr(t - 1);
  }
  bool received = false;
  std::size_t at = rest.find(" from ");
  if (at != std::string_view::npos) {
    received = true;
    at += 6;
  } else {
    at = rest.find(" to ");
    if (at == std::string_view::npos) return false;
    at += 4;
  }
  std::string_view token = word_at(rest, at);
  Endpoint ep;
  Transport t = Transport::unknown;
  if (!parse_asterisk_address(token, ep, t)) return false;
  out.kind = LogLine::Kind::announce;
  out.format = "asterisk";
  (received ? out.src : out.dst) = ep;
  out.transport = t;
  out.time_us = find_date_time(line.substr(0, arrow == std::string_view::npos ? line.size() : arrow));
  return true;
}

// FreeSWITCH `sofia siptrace`: `recv 1020 bytes from udp/[203.0.113.10]:5060 at 10:01:02.123456:`.
bool read_freeswitch(std::string_view line, LogLine& out) {
  std::size_t pos = 0;
  for (;;) {
    auto r = line.find("recv ", pos), s = line.find("send ", pos);
    pos = std::min(r, s);
    if (pos == std::string_view::npos) return false;
    if (pos == 0 || is_blank(line[pos - 1])) break;
    pos += 5;
  }
  bool received = line[pos] == 'r';
  std::size_t i = pos + 5;
  std::size_t digits = i;
  while (i < line.size() && is_digit(line[i])) ++i;
  if (i == digits) return false;
  std::string_view after = line.substr(i);
  std::string_view lead = received ? " bytes from " : " bytes to ";
  if (after.substr(0, lead.size()) != lead) return false;
  std::string_view token = word_at(after, lead.size());
  auto slash = token.find('/');
  if (slash == std::string_view::npos) return false;
  Endpoint ep;
  if (!parse_host_port(token.substr(slash + 1), false, ep)) return false;
  out.kind = LogLine::Kind::announce;
  out.format = "freeswitch";
  out.transport = parse_transport(token.substr(0, slash));
  (received ? out.src : out.dst) = ep;
  out.time_us = find_date_time(line.substr(0, pos));
  return true;
}

// ngrep: `U 2026/11/23 10:01:02.123456 203.0.113.10:5060 -> 198.51.100.7:5060 #12`,
// `T +0.000123 1.2.3.4:5060 -> 5.6.7.8:5060 [AP] #3`, and `#` lines.
bool read_ngrep(std::string_view line, LogLine& out) {
  if (line.empty()) return false;
  if (line.front() == '#') {
    if (trim(line).find_first_not_of('#') != std::string_view::npos) return false;
    out.kind = LogLine::Kind::end;
    out.format = "ngrep";
    out.strong = true;
    return true;
  }
  if (line.size() < 10 || line[1] != ' ' ||
      (line[0] != 'U' && line[0] != 'T' && line[0] != 'I'))
    return false;
  auto arrow = line.find(" -> ");
  if (arrow == std::string_view::npos) return false;
  std::string_view before = line.substr(0, arrow);
  auto space = before.rfind(' ');
  Endpoint src, dst;
  if (!parse_host_port(before.substr(space + 1), true, src)) return false;
  std::string_view to = word_at(line, arrow + 4);
  if (!parse_host_port(to, true, dst)) return false;
  // What follows: TCP flags `[AP]`, a packet number `#12`, and with -W
  // single the packet itself.
  std::string_view rest = line.substr(std::min(line.size(), arrow + 4 + to.size()));
  for (;;) {
    rest = trim_blanks(rest);
    std::string_view w = rest.substr(0, rest.find(' '));
    if (w.empty() || (w.front() != '[' && w.front() != '#')) break;
    rest.remove_prefix(w.size());
  }
  out.payload = rest;
  out.kind = LogLine::Kind::announce;
  out.format = "ngrep";
  out.src = src;
  out.dst = dst;
  out.transport = line[0] == 'U' ? Transport::udp
                  : line[0] == 'T' ? Transport::tcp
                                   : Transport::unknown;
  out.time_us = find_date_time(before);
  return true;
}

// `Received Packet from 203.0.113.10:5060 (UDP)`, `Sent Packet to 1.2.3.4:5060`,
// `Sending to udp:1.2.3.4:5060`, `Received from ...`, with anything before.
bool read_received_packet(std::string_view line, LogLine& out) {
  struct Phrase {
    std::string_view lead;  // lower case, ends before " from "/" to "
    bool received;
  };
  static constexpr std::array<Phrase, 4> kFrom = {{
      {"received packet", true}, {"received", true}, {"recv", true}, {"received message", true}}};
  static constexpr std::array<Phrase, 5> kTo = {{{"sent packet", false},
                                                 {"sending packet", false},
                                                 {"sending", false},
                                                 {"sent", false},
                                                 {"sent message", false}}};
  for (int dir = 0; dir < 2; ++dir) {
    std::string_view link = dir == 0 ? " from " : " to ";
    std::size_t at = find_ci(line, link);
    if (at == std::string_view::npos) continue;
    std::string_view before = line.substr(0, at);
    bool received = false, found = false;
    if (dir == 0) {
      for (const auto& p : kFrom)
        if (ends_with_ci(before, p.lead)) { received = true; found = true; }
    } else {
      for (const auto& p : kTo)
        if (ends_with_ci(before, p.lead)) found = true;
    }
    if (!found) continue;
    std::string_view token = word_at(line, at + link.size());
    Transport t = Transport::unknown;
    // "udp:1.2.3.4:5060" or "udp/1.2.3.4:5060"
    auto sep = token.find_first_of(":/");
    if (sep != std::string_view::npos) {
      Transport named = parse_transport(token.substr(0, sep));
      if (named != Transport::unknown) {
        t = named;
        token.remove_prefix(sep + 1);
      }
    }
    while (!token.empty() && (token.back() == ',' || token.back() == ';' || token.back() == ':'))
      token.remove_suffix(1);
    Endpoint ep;
    if (!parse_host_port(token, false, ep)) continue;
    // A transport named after the address: "(UDP)", "via TCP", "proto=tls".
    std::string_view tail = line.substr(at + link.size() + token.size());
    for (std::size_t i = 0; i < tail.size() && t == Transport::unknown;) {
      while (i < tail.size() && !std::isalnum(static_cast<unsigned char>(tail[i]))) ++i;
      std::size_t j = i;
      while (j < tail.size() && std::isalnum(static_cast<unsigned char>(tail[j]))) ++j;
      t = parse_transport(tail.substr(i, j - i));
      i = j;
    }
    out.kind = LogLine::Kind::announce;
    out.format = "received-packet";
    (received ? out.src : out.dst) = ep;
    out.transport = t;
    out.time_us = find_date_time(before);
    return true;
  }
  return false;
}

bool all_dashes(std::string_view line) {
  std::string_view t = trim(line);
  return t.size() >= 3 && t.find_first_not_of('-') == std::string_view::npos;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

Transport parse_transport(std::string_view name) {
  if (equal_ci(name, "udp")) return Transport::udp;
  if (equal_ci(name, "tcp")) return Transport::tcp;
  if (equal_ci(name, "tls")) return Transport::tls;
  if (equal_ci(name, "sctp")) return Transport::sctp;
  if (equal_ci(name, "ws")) return Transport::ws;
  if (equal_ci(name, "wss")) return Transport::wss;
  return Transport::unknown;
}

bool parse_host_port(std::string_view text, bool port_last, Endpoint& out) {
  while (!text.empty() && (text.back() == ':' || text.back() == ',')) text.remove_suffix(1);
  if (text.empty()) return false;
  if (port_last && text.front() != '[' &&
      std::count(text.begin(), text.end(), ':') > 1) {
    auto colon = text.rfind(':');
    char buf[64];
    if (text.size() + 2 >= sizeof buf) return false;
    std::size_t n = 0;
    buf[n++] = '[';
    std::memcpy(buf + n, text.data(), colon);
    n += colon;
    buf[n++] = ']';
    std::memcpy(buf + n, text.data() + colon, text.size() - colon);
    n += text.size() - colon;
    return Endpoint::parse(std::string_view(buf, n), out);
  }
  return Endpoint::parse(text, out);
}

std::int64_t find_date_time(std::string_view s) {
  auto num = [&](std::size_t at, std::size_t len, unsigned& v) {
    v = 0;
    for (std::size_t k = 0; k < len; ++k) {
      if (!is_digit(s[at + k])) return false;
      v = v * 10 + static_cast<unsigned>(s[at + k] - '0');
    }
    return true;
  };
  for (std::size_t i = 0; i + 19 <= s.size(); ++i) {
    if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1]))) continue;
    unsigned y, mo, d, h, mi, se;
    char sep = s[i + 4];
    if ((sep != '-' && sep != '/') || s[i + 7] != sep) continue;
    if (s[i + 10] != ' ' && s[i + 10] != 'T') continue;
    if (s[i + 13] != ':' || s[i + 16] != ':') continue;
    if (!num(i, 4, y) || !num(i + 5, 2, mo) || !num(i + 8, 2, d) || !num(i + 11, 2, h) ||
        !num(i + 14, 2, mi) || !num(i + 17, 2, se))
      continue;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
      continue;
    std::size_t j = i + 19;
    std::int64_t frac = 0;
    if (j < s.size() && (s[j] == '.' || s[j] == ',')) {
      ++j;
      int digits = 0;
      while (j < s.size() && is_digit(s[j])) {
        if (digits < 6) {
          frac = frac * 10 + (s[j] - '0');
          ++digits;
        }
        ++j;
      }
      while (digits < 6) {
        frac *= 10;
        ++digits;
      }
    }
    std::int64_t offset_s = 0;
    if (j + 5 <= s.size() && (s[j] == '+' || s[j] == '-')) {
      unsigned oh = 0, om = 0;
      std::size_t m = s[j + 3] == ':' ? j + 4 : j + 3;
      if (m + 2 <= s.size() && num(j + 1, 2, oh) && num(m, 2, om) && oh < 24 && om < 60)
        offset_s = (s[j] == '+' ? 1 : -1) * static_cast<std::int64_t>(oh * 3600 + om * 60);
    }
    std::int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset_s;
    return secs * 1000000 + frac;
  }
  return 0;
}

bool is_start_line(std::string_view line) {
  // Lenient on purpose: a line that only looks like a start line (odd
  // spacing, an unknown version, an overlong status code) is still handed
  // on, so the parser and sip-trace-match can say what is wrong with it.
  while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
  auto version_at = [&](std::size_t at) {  // "SIP/" digits "." digits
    if (line.size() < at + 7 || !equal_ci(line.substr(at, 4), "SIP/")) return std::size_t{0};
    std::size_t i = at + 4, d = i;
    while (i < line.size() && is_digit(line[i])) ++i;
    if (i == d || i >= line.size() || line[i] != '.') return std::size_t{0};
    d = ++i;
    while (i < line.size() && is_digit(line[i])) ++i;
    return i == d ? std::size_t{0} : i;
  };
  if (std::size_t end = version_at(0); end) {  // SIP/2.0 SP code [SP reason]
    std::size_t i = end;
    if (i >= line.size() || line[i] != ' ') return false;
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t digits = i;
    while (i < line.size() && is_digit(line[i])) ++i;
    return i - digits >= 3 && (i == line.size() || line[i] == ' ');
  }
  // METHOD SP+ Request-URI SP+ SIP/2.0; the method a token of capitals
  // and the characters RFC 3261 allows in one.
  std::size_t i = 0;
  auto token_char = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) ||
           std::string_view("-.!%*_+`'~").find(c) != std::string_view::npos;
  };
  if (line.empty() || !token_char(line[0])) return false;
  while (i < line.size() && token_char(line[i])) ++i;
  if (i >= line.size() || line[i] != ' ') return false;
  auto last_space = line.rfind(' ');
  if (last_space == std::string_view::npos || last_space <= i) return false;
  if (version_at(last_space + 1) != line.size()) return false;
  std::string_view uri = line.substr(i, last_space - i);
  while (!uri.empty() && uri.front() == ' ') uri.remove_prefix(1);
  while (!uri.empty() && uri.back() == ' ') uri.remove_suffix(1);
  return !uri.empty() && uri.find(':') != std::string_view::npos;
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

long long content_length(std::string_view line) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return -1;
  std::string_view name = trim_blanks(line.substr(0, colon));
  if (!equal_ci(name, "content-length") && !equal_ci(name, "l")) return -1;
  std::string_view value = trim_blanks(line.substr(colon + 1));
  if (value.empty()) return -1;
  long long n = 0;
  for (char c : value) {
    if (!is_digit(c)) return -1;
    if (n < 1'000'000'000) n = n * 10 + (c - '0');
  }
  return std::min(n, 1'000'000'000LL);
}

LogLine read_log_line(std::string_view line) {
  LogLine out;
  if (line.empty()) return out;
  if (read_ngrep(line, out)) return out;
  if (read_asterisk(line, out)) return out;
  if (all_dashes(line)) {
    out.kind = LogLine::Kind::end;
    return out;
  }
  if (read_freeswitch(line, out)) return out;
  if (read_received_packet(line, out)) return out;
  return out;
}

}  // namespace trunk::capture
