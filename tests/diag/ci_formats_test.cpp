// The CI renderers' exact text: GitHub workflow commands (escaping of
// messages and properties, severities, unknown positions), SARIF's URIs
// and regions, and JUnit's XML escaping. The tools' use of them, and SARIF
// against its schema, are tested in tests/cli/test_ci_formats.py.
#include <doctest/doctest.h>

#include "diag/github.hpp"
#include "diag/junit.hpp"
#include "diag/sarif.hpp"

using namespace trunk::diag;

TEST_CASE("github: message escaping turns % CR LF into %25 %0D %0A, nothing else") {
  CHECK(escape_github_message("50% off\r\nnext: a,b") == "50%25 off%0D%0Anext: a,b");
}

TEST_CASE("github: property escaping also turns : and , into %3A %2C") {
  CHECK(escape_github_property("C:\\x,y%\n") == "C%3A\\x%2Cy%25%0A");
}

TEST_CASE("github: one command a diagnostic, position as far as known") {
  Sink sink;
  auto& d = sink.error("did-overlap", "shares 1 number: 2000", {"a,b:c.toml", 40, 13, 40, 22});
  with_related(d, {"a,b:c.toml", 26, 13}, "first here");
  with_hint(d, "remove 100%");
  sink.warning("unused", "never used", {"s.toml", 7, 0});
  sink.report(Severity::note, "info", "from the command line", {});
  CHECK(render_github(sink) ==
        "::error file=a%2Cb%3Ac.toml,line=40,col=13,title=did-overlap::shares 1 number: 2000"
        "%0Anote: a,b:c.toml:26:13: first here%0Ahint: remove 100%25\n"
        "::warning file=s.toml,line=7,title=unused::never used\n"
        "::notice title=info::from the command line\n");
}

TEST_CASE("sarif: paths become URI references, each reserved byte percent-encoded") {
  CHECK(uri_encode_path("examples/site/a b%#?.toml") == "examples/site/a%20b%25%23%3F.toml");
  CHECK(uri_encode_path("caf\xC3\xA9") == "caf%C3%A9");
}

TEST_CASE("sarif: a result's place, its end column exclusive as ours, no location without a file") {
  Sink sink;
  sink.error("b-rule", "m1", {"/abs/s.toml", 3, 5, 3, 9});
  sink.warning("a-rule", "m2", {});
  std::string log = render_sarif(sink, {"trunkctl", "0.1.0", "", "/w d"});
  CHECK(log.find(R"("rules":[{"id":"a-rule"},{"id":"b-rule"}])") != std::string::npos);
  CHECK(log.find(R"("ruleId":"b-rule","ruleIndex":1,"level":"error")") != std::string::npos);
  CHECK(log.find(R"("artifactLocation":{"uri":"file:///abs/s.toml"},"region":{"startLine":3,)"
                 R"("startColumn":5,"endLine":3,"endColumn":9})") != std::string::npos);
  CHECK(log.find(R"("ruleId":"a-rule","ruleIndex":0,"level":"warning","message":{"text":"m2"},)"
                 R"("locations":[])") != std::string::npos);
  CHECK(log.find(R"("%SRCROOT%":{"uri":"file:///w%20d/"})") != std::string::npos);
  CHECK(log.find("informationUri") == std::string::npos);
}

TEST_CASE("junit: markup, quotes and controls escaped; ill-formed bytes replaced") {
  CHECK(xml_escape("a<b>&\"c'\n\x01\xFF") == "a&lt;b&gt;&amp;&quot;c&apos;&#10;\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("junit: totals on testsuites and on each testsuite, file and line on a testcase") {
  JunitCase pass{"acme dials 911", {"e.toml", 6, 1}, std::nullopt, {}, {}};
  JunitCase fail{"acme dials 1", {"e.toml", 12, 1}, "expectation failed", "expect-failed",
                 "e.toml:12:1: x"};
  std::string xml = render_junit("dialplan-compile", {{"e.toml", {pass, fail}}, {"f.toml", {}}});
  CHECK(xml ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"dialplan-compile\" tests=\"2\" failures=\"1\" errors=\"0\" "
        "skipped=\"0\">\n"
        "  <testsuite name=\"e.toml\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\">\n"
        "    <testcase name=\"acme dials 911\" classname=\"e.toml\" file=\"e.toml\" line=\"6\"/>\n"
        "    <testcase name=\"acme dials 1\" classname=\"e.toml\" file=\"e.toml\" line=\"12\">\n"
        "      <failure message=\"expectation failed\" type=\"expect-failed\">e.toml:12:1: x"
        "</failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "  <testsuite name=\"f.toml\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\"/>\n"
        "</testsuites>\n");
}
