#!/usr/bin/env python3
"""Command-line tests for trunkctl add, set, remove, assign and unassign.

Each test copies examples/site to a temporary directory and changes the
copy. It owns the promises of trunkctl(1), section CHANGING A SITE: bytes
the change does not touch stay as they were (a round trip gives the
original site back), nothing is written when the result would not validate
or under --dry-run, a trunk still in use is not removed, the exit codes
0/1/2, the --dry-run diff, the JSON document, and that no password is ever
printed.

Environment: TRUNK_BIN and TRUNK_SOURCE_DIR, as for test_trunkctl.py.
Stdlib only; exits non-zero on failure, showing the whole run.
"""

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN_DIR, SOURCE_DIR, Run, ToolTest, run_tool  # noqa: E402

TRUNKCTL = os.path.join(BIN_DIR, "trunkctl")
EXAMPLE_SITE = os.path.join(SOURCE_DIR, "examples", "site")
TEMPLATES = os.path.join(SOURCE_DIR, "examples", "templates")
FILES = ["00-site.toml", "10-trunks.toml", "20-routes.toml"]
SECRET = "Pw-never-printed-4711"


def trunkctl(*args, env=None):
    if env is None:
        return run_tool(TRUNKCTL, *args)
    full = dict(os.environ)
    full.pop("TRUNK_SITE", None)
    full.update(env)
    proc = subprocess.run([TRUNKCTL, *args], cwd=SOURCE_DIR, env=full, capture_output=True,
                          text=True, timeout=10)
    return Run(TRUNKCTL, list(args), proc)


def apply_unified(old, diff):
    """Applies a one-file unified diff to `old` (what `patch` would do)."""
    old_lines = old.splitlines(keepends=True)
    out, at = [], 0
    lines = diff.splitlines(keepends=True)
    assert lines[0].startswith("--- a/") and lines[1].startswith("+++ b/"), diff
    for line in lines[2:]:
        m = re.match(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@\n$", line)
        if m:
            start, count = int(m.group(1)), m.group(2)
            upto = start if count == "0" else start - 1
            out.extend(old_lines[at:upto])
            at = upto
        elif line.startswith("\\"):
            out[-1] = out[-1].rstrip("\n")
        elif line[0] in " -":
            assert old_lines[at] == line[1:], (old_lines[at], line)
            at += 1
            if line[0] == " ":
                out.append(line[1:])
        elif line[0] == "+":
            out.append(line[1:])
    out.extend(old_lines[at:])
    return "".join(out)


class SiteCopy(ToolTest):
    """A fresh copy of examples/site in self.site for every test."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="trunkctl-provision-")
        self.site = os.path.join(self.tmp, "site")
        shutil.copytree(EXAMPLE_SITE, self.site)
        self.original = self.snapshot()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def path(self, name):
        return os.path.join(self.site, name)

    def snapshot(self):
        out = {}
        for name in sorted(os.listdir(self.site)):
            if os.path.isdir(self.path(name)):
                continue
            with open(self.path(name), "rb") as f:
                out[name] = f.read()
        return out

    def ctl(self, *args, **kw):
        return trunkctl(*args, "-c", self.site, **kw)

    def assert_unchanged(self, run):
        self.assertEqual(self.snapshot(), self.original, "the site changed\n%s" % run)


class RoundTrip(SiteCopy):
    def test_add_assign_set_remove_gives_the_site_back(self):
        run = self.ctl("add", "tw-1", "--template", "twilio-elastic-sip", "--templates",
                       TEMPLATES, "--set", "host=acme.pstn.twilio.com")
        self.check(run, 0, 'trunk "tw-1" added to %s from template "twilio-elastic-sip"\n'
                   % self.path("10-trunks.toml"), "")
        self.check(self.ctl("assign", "tw-1", "--tenant", "acme", "--did-pool",
                            "6505550000-6505550099"), 0, err="")
        self.check(self.ctl("set", "tw-1", "transport=tcp", "limits.total=10",
                            "keepalive.interval=30", "associated_ips=198.51.100.0/28"), 0,
                   err="")
        now = self.snapshot()
        # Only the trunks file changed, and only by what was appended to it.
        for name in ("00-site.toml", "20-routes.toml"):
            self.assertEqual(now[name], self.original[name])
        trunks = now["10-trunks.toml"]
        self.assertTrue(trunks.startswith(self.original["10-trunks.toml"]))
        self.assertEqual(trunks[len(self.original["10-trunks.toml"]):].decode(), """
[[trunk]]
name = "tw-1"
type = "peer"
provider = "Twilio"
port = 5060                # 5061 with transport "tls" (Twilio's Secure Trunking)
transport = "tcp"          # udp | tcp | tls
strip_plus = false         # Twilio wants numbers in E.164, with the "+"
host = "acme.pstn.twilio.com"
associated_ips = ["198.51.100.0/28"]

[trunk.limits]
total = 10

[trunk.keepalive]
interval = 30

[[trunk.tenant]]
tenant = "acme"
did_pool = "6505550000-6505550099"
""")
        self.check(self.ctl("validate"), 0, err="")
        self.check(self.ctl("unassign", "tw-1", "--tenant", "acme"), 0, err="")
        self.check(self.ctl("remove", "tw-1"), 0,
                   'trunk "tw-1" removed from %s\n' % self.path("10-trunks.toml"), "")
        self.assert_unchanged("after remove")

    def test_set_on_an_existing_trunk_changes_that_line_only(self):
        self.check(self.ctl("set", "CarrierA", "port=5080"), 0, err="")
        before = self.original["10-trunks.toml"].decode().splitlines(keepends=True)
        after = self.snapshot()["10-trunks.toml"].decode().splitlines(keepends=True)
        self.assertEqual(len(before), len(after))
        differ = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
        self.assertEqual(differ, [59])
        self.assertEqual((before[59], after[59]), ("port = 5060\n", "port = 5080\n"))
        self.check(self.ctl("set", "CarrierA", "port=5060"), 0, err="")
        self.assert_unchanged("after setting it back")

    def test_a_new_sub_table_goes_before_the_assignments(self):
        self.check(self.ctl("set", "XYZ-Backup", "keepalive.options=true"), 0, err="")
        text = self.snapshot()["10-trunks.toml"].decode()
        self.assertIn('password_file = "/etc/trunkline/xyz-backup.secret"\n\n'
                      '[trunk.keepalive]\noptions = true\n\n[[trunk.tenant]]\ntenant = "acme"\n',
                      text)
        self.check(self.ctl("validate"), 0, err="")

    def test_removing_an_unused_trunk_takes_its_comment(self):
        # globex-teams is used by no route or rule: it and the comment above it go.
        self.check(self.ctl("remove", "globex-teams"), 0, err="")
        text = self.snapshot()["10-trunks.toml"].decode()
        self.assertNotIn("Direct routing to Microsoft Teams", text)
        self.assertNotIn("globex-teams", text)
        original = self.original["10-trunks.toml"].decode()
        self.assertEqual(text, original[:original.index("\n# Direct routing")])

    def test_nothing_to_change(self):
        self.check(self.ctl("set", "CarrierA", "port=5060"), 0,
                   "nothing to change: the site already says so\n", "")
        self.check(self.ctl("assign", "CarrierA", "--tenant", "acme"), 0,
                   "nothing to change: the site already says so\n", "")
        self.assert_unchanged("no-op")


class OneFileSite(ToolTest):
    def test_new_trunk_goes_after_the_last_trunk_and_round_trips(self):
        tmp = tempfile.mkdtemp(prefix="trunkctl-provision-")
        try:
            site = os.path.join(tmp, "site.toml")
            shutil.copy(os.path.join(SOURCE_DIR, "tests", "e2e", "site", "site.toml"), site)
            with open(site, "rb") as f:
                original = f.read()
            run = trunkctl("add", "gw-9", "-c", site, "--type", "peer",
                           "--set", "host=192.0.2.99", "--set", "provider=Nine")
            self.check(run, 0, err="")
            with open(site, encoding="utf-8") as f:
                text = f.read()
            self.assertLess(text.index('name = "gw-9"'), text.index("[[route]]"))
            self.check(trunkctl("remove", "gw-9", "-c", site), 0, err="")
            with open(site, "rb") as f:
                self.assertEqual(f.read(), original)
        finally:
            shutil.rmtree(tmp)


class Refused(SiteCopy):
    def test_a_change_that_breaks_validation_writes_nothing(self):
        run = self.ctl("set", "CarrierA", "transport=wss")
        self.check(run, 1, "")
        self.assertEqual(run.heads(), [
            "%s:61:13: error[transport-disabled]" % self.path("10-trunks.toml")])
        self.assertIn("trunkctl set: the change was not made: the site would have 1 error, "
                      "0 warnings\n", run.err)
        self.assert_unchanged(run)

    def test_an_overlapping_did_pool_on_the_same_provider_writes_nothing(self):
        # acme holds 4155550100-4155550199 on XYZ's trunks; globex may not share them.
        run = self.ctl("assign", "XYZ-Backup", "--tenant", "globex", "--did-pool",
                       "4155550150-4155550160")
        self.check(run, 1, "")
        self.assertTrue(any("error[did-overlap]" in h for h in run.heads()), run)
        self.assert_unchanged(run)

    def test_remove_of_a_trunk_in_use_lists_the_rules(self):
        run = self.ctl("remove", "XYZ-Backup")
        self.check(run, 1, "")
        routes, trunks = self.path("20-routes.toml"), self.path("10-trunks.toml")
        self.assertEqual(run.heads(), [
            "%s:14:12: error[trunk-in-use]" % trunks,
            "%s:31:26: error[trunk-in-use]" % routes,
        ])
        self.assertIn('trunk "XYZ-Primary" fails over to trunk "XYZ-Backup"', run.err)
        self.assertIn('route "emergency" of tenant "acme" sends calls to trunk "XYZ-Backup"',
                      run.err)
        self.assertIn('trunkctl remove: trunk "XYZ-Backup" is in use (2 references); '
                      'nothing was changed\n', run.err)
        self.assert_unchanged(run)

    def test_unassign_of_a_tenant_that_routes_over_the_trunk(self):
        run = self.ctl("unassign", "CarrierB", "--tenant", "globex")
        self.check(run, 1, "")
        self.assertEqual(len(run.heads()), 3, run)  # two routes and an inbound rule
        self.assert_unchanged(run)

    def test_unknown_trunk_is_a_finding_with_a_hint(self):
        run = self.ctl("set", "CarierA", "port=5080")
        self.check(run, 1, "", "%s: error[unknown-trunk]: no trunk named \"CarierA\" in the "
                   "site\n  hint: did you mean \"CarrierA\"?\ntrunkctl set: nothing was changed\n"
                   % self.site)
        self.assert_unchanged(run)

    def test_adding_an_existing_name(self):
        run = self.ctl("add", "CarrierA", "--type", "peer", "--set", "host=192.0.2.1")
        self.check(run, 1, "")
        self.assertEqual(run.heads(),
                         ["%s:56:8: error[duplicate-name]" % self.path("10-trunks.toml")])
        self.assert_unchanged(run)

    def test_usage_errors_exit_2(self):
        cases = [
            (("set", "CarrierA", "prot=5080"),
             "trunkctl set: unknown key `prot`\n  hint: did you mean `port`?\n"),
            (("set", "CarrierA", "port=fast"), "trunkctl set: `port` takes a whole number\n"),
            (("set", "CarrierA", "port"),
             "trunkctl set: expected KEY=VALUE\n"
             "  hint: for example: trunkctl set NAME port=5080 transport=tcp\n"),
            (("add", "new-1"),
             "trunkctl add: a new trunk needs --type TYPE or --template NAME\n"
             "  hint: for example: trunkctl add NAME --type peer --set host=192.0.2.10\n"),
            (("set", "CarrierA", "name=CarrierZ"),
             "trunkctl set: the trunk's name is not changed with a setting\n"
             "  hint: routes and rules refer to it: remove the trunk and add it under the "
             "new name\n"),
        ]
        for args, err in cases:
            with self.subTest(args=args):
                self.check(self.ctl(*args), 2, "", err)
        run = self.ctl("add", "new-1", "--template", "twillio", "--templates", TEMPLATES)
        self.check(run, 2, "")
        self.assertIn('trunkctl add: no template "twillio"\n', run.err)
        self.assertIn("templates there: bandwidth, generic, generic-ip-peer, generic-register, teams, "
                      "telnyx, twilio-elastic-sip, vonage", run.err)
        self.check(self.ctl("assign", "CarrierA"), 2)  # --tenant is required
        self.assert_unchanged("usage errors")

    def test_site_with_errors_is_not_changed(self):
        with open(self.path("20-routes.toml"), "a", encoding="utf-8") as f:
            f.write('\n[[route]]\ntenant = "nobody"\nname = "x"\nmatch = "1"\n'
                    'trunks = ["CarrierA"]\n')
        before = self.snapshot()
        run = self.ctl("set", "CarrierA", "port=5080")
        self.check(run, 1, "")
        self.assertIn("trunkctl set: the site has errors before the change", run.err)
        self.assertEqual(self.snapshot(), before)

    def test_missing_site_exits_2(self):
        run = trunkctl("set", "CarrierA", "port=5080", "-c", os.path.join(self.tmp, "nope"))
        self.check(run, 2, "")
        self.assertIn("error[io]", run.err)


class Locking(SiteCopy):
    """A change takes an exclusive flock(2) on the site's directory while it
    reads, checks and writes; another writer waits (--wait) or exits 2."""

    def hold_lock(self):
        fd = os.open(self.site, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return fd

    def test_a_held_lock_refuses_the_change_without_waiting(self):
        fd = self.hold_lock()
        try:
            run = self.ctl("set", "CarrierA", "port=5080", "--wait", "0")
            self.check(run, 2, "")
            self.assertIn("trunkctl set: another trunkctl is changing the site in %s "
                          "(it holds the lock)\n" % self.site, run.err)
            self.assertIn("hint: run the change again when the other one is done", run.err)
            self.assert_unchanged(run)
            # A dry run writes nothing and needs no lock.
            self.check(self.ctl("set", "CarrierA", "port=5080", "--dry-run"), 0)
        finally:
            os.close(fd)

    def test_the_change_waits_for_the_lock_and_is_made(self):
        fd = self.hold_lock()
        proc = subprocess.Popen([TRUNKCTL, "set", "CarrierA", "port=5080", "--wait", "10",
                                 "-c", self.site], cwd=SOURCE_DIR,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        self.assertIsNone(proc.poll(), "it did not wait for the lock")
        os.close(fd)
        out, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("port = 5080\n", self.snapshot()["10-trunks.toml"].decode())

    def test_changes_made_at_once_are_all_kept(self):
        trunks = ["XYZ-Primary", "XYZ-Backup", "CarrierA", "CarrierB", "acme-e1-gw",
                  "globex-teams"]
        procs = [subprocess.Popen([TRUNKCTL, "set", name, "limits.total=%d" % (40 + i),
                                   "-c", self.site], cwd=SOURCE_DIR, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
                 for i, name in enumerate(trunks)]
        for p in procs:
            out, err = p.communicate(timeout=30)
            self.assertEqual(p.returncode, 0, err)
        doc = tomllib.loads(self.snapshot()["10-trunks.toml"].decode())
        totals = {t["name"]: t.get("limits", {}).get("total") for t in doc["trunk"]}
        self.assertEqual(totals, {name: 40 + i for i, name in enumerate(trunks)})
        self.check(self.ctl("validate"), 0, err="")


class DryRun(SiteCopy):
    def test_dry_run_prints_the_diff_and_writes_nothing(self):
        run = self.ctl("set", "CarrierA", "port=5080", "--dry-run")
        name = self.path("10-trunks.toml")
        self.check(run, 0, """--- a%s
+++ b%s
@@ -57,7 +57,7 @@
 type = "peer"
 provider = "CarrierA"
 host = "203.0.113.10"
-port = 5060
+port = 5080
 transport = "udp"
 associated_ips = ["203.0.113.10", "203.0.113.16/28"]
 verify_port = true
""" % (name, name), 'port of trunk "CarrierA" set in %s (dry run: nothing written)\n' % name)
        self.assert_unchanged(run)

    def test_the_printed_diff_is_the_change_made(self):
        steps = [
            ("add", "tel-1", "--template", "telnyx", "--templates", TEMPLATES,
             "--set", "auth.username=4711", "--set", "limits.total=5"),
            ("assign", "CarrierB", "--tenant", "acme", "--did-pool", "4155557000-4155557099"),
            ("set", "XYZ-Primary", "keepalive.interval=120", "stir_shaken=true"),
            ("unassign", "globex-teams", "--tenant", "globex"),
        ]
        for step in steps:
            with self.subTest(step=step):
                before = self.snapshot()
                dry = self.ctl(*step, "--dry-run")
                self.check(dry, 0)
                self.assertEqual(self.snapshot(), before, "dry run wrote\n%s" % dry)
                self.check(self.ctl(*step), 0, err="")
                after = self.snapshot()
                changed = [n for n in after if after[n] != before[n]]
                self.assertEqual(changed, ["10-trunks.toml"])
                self.assertEqual(apply_unified(before["10-trunks.toml"].decode(), dry.out),
                                 after["10-trunks.toml"].decode())

    def test_dry_run_of_a_broken_change_exits_1_with_diff_and_diagnostics(self):
        run = self.ctl("set", "CarrierA", "transport=wss", "--dry-run")
        self.check(run, 1)
        self.assertIn('+transport = "wss"\n', run.out)
        self.assertIn("error[transport-disabled]", run.err)
        self.assert_unchanged(run)


class Json(SiteCopy):
    def test_json_document(self):
        run = self.ctl("set", "CarrierA", "port=5080", "--format", "json")
        self.check(run, 0, err="")
        doc = self.json_of(run)
        name = self.path("10-trunks.toml")
        self.assertEqual(sorted(doc), ["changed", "command", "diagnostics", "diff", "dry_run",
                                       "hints", "message", "ok", "site", "trunk", "written"])
        self.assertEqual(doc["changed"], [name])
        self.assertEqual((doc["command"], doc["trunk"], doc["ok"], doc["written"],
                          doc["dry_run"]), ("set", "CarrierA", True, True, False))
        self.assertTrue(doc["diff"].startswith("--- a%s\n+++ b%s\n@@ -57,7 +57,7 @@\n"
                                               % (name, name)))
        self.assertEqual(doc["diagnostics"], [])

    def test_json_refusal(self):
        run = self.ctl("remove", "CarrierB", "--format", "json")
        self.check(run, 1, err="")
        doc = self.json_of(run)
        self.assertEqual((doc["ok"], doc["written"], doc["changed"], doc["diff"]),
                         (False, False, [], ""))
        self.assertEqual({d["code"] for d in doc["diagnostics"]}, {"trunk-in-use"})
        for d in doc["diagnostics"]:
            self.assertIn("line", d["location"])

    def test_json_usage_error(self):
        run = self.ctl("set", "CarrierA", "prot=1", "--format", "json")
        self.check(run, 2, err="")
        doc = self.json_of(run)
        self.assertEqual((doc["ok"], doc["message"], doc["hints"]),
                         (False, "unknown key `prot`", ["did you mean `port`?"]))


class Templates(SiteCopy):
    def test_lookup_order(self):
        # $TRUNK_TEMPLATES, then SITE/templates; --templates alone when given.
        own = os.path.join(self.site, "templates")
        os.mkdir(own)
        with open(os.path.join(own, "house.toml"), "w", encoding="utf-8") as f:
            f.write("# Our own gateways.\n\ntype = \"peer\"\nprovider = \"House\"\n")
        run = self.ctl("add", "h-1", "--template", "house", "--set", "host=192.0.2.50",
                       "--dry-run", env={"TRUNK_TEMPLATES": TEMPLATES})
        self.check(run, 0)
        self.assertIn('+provider = "House"\n', run.out)
        self.assertNotIn("Our own gateways", run.out)
        run = self.ctl("add", "t-1", "--template", "teams", "--set", "owner=globex",
                       "--dry-run", env={"TRUNK_TEMPLATES": TEMPLATES})
        self.check(run, 0)
        self.assertIn('+host = "sip.pstnhub.microsoft.com"\n', run.out)
        run = self.ctl("add", "h-2", "--template", "house", "--templates", TEMPLATES)
        self.check(run, 2)
        self.assert_unchanged(run)

    def test_type_overrides_the_template(self):
        run = self.ctl("add", "g-1", "--template", "generic", "--templates", TEMPLATES,
                       "--type", "register", "--set", "host=gw.example",
                       "--set", "auth.username=g1", "--set", "auth.password_env=G1_PASSWORD",
                       "--dry-run")
        self.check(run, 0)
        self.assertIn('+type = "register"  ', run.out)
        self.assertNotIn('"peer"', run.out)


class Passwords(SiteCopy):
    def setUp(self):
        super().setUp()
        with open(self.path("10-trunks.toml"), "a", encoding="utf-8") as f:
            f.write('\n[[trunk]]\nname = "inline-1"\ntype = "register"\nprovider = "P1"\n'
                    'host = "sip.p1.example"\n\n[trunk.auth]\nusername = "p1"\n'
                    'password = "%s"\n' % SECRET)
        self.original = self.snapshot()

    def assert_no_secret(self, run):
        self.assertNotIn(SECRET, run.out + run.err, run)

    def test_no_password_in_any_output(self):
        runs = [
            self.ctl("set", "inline-1", "auth.username=p2", "--dry-run"),
            self.ctl("set", "inline-1", "auth.username=p2", "--dry-run", "--format", "json"),
            self.ctl("set", "inline-1", "transport=wss", "--dry-run"),
            self.ctl("set", "inline-1", "transport=wss", "--format", "json"),
            self.ctl("remove", "inline-1", "--dry-run"),
            self.ctl("remove", "inline-1", "--dry-run", "--format", "json"),
        ]
        for run in runs:
            self.assert_no_secret(run)
        self.assertIn(" password = ***", runs[0].out)  # masked context line
        self.assert_unchanged("dry runs")

    def test_a_password_is_refused_and_not_echoed(self):
        for key in ("auth.password", "auth.pasword", "password"):
            run = self.ctl("set", "inline-1", "%s=%s" % (key, SECRET))
            self.check(run, 2, "")
            self.assert_no_secret(run)
            self.assertIn("trunkctl does not write passwords into the site", run.err)
            run = self.ctl("add", "n-1", "--type", "register", "--set", "%s=%s" % (key, SECRET),
                           "--format", "json")
            self.check(run, 2, err="")
            self.assert_no_secret(run)
        self.assert_unchanged("refused passwords")


if __name__ == "__main__":
    unittest.main()
