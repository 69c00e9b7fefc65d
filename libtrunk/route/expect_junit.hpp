// Expectation results as JUnit test suites (dialplan-compile --junit): one
// suite per expectations file, one test case per [[expect]], named by its
// subject ("acme dials 911"), at the expectation's file and line; a failed
// one carries the same message and details as its expect-failed
// diagnostic. Rendering the XML is diag/junit.hpp's job.
#pragma once

#include <vector>

#include "diag/junit.hpp"
#include "route/expect.hpp"

namespace trunk::route {

// Suites in the order their files first appear in `results`, cases in the
// order they ran.
std::vector<diag::JunitSuite> junit_suites(const std::vector<ExpectResult>& results);

}  // namespace trunk::route
