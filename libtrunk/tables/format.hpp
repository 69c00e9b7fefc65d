// The tables file: the compiled dial plan that trunkd maps and routes from.
// Documented for operators in trunk-tables(5); this header is the layout.
//
//   offset 0   Header (64 bytes)
//   offset 64  section directory: section_count x SectionEntry (24 bytes)
//   then       sections, each 8-byte aligned, in directory order
//
// All integers are little-endian and fixed-width. Strings are (offset,
// length) pairs into the STRINGS section. Indexes into record sections are
// 0-based; kNone (0xffffffff) means "none". The automata sections
// (outbound_nodes, inbound_nodes, pool_nodes) hold 32-bit node words laid
// out as automaton/layout.hpp defines them. The checksum covers
// the whole file with the checksum field read as zero. The same site always
// gives the same bytes.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace trunk::tables {

static_assert(std::endian::native == std::endian::little,
              "the tables format is little-endian; add byte swapping for this host");

constexpr char kMagic[8] = {'T', 'R', 'U', 'N', 'K', 'T', 'B', 'L'};
// 2: trunks carry their limits and address range; trusted proxies.
constexpr std::uint32_t kFormatVersion = 3;
constexpr std::uint32_t kNone = 0xffffffffu;
// Caps the verifier enforces before trusting any count.
constexpr std::uint64_t kMaxFileSize = 4ull << 30;
constexpr std::uint32_t kMaxSections = 64;

struct Header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t section_count;
  std::uint64_t file_size;
  std::uint64_t checksum;
  std::uint8_t site_digest[32];  // SHA-256 over the site's files
};
static_assert(sizeof(Header) == 64);

enum class SectionKind : std::uint32_t {
  strings = 1,
  tenants = 2,
  trunks = 3,
  routes = 4,
  route_trunks = 5,  // u32 trunk indexes, referenced by routes
  inbound = 6,
  outbound_nodes = 7,  // automata: tenant number -> route
  inbound_nodes = 8,   // trunk DID -> inbound rule
  pool_nodes = 9,      // trunk DID -> tenant (the tenant's pool on that trunk)
  tenant_names = 10,   // hash index: tenant name -> tenant
  tenant_domains = 11, // hash index: sip_domain -> tenant
  trunk_names = 12,    // hash index: trunk name -> trunk
  addresses = 13,      // source addresses of trunks (host IPs, associated_ips)
  trunk_from_hosts = 14,  // hash index: match_from_host (any case) -> trunk
  trunk_hosts = 15,       // hash index: host (any case) -> first trunk with it
  address_trie = 16,      // binary trie over the addresses: longest prefix -> trunk
  outbound_index = 17,    // per tenant, the outbound node after each pair of symbols
  proxies = 18,           // trusted proxies (ProxyRecord)
  proxy_addresses = 19,   // their address blocks (AddressRecord, `trunk` = the proxy)
  proxy_trie = 20,        // binary trie over proxy_addresses: longest prefix -> proxy
};
constexpr std::uint32_t kSectionKinds = 20;

// outbound_index: for each tenant in order, kPairs u32 entries; entry
// s0 * 13 + s1 is the word offset in outbound_nodes of the node a number
// starting with symbols s0 s1 reaches (0: the dead node), or kNone when
// that place lies inside a chain node (walk from the root instead). A
// lookup skips the first two levels, the ones every lookup crosses.
constexpr std::uint32_t kPairs = 13 * 13;

// address_trie (and proxy_trie): nodes of three u32 words {child for bit 0,
// child for bit 1, address (proxy address) record + 1 or 0: the first
// record of the block ending there}; node 0 is the root; a child of 0 means none (the root is
// nobody's child). Addresses are the 128 bits of AddressRecord::address,
// most significant first.

struct SectionEntry {
  std::uint32_t kind;
  std::uint32_t reserved;  // 0
  std::uint64_t offset;
  std::uint64_t size;
};
static_assert(sizeof(SectionEntry) == 24);

struct Str {
  std::uint32_t offset;
  std::uint32_t length;
};

struct TenantRecord {
  Str name;
  Str sip_domain;
  Str caller_id;         // length 0: none
  std::uint32_t outbound_root;  // word offset in outbound_nodes
  std::uint32_t dial_symbols;   // kPlanSymbols bits the tenant's routes name
};
static_assert(sizeof(TenantRecord) == 32);
// TenantRecord::dial_symbols: bit s (a dial symbol index: 10 '*', 11 '#')
// is set when a route pattern of the tenant names the symbol (a wildcard
// does not). A number with '*' or '#' is a dial string for the tenant only
// when its bit is set (route/dial_string.hpp). Files written before the
// field existed carry 0 there: recompile to route '*' and '#' again.
constexpr std::uint32_t kPlanSymbols = (1u << 10) | (1u << 11);

// TrunkRecord::flags
constexpr std::uint32_t kVerifyPort = 1u << 0;
constexpr std::uint32_t kSingleVia = 1u << 1;
constexpr std::uint32_t kTelUriRequestLine = 1u << 2;
constexpr std::uint32_t kTelUriTo = 1u << 3;
constexpr std::uint32_t kStripPlus = 1u << 4;
constexpr std::uint32_t kStirShaken = 1u << 5;
constexpr std::uint32_t kOutboundAllowed = 1u << 6;
constexpr std::uint32_t kInboundAllowed = 1u << 7;

struct TrunkRecord {
  Str name;
  Str host;
  Str provider;
  Str request_uri_params;
  Str caller_id;
  Str match_from_host;
  Str outbound_proxy;
  std::uint16_t port;
  std::uint16_t outbound_proxy_port;
  std::uint8_t transport;  // site::Transport
  std::uint8_t type;       // site::TrunkType
  std::uint16_t reserved;
  std::uint32_t flags;     // k* flags above
  std::uint32_t owner;     // tenant index, or kNone for the system
  std::uint32_t failover;  // trunk index, or kNone
  std::uint32_t inbound_root;  // word offset in inbound_nodes
  std::uint32_t pool_root;     // word offset in pool_nodes
  // The trunk's own address blocks (host IP, associated_ips): addresses
  // [address_first, address_first + address_count), in site order.
  std::uint32_t address_first;
  std::uint32_t address_count;
  // limits: concurrent calls the proxy may let through; kNone: no limit,
  // 0: none at all (the trunk is left out of that direction's answers).
  std::uint32_t limit_inbound;
  std::uint32_t limit_outbound;
  std::uint32_t limit_total;
  // The answers on which the proxy tries the next Contact, as the 302
  // carries them: codes in ascending order, separated by commas ("408,503").
  Str failover_on;
};
static_assert(sizeof(TrunkRecord) == 112);

// A trusted proxy: its address blocks are proxy_addresses [address_first,
// address_first + address_count). A site with no [[proxy]] compiles to one
// named "loopback" holding 127.0.0.1/32 and ::1/128.
struct ProxyRecord {
  Str name;
  std::uint32_t address_first;
  std::uint32_t address_count;
};
static_assert(sizeof(ProxyRecord) == 16);
constexpr std::string_view kLoopbackProxy = "loopback";
// Its addresses: what trunkd trusts when the site names no proxy.
inline constexpr std::string_view kLoopbackProxyAddresses[] = {"127.0.0.1", "::1"};

struct RouteRecord {
  std::uint32_t tenant;
  std::int32_t priority;
  Str name;
  Str pattern;
  Str prepend;
  Str caller_id;  // length 0: none
  std::uint32_t strip;
  std::uint32_t trunk_first;  // into route_trunks
  std::uint32_t trunk_count;
  std::uint32_t reserved;
};
static_assert(sizeof(RouteRecord) == 56);

struct InboundRecord {
  std::uint32_t tenant;
  std::uint32_t trunk;
  Str did;
  Str to;  // with "{did}" where the DID goes
};
static_assert(sizeof(InboundRecord) == 24);

// A source address block of a trunk (or, in proxy_addresses, of a
// proxy). IPv4 addresses are stored as IPv4-mapped IPv6 (::ffff:a.b.c.d)
// with prefix + 96. Trunks that share one block are chained in site order
// through next_same, so that verify_port can tell them apart by port.
struct AddressRecord {
  std::uint8_t address[16];
  std::uint32_t prefix;  // 0-128
  std::uint32_t trunk;   // the trunk (the proxy)
  std::uint32_t next_same;  // the next record with the same block, or kNone
  std::uint32_t reserved;
};
static_assert(sizeof(AddressRecord) == 32);

// Hash index sections: u32 bucket_count (a power of two), u32 0, then
// bucket_count u32 buckets: 0 empty, else record index + 1. Open addressing
// with linear probing from hash(name) & (bucket_count - 1); at least one
// bucket is empty so a probe always ends. The host indexes hash the name
// in lower case.
std::uint64_t name_hash(const char* s, std::size_t n);
std::uint64_t host_hash(const char* s, std::size_t n);
// Host names compare without regard to ASCII case.
bool same_host(std::string_view a, std::string_view b);

}  // namespace trunk::tables
