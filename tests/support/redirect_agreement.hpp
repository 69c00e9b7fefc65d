// Whether trunkd's two ways of answering a request agree, for the
// differential unit test (tests/sip/redirect_fast_path_test.cpp) and the
// redirect fuzz target: the fast path (sip::scan, then redirect() over
// the scanned view) and the full parse (sip::Message, then redirect()
// over it), each taken as tools/trunkd/daemon.cpp's answer() takes it,
// must give the same Reply byte for byte and count the same request in
// the same way (Stats::count_request's method and code), whenever the
// fast path answers at all. Also the example site's router, compiled once,
// which both use.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "check/site.hpp"
#include "route/compile.hpp"
#include "route/router.hpp"
#include "sip/message.hpp"
#include "sip/redirect.hpp"
#include "sip/scanner.hpp"
#include "site/loader.hpp"
#include "tables/reader.hpp"
#include "tables/writer.hpp"

namespace trunk::test {

// examples/site compiled into tables, once: proxies, tenants, pools,
// inbound rules and failover chains, so that every kind of answer occurs.
// Null when the site does not compile (the caller says so).
inline const route::Router* example_router() {
  struct Example {
    std::string bytes;
    tables::Tables tables;
    std::unique_ptr<route::Router> router;
    Example() {
      site::Site s;
      diag::Sink sink;
      diag::SourceText src;
      if (site::load_site(std::string(TRUNK_SOURCE_DIR) + "/examples/site", s, sink, src) !=
          site::LoadStatus::loaded)
        return;
      check::site_rules(s, src, sink);
      tables::Plan plan;
      if (!route::compile(s, src, sink, plan)) return;
      bytes = tables::serialize(plan);
      std::string error;
      if (tables.load_bytes(bytes, error)) router = std::make_unique<route::Router>(tables);
    }
  };
  static Example e;
  return e.router.get();
}

// What one way of answering gave: whether the request was counted, as
// which method, the Reply's fields copied out of the buffer.
struct Outcome {
  bool counted = false;
  std::string method;
  int code = 0;
  std::string reason, bytes, trunk, route, tenant;
  bool operator==(const Outcome&) const = default;
};

inline Outcome outcome_of(bool counted, std::string_view method, const sip::Reply& r) {
  return {counted,          std::string(method),   r.code,
          std::string(r.reason), std::string(r.bytes), std::string(r.trunk),
          std::string(r.route),  std::string(r.tenant)};
}

// The fast path's outcome; nullopt when it leaves `bytes` to the full
// parse.
inline std::optional<Outcome> fast_outcome(const route::Router& router, std::string_view bytes,
                                           const sip::Source& from) {
  sip::MessageView view;
  if (!sip::scan(bytes, view)) return std::nullopt;
  if (!view.is_request()) return Outcome{};
  sip::ResponseText out;
  auto r = sip::redirect(router, view, from, out);
  if (!r) return std::nullopt;
  return outcome_of(true, view.method(), *r);
}

// The full parse's outcome. `counted` is false for bytes that are not SIP
// and for responses.
inline Outcome full_outcome(const route::Router& router, std::string_view bytes,
                            const sip::Source& from) {
  std::string error;
  auto m = sip::Message::parse(bytes, error);
  if (!m || !m->is_request()) return Outcome{};
  sip::ResponseText out;
  return outcome_of(true, m->method_view(), sip::redirect(router, *m, from, out));
}

// "" when the fast path leaves `bytes` to the full parse or agrees with
// it; else what differs, with both texts. `fast` says which it was.
inline std::string redirect_disagreement(const route::Router& router, std::string_view bytes,
                                         const sip::Source& from, bool* fast = nullptr) {
  const auto a = fast_outcome(router, bytes, from);
  if (fast) *fast = a.has_value();
  if (!a) return {};
  const Outcome b = full_outcome(router, bytes, from);
  if (*a == b) return {};
  return "fast path (counted " + std::to_string(a->counted) + " " + a->method + " " +
         std::to_string(a->code) + "):\n" + a->bytes + "\nfull parse (counted " +
         std::to_string(b.counted) + " " + b.method + " " + std::to_string(b.code) + "):\n" +
         b.bytes;
}

}  // namespace trunk::test
