#!/usr/bin/env python3
"""CI-native output: --format github, --format sarif and --junit.

Runs the built tools on examples/broken* sites and on sites and
expectations made here, and checks the output the way CI reads it:
GitHub workflow commands line by line (exact text, GitHub's escaping of a
file name and a message holding %, a newline, a colon and a comma), SARIF
against the SARIF 2.1.0 JSON schema (tests/data/sarif, with
python3-jsonschema) and against the same run's --format json, and the JUnit
file of `dialplan-compile --test --junit` through a real consumer
(python3-junitparser). Exit codes must be those of the text format.

Environment: TRUNK_BIN and TRUNK_SOURCE_DIR, as clitest.py says.
"""

import json
import os
import re
import shutil
import sys
import tempfile
import unittest

try:
    import jsonschema
    from junitparser import Failure, JUnitXml
except ImportError as e:  # a missing consumer is a failure, never a skip
    sys.exit("test_ci_formats: %s: install python3-jsonschema and python3-junitparser "
             "(scripts/dev test does) and run with the system python3" % e)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN_DIR, SOURCE_DIR, ToolTest, run_tool  # noqa: E402

TRUNKCTL = os.path.join(BIN_DIR, "trunkctl")
DIDPOOL = os.path.join(BIN_DIR, "didpool-check")
COMPILE = os.path.join(BIN_DIR, "dialplan-compile")
SCHEMA = os.path.join(SOURCE_DIR, "tests", "data", "sarif", "sarif-schema-2.1.0.json")

OVERLAP = "examples/broken/did-overlap.toml"
OVERLAP_LINE = (
    '::error file=examples/broken/did-overlap.toml,line=40,col=13,title=did-overlap::'
    'did_pool of tenant "globex" on trunk "XYZ-globex" shares 1 number with the did_pool '
    'of tenant "acme" on trunk "XYZ-acme" (both trunks of provider "XYZ"): 2000'
    '%0Anote: examples/broken/did-overlap.toml:26:13: the did_pool of tenant "acme" on '
    'trunk "XYZ-acme"%0Ahint: a number of provider "XYZ" reaches one tenant: remove the '
    'shared numbers from one of the two pools\n')

# Expectations for examples/site: the first passes, the second fails.
EXPECTATIONS = ('[[expect]]\ntenant = "acme"\ndial = "911"\nroute = "emergency"\n\n'
                '[[expect]]\ntenant = "acme"\ndial = "14155550123"\nroute = "us-local"\n')

# One run per tool and kind of finding: (tool, args without --format).
FINDINGS_RUNS = [
    (TRUNKCTL, ["validate", "-c", OVERLAP]),
    (TRUNKCTL, ["validate", "-c", "examples/broken/duplicate-key"]),
    (TRUNKCTL, ["validate", "-c", "examples/site"]),
    (TRUNKCTL, ["set", "-c", "examples/site", "XYZ-Primary", "port=99999", "--dry-run"]),
    (DIDPOOL, ["-c", OVERLAP]),
    (DIDPOOL, ["--pool", "101; 300-2a"]),
    (COMPILE, ["-c", "examples/broken-dialplan/route-ambiguous.toml", "--check"]),
    (COMPILE, ["-c", "examples/broken-dialplan/route-shadowed.toml", "--check"]),
]


def where(d):
    loc = d["location"]
    return loc.get("file", ""), loc.get("line", 0), loc.get("column", 0)


class Github(ToolTest):
    def test_broken_site_gives_one_command_per_finding_then_the_summary(self):
        run = run_tool(TRUNKCTL, "validate", "-c", OVERLAP, "--format", "github")
        self.check(run, code=1, err="", out=OVERLAP_LINE + (
            "example-pbx: 2 tenants, 2 trunks, 0 routes, 0 inbound rules: "
            "FAILED (1 error, 0 warnings)\n"))

    def test_related_place_in_another_file_is_named_in_the_message(self):
        run = run_tool(TRUNKCTL, "validate", "-c", "examples/broken/duplicate-key",
                       "--format", "github")
        self.check(run, code=1, err="")
        self.assertEqual(run.out.splitlines()[0],
                         "::error file=examples/broken/duplicate-key/20-lab.toml,line=3,col=1,"
                         "title=duplicate-key::`site.name` is defined in two places%0Anote: "
                         "examples/broken/duplicate-key/00-site.toml:3:1: first defined here")

    def test_file_and_message_escaped_as_github_says(self):
        # A file name with , : % and a key (quoted in the message) with % , : and a newline.
        with tempfile.TemporaryDirectory() as tmp:
            site = os.path.join(tmp, "x,y:z%.toml")
            with open(site, "w") as f:
                f.write('[site]\nname = "x"\n"50%,a:b\\nc" = 1\n')
            run = run_tool(TRUNKCTL, "validate", "-c", site, "--format", "github")
            self.check(run, code=1, err="")
            esc = tmp.replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
            self.assertEqual(run.out.splitlines()[0],
                             "::error file=%s/x%%2Cy%%3Az%%25.toml,line=3,col=1,"
                             "title=unknown-key::unknown key `50%%25,a:b%%0Ac` in [site]"
                             "%%0Ahint: known keys in [site]: name, transports" % esc)

    def test_every_findings_tool_annotates_what_json_reports(self):
        command = re.compile(r"^::(error|warning|notice) (?:file=([^,]*),)?(?:line=(\d+),)?"
                             r"(?:col=(\d+),)?title=([a-z0-9-]+)::")
        for tool, args in FINDINGS_RUNS:
            with self.subTest(tool=os.path.basename(tool), args=args):
                as_json = run_tool(tool, *args, "--format", "json")
                run = run_tool(tool, *args, "--format", "github")
                self.check(run, code=as_json.code)
                want = [(d["severity"].replace("note", "notice"), d["code"]) + where(d)
                        for d in self.json_of(as_json)["diagnostics"]]
                got = []
                for line in run.out.splitlines():
                    if line.startswith("::"):
                        m = command.match(line)
                        self.assertTrue(m, line)
                        sev, file, ln, col, code = m.groups()
                        got.append((sev, code, file or "", int(ln or 0), int(col or 0)))
                self.assertEqual(got, want, str(run))

    def test_commands_without_findings_refuse_it(self):
        run = run_tool(TRUNKCTL, "list", "-c", "examples/site", "--format", "github")
        self.check(run, code=2, out="")
        self.assertIn("--format: github not in {text,json}", run.err)


class Sarif(ToolTest):
    @classmethod
    def setUpClass(cls):
        with open(SCHEMA, encoding="utf-8") as f:
            schema = json.load(f)
        cls.validator = jsonschema.Draft4Validator(
            schema, format_checker=jsonschema.FormatChecker())

    def sarif_of(self, run):
        log = self.json_of(run)
        errors = sorted(self.validator.iter_errors(log), key=str)
        self.assertEqual([], ["%s at %s" % (e.message, list(e.absolute_path)) for e in errors],
                         "not valid SARIF 2.1.0\n%s" % run)
        return log

    def test_every_findings_tool_writes_a_valid_log_of_what_json_reports(self):
        for tool, args in FINDINGS_RUNS:
            with self.subTest(tool=os.path.basename(tool), args=args):
                as_json = run_tool(tool, *args, "--format", "json")
                run = run_tool(tool, *args, "--format", "sarif")
                self.check(run, code=as_json.code)
                log = self.sarif_of(run)
                diags = self.json_of(as_json)["diagnostics"]
                self.assertEqual(len(log["runs"]), 1)
                r = log["runs"][0]
                driver = r["tool"]["driver"]
                self.assertEqual(driver["name"], os.path.basename(tool))
                self.assertRegex(driver["version"], r"^\d+\.\d+\.\d+$")
                rules = [rule["id"] for rule in driver["rules"]]
                self.assertEqual(rules, sorted({d["code"] for d in diags}))
                self.assertEqual(r["originalUriBaseIds"]["%SRCROOT%"]["uri"],
                                 "file://" + SOURCE_DIR.rstrip("/") + "/")
                got = []
                for res in r["results"]:
                    self.assertEqual(rules[res["ruleIndex"]], res["ruleId"])
                    place = ("", 0, 0)
                    if res["locations"]:
                        phys = res["locations"][0]["physicalLocation"]
                        self.assertEqual(phys["artifactLocation"]["uriBaseId"], "%SRCROOT%")
                        region = phys.get("region", {})
                        place = (phys["artifactLocation"]["uri"], region.get("startLine", 0),
                                 region.get("startColumn", 0))
                    got.append((res["level"], res["ruleId"]) + place)
                want = [(d["severity"], d["code"]) + where(d) for d in diags]
                self.assertEqual(got, want)

    def test_stdout_is_the_log_alone_and_the_summary_goes_to_stderr(self):
        run = run_tool(TRUNKCTL, "validate", "-c", OVERLAP, "--format", "sarif")
        self.check(run, code=1, err="example-pbx: 2 tenants, 2 trunks, 0 routes, "
                   "0 inbound rules: FAILED (1 error, 0 warnings)\n")
        res = self.sarif_of(run)["runs"][0]["results"]
        self.assertEqual(len(res), 1)
        self.assertEqual(res[0]["locations"][0]["physicalLocation"]["region"],
                         {"startLine": 40, "startColumn": 13, "endLine": 40, "endColumn": 22})
        rel = res[0]["relatedLocations"][0]
        self.assertEqual(rel["message"]["text"], 'the did_pool of tenant "acme" on trunk "XYZ-acme"')
        self.assertEqual(rel["physicalLocation"]["region"]["startLine"], 26)
        self.assertTrue(res[0]["message"]["text"].endswith(
            "\nhint: a number of provider \"XYZ\" reaches one tenant: remove the shared "
            "numbers from one of the two pools"))

    def test_clean_site_is_a_log_with_no_results(self):
        run = run_tool(TRUNKCTL, "validate", "-c", "examples/site", "--format", "sarif")
        self.check(run, code=0)
        log = self.sarif_of(run)
        self.assertEqual(log["runs"][0]["results"], [])
        self.assertEqual(log["runs"][0]["tool"]["driver"]["rules"], [])

    def test_absolute_and_odd_file_names_are_file_uris(self):
        with tempfile.TemporaryDirectory() as tmp:
            site = os.path.join(tmp, "a b#%.toml")
            with open(site, "w") as f:
                f.write('[site]\nname = "x"\nnope = 1\n')
            run = run_tool(TRUNKCTL, "validate", "-c", site, "--format", "sarif")
            self.check(run, code=1)
            art = self.sarif_of(run)["runs"][0]["results"][0]["locations"][0][
                "physicalLocation"]["artifactLocation"]
            self.assertEqual(art, {"uri": "file://%s/a%%20b%%23%%25.toml" % tmp})


class Junit(ToolTest):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.expect = os.path.join(self.tmp, "expect.toml")
        with open(self.expect, "w") as f:
            f.write(EXPECTATIONS)
        self.junit = os.path.join(self.tmp, "out", "junit.xml")
        os.mkdir(os.path.dirname(self.junit))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def compile_test(self, expect, *more):
        return run_tool(COMPILE, "-c", "examples/site", "--test", expect,
                        "--junit", self.junit, *more)

    def test_passing_expectations_read_by_junitparser(self):
        run = self.compile_test("examples/expectations.toml")
        self.check(run, code=0)
        with open(os.path.join(SOURCE_DIR, "examples/expectations.toml")) as f:
            count = sum(1 for line in f if line.strip() == "[[expect]]")
        xml = JUnitXml.fromfile(self.junit)
        suites = list(xml)
        self.assertEqual([s.name for s in suites], ["examples/expectations.toml"])
        self.assertEqual((suites[0].tests, suites[0].failures, suites[0].errors), (count, 0, 0))
        cases = list(suites[0])
        self.assertEqual(cases[0].name, "acme dials 14155550123")
        self.assertTrue(all(c.is_passed for c in cases))

    def test_failing_expectation_has_its_message_and_place(self):
        run = self.compile_test(self.expect)
        self.check(run, code=1)
        xml = JUnitXml.fromfile(self.junit)
        (suite,) = list(xml)
        self.assertEqual((suite.name, suite.tests, suite.failures), (self.expect, 2, 1))
        passed, failed = list(suite)
        self.assertEqual(passed.name, "acme dials 911")
        self.assertTrue(passed.is_passed)
        self.assertEqual(failed.name, "acme dials 14155550123")
        (failure,) = failed.result
        self.assertIsInstance(failure, Failure)
        self.assertEqual(failure.message, "expectation failed: acme dials 14155550123")
        self.assertEqual(failure.type, "expect-failed")
        self.assertEqual(failure.text, "%s:6:1: expectation failed: acme dials 14155550123\n"
                         "expected route us-local, got us-national" % self.expect)

    def test_same_file_whatever_the_format(self):
        files = []
        for fmt in ("text", "json", "github", "sarif"):
            self.check(self.compile_test(self.expect, "--format", fmt), code=1)
            with open(self.junit, "rb") as f:
                files.append(f.read())
            os.unlink(self.junit)
        self.assertEqual(files, [files[0]] * 4)

    def test_junit_needs_test(self):
        run = run_tool(COMPILE, "-c", "examples/site", "--check", "--junit", self.junit)
        self.check(run, code=2, out="")
        self.assertIn("--junit requires --test", run.err)
        self.assertFalse(os.path.exists(self.junit))

    def test_unwritable_file_is_could_not_run(self):
        self.junit = os.path.join(self.tmp, "missing", "junit.xml")
        run = self.compile_test(self.expect)
        self.check(run, code=2, out="")
        self.assertEqual(run.err.splitlines()[-1],
                         "dialplan-compile: cannot create a temporary file in %s: "
                         "No such file or directory" % os.path.dirname(self.junit))
        self.assertEqual(sorted(os.listdir(self.tmp)), ["expect.toml", "out"])

    def test_site_with_errors_writes_no_report(self):
        run = run_tool(COMPILE, "-c", OVERLAP, "--test", self.expect, "--junit", self.junit)
        self.check(run, code=1)
        self.assertEqual(os.listdir(os.path.dirname(self.junit)), [])


if __name__ == "__main__":
    unittest.main()
