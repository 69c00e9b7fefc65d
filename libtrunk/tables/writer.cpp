// Tables serialization (format.hpp): the string pool, the record sections,
// the automata's words as the compiler laid them out, the hash indexes and
// address tries, and the file around them (header, directory, checksum).
// What goes into a plan is the compiler's (route/compile.hpp); checking a
// file is the verifier's (tables/verify.cpp).
#include "tables/writer.hpp"

#include <array>
#include <cstddef>
#include <cstring>
#include <map>
#include <span>
#include <string_view>
#include <unordered_map>

#include "io/atomic_write.hpp"
#include "tables/checksum.hpp"
#include "tables/format.hpp"

namespace trunk::tables {
namespace {

// Each distinct string once, at its first place in the bytes. The index
// is an open-addressing table of offsets into the bytes themselves (no node
// per string, no view into the plan): a million routes add four million
// strings, and a node-based map spent more time allocating than hashing.
class StringPool {
 public:
  explicit StringPool(std::size_t expected) {
    std::size_t slots = 16;
    while (slots < expected * 2) slots *= 2;
    slots_.assign(slots, Slot{});
  }
  Str add(std::string_view s) {
    if (s.empty()) return {0, 0};
    const std::uint64_t h = name_hash_impl(s.data(), s.size());
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.str.length == 0) {  // empty: the string is new
        const Str fresh{static_cast<std::uint32_t>(bytes_.size()),
                        static_cast<std::uint32_t>(s.size())};
        slot = {h, fresh};
        bytes_ += s;
        if (++count_ * 2 > slots_.size()) grow();  // `slot` is not used past here
        return fresh;
      }
      if (slot.hash == h && slot.str.length == s.size() &&
          bytes_.compare(slot.str.offset, slot.str.length, s) == 0)
        return slot.str;
    }
  }
  const std::string& bytes() const { return bytes_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    Str str{0, 0};  // size 0: empty (the empty string is never stored)
  };
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.str.length == 0) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].str.length != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::string bytes_;
  std::vector<Slot> slots_;
  std::size_t count_ = 0;
};

template <class T>
void append_pod(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// A hash index over (name, record) pairs, in record order; `hash` is
// name_hash or host_hash and `same` the matching comparison. A name already
// indexed keeps its first record.
std::string hash_index(const std::vector<std::pair<const std::string*, std::uint32_t>>& names,
                       std::uint64_t (*hash)(const char*, std::size_t),
                       bool (*same)(std::string_view, std::string_view)) {
  std::uint32_t buckets = 8;
  while (buckets < names.size() * 2 + 1) buckets *= 2;
  std::vector<std::uint32_t> table(buckets, 0);
  std::unordered_map<std::uint32_t, const std::string*> name_of;
  for (const auto& [name, record] : names) {
    std::uint64_t h = hash(name->data(), name->size()) & (buckets - 1);
    bool taken = false;
    for (; table[h] != 0; h = (h + 1) & (buckets - 1)) {
      if (same(*name_of[table[h] - 1], *name)) {
        taken = true;
        break;
      }
    }
    if (taken) continue;
    table[h] = record + 1;
    name_of[record] = name;
  }
  std::string out;
  append_pod(out, buckets);
  append_pod(out, std::uint32_t(0));
  out.append(reinterpret_cast<const char*>(table.data()), table.size() * 4);
  return out;
}

bool exact(std::string_view a, std::string_view b) { return a == b; }

// Address blocks as a binary trie (format.hpp): the trunks', or the
// proxies'. A node holds the first record of the block ending there.
std::string address_trie(const std::vector<Plan::Address>& addresses) {
  std::vector<std::uint32_t> nodes{0, 0, 0};
  for (std::uint32_t i = 0; i < addresses.size(); ++i) {
    const auto& a = addresses[i];
    std::uint32_t at = 0;
    for (std::uint32_t bit = 0; bit < a.prefix && bit < 128; ++bit) {
      std::uint32_t b = (a.address[bit / 8] >> (7 - bit % 8)) & 1u;
      if (nodes[at * 3 + b] == 0) {
        nodes[at * 3 + b] = static_cast<std::uint32_t>(nodes.size() / 3);
        nodes.insert(nodes.end(), {0, 0, 0});
      }
      at = nodes[at * 3 + b];
    }
    if (nodes[at * 3 + 2] == 0) nodes[at * 3 + 2] = i + 1;
  }
  return std::string(reinterpret_cast<const char*>(nodes.data()), nodes.size() * 4);
}

// The records of `addresses`, each chained to the next one with the same
// block (the same prefix and the same bits under it).
std::string address_records(const std::vector<Plan::Address>& addresses) {
  std::vector<AddressRecord> records(addresses.size());
  std::map<std::pair<std::array<std::uint8_t, 16>, std::uint32_t>, std::uint32_t> last;
  for (std::uint32_t i = 0; i < addresses.size(); ++i) {
    const auto& a = addresses[i];
    AddressRecord& r = records[i];
    std::memcpy(r.address, a.address.data(), 16);
    r.prefix = a.prefix;
    r.trunk = a.trunk;
    r.next_same = kNone;
    std::array<std::uint8_t, 16> block{};
    for (std::uint32_t bit = 0; bit < a.prefix && bit < 128; ++bit)
      block[bit / 8] |= a.address[bit / 8] & (0x80u >> (bit % 8));
    auto [it, fresh] = last.try_emplace({block, a.prefix}, i);
    if (!fresh) {
      records[it->second].next_same = i;
      it->second = i;
    }
  }
  std::string out;
  for (const auto& r : records) append_pod(out, r);
  return out;
}

// The words' bytes, in place: the node arrays are the bulk of the file and
// are copied once, into it.
std::string_view words(const std::vector<std::uint32_t>& w) {
  return {reinterpret_cast<const char*>(w.data()), w.size() * 4};
}

// The record sections. Each adds its strings to the pool in record order;
// serialize() calls them in section order, which fixes the pool's bytes.
std::string tenant_records(const Plan& plan, StringPool& strings) {
  std::string out;
  for (const auto& t : plan.tenants) {
    TenantRecord r{};
    r.name = strings.add(t.name);
    r.sip_domain = strings.add(t.sip_domain);
    r.caller_id = strings.add(t.caller_id);
    r.outbound_root = t.outbound_root;
    r.dial_symbols = t.dial_symbols;
    append_pod(out, r);
  }
  return out;
}

std::string trunk_records(const Plan& plan, StringPool& strings) {
  std::string out;
  for (const auto& t : plan.trunks) {
    TrunkRecord r{};
    r.name = strings.add(t.name);
    r.host = strings.add(t.host);
    r.provider = strings.add(t.provider);
    r.request_uri_params = strings.add(t.request_uri_params);
    r.caller_id = strings.add(t.caller_id);
    r.match_from_host = strings.add(t.match_from_host);
    r.outbound_proxy = strings.add(t.outbound_proxy);
    r.failover_on = strings.add(t.failover_on);
    r.port = t.port;
    r.outbound_proxy_port = t.outbound_proxy_port;
    r.transport = t.transport;
    r.type = t.type;
    r.flags = t.flags;
    r.owner = t.owner;
    r.failover = t.failover;
    r.inbound_root = t.inbound_root;
    r.pool_root = t.pool_root;
    r.address_first = t.address_first;
    r.address_count = t.address_count;
    r.limit_inbound = t.limit_inbound;
    r.limit_outbound = t.limit_outbound;
    r.limit_total = t.limit_total;
    append_pod(out, r);
  }
  return out;
}

// The routes. Their trunk lists (route_trunks) are the plan's, as laid out.
std::string route_records(const Plan& plan, StringPool& strings) {
  std::string routes;
  routes.reserve(plan.routes.size() * sizeof(RouteRecord));
  for (const auto& rt : plan.routes) {
    const Plan::RouteText text = plan.text_of(rt);
    RouteRecord r{};
    r.tenant = rt.tenant;
    r.priority = rt.priority;
    r.name = strings.add(text.name);
    r.pattern = strings.add(text.pattern);
    r.prepend = strings.add(text.prepend);
    r.caller_id = strings.add(text.caller_id);
    r.strip = rt.strip;
    r.trunk_first = rt.trunk_first;
    r.trunk_count = rt.trunk_count;
    append_pod(routes, r);
  }
  return routes;
}

std::string inbound_records(const Plan& plan, StringPool& strings) {
  std::string out;
  for (const auto& in : plan.inbound) {
    InboundRecord r{};
    r.tenant = in.tenant;
    r.trunk = in.trunk;
    r.did = strings.add(in.did);
    r.to = strings.add(in.to);
    append_pod(out, r);
  }
  return out;
}

std::string proxy_records(const Plan& plan, StringPool& strings) {
  std::string out;
  for (const auto& p : plan.proxies) {
    ProxyRecord r{};
    r.name = strings.add(p.name);
    r.address_first = p.address_first;
    r.address_count = p.address_count;
    append_pod(out, r);
  }
  return out;
}

// The five name indexes (hash_index), in section order.
struct NameIndexes {
  std::string tenant_names, tenant_domains, trunk_names, trunk_from_hosts, trunk_hosts;
};

NameIndexes name_indexes(const Plan& plan) {
  std::vector<std::pair<const std::string*, std::uint32_t>> tenant_names, tenant_domains,
      trunk_names, from_hosts, hosts;
  for (std::uint32_t i = 0; i < plan.tenants.size(); ++i) {
    tenant_names.emplace_back(&plan.tenants[i].name, i);
    tenant_domains.emplace_back(&plan.tenants[i].sip_domain, i);
  }
  for (std::uint32_t i = 0; i < plan.trunks.size(); ++i) {
    trunk_names.emplace_back(&plan.trunks[i].name, i);
    if (!plan.trunks[i].match_from_host.empty())
      from_hosts.emplace_back(&plan.trunks[i].match_from_host, i);
    hosts.emplace_back(&plan.trunks[i].host, i);
  }
  return {hash_index(tenant_names, name_hash, exact), hash_index(tenant_domains, name_hash, exact),
          hash_index(trunk_names, name_hash, exact), hash_index(from_hosts, host_hash, same_host),
          hash_index(hosts, host_hash, same_host)};
}

// The file around the sections: the header, the directory, each section
// 8-byte aligned in the order given (zero padding), then the checksum.
std::string assemble(std::span<const std::pair<SectionKind, std::string_view>> sections,
                     const std::array<std::uint8_t, 32>& site_digest) {
  auto align8 = [](std::uint64_t n) { return (n + 7) & ~std::uint64_t(7); };
  std::uint64_t offset = align8(sizeof(Header) + sections.size() * sizeof(SectionEntry));
  std::vector<SectionEntry> dir;
  for (const auto& [kind, data] : sections) {
    dir.push_back({static_cast<std::uint32_t>(kind), 0, offset, data.size()});
    offset = align8(offset + data.size());
  }
  Header h{};
  std::memcpy(h.magic, kMagic, 8);
  h.version = kFormatVersion;
  h.section_count = static_cast<std::uint32_t>(sections.size());
  h.file_size = offset;
  h.checksum = 0;
  std::memcpy(h.site_digest, site_digest.data(), 32);

  std::string file;
  file.reserve(offset);
  append_pod(file, h);
  for (const auto& e : dir) append_pod(file, e);
  for (std::size_t i = 0; i < sections.size(); ++i) {
    file.resize(dir[i].offset, '\0');
    file += sections[i].second;
  }
  file.resize(offset, '\0');
  std::uint64_t sum = checksum(file.data(), file.size());
  std::memcpy(file.data() + offsetof(Header, checksum), &sum, sizeof sum);
  return file;
}

}  // namespace

std::string serialize(const Plan& plan) {
  StringPool strings(plan.tenants.size() * 3 + plan.trunks.size() * 7 + plan.routes.size() * 4 + plan.proxies.size() +
                     plan.inbound.size() * 2);
  const std::string tenants = tenant_records(plan, strings);
  const std::string trunks = trunk_records(plan, strings);
  const std::string routes = route_records(plan, strings);
  const std::string inbound = inbound_records(plan, strings);
  const std::string proxies = proxy_records(plan, strings);
  const std::string addresses = address_records(plan.addresses);
  const std::string proxy_addresses = address_records(plan.proxy_addresses);
  const NameIndexes names = name_indexes(plan);
  const std::string trie = address_trie(plan.addresses);
  const std::string proxy_trie = address_trie(plan.proxy_addresses);
  const std::pair<SectionKind, std::string_view> sections[] = {
      {SectionKind::strings, strings.bytes()},
      {SectionKind::tenants, tenants},
      {SectionKind::trunks, trunks},
      {SectionKind::routes, routes},
      {SectionKind::route_trunks, words(plan.route_trunks)},
      {SectionKind::inbound, inbound},
      {SectionKind::addresses, addresses},
      {SectionKind::outbound_nodes, words(plan.outbound_nodes)},
      {SectionKind::inbound_nodes, words(plan.inbound_nodes)},
      {SectionKind::pool_nodes, words(plan.pool_nodes)},
      {SectionKind::tenant_names, names.tenant_names},
      {SectionKind::tenant_domains, names.tenant_domains},
      {SectionKind::trunk_names, names.trunk_names},
      {SectionKind::trunk_from_hosts, names.trunk_from_hosts},
      {SectionKind::trunk_hosts, names.trunk_hosts},
      {SectionKind::address_trie, trie},
      {SectionKind::outbound_index, words(plan.outbound_index)},
      {SectionKind::proxies, proxies},
      {SectionKind::proxy_addresses, proxy_addresses},
      {SectionKind::proxy_trie, proxy_trie},
  };
  return assemble(sections, plan.site_digest);
}

bool write_atomically(const std::filesystem::path& path, const std::string& bytes,
                      std::string& error) {
  return io::write_atomically(path, bytes, error);
}

}  // namespace trunk::tables
