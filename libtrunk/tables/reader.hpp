// Loading a tables file: map it read-only, verify every byte that will be
// trusted, then hand out typed views. Unverified bytes never reach the
// router: a truncated, corrupted or newer-version file is refused with a
// message that says what is wrong, never a crash.
//
// Tables is move-only (it owns the mapping). A verified Tables is immutable
// and safe to read from any number of threads.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tables/format.hpp"

namespace trunk::tables {

class Tables {
 public:
  Tables() = default;
  ~Tables();
  Tables(Tables&& other) noexcept;
  Tables& operator=(Tables&& other) noexcept;
  Tables(const Tables&) = delete;  // owns a mapping
  Tables& operator=(const Tables&) = delete;

  // Maps and verifies `path`. On failure returns false with `error` set.
  // The mapping follows the file: if it is rewritten in place (not replaced
  // by rename, as dialplan-compile does) the tables change under the
  // reader, and a truncation makes reads fault. Tools that read once use
  // this; a daemon uses read().
  bool open(const std::filesystem::path& path, std::string& error);
  // Reads `path` into memory of its own and verifies it: later changes to
  // the file, even a truncation, cannot reach what was read. The memory is
  // read-only, in transparent huge pages where the kernel gives them.
  bool read(const std::filesystem::path& path, std::string& error);
  // Copies `bytes` into storage of its own and verifies them. Used by the
  // compiler (to check what it is about to write) and by tests.
  bool load_bytes(std::string_view bytes, std::string& error);
  // Verifies bytes in place when they are 8-byte aligned (they must then
  // outlive this object), else copies them like load_bytes.
  bool view_bytes(std::string_view bytes, std::string& error);

  bool loaded() const { return data_ != nullptr; }
  std::uint32_t version() const { return header().version; }
  std::array<std::uint8_t, 32> site_digest() const;
  std::size_t size() const { return size_; }

  std::string_view str(Str s) const { return {strings_.data() + s.offset, s.length}; }
  std::span<const TenantRecord> tenants() const { return tenants_; }
  std::span<const TrunkRecord> trunks() const { return trunks_; }
  std::span<const RouteRecord> routes() const { return routes_; }
  std::span<const std::uint32_t> route_trunks() const { return route_trunks_; }
  std::span<const InboundRecord> inbound() const { return inbound_; }
  std::span<const AddressRecord> addresses() const { return addresses_; }
  std::span<const ProxyRecord> proxies() const { return proxies_; }
  std::span<const AddressRecord> proxy_addresses() const { return proxy_addresses_; }
  std::span<const std::uint32_t> outbound_nodes() const { return outbound_nodes_; }
  std::span<const std::uint32_t> outbound_index() const { return outbound_index_; }
  std::span<const std::uint32_t> inbound_nodes() const { return inbound_nodes_; }
  std::span<const std::uint32_t> pool_nodes() const { return pool_nodes_; }

  // Name lookups through the hash indexes: the record index or kNone.
  // Cost is independent of the number of records; nothing is allocated.
  std::uint32_t find_tenant(std::string_view name) const;
  std::uint32_t find_tenant_by_domain(std::string_view domain) const;
  std::uint32_t find_trunk(std::string_view name) const;
  // The trunk whose match_from_host, or whose host, is `host` (any case).
  std::uint32_t find_trunk_by_from_host(std::string_view host) const;
  std::uint32_t find_trunk_by_host(std::string_view host) const;
  // The trunk with the longest address block holding `address` (IPv6 or
  // IPv4-mapped), or kNone. Cost: at most 128 steps, whatever the tables.
  std::uint32_t find_trunk_by_address(const std::uint8_t (&address)[16]) const;
  // The same as the first record (into addresses()) of that block: the
  // other trunks on the block follow through next_same.
  std::uint32_t find_address_block(const std::uint8_t (&address)[16]) const;
  // The trusted proxy with the longest block holding `address`, or kNone.
  std::uint32_t find_proxy_by_address(const std::uint8_t (&address)[16]) const;
  // Whether one of `trunk`'s own blocks (host IP, associated_ips) holds
  // `address`. Costs the trunk's own block count, not the tables'.
  bool trunk_holds_address(std::uint32_t trunk, const std::uint8_t (&address)[16]) const;

 private:
  const Header& header() const { return *reinterpret_cast<const Header*>(data_); }
  // verify.cpp: proves every invariant the readers rely on, and sets the
  // spans below only from what it proved. The Verifier holds its checks.
  class Verifier;
  bool verify(std::string& error);
  // verify() for a file just read or mapped: names the file in the error
  // and lets the bytes go when they are refused.
  bool verify_file(const std::filesystem::path& path, std::string& error);
  void release();
  std::uint32_t find(std::span<const std::uint32_t> index, std::string_view key,
                     auto&& name_of, bool any_case = false) const;

  std::vector<std::uint64_t> owned_;  // for load_bytes: 8-byte aligned
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t map_size_ = 0;  // the length to unmap when mapped_
  bool mapped_ = false;
  std::string_view strings_;
  std::span<const TenantRecord> tenants_;
  std::span<const TrunkRecord> trunks_;
  std::span<const RouteRecord> routes_;
  std::span<const std::uint32_t> route_trunks_;
  std::span<const InboundRecord> inbound_;
  std::span<const AddressRecord> addresses_;
  std::span<const ProxyRecord> proxies_;
  std::span<const AddressRecord> proxy_addresses_;
  std::span<const std::uint32_t> outbound_nodes_, inbound_nodes_, pool_nodes_;
  std::span<const std::uint32_t> tenant_names_, tenant_domains_, trunk_names_;
  std::span<const std::uint32_t> trunk_from_hosts_, trunk_hosts_, address_trie_;
  std::span<const std::uint32_t> outbound_index_, proxy_trie_;
};

}  // namespace trunk::tables
