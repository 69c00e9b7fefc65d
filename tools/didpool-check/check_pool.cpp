// didpool-check --pool TEXT [--normalize | --contains NUMBER]: one pool from
// the command line. Diagnostics point at columns of the text, shown as the
// file "--pool" (and "--contains" for the number).
#include <iostream>

#include "did/pool.hpp"
#include "didpool_check.hpp"

namespace didpool {

using namespace trunk;

namespace {

// Parses command-line text as a pool; its diagnostics are placed in a
// "file" named after the flag, so they quote the text with a caret.
std::optional<did::DidSet> parse_argument(const std::string& flag, const std::string& text,
                                          diag::SourceText& sources, diag::Sink& sink) {
  sources.add(flag, text);
  // Columns map one-to-one only while the text is one line.
  diag::StringPlace place{flag, 1, 1, text.find('\n') == std::string::npos};
  return did::parse_pool(text, place, "", sink);
}

}  // namespace

int run_pool(const Options& o) {
  // The pool's diagnostics in column order, then the number's.
  diag::Sink sink, number_sink;
  diag::SourceText sources;
  auto set = parse_argument("--pool", *o.pool, sources, sink);
  sink.sort();
  std::optional<did::DidSet> wanted;
  if (o.contains) {
    wanted = parse_argument("--contains", *o.contains, sources, number_sink);
    if (wanted && wanted->empty()) {
      auto& d = number_sink.error("did-syntax", "no number to look for", {"--contains"});
      diag::with_hint(d, "give a number of 1 to 15 digits, e.g. --contains 4155550100");
      wanted.reset();
    }
    number_sink.sort();
    sink.append(number_sink);
  }
  int code = cli::exit_code_for(sink, o.strict);
  // --contains answers with its exit code, so a pool it cannot trust is
  // "could not run", never a "no".
  bool answered = o.contains && set && wanted && code == cli::kExitClean;
  if (o.contains) code = !answered ? cli::kExitUnusable
                         : set->contains(*wanted) ? cli::kExitClean
                                                  : cli::kExitFindings;

  if (o.format == cli::Format::json) {
    diag::JsonWriter w;
    w.begin_object()
        .field("pool", *o.pool)
        .field("ok", set.has_value() && cli::exit_code_for(sink, o.strict) == cli::kExitClean)
        .field("errors", static_cast<std::uint64_t>(sink.errors()))
        .field("warnings", static_cast<std::uint64_t>(sink.warnings()));
    if (set) {
      w.field("normalized", set->to_string())
          .field("ranges", static_cast<std::uint64_t>(set->ranges().size()))
          .field("numbers", set->count());
    }
    if (o.contains) {
      w.field("number", *o.contains);
      if (answered) w.field("contains", code == cli::kExitClean);
      else w.key("contains").null();
    }
    w.key("diagnostics");
    cli::write_diagnostics_json(w, sink);
    w.end_object();
    std::cout << w.str() << "\n";
    return code;
  }
  cli::print_findings(sink, &sources, o.format);
  std::ostream& out = cli::report_out(o.format);
  if (o.contains) {
    if (answered) out << (code == cli::kExitClean ? "yes" : "no") << "\n";
  } else if (o.normalize) {
    if (code == cli::kExitClean) out << set->to_string() << "\n";
  } else {
    out << "--pool: ";
    if (set) out << diag::count(set->count(), "number") << " in "
                 << diag::count(set->ranges().size(), "range") << ": ";
    out << (code == cli::kExitClean ? "ok" : "FAILED") << " (" << diag::summary(sink) << ")\n";
  }
  return code;
}

}  // namespace didpool
