// The dial-string rule (route/dial_string.hpp): what trunkd routes, and the
// words for what it refuses.
#include <doctest/doctest.h>

#include <array>
#include <string>

#include "route/dial_string.hpp"
#include "tables/format.hpp"

using namespace trunk;
using route::DialFault;

namespace {

std::string why(std::string_view number, std::uint32_t symbols = 0) {
  std::array<char, route::kDescribeSize> buf;
  return std::string(route::describe(route::check_dial_string(number, symbols), buf));
}

}  // namespace

TEST_CASE("dial strings: digits, a leading '+', '*' and '#' where the plan names them") {
  CHECK(route::check_dial_string("14155550100", 0).ok());
  CHECK(route::check_dial_string("+442071234567", 0).ok());
  CHECK(route::check_dial_string("*72#1", tables::kPlanSymbols).ok());
  CHECK(route::check_dial_string("*721", 1u << 10).ok());
  CHECK(route::check_dial_string("#1", 1u << 10).fault == DialFault::symbol_not_in_plan);
  CHECK(route::check_dial_string("", 0).fault == DialFault::empty);
  CHECK(route::check_dial_string("+", 0).fault == DialFault::empty);
  CHECK(route::check_dial_string("++1", 0).fault == DialFault::plus_not_first);
  auto c = route::check_dial_string("0114420-1", tables::kPlanSymbols);
  CHECK(c.fault == DialFault::not_a_symbol);
  CHECK(c.at == 7);
  CHECK(c.symbol == '-');
}

TEST_CASE("dial strings: the reason in words, safe in a SIP reason phrase") {
  CHECK(why("14155550100") == "");
  CHECK(why("12abc") == "not a dial string: 'a' at position 3 is not a dial symbol");
  CHECK(why("0114420-1") == "not a dial string: '-' at position 8 is not a dial symbol");
  CHECK(why("1+2") == "not a dial string: '+' at position 2 is not first");
  CHECK(why("+") == "not a dial string: no number");
  CHECK(why("5*1") == "not a dial string here: the plan has no numbers with '*'");
  CHECK(why("5#1", 1u << 10) == "not a dial string here: the plan has no numbers with '#'");
  CHECK(why(std::string_view("12\0", 3)) ==
        "not a dial string: byte 0x00 at position 3 is not a dial symbol");
  CHECK(why("1\r\n") == "not a dial string: byte 0x0d at position 2 is not a dial symbol");
  CHECK(why("1'") == "not a dial string: byte 0x27 at position 2 is not a dial symbol");
  CHECK(why("1\xff") == "not a dial string: byte 0xff at position 2 is not a dial symbol");
  // The longest text fits the buffer callers give.
  std::string longest(4000, '1');
  longest += '\0';
  CHECK(why(longest).size() < route::kDescribeSize);
  CHECK(why(longest).ends_with(" is not a dial symbol"));
}
