// Mapping and verifying tables files (the checks follow flatbuffers'
// verifier: every offset, size and count is checked, overflow-proof, before
// anything is read through it).
#include "tables/reader.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "io/input_file.hpp"
#include "tables/checksum.hpp"

namespace trunk::tables {

std::uint64_t name_hash(const char* s, std::size_t n) { return name_hash_impl(s, n); }
std::uint64_t host_hash(const char* s, std::size_t n) { return host_hash_impl(s, n); }

bool same_host(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y)) return false;
  }
  return true;
}

Tables::~Tables() { release(); }

Tables::Tables(Tables&& o) noexcept { *this = std::move(o); }

Tables& Tables::operator=(Tables&& o) noexcept {
  if (this == &o) return *this;
  release();
  owned_ = std::move(o.owned_);
  data_ = o.data_;
  size_ = o.size_;
  mapped_ = o.mapped_;
  map_size_ = o.map_size_;
  strings_ = o.strings_;
  tenants_ = o.tenants_;
  trunks_ = o.trunks_;
  routes_ = o.routes_;
  route_trunks_ = o.route_trunks_;
  inbound_ = o.inbound_;
  addresses_ = o.addresses_;
  outbound_nodes_ = o.outbound_nodes_;
  inbound_nodes_ = o.inbound_nodes_;
  pool_nodes_ = o.pool_nodes_;
  tenant_names_ = o.tenant_names_;
  tenant_domains_ = o.tenant_domains_;
  trunk_names_ = o.trunk_names_;
  trunk_from_hosts_ = o.trunk_from_hosts_;
  trunk_hosts_ = o.trunk_hosts_;
  address_trie_ = o.address_trie_;
  outbound_index_ = o.outbound_index_;
  proxies_ = o.proxies_;
  proxy_addresses_ = o.proxy_addresses_;
  proxy_trie_ = o.proxy_trie_;
  o.data_ = nullptr;
  o.size_ = 0;
  o.mapped_ = false;
  o.map_size_ = 0;
  return *this;
}

void Tables::release() {
  if (mapped_ && data_) munmap(const_cast<char*>(data_), map_size_);
  owned_.clear();
  data_ = nullptr;
  size_ = 0;
  map_size_ = 0;
  mapped_ = false;
}

std::array<std::uint8_t, 32> Tables::site_digest() const {
  std::array<std::uint8_t, 32> d{};
  std::memcpy(d.data(), header().site_digest, 32);
  return d;
}

namespace {

// The checks that need nothing past the header: magic, version, and the
// declared size against the real one. open_tables_file makes them before a
// byte more is read or mapped; verify() makes them for bytes from anywhere.
bool check_header(const Header& h, std::uint64_t size, std::string& error) {
  if (std::memcmp(h.magic, kMagic, 8) != 0) {
    error = "not a trunkline tables file (bad magic)";
    return false;
  }
  if (h.version > kFormatVersion) {
    error = "format version " + std::to_string(h.version) +
            " is newer than this trunkline reads (" + std::to_string(kFormatVersion) +
            "); upgrade trunkline or compile with the matching dialplan-compile";
    return false;
  }
  if (h.version != kFormatVersion) {
    error = "format version " + std::to_string(h.version) +
            " is older than this trunkline reads (" + std::to_string(kFormatVersion) +
            "); compile the site again with this dialplan-compile";
    return false;
  }
  if (h.file_size != size) {
    error = "the header says " + std::to_string(h.file_size) + " bytes but there are " +
            std::to_string(size) + " (truncated or appended to)";
    return false;
  }
  return true;
}

// Opens `path` for reading if it is a regular file (io/input_file.hpp: a
// FIFO or a device is refused without blocking) of a size a tables file can
// have, whose header holds up; -1 with `error` set otherwise. So a huge or
// foreign file is refused before it is mapped or read.
int open_tables_file(const std::filesystem::path& path, std::uint64_t& size, std::string& error) {
  io::InputFile in;
  if (!in.open(path, "tables file", kMaxFileSize, error)) return -1;
  size = in.size();
  if (size < sizeof(Header)) {
    error = path.string() + ": " + std::to_string(size) +
            " bytes is not the size of a tables file (truncated?)";
    return -1;
  }
  Header h;
  ssize_t n;
  do n = ::pread(in.fd(), &h, sizeof h, 0);
  while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof h)) {
    error = "cannot read " + path.string() + ": " +
            (n < 0 ? std::strerror(errno) : "the file changed size while it was read");
    return -1;
  }
  if (!check_header(h, size, error)) {
    error = path.string() + ": " + error;
    return -1;
  }
  return in.release();
}

}  // namespace

bool Tables::open(const std::filesystem::path& path, std::string& error) {
  release();
  std::uint64_t size = 0;
  int fd = open_tables_file(path, size, error);
  if (fd < 0) return false;
  void* p = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) {
    error = "cannot map " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  data_ = static_cast<const char*>(p);
  size_ = map_size_ = size;
  mapped_ = true;
  return verify_file(path, error);
}

namespace {

constexpr std::size_t kHugePage = 2u << 20;

// Anonymous memory of at least `size` bytes from a 2 MiB boundary, with
// transparent huge pages asked for: reading a large file into it takes a
// fault per 2 MiB instead of one per 4 KiB and needs no zeroing pass, so
// trunkd loads 100 MB of tables in two thirds of the time, and lookups
// cross fewer TLB entries. Where the kernel gives no huge pages the memory
// works the same. nullptr on failure; `mapped` is the length to unmap.
char* huge_page_memory(std::size_t size, std::size_t& mapped) {
  mapped = (size + kHugePage - 1) / kHugePage * kHugePage;
  void* p = mmap(nullptr, mapped + kHugePage, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  auto at = reinterpret_cast<std::uintptr_t>(p);
  std::uintptr_t aligned = (at + kHugePage - 1) / kHugePage * kHugePage;
  if (aligned > at) munmap(p, aligned - at);
  std::uintptr_t end = at + mapped + kHugePage;
  if (end > aligned + mapped)
    munmap(reinterpret_cast<void*>(aligned + mapped), end - aligned - mapped);
  madvise(reinterpret_cast<void*>(aligned), mapped, MADV_HUGEPAGE);
  return reinterpret_cast<char*>(aligned);
}

}  // namespace

bool Tables::read(const std::filesystem::path& path, std::string& error) {
  release();
  std::uint64_t size = 0;
  int fd = open_tables_file(path, size, error);
  if (fd < 0) return false;
  std::size_t mapped = 0;
  char* to = huge_page_memory(size, mapped);
  if (!to) {
    error = "cannot allocate " + std::to_string(size) + " bytes for " + path.string() + ": " +
            std::strerror(errno);
    ::close(fd);
    return false;
  }
  data_ = to;
  map_size_ = mapped;
  mapped_ = true;
  std::uint64_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, to + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  if (got != size) {
    error = path.string() + ": the file changed size while it was read";
    release();
    return false;
  }
  size_ = size;
  // Read-only from here on, like a mapped file: a stray write faults
  // instead of changing verified tables.
  mprotect(to, mapped, PROT_READ);
  return verify_file(path, error);
}

bool Tables::verify_file(const std::filesystem::path& path, std::string& error) {
  if (verify(error)) return true;
  error = path.string() + ": " + error;
  release();
  return false;
}

bool Tables::load_bytes(std::string_view bytes, std::string& error) {
  release();
  if (bytes.size() < sizeof(Header)) {
    error = std::to_string(bytes.size()) + " bytes is not the size of a tables file (truncated?)";
    return false;
  }
  owned_.assign((bytes.size() + 7) / 8, 0);
  std::memcpy(owned_.data(), bytes.data(), bytes.size());
  data_ = reinterpret_cast<const char*>(owned_.data());
  size_ = bytes.size();
  if (!verify(error)) {
    release();
    return false;
  }
  return true;
}

bool Tables::view_bytes(std::string_view bytes, std::string& error) {
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % 8 != 0) return load_bytes(bytes, error);
  release();
  if (bytes.size() < sizeof(Header)) {
    error = std::to_string(bytes.size()) + " bytes is not the size of a tables file (truncated?)";
    return false;
  }
  data_ = bytes.data();
  size_ = bytes.size();
  if (!verify(error)) {
    release();
    return false;
  }
  return true;
}

namespace {

// Checks an automaton: every node lies inside, has no unknown bits, and its
// children start nodes; every accept names an item below `items`; every root
// starts a node.
bool verify_nodes(std::span<const std::uint32_t> w, std::uint32_t items, const char* what,
                  std::string& error, std::vector<bool>& starts) {
  if (w.size() < 2 || w[0] != 0 || w[1] != 0) {
    error = std::string(what) + ": missing the dead node";
    return false;
  }
  auto node_size = [](std::uint32_t bits) { return node_words(bits); };
  // Pass 1: every node fits, has known bits and a valid accept.
  starts.assign(w.size(), false);
  for (std::size_t k = 0; k < w.size();) {
    if (w.size() - k < 2) {
      error = std::string(what) + ": node at word " + std::to_string(k) + " is cut short";
      return false;
    }
    starts[k] = true;
    std::uint32_t accept = w[k], bits = w[k + 1];
    if (accept > items) {
      error = std::string(what) + ": node at word " + std::to_string(k) +
              " accepts item " + std::to_string(accept - 1) + " of " + std::to_string(items);
      return false;
    }
    bool chain = bits & kChainBit;
    if ((!chain && (bits & ~(kSymbolBits | kTailBit | kDefaultBit))) ||
        ((bits & kTailBit) && (bits & ~kTailBit)) ||
        (chain && ((bits & ~(kChainBit | kDefaultBit | kChainLength)) ||
                   (bits & kChainLength) < 2))) {
      error = std::string(what) + ": node at word " + std::to_string(k) + " has unknown bits";
      return false;
    }
    if (w.size() - k < node_size(bits)) {
      error = std::string(what) + ": node at word " + std::to_string(k) + " is cut short";
      return false;
    }
    if (chain) {
      std::uint32_t len = bits & kChainLength;
      std::size_t packed = k + 2 + ((bits & kDefaultBit) != 0);
      for (std::uint32_t j = 0; j < (len + 7) / 8 * 8; ++j) {
        std::uint32_t sym = (w[packed + j / 8] >> (4 * (j % 8))) & 15u;
        if (j < len ? sym >= 13 : sym != 0) {
          error = std::string(what) + ": chain at word " + std::to_string(k) +
                  " holds a symbol that is not a dial symbol";
          return false;
        }
      }
    }
    k += node_size(bits);
  }
  // Pass 2: every child word names a node.
  for (std::size_t k = 0; k < w.size(); k += node_size(w[k + 1])) {
    for (std::size_t c = k + 2; c < k + node_size(w[k + 1]); ++c) {
      if (!is_child_word(w[k + 1], c - k)) continue;
      if (w[c] >= w.size() || !starts[w[c]]) {
        error = std::string(what) + ": word " + std::to_string(c) + " points to " +
                std::to_string(w[c]) + ", which is not a node";
        return false;
      }
    }
  }
  return true;
}

bool is_root(const std::vector<bool>& starts, std::uint32_t root) {
  return root < starts.size() && starts[root];
}

}  // namespace

// What the readers rely on, all proven below before any of them runs.
// The readers are route::Router (outbound, send_number, inbound,
// destination), route::ask_outbound / ask_inbound / explain_outbound,
// sip::redirect, tables::dump_text and the find_* lookups above; none of
// them checks a bound the list below already proves.
//
//  1. Header: magic, version, file_size == the bytes, a multiple of 8,
//     the checksum; a section directory inside the file, each of the
//     kSectionKinds sections once, 8-byte aligned, inside the file.
//  2. Record sections hold whole records (so every span is in bounds).
//  3. Strings: every Str of every record lies inside STRINGS (str()).
//  4. Automata (verify_nodes): the dead node at word 0; every node fits
//     whole, has no unknown bits, a chain has 2-255 dial symbols and zero
//     padding; every child word (is_child_word) names a node start; every
//     accept is 0 or an item index + 1 below the item count (routes for
//     outbound, inbound rules, tenants for pools). A walk then reads only
//     inside the automaton, and it ends: every step reads a symbol.
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
bool Tables::verify(std::string& error) {
  const Header& h = header();
  if (!check_header(h, size_, error)) return false;
  if (size_ % 8 != 0) {
    error = "size is not a multiple of 8";
    return false;
  }
  if (checksum(data_, size_) != h.checksum) {
    error = "checksum mismatch: the file is damaged";
    return false;
  }
  if (h.section_count > kMaxSections ||
      h.section_count * sizeof(SectionEntry) > size_ - sizeof(Header)) {
    error = "section directory does not fit";
    return false;
  }
  const auto* dir = reinterpret_cast<const SectionEntry*>(data_ + sizeof(Header));
  std::string_view sec[kSectionKinds + 1];
  bool seen[kSectionKinds + 1] = {};
  for (std::uint32_t i = 0; i < h.section_count; ++i) {
    const SectionEntry& e = dir[i];
    if (e.kind == 0 || e.kind > kSectionKinds || seen[e.kind]) {
      error = "section " + std::to_string(i) + " has unknown or repeated kind " +
              std::to_string(e.kind);
      return false;
    }
    if (e.offset % 8 != 0 || e.offset > size_ || e.size > size_ - e.offset) {
      error = "section " + std::to_string(e.kind) + " lies outside the file";
      return false;
    }
    seen[e.kind] = true;
    sec[e.kind] = std::string_view(data_ + e.offset, e.size);
  }
  for (std::uint32_t k = 1; k <= kSectionKinds; ++k) {
    if (!seen[k]) {
      error = "section " + std::to_string(k) + " is missing";
      return false;
    }
  }
  auto records = [&](SectionKind kind, std::size_t rec, auto& out, const char* what) {
    std::string_view s = sec[static_cast<std::uint32_t>(kind)];
    if (s.size() % rec != 0) {
      error = std::string(what) + " section size is not a whole number of records";
      return false;
    }
    using T = typename std::remove_reference_t<decltype(out)>::element_type;
    out = std::span<const T>(reinterpret_cast<const T*>(s.data()), s.size() / rec);
    return true;
  };
  strings_ = sec[static_cast<std::uint32_t>(SectionKind::strings)];
  if (!records(SectionKind::tenants, sizeof(TenantRecord), tenants_, "tenants") ||
      !records(SectionKind::trunks, sizeof(TrunkRecord), trunks_, "trunks") ||
      !records(SectionKind::routes, sizeof(RouteRecord), routes_, "routes") ||
      !records(SectionKind::route_trunks, 4, route_trunks_, "route trunks") ||
      !records(SectionKind::inbound, sizeof(InboundRecord), inbound_, "inbound") ||
      !records(SectionKind::addresses, sizeof(AddressRecord), addresses_, "addresses") ||
      !records(SectionKind::outbound_nodes, 4, outbound_nodes_, "outbound nodes") ||
      !records(SectionKind::inbound_nodes, 4, inbound_nodes_, "inbound nodes") ||
      !records(SectionKind::pool_nodes, 4, pool_nodes_, "pool nodes") ||
      !records(SectionKind::tenant_names, 4, tenant_names_, "tenant names") ||
      !records(SectionKind::tenant_domains, 4, tenant_domains_, "tenant domains") ||
      !records(SectionKind::trunk_names, 4, trunk_names_, "trunk names") ||
      !records(SectionKind::trunk_from_hosts, 4, trunk_from_hosts_, "trunk from-host index") ||
      !records(SectionKind::trunk_hosts, 4, trunk_hosts_, "trunk host index") ||
      !records(SectionKind::address_trie, 4, address_trie_, "address trie") ||
      !records(SectionKind::outbound_index, 4, outbound_index_, "outbound index") ||
      !records(SectionKind::proxies, sizeof(ProxyRecord), proxies_, "proxies") ||
      !records(SectionKind::proxy_addresses, sizeof(AddressRecord), proxy_addresses_,
               "proxy addresses") ||
      !records(SectionKind::proxy_trie, 4, proxy_trie_, "proxy trie"))
    return false;

  auto str_ok = [&](Str s) {
    return s.length <= strings_.size() && s.offset <= strings_.size() - s.length;
  };
  // The failover codes go into a quoted Contact parameter as they are:
  // digits and commas only, so that no tables file can write past the quote.
  auto codes_ok = [&](Str s) {
    if (!str_ok(s)) return false;
    for (std::uint32_t i = 0; i < s.length; ++i) {
      char c = strings_[s.offset + i];
      if (!(c == ',' || (c >= '0' && c <= '9'))) return false;
    }
    return true;
  };
  const std::uint32_t n_tenants = static_cast<std::uint32_t>(tenants_.size());
  const std::uint32_t n_trunks = static_cast<std::uint32_t>(trunks_.size());
  auto bad = [&](const std::string& what, std::size_t i) {
    error = what + " " + std::to_string(i) + " is out of bounds";
    return false;
  };
  std::vector<bool> out_starts, in_starts, pool_starts;
  if (!verify_nodes(outbound_nodes_, static_cast<std::uint32_t>(routes_.size()),
                    "outbound automaton", error, out_starts) ||
      !verify_nodes(inbound_nodes_, static_cast<std::uint32_t>(inbound_.size()),
                    "inbound automaton", error, in_starts) ||
      !verify_nodes(pool_nodes_, n_tenants, "pool automaton", error, pool_starts))
    return false;
  for (std::size_t i = 0; i < tenants_.size(); ++i) {
    const auto& t = tenants_[i];
    if (!str_ok(t.name) || !str_ok(t.sip_domain) || !str_ok(t.caller_id) ||
        !is_root(out_starts, t.outbound_root) || (t.dial_symbols & ~kPlanSymbols))
      return bad("tenant", i);
  }
  for (std::size_t i = 0; i < trunks_.size(); ++i) {
    const auto& t = trunks_[i];
    if (!str_ok(t.name) || !str_ok(t.host) || !str_ok(t.provider) ||
        !str_ok(t.request_uri_params) || !str_ok(t.caller_id) || !str_ok(t.match_from_host) ||
        !str_ok(t.outbound_proxy) || !codes_ok(t.failover_on) || t.transport > 3 || t.type > 5 ||
        (t.owner != kNone && t.owner >= n_tenants) ||
        (t.failover != kNone && t.failover >= n_trunks) ||
        !is_root(in_starts, t.inbound_root) || !is_root(pool_starts, t.pool_root) ||
        t.address_count > addresses_.size() ||
        t.address_first > addresses_.size() - t.address_count)
      return bad("trunk", i);
    for (std::uint32_t a = 0; a < t.address_count; ++a)
      if (addresses_[t.address_first + a].trunk != i) return bad("trunk address range", i);
  }
  const std::uint32_t n_proxies = static_cast<std::uint32_t>(proxies_.size());
  for (std::size_t i = 0; i < proxies_.size(); ++i) {
    const auto& p = proxies_[i];
    if (!str_ok(p.name) || p.address_count > proxy_addresses_.size() ||
        p.address_first > proxy_addresses_.size() - p.address_count)
      return bad("proxy", i);
  }
  for (std::size_t i = 0; i < proxy_addresses_.size(); ++i)
    if (proxy_addresses_[i].prefix > 128 || proxy_addresses_[i].trunk >= n_proxies)
      return bad("proxy address", i);
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const auto& r = routes_[i];
    if (r.tenant >= n_tenants || !str_ok(r.name) || !str_ok(r.pattern) || !str_ok(r.prepend) ||
        !str_ok(r.caller_id) || r.trunk_count > route_trunks_.size() ||
        r.trunk_first > route_trunks_.size() - r.trunk_count)
      return bad("route", i);
  }
  for (std::size_t i = 0; i < route_trunks_.size(); ++i)
    if (route_trunks_[i] >= n_trunks) return bad("route trunk", i);
  for (std::size_t i = 0; i < inbound_.size(); ++i) {
    const auto& r = inbound_[i];
    if (r.tenant >= n_tenants || r.trunk >= n_trunks || !str_ok(r.did) || !str_ok(r.to))
      return bad("inbound rule", i);
  }
  for (std::size_t i = 0; i < addresses_.size(); ++i)
    if (addresses_[i].prefix > 128 || addresses_[i].trunk >= n_trunks) return bad("address", i);
  for (auto [index, count, what] :
       {std::tuple{&tenant_names_, n_tenants, "tenant name index"},
        std::tuple{&tenant_domains_, n_tenants, "tenant domain index"},
        std::tuple{&trunk_names_, n_trunks, "trunk name index"},
        std::tuple{&trunk_from_hosts_, n_trunks, "trunk from-host index"},
        std::tuple{&trunk_hosts_, n_trunks, "trunk host index"}}) {
    std::span<const std::uint32_t> ix = *index;
    if (ix.size() < 2 || ix[1] != 0 || ix[0] != ix.size() - 2 || ix[0] == 0 ||
        (ix[0] & (ix[0] - 1)) != 0) {
      error = std::string(what) + " is malformed";
      return false;
    }
    std::size_t empty = 0;
    for (std::size_t b = 2; b < ix.size(); ++b) {
      if (ix[b] == 0) ++empty;
      else if (ix[b] > count) return bad(what, b);
    }
    if (empty == 0) {
      error = std::string(what) + " has no empty bucket";
      return false;
    }
  }
  // The outbound index: kPairs entries per tenant, each kNone or a node.
  if (outbound_index_.size() != std::size_t(n_tenants) * kPairs) {
    error = "outbound index has the wrong size";
    return false;
  }
  for (std::size_t i = 0; i < outbound_index_.size(); ++i) {
    std::uint32_t e = outbound_index_[i];
    if (e != kNone && !is_root(out_starts, e)) return bad("outbound index entry", i);
  }
  // The address tries: whole nodes, a root, children inside, owners known.
  const auto n_addresses = static_cast<std::uint32_t>(addresses_.size());
  const auto n_proxy_addresses = static_cast<std::uint32_t>(proxy_addresses_.size());
  for (auto [list, what] : {std::pair{addresses_, "address"},
                            std::pair{proxy_addresses_, "proxy address"}})
    for (std::size_t i = 0; i < list.size(); ++i)
      if (list[i].next_same != kNone && (list[i].next_same <= i || list[i].next_same >= list.size()))
        return bad(what, i);
  for (auto [trie, owners, what] : {std::tuple{address_trie_, n_addresses, "address trie"},
                                    std::tuple{proxy_trie_, n_proxy_addresses, "proxy trie"}}) {
    if (trie.size() < 3 || trie.size() % 3 != 0) {
      error = std::string(what) + " is malformed";
      return false;
    }
    const std::size_t trie_nodes = trie.size() / 3;
    for (std::size_t k = 0; k < trie_nodes; ++k) {
      const std::uint32_t* n = &trie[k * 3];
      if (n[0] >= trie_nodes || n[1] >= trie_nodes || n[2] > owners)
        return bad(std::string(what) + " node", k);
      // Children come after their parent, so a walk always ends.
      if ((n[0] && n[0] <= k) || (n[1] && n[1] <= k)) return bad(std::string(what) + " node", k);
    }
  }
  return true;
}

std::uint32_t Tables::find(std::span<const std::uint32_t> index, std::string_view key,
                           auto&& name_of, bool any_case) const {
  std::uint32_t buckets = index[0];
  const std::uint32_t* table = index.data() + 2;
  std::uint64_t h = (any_case ? host_hash(key.data(), key.size())
                              : name_hash(key.data(), key.size())) &
                    (buckets - 1);
  for (std::uint32_t probes = 0; probes < buckets; ++probes) {
    std::uint32_t v = table[h];
    if (v == 0) return kNone;
    std::string_view name = str(name_of(v - 1));
    if (any_case ? same_host(name, key) : name == key) return v - 1;
    h = (h + 1) & (buckets - 1);
  }
  return kNone;
}

std::uint32_t Tables::find_tenant(std::string_view name) const {
  return find(tenant_names_, name, [&](std::uint32_t i) { return tenants_[i].name; });
}
std::uint32_t Tables::find_tenant_by_domain(std::string_view domain) const {
  return find(tenant_domains_, domain, [&](std::uint32_t i) { return tenants_[i].sip_domain; });
}
std::uint32_t Tables::find_trunk(std::string_view name) const {
  return find(trunk_names_, name, [&](std::uint32_t i) { return trunks_[i].name; });
}
std::uint32_t Tables::find_trunk_by_from_host(std::string_view host) const {
  if (host.empty()) return kNone;
  return find(
      trunk_from_hosts_, host, [&](std::uint32_t i) { return trunks_[i].match_from_host; }, true);
}
std::uint32_t Tables::find_trunk_by_host(std::string_view host) const {
  if (host.empty()) return kNone;
  return find(trunk_hosts_, host, [&](std::uint32_t i) { return trunks_[i].host; }, true);
}
namespace {

// The first record of the longest block in `trie` holding `address`, or
// kNone. At most 128 steps.
std::uint32_t longest_prefix(std::span<const std::uint32_t> trie,
                             const std::uint8_t (&address)[16]) {
  std::uint32_t at = 0, found = kNone;
  for (std::uint32_t bit = 0;; ++bit) {
    const std::uint32_t* n = &trie[at * 3];
    if (n[2]) found = n[2] - 1;
    if (bit == 128) break;
    std::uint32_t next = n[(address[bit / 8] >> (7 - bit % 8)) & 1u];
    if (next == 0) break;
    at = next;
  }
  return found;
}

bool block_holds(const AddressRecord& block, const std::uint8_t (&address)[16]) {
  const std::uint32_t whole = block.prefix / 8, rest = block.prefix % 8;
  if (std::memcmp(block.address, address, whole) != 0) return false;
  if (rest == 0) return true;
  const std::uint8_t mask = static_cast<std::uint8_t>(0xff00u >> rest);
  return (block.address[whole] & mask) == (address[whole] & mask);
}

}  // namespace

std::uint32_t Tables::find_address_block(const std::uint8_t (&address)[16]) const {
  return longest_prefix(address_trie_, address);
}

std::uint32_t Tables::find_trunk_by_address(const std::uint8_t (&address)[16]) const {
  std::uint32_t block = longest_prefix(address_trie_, address);
  return block == kNone ? kNone : addresses_[block].trunk;
}

std::uint32_t Tables::find_proxy_by_address(const std::uint8_t (&address)[16]) const {
  std::uint32_t block = longest_prefix(proxy_trie_, address);
  return block == kNone ? kNone : proxy_addresses_[block].trunk;
}

bool Tables::trunk_holds_address(std::uint32_t trunk, const std::uint8_t (&address)[16]) const {
  const TrunkRecord& t = trunks_[trunk];
  for (std::uint32_t i = 0; i < t.address_count; ++i)
    if (block_holds(addresses_[t.address_first + i], address)) return true;
  return false;
}

}  // namespace trunk::tables
