// Fuzzes one SIP message through the parser (sofia-sip, via sip::Message)
// and everything sip-trace-match does with it: every accessor, the texts
// of malformed headers and what is wrong with them, the faults of the
// message as a whole, and matching against a small site with calls
// tracked. No crash, no hang, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "route/compile.hpp"
#include "check/site.hpp"
#include "site/loader.hpp"
#include "sip/malformed.hpp"
#include "sip/message.hpp"
#include "sip/redirect.hpp"
#include "tables/writer.hpp"
#include "trace/analyze.hpp"

namespace {

constexpr const char* kSite = R"([site]
name = "fuzz"
transports = ["udp", "tcp"]
[[tenant]]
name = "acme"
sip_domain = "acme.example"
[[trunk]]
name = "carrier"
type = "peer"
host = "203.0.113.10"
match_from_host = "trunking.example"
verify_port = true
associated_ips = ["198.51.100.0/24"]
[[trunk.tenant]]
tenant = "acme"
did_pool = "4155550100-4155550199"
[[trunk]]
name = "account"
type = "register"
provider = "P"
host = "sip.example"
[trunk.auth]
username = "u1"
password_env = "X"
[[route]]
tenant = "acme"
name = "all"
match = "_X."
trunks = ["carrier"]
[[inbound]]
tenant = "acme"
trunk = "carrier"
did = "4155550100-4155550199"
to = "sip:{did}@acme.example"
)";

struct Fixture {
  trunk::site::Site site;
  std::string bytes;
  trunk::tables::Tables tables;
  std::unique_ptr<trunk::route::Router> router;
  Fixture() {
    trunk::diag::Sink sink;
    trunk::diag::SourceText src;
    trunk::site::load_texts({{"fuzz.toml", kSite}}, site, sink, src);
    trunk::check::site_rules(site, src, sink);
    trunk::tables::Plan plan;
    if (sink.errors() || !trunk::route::compile(site, src, sink, plan)) std::abort();
    bytes = trunk::tables::serialize(plan);
    std::string error;
    if (!tables.load_bytes(bytes, error)) std::abort();
    router = std::make_unique<trunk::route::Router>(tables);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (1u << 16)) return 0;
  static Fixture fixture;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string error;
  if (auto m = trunk::sip::Message::parse(bytes, error)) {
    (void)m->method(), (void)m->status(), (void)m->phrase(), (void)m->call_id();
    (void)m->request_uri(), (void)m->from_uri(), (void)m->to_uri(), (void)m->to_has_tag();
    (void)m->cseq_number(), (void)m->cseq_method(), (void)m->via_transport();
    (void)m->via_branch(), (void)m->has_credentials(), (void)m->challenge_is_stale();
    (void)m->expires(), (void)m->from_host_lenient(), (void)m->message_faults();
    (void)m->malformed_headers();
    for (const auto& h : m->malformed_header_texts()) (void)trunk::sip::what_is_wrong(h.name, h.value);
    (void)trunk::sip::header_faults(*m, bytes);  // also judges the headers sofia-sip accepted
    if (m->can_be_answered()) {
      (void)m->response_headers("tag");
      char small[96];  // the headers seldom fit: the cut-short path
      (void)m->write_response_headers("tag", small);
    }
    // trunkd's answer, from a trunk's address and from nowhere.
    static trunk::sip::ResponseText out;
    for (const char* address : {"198.51.100.7", "192.0.2.250"})
      (void)trunk::sip::redirect(*fixture.router, *m, *trunk::sip::make_source(address, 5060), out);
  }
  (void)trunk::sip::start_line_faults(bytes);
  // The same bytes twice through one analyzer: a request, then its
  // retransmission or a response to it, from a trunk's address.
  trunk::trace::Analyzer analyzer(fixture.site, *fixture.router);
  trunk::capture::Captured c;
  c.bytes = bytes;
  trunk::capture::Endpoint::parse("198.51.100.7:5060", c.src);
  trunk::capture::Endpoint::parse("192.0.2.1:5060", c.dst);
  c.transport = trunk::capture::Transport::udp;
  trunk::trace::MessageReport r;
  analyzer.process(c, r);
  std::swap(c.src, c.dst);
  analyzer.process(c, r);
  for (const auto* call : analyzer.calls().held()) (void)call->describe(), (void)call->failed();
  for (const auto& ts : analyzer.calls().trunk_status()) (void)ts.describe(fixture.site.trunks[0]);
  return 0;
}
