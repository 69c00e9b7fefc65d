// Compile, verify, write, test; or dump.
#include "compile_site.hpp"

#include <chrono>
#include <filesystem>
#include <cstdio>
#include <iostream>

#include "emit_proxy.hpp"
#include "route/compile.hpp"
#include "route/expect.hpp"
#include "site/loader.hpp"
#include "tables/dump.hpp"
#include "tables/reader.hpp"
#include "tables/sha256.hpp"
#include "tables/writer.hpp"

namespace dialplan {

using namespace trunk;

namespace {

void print_json(const Options& o, bool ok, const diag::Sink& sink, std::size_t bytes,
                const std::string& digest, const std::vector<route::ExpectResult>* results,
                const std::vector<std::string>& emitted) {
  diag::JsonWriter w;
  w.begin_object().field("site", o.site).field("ok", ok);
  if (!o.output.empty()) w.field("output", o.output);
  if (!emitted.empty()) {
    w.key("emitted").begin_array();
    for (const auto& path : emitted) w.value(path);
    w.end_array();
  }
  if (bytes) w.field("bytes", static_cast<std::uint64_t>(bytes)).field("site_digest", digest);
  w.field("errors", static_cast<std::uint64_t>(sink.errors()))
      .field("warnings", static_cast<std::uint64_t>(sink.warnings()));
  w.key("diagnostics");
  cli::write_diagnostics_json(w, sink);
  if (results) {
    w.key("expectations").begin_array();
    for (const auto& r : *results) {
      w.begin_object().field("subject", r.subject).field("passed", r.passed);
      w.field("location", r.expect->where.to_string());
      for (auto [key, list] : {std::pair{"expected", &r.expected}, {"actual", &r.actual}}) {
        w.key(key).begin_object();
        for (const auto& [k, v] : *list) w.field(k, v);
        w.end_object();
      }
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  std::cout << w.str() << "\n";
}

}  // namespace

int run_compile(const Options& o) {
  auto started = std::chrono::steady_clock::now();
  auto phase = [&, last = started](const char* what) mutable {
    auto now = std::chrono::steady_clock::now();
    if (o.verbose)
      std::fprintf(stderr, "dialplan-compile: %-18s %7.3f s\n", what,
                   std::chrono::duration<double>(now - last).count());
    last = now;
  };
  route::CompileStats stats;
  cli::LoadedSite s = cli::load_and_check(o.site, nullptr, &stats);
  phase("load and check");
  bool json = o.format == cli::Format::json;
  std::vector<std::string> emitted;
  auto finish = [&](int code, std::size_t bytes, const std::string& digest,
                    const std::vector<route::ExpectResult>* results) {
    if (json) {
      print_json(o, code == cli::kExitClean, s.sink, bytes, digest, results, emitted);
    } else {
      cli::print_diagnostics_text(s.sink, &s.sources, std::cerr);
    }
    return code;
  };
  if (!s.readable) return finish(cli::kExitUnusable, 0, "", nullptr);
  // The compiler's rules are part of the check; its plan came with it.
  tables::Plan plan = std::move(s.plan);
  if (s.sink.errors() > 0 || (o.strict && s.sink.warnings() > 0)) {
    finish(cli::kExitFindings, 0, "", nullptr);
    if (!json)
      std::cerr << "dialplan-compile: " << diag::summary(s.sink) << "; nothing written\n";
    return cli::kExitFindings;
  }
  // The proxy's configuration comes from the model that was just checked,
  // and names the digest of the tables compiled with it.
  if (!o.emit.empty()) {
    std::string error;
    int code = emit_proxy(o, s.site, tables::to_hex(plan.site_digest), s.sink, emitted, error);
    if (code == cli::kExitUnusable) {
      finish(code, 0, "", nullptr);
      std::cerr << "dialplan-compile: " << error << "\n";
      return code;
    }
    if (code != cli::kExitClean) {
      finish(code, 0, "", nullptr);
      if (!json)
        std::cerr << "dialplan-compile: " << diag::summary(s.sink) << "; nothing written\n";
      return code;
    }
    phase("emit the proxy");
  }
  // The model is not needed past this point: give its memory back before
  // the tables are laid out.
  std::string name = s.name_or(o.site);
  s.site = site::Site{};
  phase("free the model");
  std::string bytes = tables::serialize(plan);
  std::string digest = tables::to_hex(plan.site_digest);
  plan = tables::Plan{};
  phase("serialize");
  tables::Tables t;
  std::string error;
  if (!t.view_bytes(bytes, error)) {  // the writer and the verifier must agree
    std::cerr << "dialplan-compile: internal error: compiled tables fail verification: "
              << error << "\n";
    return cli::kExitUnusable;
  }
  phase("verify");
  std::vector<route::ExpectResult> results;
  site::Site expectations;  // results point into it until the end
  int code = cli::kExitClean;
  if (!o.test.empty()) {
    diag::Sink esink;
    if (site::load_site(o.test, expectations, esink, s.sources) != site::LoadStatus::loaded ||
        esink.errors() > 0) {
      for (diag::Diagnostic d : esink.all()) {
        if (d.code == "io") d.hints = {"check the path given to --test"};
        s.sink.add(std::move(d));
      }
      return finish(esink.errors() && expectations.files.size() ? cli::kExitFindings
                                                                 : cli::kExitUnusable,
                    0, "", nullptr);
    }
    route::Router router(t);
    results = route::run_expectations(router, expectations.expects, s.sink);
    for (const auto& r : results)
      if (!r.passed) code = cli::kExitFindings;
  }
  if (!o.output.empty() && code == cli::kExitClean) {
    if (!tables::write_atomically(o.output, bytes, error)) {
      std::cerr << "dialplan-compile: " << error << "\n";
      return cli::kExitUnusable;
    }
    phase("write");
  }
  if (!json) {
    cli::print_diagnostics_text(s.sink, &s.sources, std::cerr);
    std::cout << name << ": " << diag::count(stats.tenants, "tenant") << ", "
              << diag::count(stats.trunks, "trunk") << ", " << diag::count(stats.routes, "route")
              << ", " << diag::count(stats.inbound, "inbound rule");
    if (!o.output.empty() && code == cli::kExitClean)
      std::cout << " -> " << o.output << " (" << bytes.size() << " bytes, site digest "
                << digest.substr(0, 16) << ")";
    else if (o.check)
      std::cout << ": " << (code == cli::kExitClean ? "ok" : "FAILED") << " ("
                << diag::summary(s.sink) << ")";
    std::cout << "\n";
    if (!emitted.empty())
      std::cout << o.emit[0] << " configuration -> " << std::filesystem::path(emitted.back()).parent_path().string()
                << " (" << emitted.size() << " files)\n";
    if (!o.test.empty()) {
      std::size_t passed = 0;
      for (const auto& r : results) passed += r.passed;
      std::cout << "expectations: " << passed << " passed, " << results.size() - passed
                << " failed\n";
    }
    return code;
  }
  print_json(o, code == cli::kExitClean, s.sink, bytes.size(), digest,
             o.test.empty() ? nullptr : &results, emitted);
  return code;
}

int run_dump(const Options& o) {
  tables::Tables t;
  std::string error;
  if (!t.open(o.dump, error)) {
    std::cerr << "dialplan-compile: " << error << "\n";
    return cli::kExitUnusable;
  }
  if (o.format == cli::Format::json) {
    diag::JsonWriter w;
    w.begin_object()
        .field("file", o.dump)
        .field("format_version", static_cast<std::uint64_t>(t.version()))
        .field("site_digest", tables::to_hex(t.site_digest()))
        .field("bytes", static_cast<std::uint64_t>(t.size()))
        .field("tenants", static_cast<std::uint64_t>(t.tenants().size()))
        .field("trunks", static_cast<std::uint64_t>(t.trunks().size()))
        .field("routes", static_cast<std::uint64_t>(t.routes().size()))
        .field("inbound", static_cast<std::uint64_t>(t.inbound().size()))
        .field("text", tables::dump_text(t))
        .end_object();
    std::cout << w.str() << "\n";
  } else {
    std::cout << tables::dump_text(t);
  }
  return cli::kExitClean;
}

}  // namespace dialplan
