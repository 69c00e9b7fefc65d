// The dial-pattern grammar (spec: "Dial patterns").
//
//   pattern  := '_' element+ | exact_symbol+
//   element  := digit | '*' | '#' | '+' | X | Z | N | class | '.' | '!'
//   class    := '[' class_item (','? class_item)* ']'
//   class_item := symbol ('-' symbol)?
// Letters X, Z, N may be written in lower case, as Asterisk allows. Where
// wildcards may stand (only last) is a semantic rule in libtrunk, so the
// error can say so rather than "expected end".
#pragma once

#include "grammar/dial_pattern/ast.hpp"
#include "grammar/dial_pattern/config.hpp"
#include "grammar/dial_pattern/error_handler.hpp"
#include "grammar/dial_pattern/grammar.hpp"

namespace trunk::grammar::dial {

namespace detail {

inline Builder& builder(auto& ctx) { return x3::get<builder_tag>(ctx).get(); }

// Matches nothing and yields the current position: elements are wrapped as
// `here >> element >> here` so that each knows its columns.
struct here_parser : x3::parser<here_parser> {
  using attribute_type = iterator_type;
  static bool const has_attribute = true;
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It&, const Ctx&, RCtx&, Attr& attr) const {
    attr = first;
    return true;
  }
};
constexpr here_parser here{};

struct symbol_parser : x3::parser<symbol_parser> {
  using attribute_type = char;
  static bool const has_attribute = true;
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx&, RCtx&, Attr& attr) const {
    if (first == last || dial_symbol_index(*first) < 0) return false;
    attr = *first;
    ++first;
    return true;
  }
};
constexpr symbol_parser dial_symbol{};

// An element's value while parsing: kind in the high bits, mask in the low 16.
constexpr std::uint32_t pack(DialElementKind k, std::uint16_t mask) {
  return (std::uint32_t(k) << 16) | mask;
}

}  // namespace detail

struct class_item_class;
struct range_end_class;
struct class_items_class;
struct elements_class;
struct exact_symbol_class;
struct element_class;
struct end_class;
const x3::rule<class_item_class, std::uint16_t> class_item = "class_item";
const x3::rule<range_end_class, char> range_end = "range_end";
const x3::rule<class_items_class, std::uint16_t> class_items = "class_items";
const x3::rule<element_class, std::uint32_t> element = "element";
const x3::rule<elements_class> elements = "elements";
const x3::rule<exact_symbol_class> exact_symbol = "exact_symbol";
const x3::rule<end_class> end = "end";

const pattern_type pattern_rule = "pattern";

// `here >> element >> here`: records the element with its columns.
auto on_element = [](auto& ctx) {
  auto& attr = x3::_attr(ctx);
  Builder& b = detail::builder(ctx);
  iterator_type from = boost::fusion::at_c<0>(attr);
  std::uint32_t packed = boost::fusion::at_c<1>(attr);
  iterator_type to = boost::fusion::at_c<2>(attr);
  DialElement e;
  e.kind = static_cast<DialElementKind>(packed >> 16);
  e.mask = static_cast<std::uint16_t>(packed & 0xffff);
  e.column = b.column(from);
  e.length = static_cast<std::uint32_t>(to - from);
  b.out->elements.push_back(e);
};
auto set_val = [](std::uint32_t v) { return [v](auto& ctx) { x3::_val(ctx) = v; }; };
auto on_symbol = [](auto& ctx) {
  x3::_val(ctx) = detail::pack(DialElementKind::symbols,
                               std::uint16_t(1u << dial_symbol_index(x3::_attr(ctx))));
};
auto on_class = [](auto& ctx) {
  x3::_val(ctx) = detail::pack(DialElementKind::symbols, x3::_attr(ctx));
};
auto on_item = [](auto& ctx) {
  auto& attr = x3::_attr(ctx);
  iterator_type at = boost::fusion::at_c<0>(attr);
  char a = boost::fusion::at_c<1>(attr);
  auto& b = boost::fusion::at_c<2>(attr);
  int i = dial_symbol_index(a), j = b ? dial_symbol_index(*b) : i;
  if (j < i) {
    Builder& bl = detail::builder(ctx);
    if (bl.late_error.message.empty())
      bl.late_error = {bl.column(at), "range " + std::string(1, a) + "-" + std::string(1, *b) +
                                          " is reversed; write " + std::string(1, *b) + "-" +
                                          std::string(1, a)};
    std::swap(i, j);
  }
  std::uint16_t m = 0;
  for (int k = i; k <= j; ++k) m |= std::uint16_t(1u << k);
  x3::_val(ctx) = m;
};
auto or_items = [](auto& ctx) {
  std::uint16_t m = 0;
  for (std::uint16_t part : x3::_attr(ctx)) m |= part;
  x3::_val(ctx) = m;
};
auto on_exact = [](auto& ctx) { detail::builder(ctx).out->exact = false; };

using detail::pack;
const auto class_item_def =
    (detail::here >> detail::dial_symbol >> -('-' > range_end))[on_item];
const auto range_end_def = detail::dial_symbol;
const auto class_items_def = (class_item % -x3::lit(','))[or_items];
const auto element_def =
    detail::dial_symbol[on_symbol] |
    x3::lit('X')[set_val(pack(DialElementKind::symbols, 0x3ff))] |
    x3::lit('x')[set_val(pack(DialElementKind::symbols, 0x3ff))] |
    x3::lit('Z')[set_val(pack(DialElementKind::symbols, 0x3fe))] |
    x3::lit('z')[set_val(pack(DialElementKind::symbols, 0x3fe))] |
    x3::lit('N')[set_val(pack(DialElementKind::symbols, 0x3fc))] |
    x3::lit('n')[set_val(pack(DialElementKind::symbols, 0x3fc))] |
    x3::lit('.')[set_val(pack(DialElementKind::one_or_more, kAnySymbol))] |
    x3::lit('!')[set_val(pack(DialElementKind::zero_or_more, kAnySymbol))] |
    ('[' > class_items > ']')[on_class];
const auto elements_def = +(detail::here >> element >> detail::here)[on_element];
const auto exact_symbol_def =
    (detail::here >> detail::dial_symbol >> detail::here)[([](auto& ctx) {
      auto& attr = x3::_attr(ctx);
      Builder& b = detail::builder(ctx);
      DialElement e;
      e.mask = std::uint16_t(1u << dial_symbol_index(boost::fusion::at_c<1>(attr)));
      e.column = b.column(boost::fusion::at_c<0>(attr));
      b.out->elements.push_back(e);
    })];
const auto end_def = x3::eoi;
const auto pattern_rule_def = (x3::lit('_')[on_exact] > elements > end) | (+exact_symbol > end);

BOOST_SPIRIT_DEFINE(class_item, range_end, class_items, element, elements, exact_symbol, end, pattern_rule)
inline const pattern_type& pattern() { return pattern_rule; }

}  // namespace trunk::grammar::dial
