#!/usr/bin/env python3
"""Command-line tests for dialplan-compile: exit codes, output, files written.

Runs the built tool on examples/site (clean: compiled twice it gives the same
bytes; its expectations in examples/expectations.toml pass), on every site
under examples/broken-dialplan (each must report what its `# expect:` lines
say, and nothing may be written), on expectations that fail, and on tables
files that are truncated, damaged, of a newer version or not tables at all.
It owns the command-line contract of dialplan-compile(1): exit codes 0/1/2,
the summary lines, the JSON shapes, and "a failing run writes nothing". The
wording of each diagnostic is tested in tests/route; here only codes,
positions and the facts a message must carry (the witness number) are.

Environment: TRUNK_BIN (the directory holding dialplan-compile and trunkctl)
and TRUNK_SOURCE_DIR (the source tree; the tests run there). Without them,
the source tree is the one holding this file and the binaries are in its
build/bin. Stdlib only; exits non-zero on failure, showing the whole run.
"""

import os
import re
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import (BIN_DIR, SOURCE_DIR, ToolTest, broken_sites as _broken_sites,  # noqa: E402
                     read_expects as _read_expects, run_tool)

TOOL = os.path.join(BIN_DIR, "dialplan-compile")
TRUNKCTL = os.path.join(BIN_DIR, "trunkctl")
SITE = "examples/site"
EXPECTATIONS = "examples/expectations.toml"
BROKEN_DIR = "examples/broken-dialplan"

GOOD_COUNTS = "example-pbx: 3 tenants, 6 trunks, 8 routes, 6 inbound rules"
ROUTE_LINES = [
    "acme/us-national match=_1NXXNXXXXXX priority=0 strip=0 trunks=XYZ-Primary,CarrierA",
    "acme/us-local match=_NXXNXXXXXX priority=0 strip=0 prepend=1 trunks=XYZ-Primary,CarrierA",
    "acme/international match=_011. priority=0 strip=3 prepend=+ caller_id=4155550100 "
    "trunks=CarrierA",
    "acme/emergency match=911 priority=100 strip=0 trunks=XYZ-Primary,XYZ-Backup,CarrierA",
    "globex/us-national match=_1NXXNXXXXXX priority=0 strip=0 trunks=XYZ-Primary,CarrierB",
    "globex/emergency match=911 priority=100 strip=0 trunks=XYZ-Primary,CarrierB",
    "initech/everything match=_X. priority=0 strip=0 trunks=CarrierA,CarrierB",
    "initech/mobile-cn match=_0086[1][3-9]XXXXXXXXX priority=0 strip=4 prepend=0086 "
    "trunks=CarrierB",
]

# What the message of a diagnostic must say besides its code: the number
# that shows the conflict, or the routes that take a shadowed route's numbers.
MUST_SAY = {
    "route-ambiguous": ["both match 18002000000", '"us-national"', '"toll-free"'],
    "route-shadowed": ['"san-francisco"', 'goes to "us-national"'],
    "inbound-overlap": ["share DID 4155551050"],
}


def dialplan(*args, tool=TOOL, timeout=10):
    """Runs the tool in the source tree, with TRUNK_SITE unset."""
    return run_tool(tool, *args, timeout=timeout)


def broken_sites():
    return [site for site, _ in _broken_sites(BROKEN_DIR)]


def read_expects(site):
    """The `# expect:` lines of `site` as (severity, code, message head)."""
    return _read_expects(site, os.path.join(SOURCE_DIR, site))


def count_expects(path):
    with open(os.path.join(SOURCE_DIR, path), encoding="utf-8") as f:
        return sum(1 for line in f if line.strip() == "[[expect]]")


class DialplanTest(ToolTest):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="dialplan-test-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def assert_dir_empty(self, run, *keep):
        left = sorted(set(os.listdir(self.tmp)) - set(keep))
        self.assertEqual(left, [], "files left behind in %s\n%s" % (self.tmp, run))

    def compile_example(self, name="tables.bin"):
        out = os.path.join(self.tmp, name)
        run = dialplan("-c", SITE, "-o", out)
        self.check(run, 0, err="")
        with open(out, "rb") as f:
            return out, f.read()


class Compile(DialplanTest):
    def test_compiling_twice_gives_identical_bytes(self):
        a, bytes_a = self.compile_example("a.bin")
        b, bytes_b = self.compile_example("b.bin")
        self.assertTrue(bytes_a == bytes_b, "two compiles of one site differ")
        self.assertEqual(bytes_a[:8], b"TRUNKTBL")
        self.assert_dir_empty("(after two compiles)", "a.bin", "b.bin")

    def test_summary_names_the_output(self):
        out = os.path.join(self.tmp, "t.bin")
        run = dialplan("-c", SITE, "-o", out)
        self.check(run, 0, err="")
        size = os.path.getsize(out)
        self.assertRegex(run.out, r"^%s -> %s \(%d bytes, site digest [0-9a-f]{16}\)\n$"
                         % (re.escape(GOOD_COUNTS), re.escape(out), size))

    def test_output_replaces_an_existing_file(self):
        out = os.path.join(self.tmp, "t.bin")
        with open(out, "wb") as f:
            f.write(b"old")
        _, data = self.compile_example("t.bin")
        self.assertEqual(data[:8], b"TRUNKTBL")
        self.assert_dir_empty("(after replacing)", "t.bin")

    def test_check_writes_nothing(self):
        run = dialplan("-c", SITE, "--check")
        self.check(run, 0, GOOD_COUNTS + ": ok (0 errors, 0 warnings)\n", "")

    def test_check_and_output_exclude_each_other(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "t.tables")
            run = dialplan("-c", SITE, "--check", "-o", out)
            self.assertEqual(run.code, 2, str(run))
            self.assertIn("excludes", run.err)
            self.assertFalse(os.path.exists(out))

    def test_check_with_failing_expectations_says_failed(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "e.toml")
            with open(path, "w") as f:
                f.write('[[expect]]\ntenant = "acme"\ndial = "911"\nroute = "nope"\n')
            run = dialplan("-c", SITE, "--check", "--test", path)
            self.assertEqual(run.code, 1, str(run))
            self.assertTrue(run.out.startswith(GOOD_COUNTS + ": FAILED (1 error, 0 warnings)\n"),
                            str(run))

    def test_digest_does_not_depend_on_how_the_path_is_written(self):
        with tempfile.TemporaryDirectory() as tmp:
            a, b = os.path.join(tmp, "a.tables"), os.path.join(tmp, "b.tables")
            self.assertEqual(dialplan("-c", SITE, "-o", a).code, 0)
            self.assertEqual(dialplan("-c", os.path.abspath(SITE) + "/", "-o", b).code, 0)
            with open(a, "rb") as fa, open(b, "rb") as fb:
                self.assertEqual(fa.read(), fb.read())

    def test_verbose_times_each_phase_on_stderr(self):
        run = dialplan("-c", SITE, "-o", os.path.join(self.tmp, "t.bin"), "-v")
        self.check(run, 0)
        phases = [l.split(":", 1)[1].rsplit(None, 2)[0].strip() for l in run.err.splitlines()]
        self.assertEqual(phases, ["load and check", "free the model", "serialize",
                                  "verify", "write"], str(run))


class EqualRoutes(DialplanTest):
    """Many routes with one pattern give one diagnostic for the group, fast:
    when every pair was checked and reported, 2,000 such routes took 24 s and
    2.3 GB, and 200,000 at distinct priorities did not finish in a minute.
    The timeouts make a return to that a failure, not a hang. Under ASan the
    200,000 routes take about 35 s of CPU, nearly all of it loading the site
    and parsing the patterns; the checks themselves are near-linear."""

    HEAD = ('[site]\nname = "big"\n\n[[tenant]]\nname = "acme"\nsip_domain = "a.example"\n\n'
            '[[trunk]]\nname = "gw"\ntype = "peer"\nhost = "203.0.113.5"\n'
            '[[trunk.tenant]]\ntenant = "acme"\n')
    # Route i's match is on line 18 + 7 * i.
    ROUTE = ('\n[[route]]\ntenant = "acme"\nname = "r%d"\nmatch = "_1NXXNXXXXXX"\n'
             'priority = %d\ntrunks = ["gw"]\n')

    def write_site(self, count, priority_of):
        path = os.path.join(self.tmp, "site.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.HEAD)
            f.write("".join(self.ROUTE % (i, priority_of(i)) for i in range(count)))
        return path

    def test_2000_equal_routes_at_one_priority_are_one_error(self):
        site = self.write_site(2000, lambda i: 0)
        run = dialplan("-c", site, "--check", timeout=60)
        self.check(run, 1, out="")
        self.assertEqual(run.heads(), ["%s:25:9: error[route-ambiguous]" % site], str(run))
        self.assertIn('routes "r0" and "r1" of tenant "acme" both match 12002000000 with '
                      'priority 0, and they match the same numbers; 1998 more routes have this '
                      'pattern and priority\n', run.err)
        self.assertIn("  note: %s:18:9: the other route\n" % site, run.err)
        self.assertTrue(run.err.endswith("dialplan-compile: 1 error, 0 warnings; nothing "
                                         "written\n"), str(run))

    def test_200000_equal_routes_at_distinct_priorities_are_one_warning(self):
        site = self.write_site(200000, lambda i: i)
        run = dialplan("-c", site, "--check", timeout=240)
        self.check(run, 0, out="big: 1 tenant, 1 trunk, 200000 routes, 0 inbound rules: ok "
                               "(0 errors, 1 warning)\n")
        self.assertEqual(run.heads(), ["%s:18:9: warning[route-shadowed]" % site], str(run))
        self.assertIn('routes "r0" and "r1" of tenant "acme" and 199997 more with the same '
                      'pattern are never used: every number they match goes to "r199999"\n',
                      run.err)
        self.assertIn("  note: %s:25:9: also never used\n" % site, run.err)


class Expectations(DialplanTest):
    def test_example_expectations_pass(self):
        n = count_expects(EXPECTATIONS)
        self.assertGreater(n, 0)
        run = dialplan("-c", SITE, "--test", EXPECTATIONS)
        self.check(run, 0, GOOD_COUNTS + "\nexpectations: %d passed, 0 failed\n" % n, "")

    def write_expectations(self):
        path = os.path.join(self.tmp, "expect.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write('[[expect]]\ntenant = "acme"\ndial = "911"\nroute = "emergency"\n\n'
                    '[[expect]]\ntenant = "acme"\ndial = "14155550123"\nroute = "us-local"\n'
                    'trunks = ["CarrierA"]\n\n'
                    '[[expect]]\ntrunk = "CarrierB"\ndid = "2125550300"\ntenant = "globex"\n')
        return path

    def test_failed_expectation_shows_expected_and_actual(self):
        path = self.write_expectations()
        out = os.path.join(self.tmp, "t.bin")
        run = dialplan("-c", SITE, "--test", path, "-o", out)
        self.check(run, 1)
        self.assertEqual(run.out, GOOD_COUNTS + "\nexpectations: 1 passed, 2 failed\n", str(run))
        self.assertEqual(run.heads(), ["%s:6:1: error[expect-failed]" % path,
                                       "%s:12:1: error[expect-failed]" % path], str(run))
        for want in ("expectation failed: acme dials 14155550123",
                     "expected route us-local, got us-national",
                     "expected trunks [CarrierA], got [XYZ-Primary, CarrierA]",
                     "expectation failed: 2125550300 arrives on CarrierB",
                     "expected tenant globex, got (none)",
                     "why: the DID is in no tenant's pool on this trunk"):
            self.assertIn(want, run.err, str(run))
        self.assertFalse(os.path.exists(out), "a failing --test wrote -o\n%s" % run)
        self.assert_dir_empty(run, "expect.toml")

    def test_failed_expectation_under_check_is_not_ok(self):
        # The summary must not say "ok" when the run exits 1.
        run = dialplan("-c", SITE, "--check", "--test", self.write_expectations())
        self.check(run, 1)
        self.assertNotIn(": ok (", run.out, str(run))
        self.assertIn("expectations: 1 passed, 2 failed\n", run.out, str(run))

    def test_failed_expectation_json(self):
        path = self.write_expectations()
        run = dialplan("-c", SITE, "--test", path, "--format", "json")
        self.check(run, 1, err="")
        doc = self.json_of(run)
        self.assertIs(doc["ok"], False)
        self.assertEqual([d["code"] for d in doc["diagnostics"]], ["expect-failed"] * 2)
        self.assertEqual([e["passed"] for e in doc["expectations"]], [True, False, False])
        failed = doc["expectations"][1]
        self.assertEqual(failed["subject"], "acme dials 14155550123")
        self.assertEqual(failed["location"], path + ":6:1")
        self.assertEqual(failed["expected"], {"route": "us-local", "trunks": "[CarrierA]"})
        self.assertEqual(failed["actual"],
                         {"route": "us-national", "trunks": "[XYZ-Primary, CarrierA]"})

    def test_unreadable_expectations(self):
        run = dialplan("-c", SITE, "--test", "examples/no-such-expectations.toml")
        self.check(run, 2, "")
        self.assertIn("error[io]", run.err)


class BrokenDialplans(DialplanTest):
    def test_every_broken_site_reports_its_expectation(self):
        sites = broken_sites()
        self.assertGreater(len(sites), 0, "no sites under " + BROKEN_DIR)
        for site in sites:
            with self.subTest(site=site):
                self.check_broken_site(site)

    def check_broken_site(self, site):
        expects = read_expects(site)
        self.assertTrue(expects, "%s has no `# expect:` line" % site)
        name = os.path.basename(site).removesuffix(".toml")
        self.assertIn(name, [code for _, code, _ in expects],
                      "%s is named for a code it does not expect" % site)
        heads = [head for _, _, head in expects]
        errors = any(sev == "error" for sev, _, _ in expects)
        out = os.path.join(self.tmp, "t.bin")

        # trunkctl validate and provisioning report the same: test_one_rule_set.py.

        # Text, with --strict: exit 1, the diagnostics' first lines in order,
        # no others, and nothing written.
        run = dialplan("-c", site, "-o", out, "--strict")
        self.check(run, 1, "")
        self.assertEqual(run.heads(), heads, "diagnostics differ from %s\n%s" % (site, run))
        self.assertIn("; nothing written\n", run.err, str(run))
        self.assertFalse(os.path.exists(out), "%s: -o was written\n%s" % (site, run))
        self.assert_dir_empty(run)
        for want in MUST_SAY.get(name, []):
            self.assertIn(want, run.err, str(run))

        # Without --strict: the same diagnostics; a site with only warnings
        # compiles and exits 0.
        run = dialplan("-c", site, "--check")
        self.check(run, 1 if errors else 0)
        self.assertEqual(run.heads(), heads, "diagnostics differ from %s\n%s" % (site, run))
        if errors:
            self.assertEqual(run.out, "", str(run))
        else:
            self.assertIn(": ok (0 errors, %d warning" % len(expects), run.out)

        # JSON: the same diagnostics, on stdout, nothing on stderr.
        js = dialplan("-c", site, "--check", "--format", "json")
        self.check(js, 1 if errors else 0, err="")
        doc = self.json_of(js)
        self.assertEqual(doc["site"], site)
        self.assertEqual(doc["ok"], not errors)
        self.assertEqual(doc["errors"], sum(sev == "error" for sev, _, _ in expects))
        self.assertEqual(doc["warnings"], sum(sev == "warning" for sev, _, _ in expects))
        got = ["%s:%d:%d: %s[%s]" % (d["location"]["file"], d["location"]["line"],
                                     d["location"]["column"], d["severity"], d["code"])
               for d in doc["diagnostics"]]
        self.assertEqual(got, heads, "JSON diagnostics differ from %s\n%s" % (site, js))
        for d in doc["diagnostics"]:
            for key in ("severity", "code", "message", "location", "hints"):
                self.assertIn(key, d)


class Dump(DialplanTest):
    def test_dump_shows_the_routes(self):
        path, _ = self.compile_example()
        run = dialplan("--dump", path)
        self.check(run, 0, err="")
        lines = run.out.splitlines()
        self.assertEqual(lines[0], "format-version 3")
        self.assertIn("[routes] 8", lines)
        start = lines.index("[routes] 8") + 1
        self.assertEqual(lines[start:start + 8], ROUTE_LINES, str(run))
        self.assertIn("[tenants] 3", lines)
        self.assertIn("[inbound] 6", lines)

    def test_dump_json(self):
        path, data = self.compile_example()
        run = dialplan("--dump", path, "--format", "json")
        self.check(run, 0, err="")
        doc = self.json_of(run)
        self.assertEqual({k: doc[k] for k in ("file", "format_version", "bytes", "tenants",
                                              "trunks", "routes", "inbound")},
                         {"file": path, "format_version": 3, "bytes": len(data), "tenants": 3,
                          "trunks": 6, "routes": 8, "inbound": 6})
        self.assertEqual(doc["site_digest"], data[32:64].hex())
        self.assertEqual(doc["text"], dialplan("--dump", path).out)

    def refused(self, data, message, name="bad.bin"):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        run = dialplan("--dump", path)
        self.check(run, 2, "")
        self.assertEqual(run.err, "dialplan-compile: %s: %s\n" % (path, message), str(run))

    def test_truncated_file(self):
        _, data = self.compile_example()
        self.refused(data[:len(data) // 2],
                     "the header says %d bytes but there are %d (truncated or appended to)"
                     % (len(data), len(data) // 2))

    def test_file_shorter_than_a_header(self):
        path = os.path.join(self.tmp, "short.bin")
        with open(path, "wb") as f:
            f.write(b"TRUNKTBL")
        run = dialplan("--dump", path)
        self.check(run, 2, "")
        self.assertIn("8 bytes is not the size of a tables file (truncated?)", run.err)

    def test_byte_flipped_file(self):
        _, data = self.compile_example()
        for at in (len(data) // 2, len(data) - 1, 40):  # a section, the end, the site digest
            with self.subTest(at=at):
                damaged = bytearray(data)
                damaged[at] ^= 0x01
                self.refused(bytes(damaged), "checksum mismatch: the file is damaged")

    def test_newer_version(self):
        _, data = self.compile_example()
        newer = bytearray(data)
        newer[8:12] = struct.pack("<I", 4)
        self.refused(bytes(newer), "format version 4 is newer than this trunkline reads (3); "
                     "upgrade trunkline or compile with the matching dialplan-compile")
        older = bytearray(data)
        older[8:12] = struct.pack("<I", 2)
        self.refused(bytes(older), "format version 2 is older than this trunkline reads (3); "
                     "compile the site again with this dialplan-compile")

    def test_not_a_tables_file(self):
        with open(os.path.join(SOURCE_DIR, EXPECTATIONS), "rb") as f:
            self.refused(f.read(), "not a trunkline tables file (bad magic)")

    def test_missing_file(self):
        run = dialplan("--dump", "examples/no-such.bin")
        self.check(run, 2, "")
        self.assertIn("cannot open examples/no-such.bin", run.err)


class Json(DialplanTest):
    KEYS = ["site", "ok", "bytes", "site_digest", "errors", "warnings", "diagnostics"]

    def test_compile_json(self):
        out = os.path.join(self.tmp, "t.bin")
        run = dialplan("-c", SITE, "-o", out, "--format", "json")
        self.check(run, 0, err="")
        doc = self.json_of(run)
        self.assertEqual(sorted(doc), sorted(self.KEYS + ["output"]))
        self.assertEqual((doc["ok"], doc["output"], doc["bytes"]),
                         (True, out, os.path.getsize(out)))
        with open(out, "rb") as f:
            self.assertEqual(doc["site_digest"], f.read()[32:64].hex())

    def test_check_json(self):
        run = dialplan("-c", SITE, "--check", "--format", "json")
        self.check(run, 0, err="")
        doc = self.json_of(run)
        self.assertEqual(sorted(doc), sorted(self.KEYS))
        self.assertEqual((doc["site"], doc["ok"], doc["errors"], doc["warnings"],
                          doc["diagnostics"]), (SITE, True, 0, 0, []))

    def test_test_json(self):
        run = dialplan("-c", SITE, "--test", EXPECTATIONS, "--format", "json")
        self.check(run, 0, err="")
        doc = self.json_of(run)
        self.assertEqual(sorted(doc), sorted(self.KEYS + ["expectations"]))
        self.assertEqual(len(doc["expectations"]), count_expects(EXPECTATIONS))
        for e in doc["expectations"]:
            self.assertEqual(sorted(e), ["actual", "expected", "location", "passed", "subject"])
            self.assertIs(e["passed"], True)
            self.assertEqual(e["expected"], e["actual"])

    def test_unreadable_site_json(self):
        run = dialplan("-c", "examples/no-such-site", "--check", "--format", "json")
        self.check(run, 2, err="")
        doc = self.json_of(run)
        self.assertIs(doc["ok"], False)
        self.assertEqual([d["code"] for d in doc["diagnostics"]], ["io"])


class CommandLine(DialplanTest):
    def test_no_arguments(self):
        run = dialplan()
        self.check(run, 2, "")
        self.assertIn("nothing to do", run.err)

    def test_help(self):
        for flag in ("--help", "-h"):
            run = dialplan(flag)
            self.check(run, 0, err="")
            self.assertIn("Usage: dialplan-compile", run.out)
            for option in ("-c,--config", "-o,--output", "--check", "--dump", "--test",
                           "--strict", "--format", "-v,--verbose", "--version"):
                self.assertIn(option, run.out)

    def test_version(self):
        run = dialplan("--version")
        self.check(run, 0, err="")
        self.assertRegex(run.out, r"^dialplan-compile \d+\.\d+\.\d+\n$")

    def test_usage_errors(self):
        for args in (["--frobnicate"], ["-c", SITE, "--check", "--format", "xml"],
                     ["-c"], ["-c", SITE, "-o"], ["-c", SITE, "--check", "extra"]):
            with self.subTest(args=args):
                run = dialplan(*args)
                self.check(run, 2, "")
                self.assertNotEqual(run.err, "", str(run))

    def test_unreadable_site(self):
        run = dialplan("-c", "examples/no-such-site", "-o", os.path.join(self.tmp, "t.bin"))
        self.check(run, 2, "")
        self.assertTrue(run.err.startswith("examples/no-such-site: error[io]:"), str(run))
        self.assert_dir_empty(run)


if __name__ == "__main__":
    if not os.access(TOOL, os.X_OK):
        sys.exit("test_dialplan_compile: no dialplan-compile at %s (set TRUNK_BIN)" % TOOL)
    unittest.main(verbosity=2)
