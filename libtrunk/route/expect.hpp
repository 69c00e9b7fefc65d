// Route expectations: tests for a dial plan ([[expect]], spec "Route
// expectations"), run against the compiled tables through the Router, so
// they test exactly what trunkd will do.
#pragma once

#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "route/router.hpp"
#include "site/model.hpp"

namespace trunk::route {

struct ExpectResult {
  const site::Expect* expect = nullptr;
  bool passed = true;
  std::string subject;  // "acme dials 13812345678" / "+1042 on XYZ-Primary"
  // What was asked and what the plan does, as "key: value" lines.
  std::vector<std::pair<std::string, std::string>> expected, actual;
};

// The plan's answer for one outbound or inbound question, in words.
struct Answer {
  bool ok = false;           // the question could be asked (tenant/trunk exist)
  std::string error;         // why not
  std::string route;         // outbound: "" = no route
  std::string send;
  std::vector<std::string> trunks;
  std::string caller_id;
  std::string tenant;        // inbound: "" = in no pool
  std::string to;            // "" = no rule
  std::string reason;        // why there is no route (a number that is no dial
                             // string) or no destination
};
Answer ask_outbound(const Router& router, std::string_view tenant, std::string_view number);
Answer ask_inbound(const Router& router, std::string_view trunk, std::string_view did);

// A failed expectation in words: "expectation failed: SUBJECT", and what
// it got wrong, one line each ("expected route x, got y", "why: ..."). The
// diagnostic and the JUnit report (expect_junit.hpp) both say it so.
std::string failure_message(const ExpectResult& r);
std::vector<std::string> failure_details(const ExpectResult& r);

// Runs every expectation; failed ones are also reported to `sink` as
// expect-failed errors at the expectation's place.
std::vector<ExpectResult> run_expectations(const Router& router,
                                           const std::vector<site::Expect>& expects,
                                           diag::Sink& sink);

}  // namespace trunk::route
