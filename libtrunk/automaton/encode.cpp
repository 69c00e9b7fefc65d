// Writing nodes: the word order of automaton/layout.hpp, spelled once.
#include "automaton/encode.hpp"

#include <algorithm>

namespace trunk::automaton {

void append_tail(std::vector<std::uint32_t>& out, std::uint32_t accept) {
  out.push_back(accept);
  out.push_back(tail_bits());
}

void append_plain(std::vector<std::uint32_t>& out, std::uint32_t accept, std::uint32_t bits,
                  std::uint32_t default_child, std::span<const std::uint32_t, kSymbols> child) {
  out.push_back(accept);
  out.push_back(bits);
  if (bits & kDefaultBit) out.push_back(default_child);
  for (int s = 0; s < kSymbols; ++s)
    if (bits & (1u << s)) out.push_back(child[s]);
}

void append_chain(std::vector<std::uint32_t>& out, std::uint32_t accept, bool has_default,
                  std::uint32_t default_child, std::span<const std::uint8_t> symbols,
                  std::uint32_t next) {
  out.push_back(accept);
  out.push_back(chain_bits(symbols.size(), has_default));
  if (has_default) out.push_back(default_child);
  for (std::size_t j = 0; j < symbols.size(); j += kChainSymbolsPerWord) {
    std::uint32_t packed = 0;
    for (std::size_t q = j; q < std::min<std::size_t>(j + kChainSymbolsPerWord, symbols.size()); ++q)
      packed |= std::uint32_t(symbols[q]) << (4 * (q - j));
    out.push_back(packed);
  }
  out.push_back(next);
}

}  // namespace trunk::automaton
