// Dial pattern semantics: parse with rules, set relations, printing.
#include "pattern/dial_pattern.hpp"

#include <bit>

namespace trunk::pattern {

using grammar::dial_symbol_char;
using grammar::dial_symbol_index;

bool is_dial_number(std::string_view number) {
  for (char c : number)
    if (dial_symbol_index(c) < 0) return false;
  return true;
}

bool DialPattern::matches(std::string_view number) const {
  std::size_t n = number.size();
  if (n < min_length() || (tail == Tail::none && n != classes.size())) return false;
  for (std::size_t i = 0; i < classes.size(); ++i) {
    int s = dial_symbol_index(number[i]);
    if (s < 0 || !(classes[i] & (1u << s))) return false;
  }
  return is_dial_number(number.substr(classes.size()));
}

std::optional<DialPattern> parse_pattern(std::string_view text, const diag::StringPlace& place,
                                         std::string_view what, diag::Sink& sink) {
  grammar::DialPatternAst ast;
  grammar::DialSyntaxError err;
  if (!grammar::parse_dial_pattern(text, ast, err)) {
    auto& d = sink.error("pattern-syntax",
                         std::string(what) + " \"" + std::string(text) + "\": " + err.message,
                         place.at(err.column));
    diag::with_hint(d, "patterns are a number, or '_' then digits, *, #, +, X (0-9), Z (1-9), "
                       "N (2-9), [classes], and '.' or '!' at the end");
    return std::nullopt;
  }
  DialPattern p;
  bool ok = true;
  for (std::size_t i = 0; i < ast.elements.size(); ++i) {
    const auto& e = ast.elements[i];
    if (e.kind == grammar::DialElementKind::symbols) {
      p.classes.push_back(e.mask);
      continue;
    }
    if (i + 1 != ast.elements.size()) {
      auto& d = sink.error("pattern-wildcard",
                           std::string(what) + " \"" + std::string(text) + "\": '" +
                               (e.kind == grammar::DialElementKind::one_or_more ? "." : "!") +
                               "' must be the last character of a pattern",
                           place.at(e.column));
      diag::with_hint(d, "a wildcard matches the rest of the number; use X for one digit");
      ok = false;
      break;
    }
    p.tail = e.kind == grammar::DialElementKind::one_or_more ? Tail::one_or_more
                                                             : Tail::zero_or_more;
  }
  if (ok && p.classes.size() > kMaxNumberLength) {
    sink.error("pattern-length",
               std::string(what) + " \"" + std::string(text) + "\" has " +
                   std::to_string(p.classes.size()) + " fixed symbols; at most " +
                   std::to_string(kMaxNumberLength) + " are allowed",
               place.at(1, static_cast<std::uint32_t>(text.size())));
    ok = false;
  }
  if (!ok) return std::nullopt;
  return p;
}

namespace {

// The length both can have that is smallest, if any.
std::optional<std::size_t> common_length(const DialPattern& a, const DialPattern& b) {
  std::size_t l = std::max(a.min_length(), b.min_length());
  if (a.bounded() && l != a.classes.size()) return std::nullopt;
  if (b.bounded() && l != b.classes.size()) return std::nullopt;
  return l;
}

char lowest(std::uint16_t set) { return dial_symbol_char(std::countr_zero(set)); }

}  // namespace

bool intersects(const DialPattern& a, const DialPattern& b) {
  auto l = common_length(a, b);
  if (!l) return false;
  std::size_t fixed = std::max(a.classes.size(), b.classes.size());
  for (std::size_t i = 0; i < std::min(*l, fixed); ++i)
    if (!(a.at(i) & b.at(i))) return false;
  return true;
}

bool is_subset(const DialPattern& a, const DialPattern& b) {
  if (!a.bounded()) {
    if (b.bounded() || a.min_length() < b.min_length()) return false;
  } else {
    if (b.bounded() ? a.classes.size() != b.classes.size()
                    : a.classes.size() < b.min_length())
      return false;
  }
  for (std::size_t i = 0; i < b.classes.size(); ++i)
    if (a.at(i) & ~b.classes[i] & kAnySymbol) return false;
  return true;
}

std::string witness(const DialPattern& a, const DialPattern& b) {
  auto l = common_length(a, b);
  if (!l) return {};
  std::string out;
  for (std::size_t i = 0; i < *l; ++i) {
    std::uint16_t both = a.at(i) & b.at(i);
    if (!both) return {};
    out += lowest(both);
  }
  return out;
}

std::string example(const DialPattern& a) { return witness(a, a); }

DialPattern canonical(DialPattern a) {
  // c1..cn Σ Σ* is c1..cn Σ+; no other rewriting keeps the set (the
  // lengths and the class at each position are then fixed by the set).
  if (a.tail == Tail::zero_or_more && !a.classes.empty() && a.classes.back() == kAnySymbol) {
    a.classes.pop_back();
    a.tail = Tail::one_or_more;
  }
  return a;
}

std::string to_string(const DialPattern& p) {
  std::string out;
  bool plain = p.tail == Tail::none;
  for (auto c : p.classes) plain = plain && std::has_single_bit(c);
  if (!plain) out += '_';
  for (auto c : p.classes) {
    if (std::has_single_bit(c)) out += lowest(c);
    else if (c == 0x3ff) out += 'X';
    else if (c == 0x3fe) out += 'Z';
    else if (c == 0x3fc) out += 'N';
    else {
      out += '[';
      bool first = true;
      for (int i = 0; i < kDialSymbols;) {
        if (!(c & (1u << i))) {
          ++i;
          continue;
        }
        int j = i;
        while (j + 1 < 10 && i < 10 && (c & (1u << (j + 1)))) ++j;  // digit runs
        if (!first) out += ',';
        first = false;
        out += dial_symbol_char(i);
        if (j > i) {
          out += '-';
          out += dial_symbol_char(j);
        }
        i = j + 1;
      }
      out += ']';
    }
  }
  if (p.tail == Tail::one_or_more) out += '.';
  if (p.tail == Tail::zero_or_more) out += '!';
  return out;
}

}  // namespace trunk::pattern
