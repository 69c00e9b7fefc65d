#!/usr/bin/env python3
"""Command-line tests for didpool-check: exit codes, stdout, stderr, JSON.

Runs the built tool on examples/site (clean), on every site under
examples/broken (each must report what its `# expect:` lines say, as
`trunkctl validate` does: didpool-check runs every site check), and on pool
strings given with --pool, --normalize and --contains. Property tests (fixed
seed) check that --contains agrees with expanding small random pools by hand
and that --normalize is idempotent and keeps the numbers. The diagnostics'
wording is tested in tests/did; here only what the command line adds.

Environment: TRUNK_BIN (the directory holding didpool-check) and
TRUNK_SOURCE_DIR (the source tree; the tests run there). Without them, the
source tree is the one holding this file and the binaries are in its
build/bin. Stdlib only; exits non-zero on failure.
"""

import os
import random
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import (BIN_DIR, DIAG_HEAD, SOURCE_DIR, ToolTest,  # noqa: E402
                     broken_sites as _broken_sites, read_expects, run_tool)

TOOL = os.path.join(BIN_DIR, "didpool-check")
BROKEN_DIR = "examples/broken"

GOOD_SUMMARY = ("example-pbx: 9 pools on 5 providers, 1901 numbers, 0 overlaps, "
                "6 inbound rules checked: ok (0 errors, 0 warnings)\n")
PREFIX_REASON = ("E.164 '+' and international prefixes are removed before numbers go "
                 "into a pool")

def didpool_check(*args, site_env=None):
    """Runs didpool-check in the source tree. TRUNK_SITE is unset unless given."""
    return run_tool(TOOL, *args, site_env=site_env)


def broken_sites():
    return _broken_sites(BROKEN_DIR)


# Random small pools for the property tests: numbers of 1 to 4 digits, a
# leading zero included ("0100" and "100" are different numbers), but never
# two (an international prefix, which pools reject).
def random_number(rng, length):
    while True:
        n = "".join(rng.choice("0123456789") for _ in range(length))
        if not n.startswith("00"):
            return n


def random_pool(rng):
    """A valid pool text and the set of numbers it holds, expanded by hand."""
    entries, numbers = [], set()
    for _ in range(rng.randint(0, 6)):
        length = rng.randint(1, 4)
        first, last = sorted((random_number(rng, length), random_number(rng, length)))
        if rng.random() < 0.4 or int(last) - int(first) > 300:
            last = first
        a, b = int(first), int(last)
        entries.append(first if a == b else first + "-" + last)
        numbers.update(str(n).zfill(length) for n in range(a, b + 1))
    sep = rng.choice([";", "; ", " ;  "])
    return sep.join(entries), numbers


class DidpoolCheckTest(ToolTest):
    pass


class Site(DidpoolCheckTest):
    def test_example_site_is_clean(self):
        self.check(didpool_check("-c", "examples/site"), 0, GOOD_SUMMARY, "")
        self.check(didpool_check("--strict", "--config", "examples/site"), 0, GOOD_SUMMARY, "")

    def test_example_site_json(self):
        run = didpool_check("-c", "examples/site", "--format", "json")
        self.check(run, 0, err="")
        self.assertEqual(self.json_of(run), {
            "site": "examples/site", "ok": True, "errors": 0, "warnings": 0,
            "pools": {"checked": 9, "providers": 5, "ranges": 10, "numbers": 1901,
                      "overlaps": 0, "inbound_rules": 6},
            "diagnostics": [],
        })

    def test_trunk_site_env(self):
        self.check(didpool_check(site_env="examples/site"), 0, GOOD_SUMMARY, "")

    def test_every_broken_site_reports_its_expectation(self):
        for site, expect_file in broken_sites():
            with self.subTest(site=site):
                expects = read_expects(site, expect_file)
                errors = any(sev == "error" for sev, _, _ in expects)
                run = didpool_check("-c", site)
                self.check(run, 1 if errors else 0)
                got = [m.group(1) for m in map(DIAG_HEAD.match, run.err.splitlines()) if m]
                self.assertEqual(got, [h for _, _, h in expects], str(run))
                self.assertIn(": FAILED (" if errors else ": ok (", run.out)
                self.check(didpool_check("--strict", "-c", site), 1, err=run.err)
                js = didpool_check("-c", site, "--format", "json")
                self.check(js, 1 if errors else 0, err="")
                doc = self.json_of(js)
                self.assertEqual(doc["ok"], not errors)
                self.assertEqual(
                    ["%s:%d:%d: %s[%s]" % (d["location"]["file"], d["location"]["line"],
                                           d["location"]["column"], d["severity"], d["code"])
                     for d in doc["diagnostics"]], [h for _, _, h in expects])

    def test_portsip_example(self):
        site = BROKEN_DIR + "/did-overlap.toml"
        run = didpool_check("-c", site)
        self.check(run, 1)
        self.assertTrue(run.err.startswith(
            site + ':40:13: error[did-overlap]: did_pool of tenant "globex" on trunk '
            '"XYZ-globex" shares 1 number with the did_pool of tenant "acme" on trunk '
            '"XYZ-acme" (both trunks of provider "XYZ"): 2000\n'), str(run))
        self.assertIn("  note: %s:26:13: the did_pool of tenant \"acme\"" % site, run.err)
        self.assertEqual(run.out, "example-pbx: 2 pools on 1 provider, 2001 numbers, "
                                  "1 overlap, 0 inbound rules checked: FAILED (1 error, "
                                  "0 warnings)\n")
        doc = self.json_of(didpool_check("-c", site, "--format", "json"))
        self.assertEqual(doc["pools"]["overlaps"], 1)
        d = doc["diagnostics"][0]
        self.assertEqual(d["related"]["location"]["line"], 26)
        self.assertEqual(d["related"]["label"], 'the did_pool of tenant "acme" on trunk "XYZ-acme"')

        # The same pools on two providers: no finding.
        with open(os.path.join(SOURCE_DIR, site), encoding="utf-8") as f:
            text = f.read()
        text = text.replace('name = "XYZ-globex"\ntype = "register"\nprovider = "XYZ"',
                            'name = "ABC-globex"\ntype = "register"\nprovider = "ABC"')
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "site.toml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            run = didpool_check("-c", path)
            self.check(run, 0, err="")
            self.assertIn("2 pools on 2 providers, 2001 numbers, 0 overlaps", run.out)

    def test_unreadable_site(self):
        run = didpool_check("-c", "examples/no-such-site")
        self.check(run, 2, "")
        self.assertTrue(run.err.startswith("examples/no-such-site: error[io]:"), str(run))
        run = didpool_check("-c", "examples/no-such-site", "--format", "json")
        self.check(run, 2, err="")
        doc = self.json_of(run)
        self.assertIs(doc["ok"], False)
        self.assertNotIn("pools", doc)
        self.assertEqual([d["code"] for d in doc["diagnostics"]], ["io"])


class Pool(DidpoolCheckTest):
    def test_valid_pool(self):
        self.check(didpool_check("--pool", "101; 203; 300-450"), 0,
                   "--pool: 153 numbers in 3 ranges: ok (0 errors, 0 warnings)\n", "")

    def test_plus_rejected_with_the_corrected_entry(self):
        self.check(didpool_check("--pool", "+14155550100"), 1,
                   "--pool: FAILED (1 error, 0 warnings)\n",
                   "--pool:1:1: error[did-plus]: entry \"+14155550100\" starts with '+'\n"
                   "  1 | +14155550100\n"
                   "    | ^~~~~~~~~~~~\n"
                   "  hint: write 14155550100: " + PREFIX_REASON + "\n")

    def test_intl_prefix_rejected_with_the_corrected_entry(self):
        run = didpool_check("--pool", "101; 0014155550100")
        self.check(run, 1, "--pool: FAILED (1 error, 0 warnings)\n")
        self.assertEqual(run.err.splitlines()[0],
                         "--pool:1:6: error[did-intl-prefix]: entry \"0014155550100\" starts "
                         "with the international prefix 00")
        self.assertIn("  hint: write 14155550100: " + PREFIX_REASON + "\n", run.err)

    def test_diagnostics_point_at_columns(self):
        run = didpool_check("--pool", "101; 203; 450-300; x")
        self.check(run, 1)
        self.assertTrue(run.err.startswith("--pool:1:20: error[did-syntax]:"), str(run))
        run = didpool_check("--pool", "101; 203; 450-300")
        self.assertTrue(run.err.startswith("--pool:1:11: error[did-range-order]:"), str(run))

    def test_strict_fails_on_warnings(self):
        run = didpool_check("--pool", "100-199; 150")
        self.check(run, 0, "--pool: 100 numbers in 1 range: ok (0 errors, 1 warning)\n")
        self.assertTrue(run.err.startswith("--pool:1:10: warning[did-duplicate]:"), str(run))
        self.check(didpool_check("--strict", "--pool", "100-199; 150"), 1, err=run.err)

    def test_json(self):
        run = didpool_check("--pool", "300-450;101; 203", "--format", "json")
        self.check(run, 0, err="")
        self.assertEqual(self.json_of(run), {
            "pool": "300-450;101; 203", "ok": True, "errors": 0, "warnings": 0,
            "normalized": "101; 203; 300-450", "ranges": 3, "numbers": 153,
            "diagnostics": []})
        run = didpool_check("--pool", "+14155550100", "--format", "json")
        self.check(run, 1, err="")
        doc = self.json_of(run)
        self.assertIs(doc["ok"], False)
        self.assertNotIn("normalized", doc)
        d = doc["diagnostics"][0]
        self.assertEqual((d["code"], d["location"]),
                         ("did-plus", {"file": "--pool", "line": 1, "column": 1,
                                       "end_line": 1, "end_column": 13}))
        self.assertEqual(d["hints"], ["write 14155550100: " + PREFIX_REASON])

    def test_normalize(self):
        self.check(didpool_check("--pool", " 300-450;101; 203;102 ", "--normalize"), 0,
                   "101-102; 203; 300-450\n", "")
        self.check(didpool_check("--pool", "", "--normalize"), 0, "\n", "")
        self.check(didpool_check("--pool", "0100; 100", "--normalize"), 0, "100; 0100\n", "")
        run = didpool_check("--pool", "101; +102", "--normalize")
        self.check(run, 1, "")
        self.assertIn("error[did-plus]", run.err)
        run = didpool_check("--pool", "102;101", "--normalize", "--format", "json")
        self.check(run, 0, err="")
        self.assertEqual(self.json_of(run)["normalized"], "101-102")

    def test_contains(self):
        for number, code, answer in (("350", 0, "yes\n"), ("101", 0, "yes\n"),
                                     ("451", 1, "no\n"), ("0101", 1, "no\n")):
            with self.subTest(number=number):
                self.check(didpool_check("--pool", "101; 203; 300-450", "--contains", number),
                           code, answer, "")
        run = didpool_check("--pool", "101; 203; 300-450", "--contains", "451", "--format",
                            "json")
        self.check(run, 1, err="")
        doc = self.json_of(run)
        self.assertEqual((doc["number"], doc["contains"], doc["ok"]), ("451", False, True))

    def test_contains_cannot_answer(self):
        # A broken pool or number is "could not run" (2), never a "no" (1).
        run = didpool_check("--pool", "101; +203", "--contains", "101")
        self.check(run, 2, "")
        self.assertIn("--pool:1:6: error[did-plus]", run.err)
        run = didpool_check("--pool", "101", "--contains", "+101")
        self.check(run, 2, "")
        self.assertIn("--contains:1:1: error[did-plus]", run.err)
        self.assertIn("hint: write 101: ", run.err)
        self.check(didpool_check("--pool", "101", "--contains", ""), 2, "")
        run = didpool_check("--pool", "101", "--contains", "x1", "--format", "json")
        self.check(run, 2, err="")
        doc = self.json_of(run)
        self.assertIsNone(doc["contains"])
        self.assertEqual([d["code"] for d in doc["diagnostics"]], ["did-syntax"])

    def test_contains_agrees_with_expanding_random_pools(self):
        rng = random.Random(4)
        for _ in range(100):
            text, numbers = random_pool(rng)
            queries = [random_number(rng, rng.randint(1, 4)) for _ in range(2)]
            if numbers:
                queries.append(rng.choice(sorted(numbers)))
            for q in queries:
                with self.subTest(pool=text, number=q):
                    run = didpool_check("--pool", text, "--contains", q)
                    want = q in numbers
                    self.check(run, 0 if want else 1, "yes\n" if want else "no\n")

    def test_normalize_is_idempotent_and_keeps_the_numbers(self):
        rng = random.Random(5)
        for _ in range(60):
            text, numbers = random_pool(rng)
            with self.subTest(pool=text):
                once = didpool_check("--pool", text, "--normalize")
                self.check(once, 0)
                canonical = once.out.rstrip("\n")
                self.check(didpool_check("--pool", canonical, "--normalize"), 0, once.out, "")
                got = set()
                for entry in filter(None, canonical.split("; ")):
                    first, _, last = entry.partition("-")
                    last = last or first
                    got.update(str(n).zfill(len(first)) for n in range(int(first), int(last) + 1))
                self.assertEqual(got, numbers)


class CommandLine(DidpoolCheckTest):
    def test_help(self):
        run = didpool_check("--help")
        self.check(run, 0, err="")
        self.assertIn("Usage: didpool-check", run.out)
        for flag in ("-c,--config", "--pool", "--normalize", "--contains", "--format",
                     "--strict", "--version"):
            self.assertIn(flag, run.out)

    def test_version(self):
        run = didpool_check("--version")
        self.check(run, 0, err="")
        self.assertRegex(run.out, r"^didpool-check \d+\.\d+\.\d+\n$")

    def test_usage_errors(self):
        for args in (["--frobnicate"], ["--normalize"], ["--contains", "101"],
                     ["-c", "examples/site", "--pool", "101"],
                     ["--pool", "101", "--normalize", "--contains", "101"],
                     ["--pool", "101", "--format", "xml"], ["--pool"], ["extra"]):
            with self.subTest(args=args):
                run = didpool_check(*args)
                self.check(run, 2, "")
                self.assertNotEqual(run.err, "", str(run))


if __name__ == "__main__":
    if not os.access(TOOL, os.X_OK):
        sys.exit("test_didpool_check: no didpool-check at %s (set TRUNK_BIN)" % TOOL)
    unittest.main(verbosity=2)
