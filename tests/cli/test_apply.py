#!/usr/bin/env python3
"""Command-line tests for trunkctl apply: a list of changes made as one.

Each test copies examples/site (SiteCopy, from the provisioning tests) and
applies JSON lines to the copy. It owns the promises of trunkctl(1),
APPLYING CHANGES IN A BATCH: each op does what its command does (the files
come out byte for byte as the commands one by one leave them), a dry run
prints the combined diff and writes nothing, a bad line or a refused change
is named by its input line and nothing is written, a batch that would leave
the site invalid writes nothing, standard input is read under the same cap,
and a FIFO cannot hang the tool.

Environment: TRUNK_BIN and TRUNK_SOURCE_DIR, as for test_trunkctl.py.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import SOURCE_DIR, Run  # noqa: E402
from test_trunkctl_provision import TEMPLATES, TRUNKCTL, SiteCopy, apply_unified  # noqa: E402

# One change of each op, and the same changes as commands.
BATCH = [
    {"op": "add", "trunk": "tw-1", "template": "twilio-elastic-sip", "templates": TEMPLATES,
     "set": {"host": "acme.pstn.twilio.com"}},
    {"op": "assign", "trunk": "tw-1", "tenant": "acme", "did-pool": "6505550000-6505550099"},
    {"op": "set", "trunk": "tw-1",
     "set": {"transport": "tcp", "limits.total": 10, "associated_ips": ["198.51.100.0/28"]}},
    {"op": "set", "trunk": "CarrierA", "set": {"port": 5080}},
    {"op": "unassign", "trunk": "tw-1", "tenant": "acme"},
    {"op": "remove", "trunk": "globex-teams"},
]
COMMANDS = [
    ["add", "tw-1", "--template", "twilio-elastic-sip", "--templates", TEMPLATES,
     "--set", "host=acme.pstn.twilio.com"],
    ["assign", "tw-1", "--tenant", "acme", "--did-pool", "6505550000-6505550099"],
    ["set", "tw-1", "transport=tcp", "limits.total=10", "associated_ips=198.51.100.0/28"],
    ["set", "CarrierA", "port=5080"],
    ["unassign", "tw-1", "--tenant", "acme"],
    ["remove", "globex-teams"],
]


def lines(changes):
    return "".join(json.dumps(c) + "\n" for c in changes)


class Apply(SiteCopy):
    def apply(self, text, *flags, stdin=False):
        args = ["apply", "-c", self.site, *flags]
        if stdin:
            args.append("-")
        else:
            path = os.path.join(self.tmp, "changes.jsonl")
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            args.append(path)
        env = dict(os.environ)
        env.pop("TRUNK_SITE", None)
        proc = subprocess.run([TRUNKCTL, *args], cwd=SOURCE_DIR, env=env, capture_output=True,
                              text=True, timeout=30, input=text if stdin else None)
        return Run(TRUNKCTL, args, proc)

    def changes_path(self):
        return os.path.join(self.tmp, "changes.jsonl")

    def digest(self):
        return hashlib.sha256(repr(sorted(self.snapshot().items())).encode()).hexdigest()

    def test_a_batch_of_every_op_gives_the_files_the_commands_give(self):
        run = self.apply(lines(BATCH))
        self.check(run, 0, "6 changes made in %s\n" % self.path("10-trunks.toml"), "")
        batched = self.snapshot()
        # The same changes, one command at a time, on a fresh copy.
        shutil.rmtree(self.site)
        shutil.copytree(os.path.join(SOURCE_DIR, "examples", "site"), self.site)
        for args in COMMANDS:
            self.check(self.ctl(*args), 0, err="")
        self.assertEqual(batched, self.snapshot())
        self.check(self.ctl("validate"), 0, err="")
        self.assertIn(b'name = "tw-1"', batched["10-trunks.toml"])
        self.assertNotIn(b"globex-teams", batched["10-trunks.toml"])

    def test_dry_run_prints_the_combined_diff_and_writes_nothing(self):
        run = self.apply(lines(BATCH), "--dry-run")
        self.check(run, 0, err="6 changes made in %s (dry run: nothing written)\n"
                   % self.path("10-trunks.toml"))
        self.assert_unchanged(run)
        name = self.path("10-trunks.toml").lstrip("/")
        self.assertTrue(run.out.startswith("--- a/%s\n+++ b/%s\n" % (name, name)), run)
        # The diff is the whole batch: applied to the old file it gives what
        # the batch writes.
        new = apply_unified(self.original["10-trunks.toml"].decode(), run.out)
        self.check(self.apply(lines(BATCH)), 0)
        self.assertEqual(new, self.snapshot()["10-trunks.toml"].decode())

    def test_a_bad_line_in_the_middle_is_named_and_nothing_is_written(self):
        before = self.digest()
        text = lines(BATCH[:2]) + '{"op":"set","trunk":"CarrierA","set":{"port":5080}\n' + \
            lines(BATCH[2:])
        run = self.apply(text)
        path = self.changes_path()
        self.check(run, 2, "", "%s:3:51: error[change-json]: not JSON: expected ',' or '}' in an "
                   "object\ntrunkctl apply: the list of changes has 1 error; "
                   "no change was made\n" % path)
        self.assertEqual(before, self.digest())

    def test_input_errors_each_named_with_line_and_column(self):
        text = ('{"op":"rename","trunk":"x"}\n'
                '\n'
                '{"op":"set","trunk":"CarrierA","tenant":"acme","set":{"port":1}}\n'
                '{"op":"set","trunk":"CarrierA","set":{"port":null}}\n'
                '{"op":"assign","trunk":"CarrierA"}\n'
                '["set"]\n')
        run = self.apply(text)
        p = self.changes_path()
        self.check(run, 2, "", "".join([
            '%s:1:2: error[change-op]: unknown op "rename" (add, set, remove, assign or '
            'unassign)\n' % p,
            '%s:3:32: error[change-field]: op "set" takes no field "tenant" (it takes '
            '"trunk", "set")\n' % p,
            '%s:4:39: error[change-field]: the value of "port" in "set" must be a string, a '
            'number, true, false or an array of strings\n' % p,
            '%s:5:1: error[change-field]: op "assign" needs "tenant":"NAME"\n' % p,
            '%s:6:1: error[change-json]: a change is a JSON object: '
            '{"op":"set","trunk":...}\n' % p,
            "trunkctl apply: the list of changes has 5 errors; no change was made\n"]))
        self.assert_unchanged(run)

    def test_invalid_utf8_is_refused(self):
        path = self.changes_path()
        with open(path, "wb") as f:
            f.write(b'{"op":"set","trunk":"CarrierA","set":{"provider":"\xff"}}\n')
        proc = subprocess.run([TRUNKCTL, "apply", "-c", self.site, path], capture_output=True)
        self.assertEqual(proc.returncode, 2, proc)
        self.assertEqual(proc.stderr.decode(), "%s:1:51: error[change-utf8]: the line is not "
                         "valid UTF-8 (byte 51)\ntrunkctl apply: the list of changes has 1 "
                         "error; no change was made\n" % path)
        self.assert_unchanged(proc)

    def test_a_refused_change_names_its_line_and_nothing_is_written(self):
        before = self.digest()
        text = lines(BATCH[:3] + [{"op": "remove", "trunk": "CarrierB"}] + BATCH[3:])
        run = self.apply(text)
        self.assertEqual(run.code, 1, run)
        self.assertIn("%s:4:1: error[change-refused]: change remove of trunk \"CarrierB\": "
                      "trunk \"CarrierB\" is in use" % self.changes_path(), run.err)
        self.assertEqual(run.out, "")
        self.assertEqual(before, self.digest())

    def test_a_change_to_a_trunk_an_earlier_one_removed_is_refused(self):
        text = lines([{"op": "remove", "trunk": "globex-teams"},
                      {"op": "set", "trunk": "globex-teams", "set": {"port": 5080}}])
        run = self.apply(text)
        self.assertEqual(run.code, 1, run)
        self.assertIn("%s:2:1: error[change-refused]: change set of trunk \"globex-teams\": "
                      "nothing was changed; no change was made" % self.changes_path(), run.err)
        self.assertIn('error[unknown-trunk]: no trunk named "globex-teams"', run.err)
        self.assert_unchanged(run)

    def test_a_batch_that_makes_the_site_invalid_writes_nothing(self):
        before = self.digest()
        # Each change alone is fine for the editor; the second makes CarrierA
        # fail over to itself, which the site rules refuse.
        text = lines([{"op": "set", "trunk": "XYZ-Backup", "set": {"port": 5070}},
                      {"op": "set", "trunk": "CarrierA", "set": {"failover": "CarrierA"}},
                      {"op": "set", "trunk": "CarrierB", "set": {"port": 5090}}])
        run = self.apply(text)
        self.assertEqual(run.code, 1, run)
        self.assertIn("error[failover-self]", run.err)
        self.assertIn("%s:2:1: error[change-breaks-site]: change set of trunk \"CarrierA\" "
                      "leaves the site with error[failover-self] at %s:"
                      % (self.changes_path(), self.path("10-trunks.toml")), run.err)
        self.assertIn("trunkctl apply: the changes were not made: the site would have 1 error",
                      run.err)
        self.assertEqual(before, self.digest())

    def test_standard_input(self):
        run = self.apply(lines(BATCH[3:4]), stdin=True)
        # A batch of one says what its command says.
        self.check(run, 0, 'port of trunk "CarrierA" set in %s\n' % self.path("10-trunks.toml"),
                   "")
        self.assertIn(b"port = 5080\n", self.snapshot()["10-trunks.toml"])
        bad = self.apply('{"op":"remove"}\n', stdin=True)
        self.check(bad, 2, "", "<stdin>:1:1: error[change-field]: the change names no trunk "
                   "(\"trunk\":\"NAME\")\ntrunkctl apply: the list of changes has 1 error; no "
                   "change was made\n")

    def test_a_fifo_does_not_hang_and_an_empty_list_changes_nothing(self):
        fifo = os.path.join(self.tmp, "fifo")
        os.mkfifo(fifo)
        run = self.ctl("apply", fifo)
        self.check(run, 2, "")
        self.assertIn("named pipe", run.err)
        empty = self.apply("\n\n")
        self.check(empty, 0, "no changes in %s\n" % self.changes_path(), "")
        self.assert_unchanged(empty)

    def test_json_output_and_no_secret_printed(self):
        secret = "Pw-never-printed-4711"
        # A password in a change is refused, as `trunkctl set` refuses it,
        # and never echoed: the input's lines are not quoted.
        run = self.apply(lines([{"op": "set", "trunk": "CarrierB", "set": {"port": 5090}},
                                {"op": "set", "trunk": "CarrierA",
                                 "set": {"auth.password": secret}}]), "--format", "json")
        self.assertNotIn(secret, run.out + run.err)
        doc = self.json_of(run)
        self.assertEqual((run.code, doc["ok"], doc["written"]), (2, False, False))
        self.assertEqual([(d["code"], d["location"]["line"]) for d in doc["diagnostics"]],
                         [("change-unusable", 2)])
        self.assert_unchanged(run)
        run = self.apply(lines([{"op": "set", "trunk": "CarrierB", "set": {"port": 5090}}]),
                         "--dry-run", "--format", "json")
        doc = self.json_of(run)
        self.assertEqual((run.code, doc["command"], doc["changes"], doc["dry_run"],
                          doc["written"], doc["changed"]),
                         (0, "apply", 1, True, False, [self.path("10-trunks.toml")]))
        self.assertIn("+port = 5090\n", doc["diff"])
        self.assert_unchanged(run)

if __name__ == "__main__":
    unittest.main()
