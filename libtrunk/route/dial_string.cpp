// Dial strings: the check and its words.
#include "route/dial_string.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "grammar/dial_pattern/ast.hpp"

namespace trunk::route {

DialCheck check_dial_string(std::string_view number, std::uint32_t plan_symbols) {
  const std::size_t first = !number.empty() && number.front() == '+';
  if (number.size() == first) return {DialFault::empty, 0, 0};
  for (std::size_t i = first; i < number.size(); ++i) {
    const char c = number[i];
    if (c >= '0' && c <= '9') continue;
    const int s = grammar::dial_symbol_index(c);
    const auto at = static_cast<std::uint32_t>(i);
    if (s < 0) return {DialFault::not_a_symbol, at, c};
    if (c == '+') return {DialFault::plus_not_first, at, c};
    if (!(plan_symbols & (1u << s))) return {DialFault::symbol_not_in_plan, at, c};
  }
  return {};
}

namespace {

// Appends to a fixed buffer, dropping what does not fit.
struct Writer {
  std::span<char> out;
  std::size_t n = 0;
  void put(std::string_view s) {
    const std::size_t k = std::min(s.size(), out.size() - n);
    if (k) std::memcpy(out.data() + n, s.data(), k);
    n += k;
  }
  void put_number(std::uint64_t v, int base = 10) {
    char digits[20];
    auto end = std::to_chars(digits, digits + sizeof digits, v, base).ptr;
    put({digits, static_cast<std::size_t>(end - digits)});
  }
  // 'c', or "byte 0xNN" for anything not printable ASCII.
  void put_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u > 0x20 && u < 0x7f && c != '\'') {
      const char quoted[3] = {'\'', c, '\''};
      put({quoted, 3});
      return;
    }
    put("byte 0x");
    if (u < 16) put("0");
    put_number(u, 16);
  }
};

}  // namespace

std::string_view describe(const DialCheck& c, std::span<char> out) {
  Writer w{out};
  if (c.fault == DialFault::none) return {};
  w.put(c.fault == DialFault::symbol_not_in_plan ? "not a dial string here: "
                                                 : "not a dial string: ");
  switch (c.fault) {
    case DialFault::none:
      break;
    case DialFault::empty:
      w.put("no number");
      break;
    case DialFault::not_a_symbol:
      w.put_char(c.symbol);
      w.put(" at position ");
      w.put_number(c.at + 1);
      w.put(" is not a dial symbol");
      break;
    case DialFault::plus_not_first:
      w.put("'+' at position ");
      w.put_number(c.at + 1);
      w.put(" is not first");
      break;
    case DialFault::symbol_not_in_plan:
      w.put("the plan has no numbers with ");
      w.put_char(c.symbol);
      break;
  }
  return {out.data(), w.n};
}

}  // namespace trunk::route
