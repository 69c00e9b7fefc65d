// Fuzzes everything that reads verified tables: a small valid tables file
// is compiled once, the input names mutations of it, and whatever still
// verifies goes through every reader the tools have (outbound and inbound
// lookups, send numbers, destinations, name and address lookups, the
// explanation trunkctl prints, ask_outbound / ask_inbound, trunkd's
// redirect decision, the dump). The verifier must have refused anything
// those reads could not survive, so any crash here is a verifier hole or a
// reader that trusts more than the verifier proves.
//
// Input: a byte n, then n % 32 mutations of 4 bytes each (offset as a
// little-endian u16 taken modulo the file size, a kind, a value: kind % 4
// is 0 XOR the byte, 1 set the byte, 2 set the aligned u32 there to the
// value, 3 set it to 0xffffff00 + value, near kNone), then the bytes that
// make the dialled numbers. The checksum is resealed after mutating, so
// mutations reach the structural checks. Seeds: tests/fuzz/corpus/router.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "route/explain.hpp"
#include "route/router.hpp"
#include "sip/redirect.hpp"
#include "support/compiled.hpp"
#include "tables/checksum.hpp"
#include "tables/dump.hpp"

using namespace trunk;

namespace {

// Covers each node kind: chains (long literals), tails ('.'), default
// children (classes beside literals), star and hash routes, several
// tenants and trunks, pools, inbound rules, addresses and from-hosts.
const char* kSite = R"([site]
name = "fuzz"
transports = ["udp", "tcp", "tls"]

[[tenant]]
name = "acme"
sip_domain = "acme.example"
caller_id = "4155550100"

[[tenant]]
name = "globex"
sip_domain = "globex.example"

[[trunk]]
name = "gw"
type = "peer"
host = "203.0.113.5"
associated_ips = ["198.51.100.0/24"]
verify_port = true
failover = "sbc"
[[trunk.tenant]]
tenant = "acme"
did_pool = "100-199; 4155550100-4155550199"
[[trunk.tenant]]
tenant = "globex"
did_pool = "200-299"

[[trunk]]
name = "sbc"
provider = "carrier"
type = "peer"
host = "sbc.example"
transport = "tls"
match_from_host = "carrier.example"
strip_plus = true
[[trunk.tenant]]
tenant = "acme"
did_pool = "4155551000-4155551999"
[[trunk.tenant]]
tenant = "globex"
did_pool = "2125550100-2125550199"

[[route]]
tenant = "acme"
name = "all"
match = "_X."
trunks = ["gw", "sbc"]

[[route]]
tenant = "acme"
name = "national"
match = "_1NXXNXXXXXX"
trunks = ["gw"]
prepend = "+"

[[route]]
tenant = "acme"
name = "mobile-cn"
match = "_0086[1][3-9]XXXXXXXXX"
strip = 4
prepend = "0086"
trunks = ["sbc"]

[[route]]
tenant = "acme"
name = "feature"
match = "_*72X."
trunks = ["gw"]

[[route]]
tenant = "acme"
name = "emergency"
match = "911"
priority = 100
trunks = ["gw", "sbc"]

[[route]]
tenant = "globex"
name = "intl"
match = "_+X!"
trunks = ["sbc"]
caller_id = "2125550100"

[[route]]
tenant = "globex"
name = "hash"
match = "_[#*]XX"
trunks = ["gw"]

[[inbound]]
tenant = "acme"
trunk = "gw"
did = "100-149"
to = "sip:{did}@acme.example"

[[inbound]]
tenant = "globex"
trunk = "sbc"
did = "2125550100-2125550199"
to = "sip:{did}@globex.example;user={did}"
)";

const std::string& base() {
  static const std::string bytes = [] {
    auto c = test::compile_site(kSite);
    if (!c->ok) __builtin_trap();  // the site above must compile
    return c->bytes;
  }();
  return bytes;
}

void mutate(std::string& b, const std::uint8_t* m) {
  std::size_t at = (m[0] | std::size_t(m[1]) << 8) % b.size();
  std::uint8_t kind = m[2], v = m[3];
  switch (kind % 4) {
    case 0: b[at] = static_cast<char>(b[at] ^ v); break;
    case 1: b[at] = static_cast<char>(v); break;
    default: {
      std::uint32_t w = kind % 4 == 2 ? v : 0xffffff00u + v;
      std::memcpy(b.data() + at / 4 * 4, &w, 4);
    }
  }
}

// The dialled numbers: each input byte picks a character, mostly dial
// symbols, sometimes one that is not ('-', 'a', '%', a NUL).
std::vector<std::string> numbers(const std::uint8_t* p, std::size_t n) {
  static constexpr char kChars[] = "0123456789*#+0123456789-a%";
  std::vector<std::string> out;
  while (n > 0 && out.size() < 8) {
    std::size_t len = 1 + p[0] % 24;
    ++p, --n;
    std::string s;
    for (; len > 0 && n > 0; --len, ++p, --n)
      s += p[0] == 0xff ? '\0' : kChars[p[0] % (sizeof kChars - 1)];
    out.push_back(std::move(s));
  }
  if (out.empty()) out = {"14155550100", "0086138123456789", "*721", "911", "+4420"};
  return out;
}

std::string invite(std::string_view user, std::string_view from_host) {
  return "INVITE sip:" + std::string(user) + "@pbx.example SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-1\r\n"
         "From: <sip:x@" + std::string(from_host) + ">;tag=f\r\n"
         "To: <sip:" + std::string(user) + "@pbx.example>\r\n"
         "Call-ID: c@192.0.2.7\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
         "Content-Length: 0\r\n\r\n";
}

void redirect_each(const route::Router& r, const std::string& number) {
  static const auto gw = sip::make_source("198.51.100.7", 5060);
  static const auto other = sip::make_source("192.0.2.7", 5060);
  sip::ResponseText out;
  for (const char* host : {"acme.example", "globex.example", "carrier.example", "sbc.example"}) {
    std::string error;
    auto m = sip::Message::parse(invite(number, host), error);
    if (!m) continue;
    sip::redirect(r, *m, *other, out);
    sip::redirect(r, *m, *gw, out);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 4096) return 0;
  std::string bytes = base();
  std::size_t muts = data[0] % 32;
  ++data, --size;
  for (; muts > 0 && size >= 4; --muts, data += 4, size -= 4) mutate(bytes, data);
  std::uint64_t sum = tables::checksum(bytes.data(), bytes.size());
  std::memcpy(bytes.data() + 24, &sum, 8);
  tables::Tables t;
  std::string error;
  if (!t.load_bytes(bytes, error)) return 0;

  route::Router r(t);
  const std::vector<std::string> dialled = numbers(data, size);
  std::array<char, 64> buf;
  for (std::uint32_t i = 0; i < t.tenants().size(); ++i) {
    std::string_view name = t.str(t.tenants()[i].name);
    t.find_tenant(name);
    t.find_tenant_by_domain(t.str(t.tenants()[i].sip_domain));
    for (const std::string& n : dialled) {
      std::uint32_t route = r.outbound(i, n);
      if (route != route::kNone) r.send_number(route, n, buf);
      route::ask_outbound(r, name, n);
    }
    // trunkctl route prints the first candidate as the winner.
    auto e = route::explain_outbound(r, name, dialled.front());
    if (!e.answer.route.empty() && (e.matching.empty() || !e.matching.front().winner))
      __builtin_trap();
  }
  for (std::uint32_t i = 0; i < t.trunks().size(); ++i) {
    const tables::TrunkRecord& tr = t.trunks()[i];
    t.find_trunk(t.str(tr.name));
    t.find_trunk_by_host(t.str(tr.host));
    t.find_trunk_by_from_host(t.str(tr.match_from_host));
    for (const std::string& n : dialled) {
      auto in = r.inbound(i, n);
      if (in.rule != route::kNone) r.destination(in.rule, n, buf);
      route::ask_inbound(r, t.str(tr.name), n);
    }
  }
  for (const auto& a : t.addresses()) {
    std::uint8_t address[16];
    std::memcpy(address, a.address, 16);
    t.find_trunk_by_address(address);
  }
  // The redirect path parses SIP, so only the first two numbers take it.
  for (std::size_t i = 0; i < dialled.size() && i < 2; ++i) redirect_each(r, dialled[i]);
  tables::dump_text(t);
  return 0;
}
