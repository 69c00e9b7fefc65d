// The Prometheus text writer: HELP/TYPE lines, escaped label values, and a
// histogram's cumulative buckets, _sum and _count (promtool checks trunkd's
// whole scrape in tests/e2e/test_trunkd_metrics.py).
#include <doctest/doctest.h>

#include <array>

#include "control/prometheus_text.hpp"

using trunk::control::PrometheusText;

TEST_CASE("prometheus text: a family, labels escaped, values") {
  PrometheusText p;
  p.family("trunkd_x_total", "counter", "Things; a \\ and\na newline.")
      .sample("trunkd_x_total", {{"tenant", "a\"b\\c\nd"}}, std::uint64_t{7})
      .sample("trunkd_x_total", {}, 0.25);
  CHECK(p.str() ==
        "# HELP trunkd_x_total Things; a \\\\ and\\na newline.\n"
        "# TYPE trunkd_x_total counter\n"
        "trunkd_x_total{tenant=\"a\\\"b\\\\c\\nd\"} 7\n"
        "trunkd_x_total 0.25\n");
}

TEST_CASE("prometheus text: a histogram's buckets are cumulative and end at +Inf") {
  PrometheusText p;
  const std::array<double, 2> bounds{0.00001, 0.001};
  const std::array<std::uint64_t, 3> counts{2, 3, 1};
  p.histogram("h_seconds", bounds, counts, 0.5);
  CHECK(p.str() ==
        "h_seconds_bucket{le=\"1e-05\"} 2\n"
        "h_seconds_bucket{le=\"0.001\"} 5\n"
        "h_seconds_bucket{le=\"+Inf\"} 6\n"
        "h_seconds_sum 0.5\n"
        "h_seconds_count 6\n");
}
