// Test results as JUnit XML, the report CI systems read (GitHub test
// reporters, GitLab, Jenkins): `dialplan-compile --test --junit FILE`.
//
// The de facto schema the consumers share (Jenkins' junit plugin, the
// junitparser library): <testsuites> with tests/failures/errors totals,
// one <testsuite> per group, one <testcase> per test with its file and
// line, and a <failure message="..." type="..."> whose text says what
// happened. No timings: a dial-plan test takes microseconds and a time
// would make the file differ run to run. Text is escaped for XML 1.0:
// markup characters become entities, bytes that are not well-formed UTF-8
// and characters XML 1.0 forbids (C0 controls but tab, CR, LF) become
// U+FFFD. Callers never pass secrets in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"

namespace trunk::diag {

struct JunitCase {
  std::string name;
  SourceRegion where;                  // file and line attributes, when known
  std::optional<std::string> failure;  // the failure's message; nullopt: passed
  std::string failure_type;            // e.g. a diagnostic code
  std::string failure_text;            // the body: the details, one a line
};

struct JunitSuite {
  std::string name;
  std::vector<JunitCase> cases;
};

// The whole document, `name` on <testsuites>, with its XML declaration.
std::string render_junit(std::string_view name, const std::vector<JunitSuite>& suites);

// `s` escaped to stand in XML text or in a double-quoted attribute.
std::string xml_escape(std::string_view s);

}  // namespace trunk::diag
