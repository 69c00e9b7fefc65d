// The tables verifier: Tables::verify, which proves every invariant the
// readers rely on before a byte of a tables file is trusted (the checks
// follow flatbuffers' verifier: every offset, size and count is checked,
// overflow-proof, before anything is read through it). The invariants are
// listed once, above Tables::verify (the automata's nodes in
// automaton/verify.hpp, whose automaton::verify checks them); each section's checks are a function
// of Tables::Verifier, and every refusal goes through fail(), so the
// messages (which tests and operators read) are made in one way. Opening,
// mapping and the lookups stay in reader.cpp.
#include <cstring>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "automaton/verify.hpp"
#include "tables/checksum.hpp"
#include "tables/reader.hpp"
#include "tables/verify.hpp"

namespace trunk::tables {

namespace {

// The one way a check refuses the tables: says what is wrong, and returns
// false for the caller to pass up.
bool fail(std::string& error, std::string message) {
  error = std::move(message);
  return false;
}

bool is_root(const std::vector<bool>& starts, std::uint32_t root) {
  return root < starts.size() && starts[root];
}

// Whether the records first .. first + count - 1 lie in a list of `size`
// (written so that no sum can overflow).
bool range_ok(std::uint32_t first, std::uint32_t count, std::size_t size) {
  return count <= size && first <= size - count;
}

}  // namespace

bool check_header(const Header& h, std::uint64_t size, std::string& error) {
  if (std::memcmp(h.magic, kMagic, 8) != 0)
    return fail(error, "not a trunkline tables file (bad magic)");
  if (h.version > kFormatVersion)
    return fail(error, "format version " + std::to_string(h.version) +
                           " is newer than this trunkline reads (" +
                           std::to_string(kFormatVersion) +
                           "); upgrade trunkline or compile with the matching dialplan-compile");
  if (h.version != kFormatVersion)
    return fail(error, "format version " + std::to_string(h.version) +
                           " is older than this trunkline reads (" +
                           std::to_string(kFormatVersion) +
                           "); compile the site again with this dialplan-compile");
  if (h.file_size != size)
    return fail(error, "the header says " + std::to_string(h.file_size) +
                           " bytes but there are " + std::to_string(size) +
                           " (truncated or appended to)");
  return true;
}

// The checks behind Tables::verify, one function per section or family of
// sections, run in the order below. Each sets the spans it proves (or
// relies on the ones set before it) on the Tables being verified.
class Tables::Verifier {
 public:
  Verifier(Tables& t, std::string& error) : t_(t), error_(error) {}

  bool header_and_sections();
  bool record_sections();
  bool automata();
  bool tenants();
  bool trunks();
  bool proxies();
  bool routes();
  bool inbound_and_addresses();
  bool hash_indexes();
  bool outbound_index();
  bool address_tries();

 private:
  bool fail(std::string message) { return tables::fail(error_, std::move(message)); }
  bool out_of_bounds(const std::string& what, std::size_t i) {
    return fail(what + " " + std::to_string(i) + " is out of bounds");
  }
  bool str_ok(Str s) const { return range_ok(s.offset, s.length, t_.strings_.size()); }
  // The failover codes go into a quoted Contact parameter as they are:
  // digits and commas only, so that no tables file can write past the quote.
  bool codes_ok(Str s) const {
    if (!str_ok(s)) return false;
    for (std::uint32_t i = 0; i < s.length; ++i) {
      char c = t_.strings_[s.offset + i];
      if (!(c == ',' || (c >= '0' && c <= '9'))) return false;
    }
    return true;
  }
  template <class T>
  bool records(SectionKind kind, std::span<const T>& out, const char* what) {
    std::string_view s = sec_[static_cast<std::uint32_t>(kind)];
    if (s.size() % sizeof(T) != 0)
      return fail(std::string(what) + " section size is not a whole number of records");
    out = std::span<const T>(reinterpret_cast<const T*>(s.data()), s.size() / sizeof(T));
    return true;
  }

  Tables& t_;
  std::string& error_;
  std::string_view sec_[kSectionKinds + 1];
  std::uint32_t n_tenants_ = 0, n_trunks_ = 0;
  std::vector<bool> out_starts_, in_starts_, pool_starts_;
};

// Invariant 1.
bool Tables::Verifier::header_and_sections() {
  const Header& h = t_.header();
  const std::size_t size = t_.size_;
  if (!check_header(h, size, error_)) return false;
  if (size % 8 != 0) return fail("size is not a multiple of 8");
  if (checksum(t_.data_, size) != h.checksum)
    return fail("checksum mismatch: the file is damaged");
  if (h.section_count > kMaxSections ||
      h.section_count * sizeof(SectionEntry) > size - sizeof(Header))
    return fail("section directory does not fit");
  const auto* dir = reinterpret_cast<const SectionEntry*>(t_.data_ + sizeof(Header));
  bool seen[kSectionKinds + 1] = {};
  for (std::uint32_t i = 0; i < h.section_count; ++i) {
    const SectionEntry& e = dir[i];
    if (e.kind == 0 || e.kind > kSectionKinds || seen[e.kind])
      return fail("section " + std::to_string(i) + " has unknown or repeated kind " +
                  std::to_string(e.kind));
    if (e.offset % 8 != 0 || e.offset > size || e.size > size - e.offset)
      return fail("section " + std::to_string(e.kind) + " lies outside the file");
    seen[e.kind] = true;
    sec_[e.kind] = std::string_view(t_.data_ + e.offset, e.size);
  }
  for (std::uint32_t k = 1; k <= kSectionKinds; ++k)
    if (!seen[k]) return fail("section " + std::to_string(k) + " is missing");
  return true;
}

// Invariant 2.
bool Tables::Verifier::record_sections() {
  t_.strings_ = sec_[static_cast<std::uint32_t>(SectionKind::strings)];
  using K = SectionKind;
  if (!records(K::tenants, t_.tenants_, "tenants") ||
      !records(K::trunks, t_.trunks_, "trunks") || !records(K::routes, t_.routes_, "routes") ||
      !records(K::route_trunks, t_.route_trunks_, "route trunks") ||
      !records(K::inbound, t_.inbound_, "inbound") ||
      !records(K::addresses, t_.addresses_, "addresses") ||
      !records(K::outbound_nodes, t_.outbound_nodes_, "outbound nodes") ||
      !records(K::inbound_nodes, t_.inbound_nodes_, "inbound nodes") ||
      !records(K::pool_nodes, t_.pool_nodes_, "pool nodes") ||
      !records(K::tenant_names, t_.tenant_names_, "tenant names") ||
      !records(K::tenant_domains, t_.tenant_domains_, "tenant domains") ||
      !records(K::trunk_names, t_.trunk_names_, "trunk names") ||
      !records(K::trunk_from_hosts, t_.trunk_from_hosts_, "trunk from-host index") ||
      !records(K::trunk_hosts, t_.trunk_hosts_, "trunk host index") ||
      !records(K::address_trie, t_.address_trie_, "address trie") ||
      !records(K::outbound_index, t_.outbound_index_, "outbound index") ||
      !records(K::proxies, t_.proxies_, "proxies") ||
      !records(K::proxy_addresses, t_.proxy_addresses_, "proxy addresses") ||
      !records(K::proxy_trie, t_.proxy_trie_, "proxy trie"))
    return false;
  n_tenants_ = static_cast<std::uint32_t>(t_.tenants_.size());
  n_trunks_ = static_cast<std::uint32_t>(t_.trunks_.size());
  return true;
}

// Invariant 4.
bool Tables::Verifier::automata() {
  return automaton::verify(t_.outbound_nodes_, static_cast<std::uint32_t>(t_.routes_.size()),
                           "outbound automaton", error_, out_starts_) &&
         automaton::verify(t_.inbound_nodes_, static_cast<std::uint32_t>(t_.inbound_.size()),
                           "inbound automaton", error_, in_starts_) &&
         automaton::verify(t_.pool_nodes_, n_tenants_, "pool automaton", error_, pool_starts_);
}

// Invariants 3, 5 and 7 for tenants.
bool Tables::Verifier::tenants() {
  for (std::size_t i = 0; i < t_.tenants_.size(); ++i) {
    const auto& t = t_.tenants_[i];
    if (!str_ok(t.name) || !str_ok(t.sip_domain) || !str_ok(t.caller_id) ||
        !is_root(out_starts_, t.outbound_root) || (t.dial_symbols & ~kPlanSymbols))
      return out_of_bounds("tenant", i);
  }
  return true;
}

// Invariants 3, 5, 6 and 7 for trunks, and 11 for their address ranges.
bool Tables::Verifier::trunks() {
  const auto& addresses = t_.addresses_;
  for (std::size_t i = 0; i < t_.trunks_.size(); ++i) {
    const auto& t = t_.trunks_[i];
    if (!str_ok(t.name) || !str_ok(t.host) || !str_ok(t.provider) ||
        !str_ok(t.request_uri_params) || !str_ok(t.caller_id) || !str_ok(t.match_from_host) ||
        !str_ok(t.outbound_proxy) || !codes_ok(t.failover_on) || t.transport > 3 || t.type > 5 ||
        (t.owner != kNone && t.owner >= n_tenants_) ||
        (t.failover != kNone && t.failover >= n_trunks_) ||
        !is_root(in_starts_, t.inbound_root) || !is_root(pool_starts_, t.pool_root) ||
        !range_ok(t.address_first, t.address_count, addresses.size()))
      return out_of_bounds("trunk", i);
    for (std::uint32_t a = 0; a < t.address_count; ++a)
      if (addresses[t.address_first + a].trunk != i) return out_of_bounds("trunk address range", i);
  }
  return true;
}

// Invariant 11 for proxies and their addresses.
bool Tables::Verifier::proxies() {
  const auto& blocks = t_.proxy_addresses_;
  for (std::size_t i = 0; i < t_.proxies_.size(); ++i) {
    const auto& p = t_.proxies_[i];
    if (!str_ok(p.name) || !range_ok(p.address_first, p.address_count, blocks.size()))
      return out_of_bounds("proxy", i);
  }
  for (std::size_t i = 0; i < blocks.size(); ++i)
    if (blocks[i].prefix > 128 || blocks[i].trunk >= t_.proxies_.size())
      return out_of_bounds("proxy address", i);
  return true;
}

// Invariants 3 and 6 for routes and their trunk lists.
bool Tables::Verifier::routes() {
  const auto& list = t_.route_trunks_;
  for (std::size_t i = 0; i < t_.routes_.size(); ++i) {
    const auto& r = t_.routes_[i];
    if (r.tenant >= n_tenants_ || !str_ok(r.name) || !str_ok(r.pattern) ||
        !str_ok(r.prepend) || !str_ok(r.caller_id) ||
        !range_ok(r.trunk_first, r.trunk_count, list.size()))
      return out_of_bounds("route", i);
  }
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i] >= n_trunks_) return out_of_bounds("route trunk", i);
  return true;
}

// Invariants 3, 6 and 7 for inbound rules and trunk addresses.
bool Tables::Verifier::inbound_and_addresses() {
  for (std::size_t i = 0; i < t_.inbound_.size(); ++i) {
    const auto& r = t_.inbound_[i];
    if (r.tenant >= n_tenants_ || r.trunk >= n_trunks_ || !str_ok(r.did) || !str_ok(r.to))
      return out_of_bounds("inbound rule", i);
  }
  for (std::size_t i = 0; i < t_.addresses_.size(); ++i)
    if (t_.addresses_[i].prefix > 128 || t_.addresses_[i].trunk >= n_trunks_)
      return out_of_bounds("address", i);
  return true;
}

// Invariant 8.
bool Tables::Verifier::hash_indexes() {
  for (auto [index, count, what] :
       {std::tuple{&t_.tenant_names_, n_tenants_, "tenant name index"},
        std::tuple{&t_.tenant_domains_, n_tenants_, "tenant domain index"},
        std::tuple{&t_.trunk_names_, n_trunks_, "trunk name index"},
        std::tuple{&t_.trunk_from_hosts_, n_trunks_, "trunk from-host index"},
        std::tuple{&t_.trunk_hosts_, n_trunks_, "trunk host index"}}) {
    std::span<const std::uint32_t> ix = *index;
    if (ix.size() < 2 || ix[1] != 0 || ix[0] != ix.size() - 2 || ix[0] == 0 ||
        (ix[0] & (ix[0] - 1)) != 0)
      return fail(std::string(what) + " is malformed");
    std::size_t empty = 0;
    for (std::size_t b = 2; b < ix.size(); ++b) {
      if (ix[b] == 0) ++empty;
      else if (ix[b] > count) return out_of_bounds(what, b);
    }
    if (empty == 0) return fail(std::string(what) + " has no empty bucket");
  }
  return true;
}

// Invariants 5 and 9: kPairs entries per tenant, each kNone or a node.
bool Tables::Verifier::outbound_index() {
  const auto& index = t_.outbound_index_;
  if (index.size() != std::size_t(n_tenants_) * kPairs)
    return fail("outbound index has the wrong size");
  for (std::size_t i = 0; i < index.size(); ++i)
    if (index[i] != kNone && !is_root(out_starts_, index[i]))
      return out_of_bounds("outbound index entry", i);
  return true;
}

// Invariant 10: whole nodes, a root, children inside, owners known.
bool Tables::Verifier::address_tries() {
  for (auto [list, what] : {std::pair{t_.addresses_, "address"},
                            std::pair{t_.proxy_addresses_, "proxy address"}})
    for (std::size_t i = 0; i < list.size(); ++i)
      if (list[i].next_same != kNone && (list[i].next_same <= i || list[i].next_same >= list.size()))
        return out_of_bounds(what, i);
  const auto n_addresses = static_cast<std::uint32_t>(t_.addresses_.size());
  const auto n_proxy_addresses = static_cast<std::uint32_t>(t_.proxy_addresses_.size());
  for (auto [trie, owners, what] :
       {std::tuple{t_.address_trie_, n_addresses, "address trie"},
        std::tuple{t_.proxy_trie_, n_proxy_addresses, "proxy trie"}}) {
    if (trie.size() < 3 || trie.size() % 3 != 0) return fail(std::string(what) + " is malformed");
    const std::size_t trie_nodes = trie.size() / 3;
    for (std::size_t k = 0; k < trie_nodes; ++k) {
      const std::uint32_t* n = &trie[k * 3];
      if (n[0] >= trie_nodes || n[1] >= trie_nodes || n[2] > owners)
        return out_of_bounds(std::string(what) + " node", k);
      // Children come after their parent, so a walk always ends.
      if ((n[0] && n[0] <= k) || (n[1] && n[1] <= k))
        return out_of_bounds(std::string(what) + " node", k);
    }
  }
  return true;
}

// What the readers rely on, all proven below before any of them runs.
// The readers are route::Router (outbound, send_number, inbound,
// destination), route::ask_outbound / ask_inbound / explain_outbound,
// sip::redirect, tables::dump_text and the find_* lookups in reader.cpp;
// none of them checks a bound the list below already proves.
//
//  1. Header: magic, version, file_size == the bytes, a multiple of 8,
//     the checksum; a section directory inside the file, each of the
//     kSectionKinds sections once, 8-byte aligned, inside the file.
//  2. Record sections hold whole records (so every span is in bounds).
//  3. Strings: every Str of every record lies inside STRINGS (str()).
//  4. Automata: each of the three proves the node invariants listed in
//     automaton/verify.hpp (automaton::verify), with accepts below the
//     item count: routes for outbound, inbound rules, tenants for pools.
//  5. Roots: tenant outbound_root, trunk inbound_root and pool_root, and
//     every outbound index entry other than kNone, start a node.
//  6. Indexes: route.tenant, inbound.tenant, trunk.owner (or kNone) below
//     the tenants; inbound.trunk, address.trunk, route_trunks entries,
//     trunk.failover (or kNone) below the trunks; a route's trunk list
//     (trunk_first, trunk_count) inside ROUTE_TRUNKS.
//  7. Enumerations: transport and type name a site::Transport and
//     site::TrunkType (dump and redirect switch on them); dial_symbols has
//     only kPlanSymbols bits; addresses have prefixes of 0-128.
//  8. Hash indexes: bucket_count a power of two equal to the buckets
//     present, every bucket 0 or a record index + 1, one bucket empty.
//  9. Outbound index: exactly kPairs entries per tenant.
// 10. Address and proxy tries: whole 3-word nodes, children inside and
//     after their parent (so a walk ends), record + 1 at most the
//     records; a record's next_same is kNone or a later record (so a
//     chain ends).
// 11. A trunk's address range lies inside ADDRESSES and holds only its
//     own blocks; a proxy's inside PROXY_ADDRESSES; proxy addresses name
//     a proxy and have prefixes of 0-128.
// What is not proven: that the automata agree with the route patterns or
// that a tenant's automaton accepts only its own routes; readers that
// compare the two (explain_outbound) must cope with a disagreement.
//
// The order of the checks is the order of the messages a file with more
// than one fault gets: the first failing check names it.
bool Tables::verify(std::string& error) {
  Verifier v(*this, error);
  return v.header_and_sections() && v.record_sections() && v.automata() && v.tenants() &&
         v.trunks() && v.proxies() && v.routes() && v.inbound_and_addresses() &&
         v.hash_indexes() && v.outbound_index() && v.address_tries();
}

}  // namespace trunk::tables
