// Writing the Prometheus text exposition format (version 0.0.4), for
// trunkd's /metrics.
//
// A small writer rather than prometheus-cpp: trunkd keeps its own counters
// (relaxed, per worker, summed at a scrape) and only needs them printed, so
// a library's registry, its civetweb server and its threads would bring
// code that reads from the network without the bounds trunkd keeps
// everywhere else. This file owns the format only: one HELP and TYPE per
// family, label values escaped (backslash, double quote, newline), numbers
// written so that promtool reads them back. Which metrics exist and what
// they count is trunkd's (tools/trunkd/metrics.cpp, trunkd(8)).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace trunk::control {

// A label: name (must match [a-zA-Z_][a-zA-Z0-9_]*, the caller's) and value
// (any bytes; escaped here).
using Label = std::pair<std::string_view, std::string_view>;

class PrometheusText {
 public:
  // Starts a family: `type` is "counter", "gauge" or "histogram". Every
  // sample of the family must follow before the next family starts.
  PrometheusText& family(std::string_view name, std::string_view type, std::string_view help);
  // One sample line: NAME{LABELS} VALUE.
  PrometheusText& sample(std::string_view name, std::initializer_list<Label> labels,
                         std::uint64_t value);
  PrometheusText& sample(std::string_view name, std::initializer_list<Label> labels, double value);
  // A histogram's samples under the family `name`: `counts[i]` requests in
  // bucket i alone (not cumulative) for the upper bounds `bounds` (in
  // ascending order), `counts[bounds.size()]` above the last; `sum` is the
  // total of the observations. Writes the cumulative _bucket lines with
  // their le labels, +Inf, _sum and _count.
  PrometheusText& histogram(std::string_view name, std::span<const double> bounds,
                            std::span<const std::uint64_t> counts, double sum);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void labels(std::initializer_list<Label> labels, std::string_view extra_name = {},
              std::string_view extra_value = {});
  std::string out_;
};

// `s` as a label value, escaped as the format asks (\\, \", \n), without
// the quotes.
std::string escape_label_value(std::string_view s);
// `v` as the format writes a float: shortest form that reads back the same
// ("0.001", "1e-05", "+Inf").
std::string format_number(double v);

}  // namespace trunk::control
