#!/usr/bin/env python3
"""No tool prints an inline password, whatever its spelling, valid or not.

Each case writes a site whose [trunk.auth] holds a secret in one spelling:
valid TOML (quoted, literal, escaped and dotted keys, multi-line strings,
escaped quotes, inline tables, misspelt keys) and lines that do not parse
(YAML's `password: "x"`, JSON's `"password" : "x"`, a bare word, garbage
after `=`, an unterminated string, a bad escape, a number too large, the
secret alone on a line). Every tool that reads a site runs on it, in text
and in JSON: trunkctl validate, list, show, route and add --dry-run,
didpool-check, dialplan-compile --check and sip-trace-match -c. The secret
may appear in no output, not even inside a parser's message ("saw 's'",
"'123...' is not representable in 64 bits"), and no run may crash.

Environment: TRUNK_BIN and TRUNK_SOURCE_DIR, as for the other command-line
tests (clitest.py). Stdlib only.
"""

import os
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN_DIR, SOURCE_DIR, ToolTest, run_tool  # noqa: E402

TRUNKCTL = os.path.join(BIN_DIR, "trunkctl")
DIDPOOL = os.path.join(BIN_DIR, "didpool-check")
COMPILE = os.path.join(BIN_DIR, "dialplan-compile")
TRACE_MATCH = os.path.join(BIN_DIR, "sip-trace-match")
TRACE = os.path.join(SOURCE_DIR, "tests", "data", "trace", "ngrep.txt")

S = "Zq7sEcretPw"  # letters no message or key spells
DIGITS = "98765432109876543210987"  # a numeric secret, too long for 64 bits

HEAD = ('[site]\nname = "pw"\n\n[[tenant]]\nname = "acme"\nsip_domain = "acme.example"\n'
        'did_pools = { XYZ = "2125550100-2125550199" }\n\n'
        '[[route]]\ntenant = "acme"\nname = "all"\nmatch = "_X."\ntrunks = ["xyz"]\n\n'
        '[[trunk]]\nname = "xyz"\ntype = "register"\nprovider = "XYZ"\n'
        'host = "sip.xyz.example"\n')
AUTH = '[trunk.auth]\nusername = "123456"\n'

VALID = {
    "basic": AUTH + 'password = "%s"\n' % S,
    "literal": AUTH + "password = '%s'\n" % S,
    "quoted key": AUTH + '"password" = "%s"\n' % S,
    "literal key": AUTH + "'password' = '%s'\n" % S,
    "escaped key": AUTH + '"pass\\u0077ord" = "%s"\n' % S,
    "escaped quotes": AUTH + 'password = "a\\"%s\\"b"\n' % S,
    "multi-line": AUTH + 'password = """\n%s\n"""\n' % S,
    "multi-line literal": AUTH + "password = '''%s'''\n" % S,
    "dotted key": 'auth.username = "123456"\nauth.password = "%s"\n' % S,
    "inline table": 'auth = { username = "123456", password = "%s" }\n' % S,
    "misspelt key": AUTH + 'pasword = "%s"\n' % S,
    "other key": AUTH + 'passwd = "%s"\n' % S,
    "array": AUTH + 'password = ["%s"]\n' % S,
    "comment": AUTH + 'password = "x-%s" # was %s\n' % (S, S),
}
BROKEN = {
    "yaml": AUTH + 'password: "%s"\n' % S,
    "json": AUTH + '"password" : "%s"\n' % S,
    "json literal": AUTH + "'password': '%s',\n" % S,
    "bare word": AUTH + "password = %s\n" % S,
    "garbage after =": AUTH + "password=@@%s\n" % S,
    "no separator": AUTH + 'password "%s"\n' % S,
    "alone on a line": AUTH + "%s\n" % S,
    "typo and colon": AUTH + 'passwort: "%s"\n' % S,
    "unterminated": AUTH + 'password = "%s\n' % S,
    "unterminated literal": AUTH + "password = '%s\n" % S,
    "unterminated multi-line": AUTH + 'password = """\n%s\n' % S,
    "junk after": AUTH + 'password = "%s" junk\n' % S,
    "bad escape": AUTH + 'password = "ab\\q%s"\n' % S,
    "boolean prefix": AUTH + "password = true%s\n" % S,
    "float prefix": AUTH + "password = 1.5%s\n" % S,
    "syntax error later": AUTH + 'password = "%s"\nbogus = \n' % S,
    "in a broken inline table": 'auth = { username = "1", password = "%s" \n' % S,
}


# Every tool in both formats on these; the other spellings go through the
# same loader and rendering, so `trunkctl validate` in both formats covers
# them (the whole matrix would take minutes).
EVERY_TOOL = {"basic", "multi-line", "inline table", "yaml", "json", "bad escape"}


class Secrets(ToolTest):
    def runs(self, site, every_tool):
        runs = []
        # github and sarif: the CI formats of the commands that report findings.
        for fmt in ("text", "json", "github", "sarif"):
            f = ("--format", fmt)
            runs.append((TRUNKCTL, "validate", "-c", site, *f))
            if not every_tool:
                continue
            runs.append((TRUNKCTL, "add", "-c", site, "new-one", "--type", "peer",
                         "--set", "host=192.0.2.9", "--dry-run", *f))
            runs.append((DIDPOOL, "-c", site, *f))
            runs.append((COMPILE, "-c", site, "--check", *f))
            if fmt in ("github", "sarif"):
                continue
            runs.append((TRUNKCTL, "list", "-c", site, *f))
            runs.append((TRUNKCTL, "show", "-c", site, "xyz", *f))
            runs.append((TRUNKCTL, "route", "-c", site, "acme", "2125550142", *f))
            runs.append((TRACE_MATCH, "-c", site, TRACE, *f))
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(lambda a: run_tool(*a), runs))

    def assert_never_printed(self, auth, secret, expect_code, every_tool=False):
        with tempfile.TemporaryDirectory() as d:
            site = os.path.join(d, "site.toml")
            with open(site, "w", encoding="utf-8") as f:
                f.write(HEAD + auth)
            for run in self.runs(site, every_tool):
                self.assertIn(run.code, (0, 1, 2), str(run))
                self.assertNotIn(secret, run.out + run.err, "the secret was printed\n%s" % run)
                if expect_code is not None and run.args[0] == "validate":
                    self.assertEqual(run.code, expect_code, str(run))

    def test_valid_spellings(self):
        for name, auth in VALID.items():
            with self.subTest(spelling=name):
                self.assert_never_printed(auth, S, None, name in EVERY_TOOL)

    def test_lines_that_do_not_parse(self):
        for name, auth in BROKEN.items():
            with self.subTest(spelling=name):
                self.assert_never_printed(auth, S, 1, name in EVERY_TOOL)

    def test_number_in_the_parser_message(self):
        # toml++ says "'98765...' is not representable in 64 bits".
        self.assert_never_printed(AUTH + "password = %s\n" % DIGITS, DIGITS, 1)
        self.assert_never_printed(AUTH + "password: %s\n" % DIGITS, DIGITS, 1)

    def test_what_a_broken_line_still_shows(self):
        # The key, the separator and the caret stay, so the error can be found.
        with tempfile.TemporaryDirectory() as d:
            site = os.path.join(d, "site.toml")
            with open(site, "w", encoding="utf-8") as f:
                f.write(HEAD + BROKEN["yaml"])
            run = run_tool(TRUNKCTL, "validate", "-c", site)
            self.check(run, 1)
            self.assertIn("%s:22:9: error[toml-syntax]: Error while parsing key-value pair: "
                          "expected '=', saw ':'\n"
                          '  22 | password: "***********"\n'
                          "     |         ^\n" % site, run.err)

    def test_bad_escape_message(self):
        with tempfile.TemporaryDirectory() as d:
            site = os.path.join(d, "site.toml")
            with open(site, "w", encoding="utf-8") as f:
                f.write(HEAD + BROKEN["bad escape"])
            run = run_tool(TRUNKCTL, "validate", "-c", site, "--format", "json")
            self.check(run, 1)
            messages = [d["message"] for d in self.json_of(run)["diagnostics"]]
            self.assertEqual(messages,
                             ["Error while parsing string: unknown escape sequence '***'"])


if __name__ == "__main__":
    unittest.main()
