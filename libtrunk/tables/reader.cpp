// Loading tables files and reading them: opening a file (refusing a foreign
// or huge one on its header alone), mapping or reading it, taking bytes
// from memory, and the lookups (hash indexes, address tries) the router
// uses. What makes the bytes safe to read is proven in verify.cpp
// (Tables::verify, with the list of invariants these readers rely on);
// nothing here reads a byte before it has passed.
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
#include "tables/verify.hpp"

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
