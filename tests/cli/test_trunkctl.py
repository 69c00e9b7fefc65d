#!/usr/bin/env python3
"""Command-line tests for trunkctl: exit codes, stdout, stderr, JSON shape.

Runs the built tool against examples/site (clean), every site under
examples/broken (each must report what its `# expect:` lines say), and a few
sites written on the fly (inline passwords, syntax errors). It owns the
command-line contract of spec/site.md: exit codes 0/1/2, the summary line,
`FILE:LINE:COL: error[CODE]:` diagnostics, JSON output, TRUNK_SITE and the
rule that passwords are never printed. The diagnostics' wording is tested in
tests/site; here only codes and positions are.

Environment: TRUNK_BIN (the directory holding trunkctl) and TRUNK_SOURCE_DIR
(the source tree; the tests run there). Without them, the source tree is the
one holding this file and the binaries are in its build/bin. Stdlib only;
exits non-zero on failure, showing a diff.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import (BIN_DIR, DIAG_HEAD, SOURCE_DIR, ToolTest,  # noqa: E402
                     broken_sites as _broken_sites, read_expects, run_tool)

TRUNKCTL = os.path.join(BIN_DIR, "trunkctl")
BROKEN_DIR = "examples/broken"
EXPECTED_DIR = os.path.join(SOURCE_DIR, "tests", "cli", "expected")

GOOD_SUMMARY = ("example-pbx: 3 tenants, 6 trunks, 8 routes, 6 inbound rules: "
                "ok (0 errors, 0 warnings)\n")
GOOD_TRUNKS = ["XYZ-Primary", "XYZ-Backup", "CarrierA", "CarrierB", "acme-e1-gw",
               "globex-teams"]
SECRET = "s3cret-value-123"

def trunkctl(*args, site_env=None):
    """Runs trunkctl in the source tree. TRUNK_SITE is unset unless given."""
    return run_tool(TRUNKCTL, *args, site_env=site_env)


def broken_sites():
    return _broken_sites(BROKEN_DIR)


class TrunkctlTest(ToolTest):
    def check_diagnostic_json(self, d):
        for key in ("severity", "code", "message", "location", "hints"):
            self.assertIn(key, d)
        self.assertIn(d["severity"], ("error", "warning", "note"))
        self.assertIn("file", d["location"])
        self.assertIsInstance(d["hints"], list)


class GoodSite(TrunkctlTest):
    def test_validate_clean(self):
        self.check(trunkctl("validate", "-c", "examples/site"), 0, GOOD_SUMMARY, "")

    def test_validate_clean_strict(self):
        self.check(trunkctl("validate", "--strict", "--config", "examples/site"), 0,
                   GOOD_SUMMARY, "")

    def test_validate_json(self):
        run = trunkctl("validate", "-c", "examples/site", "--format", "json")
        self.check(run, 0, err="")
        doc = self.json_of(run)
        self.assertEqual(doc, {
            "site": "examples/site",
            "files": ["examples/site/00-site.toml", "examples/site/10-trunks.toml",
                      "examples/site/20-routes.toml"],
            "ok": True, "errors": 0, "warnings": 0,
            "counts": {"tenants": 3, "trunks": 6, "routes": 8, "inbound": 6},
            "diagnostics": [],
        })

    def test_list_text(self):
        run = trunkctl("list", "-c", "examples/site")
        self.check(run, 0, err="")
        lines = run.out.splitlines()
        self.assertEqual(lines[0].split(),
                         ["NAME", "TYPE", "PROVIDER", "OWNER", "ENDPOINT", "TENANTS"])
        self.assertEqual([l.split()[0] for l in lines[1:]], GOOD_TRUNKS)

    def test_list_json(self):
        run = trunkctl("list", "-c", "examples/site", "--format", "json")
        self.check(run, 0, err="")
        doc = self.json_of(run)
        self.assertEqual([t["name"] for t in doc], GOOD_TRUNKS)
        for t in doc:
            self.assertEqual(sorted(t), sorted(["name", "type", "provider", "owner", "host",
                                                "port", "transport", "tenants"]))
        self.assertEqual(doc[0], {
            "name": "XYZ-Primary", "type": "register", "provider": "XYZ", "owner": "system",
            "host": "sip.xyz.example", "port": 5060, "transport": "udp",
            "tenants": ["acme", "globex"]})

    def test_show_text(self):
        with open(os.path.join(EXPECTED_DIR, "show_xyz_primary.txt"), encoding="utf-8") as f:
            expected = f.read()
        self.check(trunkctl("show", "-c", "examples/site", "XYZ-Primary"), 0, expected, "")

    def test_show_json(self):
        run = trunkctl("show", "-c", "examples/site", "XYZ-Primary", "--format", "json")
        self.check(run, 0, err="")
        t = self.json_of(run)
        for key in ("name", "type", "provider", "owner", "host", "port", "transport",
                    "associated_ips", "direction", "verify_port", "single_via",
                    "tel_uri_request_line", "tel_uri_to", "strip_plus", "stir_shaken",
                    "relay_media", "keepalive", "limits", "auth", "tenants", "defined_at"):
            self.assertIn(key, t)
        self.assertEqual(t["name"], "XYZ-Primary")
        self.assertEqual(t["outbound_proxy"], "proxy.xyz.example")
        self.assertEqual(t["failover"], "XYZ-Backup")
        self.assertEqual(t["keepalive"], {"options": True, "interval": 60})
        self.assertEqual(t["limits"], {"inbound": 30, "outbound": 30, "total": 40})
        self.assertEqual(t["auth"], {"username": "123456", "password_source": "env XYZ_PASSWORD",
                                     "register_interval": 3600})
        self.assertEqual(t["tenants"], [
            {"tenant": "acme", "did_pool": "4155550100-4155550199"},
            {"tenant": "globex", "did_pool": "2125550100-2125550199; 2125550300"}])
        self.assertEqual(t["defined_at"], "examples/site/10-trunks.toml:4:1")

    def test_show_json_defaults(self):
        run = trunkctl("show", "-c", "examples/site", "CarrierB", "--format", "json")
        self.check(run, 0, err="")
        t = self.json_of(run)
        self.assertEqual(t["type"], "peer")  # written "ip"
        self.assertEqual(t["port"], 5061)    # the tls default
        self.assertEqual(t["limits"], {"inbound": None, "outbound": None, "total": None})
        self.assertNotIn("auth", t)

    def test_show_unknown_trunk(self):
        run = trunkctl("show", "-c", "examples/site", "XYZ-Primry")
        self.check(run, 2, "")
        self.assertIn('no trunk named "XYZ-Primry"', run.err)
        self.assertIn('did you mean "XYZ-Primary"?', run.err)


class BrokenSites(TrunkctlTest):
    def test_every_broken_site_reports_its_expectation(self):
        sites = broken_sites()
        self.assertGreater(len(sites), 0, "no sites under " + BROKEN_DIR)
        for site, expect_file in sites:
            with self.subTest(site=site):
                self.check_broken_site(site, expect_file)

    def check_broken_site(self, site, expect_file):
        self.assertTrue(os.path.isfile(expect_file),
                        "%s: a site directory needs an EXPECT file" % site)
        expects = read_expects(site, expect_file)
        self.assertTrue(expects, "%s has no `# expect:` line" % expect_file)
        # `<code>.toml`, or `<code>--<variant>.toml` for another way to break the rule.
        name = os.path.basename(site).removesuffix(".toml").split("--")[0]
        self.assertIn(name, [code for _, code, _ in expects],
                      "%s is named for a code it does not expect" % site)
        heads = [head for _, _, head in expects]
        errors = any(sev == "error" for sev, _, _ in expects)

        # Text: exit code, and the diagnostics' first lines in order, no others.
        run = trunkctl("validate", "-c", site)
        self.check(run, 1 if errors else 0)
        got = [m.group(1) for m in map(DIAG_HEAD.match, run.err.splitlines()) if m]
        self.assertTrue(run.err.splitlines() and DIAG_HEAD.match(run.err.splitlines()[0]),
                        "stderr does not start with a diagnostic\n%s" % run)
        self.assertEqual(got, heads, "diagnostics differ from %s\n%s" % (expect_file, run))
        self.assertIn(": FAILED (" if errors else ": ok (", run.out)

        # --strict fails on warnings too, and prints the same.
        strict = trunkctl("validate", "--strict", "-c", site)
        self.check(strict, 1, err=run.err)
        self.assertIn(": FAILED (", strict.out)

        # JSON: the same diagnostics, on stdout.
        js = trunkctl("validate", "-c", site, "--format", "json")
        self.check(js, 1 if errors else 0, err="")
        doc = self.json_of(js)
        self.assertEqual(doc["site"], site)
        self.assertEqual(doc["ok"], not errors)
        self.assertEqual(doc["errors"], sum(sev == "error" for sev, _, _ in expects))
        self.assertEqual(doc["warnings"], sum(sev == "warning" for sev, _, _ in expects))
        for d in doc["diagnostics"]:
            self.check_diagnostic_json(d)
        got_json = ["%s:%d:%d: %s[%s]" % (d["location"]["file"], d["location"]["line"],
                                          d["location"]["column"], d["severity"], d["code"])
                    for d in doc["diagnostics"]]
        self.assertEqual(got_json, heads, "JSON diagnostics differ from %s\n%s"
                         % (expect_file, js))

    def test_list_and_show_refuse_a_site_with_errors(self):
        site = BROKEN_DIR + "/failover-cycle.toml"
        for args in (["list"], ["show", "CarrierA"]):
            run = trunkctl(*args, "-c", site)
            self.check(run, 1, "")
            self.assertTrue(run.err.startswith(site + ":11:12: error[failover-cycle]:"),
                            str(run))
            js = trunkctl(*args, "-c", site, "--format", "json")
            self.check(js, 1, err="")
            doc = self.json_of(js)
            self.assertEqual(doc["site"], site)
            self.assertIs(doc["ok"], False)
            self.assertEqual([d["code"] for d in doc["diagnostics"]], ["failover-cycle"])
            d = doc["diagnostics"][0]
            self.check_diagnostic_json(d)
            self.assertEqual((d["location"]["line"], d["location"]["column"]), (11, 12))
            self.assertEqual(d["related"]["location"]["line"], 18)

    def test_list_and_show_accept_a_site_with_warnings(self):
        site = BROKEN_DIR + "/limits-total.toml"
        self.check(trunkctl("list", "-c", site), 0, err="")
        self.check(trunkctl("show", "-c", site, "CarrierA"), 0, err="")


class Unreadable(TrunkctlTest):
    MISSING = "examples/no-such-site"

    def test_missing_path(self):
        run = trunkctl("validate", "-c", self.MISSING)
        self.check(run, 2, "")
        self.assertTrue(run.err.startswith(self.MISSING + ": error[io]:"), str(run))

    def test_missing_path_json(self):
        for args in (["validate"], ["list"], ["show", "X"]):
            run = trunkctl(*args, "-c", self.MISSING, "--format", "json")
            self.check(run, 2, err="")
            doc = self.json_of(run)
            self.assertIs(doc["ok"], False)
            self.assertEqual([d["code"] for d in doc["diagnostics"]], ["io"])

    def test_missing_path_list_show(self):
        self.check(trunkctl("list", "-c", self.MISSING), 2, "")
        self.check(trunkctl("show", "-c", self.MISSING, "XYZ-Primary"), 2, "")

    def test_directory_without_toml(self):
        with tempfile.TemporaryDirectory() as d:
            run = trunkctl("validate", "-c", d)
            self.check(run, 2, "")
            self.assertIn("error[io]", run.err)


class Passwords(TrunkctlTest):
    """No tool prints an inline password, in any format, whatever else is wrong."""

    HEAD = ('[site]\nname = "pw-test"\n\n[[trunk]]\nname = "XYZ-Primary"\ntype = "register"\n'
            'provider = "XYZ"\nhost = "sip.xyz.example"\n\n')

    def assert_never_printed(self, toml, trunk="XYZ-Primary"):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "site.toml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(toml)
            runs = []
            for fmt in ("text", "json"):
                runs.append(trunkctl("validate", "-c", path, "--format", fmt))
                runs.append(trunkctl("validate", "--strict", "-c", path, "--format", fmt))
                runs.append(trunkctl("list", "-c", path, "--format", fmt))
                runs.append(trunkctl("show", "-c", path, trunk, "--format", fmt))
            runs.append(trunkctl("validate", site_env=path))
            for run in runs:
                self.assertNotIn(run.code, (None, -11, -6), str(run))
                self.assertNotIn(SECRET, run.out + run.err,
                                 "the password was printed\n%s" % run)
            return runs

    def test_inline_password(self):
        runs = self.assert_never_printed(
            self.HEAD + '[trunk.auth]\nusername = "123456"\npassword = "%s"\n' % SECRET)
        # It is warned, and `show` names the source without the value.
        self.assertIn("warning[inline-password]", runs[0].err)
        self.assertIn("inline (redacted)", runs[3].out)

    def test_syntax_error_on_the_password_line(self):
        runs = self.assert_never_printed(
            self.HEAD + '[trunk.auth]\nusername = "123456"\npassword = "%s\n' % SECRET)
        self.assertIn("error[toml-syntax]", runs[0].err)
        self.assertIn(":12:", runs[0].err)  # the quoted line is there, masked

    def test_unquoted_password(self):
        runs = self.assert_never_printed(
            self.HEAD + '[trunk.auth]\nusername = "123456"\npassword = %s\n' % SECRET)
        self.assertIn("error[toml-syntax]", runs[0].err)

    def test_other_spellings(self):
        for auth in ("[trunk.auth]\nusername = \"123456\"\npassword = '%s'\n" % SECRET,
                     '[trunk.auth]\nusername = "123456"\n"password" = "%s"\n' % SECRET,
                     'auth = { username = 123456, password = "%s" }\n' % SECRET,
                     '[trunk.auth]\nusername = "123456"\npassword = "%s" junk\n' % SECRET,
                     '[trunk.auth]\nusername = "123456"\npassword = ["%s"]\n' % SECRET,
                     '[trunk.auth]\nusername = "1"\npassword = """%s"""\nbogus = 1\n' % SECRET):
            with self.subTest(auth=auth):
                self.assert_never_printed(self.HEAD + auth)

    # Leaks found and fixed: these guard the fixes.
    def test_misspelt_password_key(self):
        # unknown-key quotes the line of `pasword = "..."` unmasked.
        self.assert_never_printed(
            self.HEAD + '[trunk.auth]\nusername = "123456"\npasword = "%s"\n' % SECRET)

    def test_multiline_password_with_syntax_error(self):
        # toml-syntax on the second line of a """ string quotes it unmasked.
        self.assert_never_printed(
            self.HEAD + '[trunk.auth]\nusername = "123456"\npassword = """\n%s\n' % SECRET)


class Route(TrunkctlTest):
    """trunkctl route: the decision, its explanation, exit codes, JSON."""

    def test_outbound_with_explanation(self):
        run = trunkctl("route", "-c", "examples/site", "initech", "008613812345678")
        self.check(run, 0, "initech dials 008613812345678\n"
                   "  route      mobile-cn (match _0086[1][3-9]XXXXXXXXX, priority 0)\n"
                   "  send       008613812345678\n"
                   "  answer     302 Moved Temporarily\n"
                   "  contact 1  <sip:008613812345678@sbc.carrierb.example:5061;transport=tls;"
                   "user=phone>;q=1.0;trunk=CarrierB;tel-ruri;failover-on=\"408,480,500,502,503,504\"\n"
                   "             caller ID the caller's (the tenant's caller_id is *)\n"
                   "  also       everything (match _X.): the winner's pattern "
                   "_0086[1][3-9]XXXXXXXXX matches fewer numbers than _X. (a strict subset)\n", "")

    def test_priority_explained(self):
        with tempfile.TemporaryDirectory() as tmp:
            site = os.path.join(tmp, "s.toml")
            with open(site, "w") as f:
                f.write('[[tenant]]\nname = "a"\nsip_domain = "a.example"\n'
                        '[[trunk]]\nname = "gw"\ntype = "peer"\nhost = "203.0.113.5"\n'
                        '[[trunk.tenant]]\ntenant = "a"\n'
                        '[[route]]\ntenant = "a"\nname = "all"\nmatch = "_X."\npriority = 5\n'
                        'trunks = ["gw"]\n'
                        '[[route]]\ntenant = "a"\nname = "nine"\nmatch = "_9X."\n'
                        'trunks = ["gw"]\n')
            run = trunkctl("route", "-c", site, "--format", "json", "a", "912")
            self.check(run, 0, None, "")
            out = json.loads(run.out)
            self.assertEqual(out["route"], "all")
            self.assertEqual(out["matching"][1], {
                "route": "nine", "match": "_9X.", "priority": 0, "winner": False,
                "why": "priority 0 is below the winner's 5"})

    def test_no_route_exits_1(self):
        run = trunkctl("route", "-c", "examples/site", "acme", "123")
        self.check(run, 1, "acme dials 123\n  route      none: no route of the tenant matches\n"
                   "  answer     404 Not Found (no route)\n", "")

    def test_inbound(self):
        run = trunkctl("route", "-c", "examples/site", "--trunk", "CarrierA", "+4155551042")
        self.check(run, 0, "+4155551042 arrives on CarrierA\n  tenant     acme\n"
                   "  to         sip:4155551042@acme.pbx.example\n"
                   "  answer     302 Moved Temporarily\n"
                   "  contact 1  <sip:4155551042@acme.pbx.example>;trunk=CarrierA;max-total=200\n",
                   "")
        run = trunkctl("route", "-c", "examples/site", "--trunk", "CarrierA", "999")
        self.check(run, 1, "999 arrives on CarrierA\n  tenant     none\n  to         none\n"
                   "  why        the DID is in no tenant's pool on this trunk\n"
                   "  answer     404 Not Found (DID in no pool on this trunk)\n", "")

    def test_from_a_tables_file_and_unknown_names(self):
        with tempfile.TemporaryDirectory() as tmp:
            tables = os.path.join(tmp, "site.tables")
            compile_run = subprocess.run(
                [os.path.join(BIN_DIR, "dialplan-compile"), "-c", "examples/site", "-o", tables],
                capture_output=True, text=True)
            self.assertEqual(compile_run.returncode, 0, compile_run.stderr)
            run = trunkctl("route", "--tables", tables, "acme", "911")
            self.assertEqual(run.code, 0, str(run))
            self.assertIn("  route      emergency (match 911, priority 100)\n", run.out)
        run = trunkctl("route", "-c", "examples/site", "nobody", "911")
        self.check(run, 2, "", "trunkctl: no tenant named \"nobody\"\n")
        run = trunkctl("route", "-c", "examples/site", "acme")
        self.check(run, 2, "", "trunkctl route: give TENANT NUMBER, or --trunk NAME DID\n")


class CommandLine(TrunkctlTest):
    def test_help(self):
        for args in (["--help"], ["-h"], ["validate", "--help"], ["list", "--help"],
                     ["show", "--help"]):
            with self.subTest(args=args):
                run = trunkctl(*args)
                self.check(run, 0, err="")
                self.assertIn("Usage: trunkctl", run.out)
        run = trunkctl("validate", "--help")
        for flag in ("-c,--config", "--format", "--strict"):
            self.assertIn(flag, run.out)

    def test_version(self):
        run = trunkctl("--version")
        self.check(run, 0, err="")
        self.assertRegex(run.out, r"^trunkctl \d+\.\d+\.\d+\n$")

    def test_usage_errors(self):
        for args in ([], ["frobnicate"], ["validate", "--frobnicate"],
                     ["validate", "-c", "examples/site", "--format", "xml"],
                     ["validate", "-c"], ["show", "-c", "examples/site"],
                     ["list", "-c", "examples/site", "extra"]):
            with self.subTest(args=args):
                run = trunkctl(*args)
                self.check(run, 2, "")
                self.assertNotEqual(run.err, "", str(run))

    def test_trunk_site_env(self):
        self.check(trunkctl("validate", site_env="examples/site"), 0, GOOD_SUMMARY, "")
        run = trunkctl("list", "--format", "json", site_env="examples/site")
        self.check(run, 0, err="")
        self.assertEqual([t["name"] for t in self.json_of(run)], GOOD_TRUNKS)
        broken = BROKEN_DIR + "/failover-self.toml"
        run = trunkctl("validate", site_env=broken)
        self.check(run, 1)
        self.assertTrue(run.err.startswith(broken + ":"), str(run))

    def test_config_flag_wins_over_trunk_site(self):
        self.check(trunkctl("validate", "-c", "examples/site",
                            site_env=BROKEN_DIR + "/failover-self.toml"), 0, GOOD_SUMMARY, "")

    def test_default_site_is_dot_site(self):
        # In the source tree there is no ./site: the default path is unreadable.
        if os.path.exists(os.path.join(SOURCE_DIR, "site")):
            self.skipTest("the source tree has a ./site")
        run = trunkctl("validate")
        self.check(run, 2, "")
        self.assertTrue(run.err.startswith("site: error[io]:"), str(run))


if __name__ == "__main__":
    if not os.access(TRUNKCTL, os.X_OK):
        sys.exit("test_trunkctl: no trunkctl at %s (set TRUNK_BIN)" % TRUNKCTL)
    unittest.main(verbosity=2)
