// Expectation runner.
#include "route/expect.hpp"

#include <array>

namespace trunk::route {

namespace {
std::string not_a_dial_string(const DialCheck& c) {
  std::array<char, kDescribeSize> buf;
  return std::string(describe(c, buf));
}
}  // namespace

std::string failure_message(const ExpectResult& r) { return "expectation failed: " + r.subject; }

std::vector<std::string> failure_details(const ExpectResult& r) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r.expected.size(); ++i)
    out.push_back("expected " + r.expected[i].first + " " + r.expected[i].second + ", got " +
                  r.actual[i].second);
  for (std::size_t i = r.expected.size(); i < r.actual.size(); ++i)
    out.push_back(r.actual[i].first + ": " + r.actual[i].second);
  return out;
}

Answer ask_outbound(const Router& router, std::string_view tenant, std::string_view number) {
  Answer a;
  const auto& t = router.tables();
  std::uint32_t ti = t.find_tenant(tenant);
  if (ti == kNone) {
    a.error = "no tenant named \"" + std::string(tenant) + "\"";
    return a;
  }
  a.ok = true;
  DialCheck check;
  std::uint32_t r = router.outbound(ti, number, &check);
  if (!check.ok()) {
    a.reason = not_a_dial_string(check);
    return a;
  }
  if (r == kNone) return a;
  const auto& rec = t.routes()[r];
  a.route = std::string(t.str(rec.name));
  std::array<char, 256> buf;
  std::uint32_t n = router.send_number(r, number, buf);
  if (n != kNone) a.send.assign(buf.data(), n);
  for (std::uint32_t i = 0; i < rec.trunk_count; ++i)
    a.trunks.emplace_back(t.str(t.trunks()[t.route_trunks()[rec.trunk_first + i]].name));
  a.caller_id = std::string(rec.caller_id.length ? t.str(rec.caller_id)
                                                 : t.str(t.tenants()[ti].caller_id));
  return a;
}

Answer ask_inbound(const Router& router, std::string_view trunk, std::string_view did) {
  Answer a;
  const auto& t = router.tables();
  std::uint32_t ti = t.find_trunk(trunk);
  if (ti == kNone) {
    a.error = "no trunk named \"" + std::string(trunk) + "\"";
    return a;
  }
  a.ok = true;
  auto in = router.inbound(ti, did);
  switch (in.status) {
    case Router::InboundStatus::not_a_number:
      a.reason = not_a_dial_string(in.check);
      return a;
    case Router::InboundStatus::not_in_pool:
      a.reason = "the DID is in no tenant's pool on this trunk";
      return a;
    case Router::InboundStatus::no_rule:
      a.tenant = std::string(t.str(t.tenants()[in.tenant].name));
      a.reason = "the DID is in the tenant's pool but no inbound rule covers it";
      return a;
    case Router::InboundStatus::matched:
      break;
  }
  a.tenant = std::string(t.str(t.tenants()[in.tenant].name));
  std::array<char, 512> buf;
  std::uint32_t n = router.destination(in.rule, did, buf);
  if (n != kNone) a.to.assign(buf.data(), n);
  return a;
}

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out + "]";
}

std::string show(const std::string& s) { return s.empty() ? "(none)" : s; }

}  // namespace

std::vector<ExpectResult> run_expectations(const Router& router,
                                           const std::vector<site::Expect>& expects,
                                           diag::Sink& sink) {
  std::vector<ExpectResult> out;
  for (const auto& e : expects) {
    ExpectResult r;
    r.expect = &e;
    auto check = [&](const char* key, const site::Field<std::string>& want,
                     const std::string& got) {
      if (!want.present) return;
      r.expected.emplace_back(key, show(want.value));
      r.actual.emplace_back(key, show(got));
      if (want.value != got) r.passed = false;
    };
    Answer a;
    if (e.dial.present) {
      r.subject = e.tenant.value + " dials " + e.dial.value;
      a = ask_outbound(router, e.tenant.value, e.dial.value);
      check("route", e.route, a.route);
      check("send", e.send, a.send);
      if (e.trunks.present) {
        std::vector<std::string> want;
        for (const auto& t : e.trunks.value) want.push_back(t.value);
        r.expected.emplace_back("trunks", join(want));
        r.actual.emplace_back("trunks", join(a.trunks));
        if (want != a.trunks) r.passed = false;
      }
    } else {
      r.subject = e.did.value + " arrives on " + e.trunk.value;
      a = ask_inbound(router, e.trunk.value, e.did.value);
      check("tenant", e.tenant, a.tenant);
      check("to", e.to, a.to);
    }
    if (!r.passed && !a.reason.empty()) r.actual.emplace_back("why", a.reason);
    if (!a.ok) {
      r.passed = false;
      r.actual.emplace_back("error", a.error);
    }
    if (!r.passed) {
      auto& d = sink.error("expect-failed", failure_message(r), e.where);
      d.hints = failure_details(r);
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace trunk::route
