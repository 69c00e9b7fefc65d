// Compile, verify, write, test; or dump.
#include "compile_site.hpp"

#include <chrono>
#include <filesystem>
#include <cstdio>
#include <iostream>

#include "diag/junit.hpp"
#include "emit_proxy.hpp"
#include "io/atomic_write.hpp"
#include "route/compile.hpp"
#include "route/expect.hpp"
#include "route/expect_junit.hpp"
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

namespace {

// One run of the compiler, step by step (see dialplan-compile(1),
// DESCRIPTION): each step returns an exit code to stop at, or -1 to go on.
class CompileRun {
 public:
  explicit CompileRun(const Options& o) : o_(o), json_(o.format == cli::Format::json) {}

  int run() {
    for (int (CompileRun::*step)() : {&CompileRun::load, &CompileRun::emit,
                                      &CompileRun::lay_out, &CompileRun::test,
                                      &CompileRun::write})
      if (int code = (this->*step)(); code >= 0) return code;
    return report();
  }

 private:
  static constexpr int kGoOn = -1;

  void phase(const char* what) {
    auto now = std::chrono::steady_clock::now();
    if (o_.verbose)
      std::fprintf(stderr, "dialplan-compile: %-18s %7.3f s\n", what,
                   std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

  // The diagnostics so far, and `code`: the end of a run that stopped early.
  int finish(int code) {
    if (json_) print_json(o_, code == cli::kExitClean, s_.sink, 0, "", nullptr, emitted_);
    else cli::print_findings(s_.sink, &s_.sources, o_.format);
    return code;
  }

  int nothing_written(int code) {
    finish(code);
    if (!json_) std::cerr << "dialplan-compile: " << diag::summary(s_.sink) << "; nothing written\n";
    return code;
  }

  int load() {
    s_ = cli::load_and_check(o_.site, nullptr, &stats_);
    phase("load and check");
    if (!s_.readable) return finish(cli::kExitUnusable);
    // The compiler's rules are part of the check; its plan came with it.
    plan_ = std::move(s_.plan);
    if (s_.sink.errors() > 0 || (o_.strict && s_.sink.warnings() > 0))
      return nothing_written(cli::kExitFindings);
    return kGoOn;
  }

  // The proxy's configuration comes from the model that was just checked,
  // and names the digest of the tables compiled with it.
  int emit() {
    if (o_.emit.empty()) return kGoOn;
    std::string error;
    int code = emit_proxy(o_, s_.site, tables::to_hex(plan_.site_digest), s_.sink, emitted_, error);
    if (code == cli::kExitUnusable) {
      finish(code);
      std::cerr << "dialplan-compile: " << error << "\n";
      return code;
    }
    if (code != cli::kExitClean) return nothing_written(code);
    phase("emit the proxy");
    return kGoOn;
  }

  int lay_out() {
    // The model is not needed past this point: give its memory back before
    // the tables are laid out.
    name_ = s_.name_or(o_.site);
    s_.site = site::Site{};
    phase("free the model");
    bytes_ = tables::serialize(plan_);
    digest_ = tables::to_hex(plan_.site_digest);
    plan_ = tables::Plan{};
    phase("serialize");
    std::string error;
    if (!tables_.view_bytes(bytes_, error)) {  // the writer and the verifier must agree
      std::cerr << "dialplan-compile: internal error: compiled tables fail verification: "
                << error << "\n";
      return cli::kExitUnusable;
    }
    phase("verify");
    return kGoOn;
  }

  int test() {
    if (o_.test.empty()) return kGoOn;
    diag::Sink esink;
    if (site::load_site(o_.test, expectations_, esink, s_.sources) != site::LoadStatus::loaded ||
        esink.errors() > 0) {
      for (diag::Diagnostic d : esink.all()) {
        if (d.code == "io") d.hints = {"check the path given to --test"};
        s_.sink.add(std::move(d));
      }
      return finish(esink.errors() && expectations_.files.size() ? cli::kExitFindings
                                                                  : cli::kExitUnusable);
    }
    route::Router router(tables_);
    results_ = route::run_expectations(router, expectations_.expects, s_.sink);
    for (const auto& r : results_)
      if (!r.passed) code_ = cli::kExitFindings;
    return write_junit();
  }

  // The results for CI, whatever they are: a failed expectation is what the
  // report is for.
  int write_junit() {
    if (o_.junit.empty()) return kGoOn;
    std::string error;
    if (!io::write_atomically(
            o_.junit, diag::render_junit("dialplan-compile", route::junit_suites(results_)),
            error)) {
      finish(cli::kExitUnusable);
      std::cerr << "dialplan-compile: " << error << "\n";
      return cli::kExitUnusable;
    }
    return kGoOn;
  }

  int write() {
    if (o_.output.empty() || code_ != cli::kExitClean) return kGoOn;
    std::string error;
    if (!tables::write_atomically(o_.output, bytes_, error)) {
      std::cerr << "dialplan-compile: " << error << "\n";
      return cli::kExitUnusable;
    }
    phase("write");
    return kGoOn;
  }

  int report() {
    if (json_) {
      print_json(o_, code_ == cli::kExitClean, s_.sink, bytes_.size(), digest_,
                 o_.test.empty() ? nullptr : &results_, emitted_);
      return code_;
    }
    cli::print_findings(s_.sink, &s_.sources, o_.format);
    std::ostream& out = cli::report_out(o_.format);
    out << name_ << ": " << diag::count(stats_.tenants, "tenant") << ", "
        << diag::count(stats_.trunks, "trunk") << ", " << diag::count(stats_.routes, "route")
        << ", " << diag::count(stats_.inbound, "inbound rule");
    if (!o_.output.empty() && code_ == cli::kExitClean)
      out << " -> " << o_.output << " (" << bytes_.size() << " bytes, site digest "
          << digest_.substr(0, 16) << ")";
    else if (o_.check)
      out << ": " << (code_ == cli::kExitClean ? "ok" : "FAILED") << " ("
          << diag::summary(s_.sink) << ")";
    out << "\n";
    if (!emitted_.empty())
      out << o_.emit[0] << " configuration -> "
          << std::filesystem::path(emitted_.back()).parent_path().string() << " ("
          << emitted_.size() << " files)\n";
    if (!o_.test.empty()) {
      std::size_t passed = 0;
      for (const auto& r : results_) passed += r.passed;
      out << "expectations: " << passed << " passed, " << results_.size() - passed
          << " failed\n";
    }
    return code_;
  }

  const Options& o_;
  const bool json_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  route::CompileStats stats_;
  cli::LoadedSite s_;
  tables::Plan plan_;
  std::vector<std::string> emitted_;
  std::string name_, bytes_, digest_;
  tables::Tables tables_;
  site::Site expectations_;  // results_ point into it until the end
  std::vector<route::ExpectResult> results_;
  int code_ = cli::kExitClean;
};

}  // namespace

int run_compile(const Options& o) { return CompileRun(o).run(); }

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
