// Expectation results to JUnit suites (see expect_junit.hpp).
#include "route/expect_junit.hpp"

#include <algorithm>

namespace trunk::route {

std::vector<diag::JunitSuite> junit_suites(const std::vector<ExpectResult>& results) {
  std::vector<diag::JunitSuite> suites;
  for (const auto& r : results) {
    const diag::SourceRegion& where = r.expect->where;
    // A handful of files at most: a linear search keeps their order.
    auto it = std::find_if(suites.begin(), suites.end(),
                           [&](const diag::JunitSuite& s) { return s.name == where.file.str(); });
    if (it == suites.end()) it = suites.insert(suites.end(), {where.file.str(), {}});
    diag::JunitCase c{r.subject, where, std::nullopt, {}, {}};
    if (!r.passed) {
      c.failure = failure_message(r);
      c.failure_type = "expect-failed";
      c.failure_text = where.to_string() + ": " + *c.failure;
      for (const auto& line : failure_details(r)) c.failure_text += "\n" + line;
    }
    it->cases.push_back(std::move(c));
  }
  return suites;
}

}  // namespace trunk::route
