// Lookups over the tables' automata.
#include "route/router.hpp"

#include <cstring>

#include "automaton/decode.hpp"
#include "grammar/dial_pattern/ast.hpp"

namespace trunk::route {

namespace {

// Asks for `lines` cache lines from node k on, all at once. The nodes
// below a node follow it closely (depth-first layout, route/compile_layout.cpp),
// so the cache misses of the rest of a walk overlap with the first instead
// of following it one by one: on a dial plan too large for the cache, a
// lookup then waits for memory about once.
inline void prefetch_lines(std::span<const std::uint32_t> w, std::uint32_t k,
                           std::uint32_t lines) {
  constexpr std::uint32_t kLineWords = 16;
  const std::uint32_t* p = w.data() + k;
  const std::size_t left = w.size() - k;
  for (std::uint32_t l = 0; l < lines && l * kLineWords < left; ++l)
    __builtin_prefetch(p + l * kLineWords);
}
// Lines asked for at each node of a walk, and at the node a lookup starts
// from after the outbound index: that node's whole subtree follows it, and
// in large plans eight lines hold nearly all a walk reads (bench/README.md).
constexpr std::uint32_t kNodeLines = 4, kSubtreeLines = 8;

// Reads `number` from node k. Returns the node reached, 0 once nothing can
// match, or kNone when the number ends inside a chain node (then `accept`
// holds what that place accepts). The words spell nodes as
// automaton/layout.hpp defines them; automaton::verify has proven the
// invariants (automaton/verify.hpp) that let every read here go unchecked.
std::uint32_t advance(std::span<const std::uint32_t> w, std::uint32_t k, std::string_view number,
                      std::uint32_t& accept) {
  namespace node = automaton;
  const std::size_t n = number.size();
  for (std::size_t i = 0; i < n;) {
    prefetch_lines(w, k, kNodeLines);
    const std::uint32_t bits = node::bits(w, k);
    if (node::is_tail(bits)) break;  // every further symbol stays here
    if (node::is_chain(bits)) {
      const std::uint32_t len = node::chain_length(bits);
      std::uint32_t j = 0;
      for (; j < len; ++j) {
        if (i == n) {  // ended inside the chain
          accept = node::has_default(bits) ? node::accept(w, node::default_child(w, k)) : 0;
          return kNone;
        }
        int s = grammar::dial_symbol_index(number[i]);
        if (s < 0) return 0;
        if (static_cast<std::uint32_t>(s) != node::chain_symbol(w, k, bits, j)) break;
        ++i;
      }
      if (j == len) {
        k = node::chain_next(w, k, bits);
        continue;
      }
      if (!node::has_default(bits)) return 0;
      ++i;  // the differing symbol leads to the default node
      k = node::default_child(w, k);
      continue;
    }
    int s = grammar::dial_symbol_index(number[i++]);
    if (s < 0) return 0;
    if (node::is_listed(bits, s)) k = node::listed_child(w, k, bits, s);
    else if (node::has_default(bits)) k = node::default_child(w, k);
    else return 0;
  }
  return k;
}

}  // namespace

std::uint32_t walk(std::span<const std::uint32_t> w, std::uint32_t k, std::string_view number) {
  std::uint32_t accept = 0;
  std::uint32_t at = advance(w, k, number, accept);
  return at == kNone ? accept : automaton::accept(w, at);
}

std::uint32_t position_after(std::span<const std::uint32_t> w, std::uint32_t root,
                             std::string_view number) {
  std::uint32_t accept = 0;
  return advance(w, root, number, accept);
}

DialCheck Router::check_number(std::uint32_t tenant, std::string_view number) const {
  const std::uint32_t symbols = tenant < t_->tenants().size() ? t_->tenants()[tenant].dial_symbols : 0;
  return check_dial_string(number, symbols);
}

std::uint32_t Router::outbound(std::uint32_t tenant, std::string_view number,
                               DialCheck* refused) const {
  if (tenant >= t_->tenants().size()) return kNone;
  // A tail node accepts whatever follows it, so only a dial string may be
  // walked: "0114420-1" must not reach the route "_011.".
  const DialCheck check = check_number(tenant, number);
  if (refused) *refused = check;
  if (!check.ok()) return kNone;
  std::span<const std::uint32_t> w = t_->outbound_nodes();
  std::uint32_t accept;
  // The first two symbols through the index, when it has the place.
  int s0 = -1, s1 = -1;
  std::uint32_t e = kNone;
  if (number.size() >= 2 && (s0 = grammar::dial_symbol_index(number[0])) >= 0 &&
      (s1 = grammar::dial_symbol_index(number[1])) >= 0)
    e = t_->outbound_index()[tenant * tables::kPairs + static_cast<std::uint32_t>(s0 * 13 + s1)];
  if (e != kNone) {
    prefetch_lines(w, e, kSubtreeLines);
    accept = walk(w, e, number.substr(2));
  } else {
    accept = walk(w, t_->tenants()[tenant].outbound_root, number);
  }
  return accept == 0 ? kNone : accept - 1;
}

namespace {
// memcpy for views that may be empty (and then have no data pointer).
void put(char* to, std::string_view from) {
  if (!from.empty()) std::memcpy(to, from.data(), from.size());
}
}  // namespace

std::uint32_t Router::send_number(std::uint32_t route, std::string_view number,
                                  std::span<char> out) const {
  const tables::RouteRecord& r = t_->routes()[route];
  std::string_view prepend = t_->str(r.prepend);
  std::string_view rest = r.strip < number.size() ? number.substr(r.strip) : std::string_view{};
  if (prepend.size() + rest.size() > out.size()) return kNone;
  put(out.data(), prepend);
  put(out.data() + prepend.size(), rest);
  return static_cast<std::uint32_t>(prepend.size() + rest.size());
}

Router::Inbound Router::inbound(std::uint32_t trunk, std::string_view did) const {
  Inbound out;
  if (trunk >= t_->trunks().size()) return out;
  out.check = check_dial_string(did, 0);
  if (!out.check.ok()) return out;
  if (did.front() == '+') did.remove_prefix(1);
  const tables::TrunkRecord& tr = t_->trunks()[trunk];
  std::uint32_t pool = walk(t_->pool_nodes(), tr.pool_root, did);
  if (pool == 0) {
    out.status = InboundStatus::not_in_pool;
    return out;
  }
  out.tenant = pool - 1;
  std::uint32_t rule = walk(t_->inbound_nodes(), tr.inbound_root, did);
  if (rule == 0) {
    out.status = InboundStatus::no_rule;
    return out;
  }
  out.rule = rule - 1;
  out.status = InboundStatus::matched;
  return out;
}

std::uint32_t Router::destination(std::uint32_t rule, std::string_view did,
                                  std::span<char> out) const {
  if (rule >= t_->inbound().size()) return kNone;
  if (!did.empty() && did.front() == '+') did.remove_prefix(1);
  std::string_view to = t_->str(t_->inbound()[rule].to);
  static constexpr std::string_view kSlot = "{did}";
  std::size_t n = 0;
  while (!to.empty()) {
    std::size_t at = to.find(kSlot);
    std::string_view lit = to.substr(0, at);
    if (n + lit.size() > out.size()) return kNone;
    put(out.data() + n, lit);
    n += lit.size();
    if (at == std::string_view::npos) break;
    if (n + did.size() > out.size()) return kNone;
    put(out.data() + n, did);
    n += did.size();
    to.remove_prefix(at + kSlot.size());
  }
  return static_cast<std::uint32_t>(n);
}

}  // namespace trunk::route
