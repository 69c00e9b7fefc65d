"""`trunkctl reload` and `trunkctl stats` over several trunkd (issue #16).

Production runs several trunkd; a new tables file is rolled out and every
trunkd reloaded, and the rollout is done when each took it and all serve
one site digest. Each test starts real trunkd (support.Daemon: free
loopback ports, a control socket in the test's directory) whose --tables
is a symbolic link, as an immutable rollout does it: a changed site is
compiled to a new file, the link is pointed at it, and trunkd re-reads the
path it was started with (trunkd(8)). Covered: both reloaded to the new
digest (text and JSON, --expect-digest met), one killed (reported
unreachable, the other still reloaded, exit 1), one stopped with its
backlog full (10 s, then the next), none reachable (exit 2),
--expect-digest missed or malformed, instances left on different
digests, a refused reload, and stats of several instances.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest

from support import BIN, compile_site
from test_trunkd_attack import Daemon

SRC = os.environ.get("TRUNK_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SITE = os.path.join(SRC, "tests", "e2e", "site", "site.toml")


def digest_of(tables):
    """The full site digest of a tables file, as `trunkd --check` reads it."""
    run = subprocess.run([os.path.join(BIN, "trunkd"), "--check", tables], capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout.split("site digest ", 1)[1].split(",", 1)[0]


def point(link, target):
    """Points the symbolic link `link` at `target` in one step (rename)."""
    tmp = link + ".new"
    os.symlink(target, tmp)
    os.replace(tmp, link)


def trunkctl(*args):
    run = subprocess.run([os.path.join(BIN, "trunkctl"), *args], capture_output=True, text=True,
                         timeout=60)
    return run.returncode, run.stdout, run.stderr


class ReloadInstances(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="trunkd-reload-")
        # Two versions of the site: the second differs in its name only,
        # which changes the site digest.
        cls.v1 = os.path.join(cls.tmp, "site-v1.tables")
        cls.v2 = os.path.join(cls.tmp, "site-v2.tables")
        compile_site(SITE, cls.v1)
        changed = os.path.join(cls.tmp, "changed")
        os.mkdir(changed)
        with open(SITE) as f:
            text = f.read()
        with open(os.path.join(changed, "site.toml"), "w") as f:
            f.write(text.replace('name = "e2e"', 'name = "e2e-v2"'))
        compile_site(os.path.join(changed, "site.toml"), cls.v2)
        cls.d1, cls.d2 = digest_of(cls.v1), digest_of(cls.v2)
        assert cls.d1 != cls.d2

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def start(self, name, target):
        """A trunkd whose --tables is the link `name`, now pointing at `target`."""
        link = os.path.join(self.tmp, "%s-%s" % (self.id().rsplit(".", 1)[1], name))
        point(link, target)
        d = Daemon(self.tmp, link)
        self.addCleanup(d.stop)
        d.link = link
        return d.wait_ready()

    def controls(self, *daemons):
        out = []
        for d in daemons:
            out += ["--control", d.control]
        return out

    def test_reload_all_to_the_new_digest(self):
        a, b = self.start("a", self.v1), self.start("b", self.v1)
        point(a.link, self.v2)
        point(b.link, self.v2)
        code, out, err = trunkctl("reload", *self.controls(a, b))
        self.assertEqual((code, err), (0, ""), out)
        self.assertEqual(out, "%s: ok, site digest %s\n%s: ok, site digest %s\n" % (
            a.control, self.d2[:16], b.control, self.d2[:16]))
        self.assertEqual(a.stats()["tables"]["site_digest"], self.d2)
        self.assertEqual(b.stats()["tables"]["site_digest"], self.d2)
        # JSON, and --expect-digest met (a prefix, in upper case).
        code, out, err = trunkctl("reload", *self.controls(a, b), "--format", "json",
                                  "--expect-digest", self.d2[:8].upper())
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(json.loads(out), {
            "ok": True, "expect_digest": self.d2[:8],
            "instances": [{"control": d.control, "state": "ok", "site_digest": self.d2,
                           "tables": d.link} for d in (a, b)],
            "findings": []})
        self.assertEqual(a.stats()["reloads"], 2)
        self.assertEqual(b.stats()["reloads"], 2)

    def test_an_unreachable_instance_is_reported_and_the_others_reloaded(self):
        a, b = self.start("a", self.v1), self.start("b", self.v1)
        # Killed: its socket stays, and nobody listens on it.
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait()
        point(b.link, self.v2)
        code, out, err = trunkctl("reload", *self.controls(a, b))
        self.assertEqual((code, err), (1, ""), out)
        self.assertEqual(out, "%s: unreachable: cannot reach trunkd at %s: Connection refused\n"
                              "%s: ok, site digest %s\n" % (a.control, a.control, b.control,
                                                            self.d2[:16]))
        self.assertEqual(b.stats()["tables"]["site_digest"], self.d2)
        code, out, err = trunkctl("reload", *self.controls(a, b), "--format", "json")
        self.assertEqual(code, 1)
        reply = json.loads(out)
        self.assertFalse(reply["ok"])
        self.assertEqual([(i["state"], i.get("site_digest")) for i in reply["instances"]],
                         [("unreachable", None), ("ok", self.d2)])
        # None reachable: could not run.
        missing = os.path.join(self.tmp, "nobody.sock")
        code, out, err = trunkctl("reload", "--control", a.control, "--control", missing)
        self.assertEqual(code, 2)
        self.assertEqual(out.splitlines()[1],
                         "%s: unreachable: cannot reach trunkd at %s: No such file or directory"
                         % (missing, missing))

    def test_a_stopped_instance_with_a_full_backlog_costs_its_deadline_only(self):
        a, b = self.start("a", self.v1), self.start("b", self.v1)
        a.proc.send_signal(signal.SIGSTOP)
        self.addCleanup(a.proc.send_signal, signal.SIGCONT)
        # Fill a's listen backlog: a blocking connect now waits for ever.
        held = []
        self.addCleanup(lambda: [c.close() for c in held])
        while True:
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect(a.control)
            except BlockingIOError:
                c.close()
                break
            held.append(c)
        point(b.link, self.v2)
        code, out, err = trunkctl("reload", *self.controls(a, b))
        self.assertEqual(code, 1)
        self.assertEqual(out, "%s: unreachable: trunkd at %s did not answer within 10 s (its "
                              "control socket's backlog is full)\n%s: ok, site digest %s\n"
                         % (a.control, a.control, b.control, self.d2[:16]))

    def test_expect_digest_missed(self):
        a, b = self.start("a", self.v1), self.start("b", self.v1)
        point(b.link, self.v2)
        code, out, err = trunkctl("reload", *self.controls(a, b), "--expect-digest",
                                  self.d2[:12])
        self.assertEqual(code, 1)
        self.assertEqual(out, "%s: ok, site digest %s\n%s: ok, site digest %s\n" % (
            a.control, self.d1[:16], b.control, self.d2[:16]))
        self.assertEqual(err, "trunkctl reload: error[digest-mismatch]: %s serves site digest "
                              "%s, not %s\n" % (a.control, self.d1[:16], self.d2[:12]))
        # A malformed digest is bad usage, and nothing is reloaded.
        for bad in ("1234567", "xyz12345", self.d2 + "0"):
            code, out, err = trunkctl("reload", *self.controls(a), "--expect-digest", bad)
            self.assertEqual((code, out), (2, ""), bad)
            self.assertEqual(err, "trunkctl reload: --expect-digest takes 8 to 64 hex digits "
                                  "(a site digest or its start), not \"%s\"\n" % bad)
        self.assertEqual(a.stats()["reloads"], 1)

    def test_instances_that_disagree(self):
        a, b = self.start("a", self.v1), self.start("b", self.v1)
        point(b.link, self.v2)  # a's link was forgotten
        code, out, err = trunkctl("reload", *self.controls(a, b))
        self.assertEqual(code, 1)
        first, second = sorted([(self.d1[:16], a.control), (self.d2[:16], b.control)])
        self.assertEqual(err, "trunkctl reload: error[instances-disagree]: instances disagree: "
                              "%s on %s; %s on %s\n" % (first + second))
        code, out, err = trunkctl("reload", *self.controls(a, b), "--format", "json")
        self.assertEqual(code, 1)
        self.assertEqual([f["code"] for f in json.loads(out)["findings"]],
                         ["instances-disagree"])

    def test_a_refused_reload(self):
        a, b = self.start("a", self.v1), self.start("b", self.v1)
        corrupt = os.path.join(self.tmp, "corrupt.tables")
        with open(corrupt, "wb") as f:
            f.write(b"not tables at all")
        point(a.link, corrupt)
        point(b.link, self.v2)
        code, out, err = trunkctl("reload", *self.controls(a, b), "--format", "json")
        self.assertEqual(code, 1)
        first = json.loads(out)["instances"][0]
        self.assertEqual((first["state"], first["site_digest"]), ("refused", self.d1))
        self.assertTrue(first["error"].startswith(
            "reload refused, still serving the previous tables: "), first["error"])
        code, out, err = trunkctl("reload", *self.controls(a, b))
        self.assertEqual(code, 1)
        self.assertEqual(out.splitlines()[0], "%s: refused, site digest %s: %s" % (
            a.control, self.d1[:16], first["error"]))

    def test_stats_of_several_instances(self):
        # A quote and a comma in b's tables path: trunkctl found reply
        # fields by searching for '"path":"' and cut the value at the next
        # quote, an escaped one too.
        a, b = self.start("a", self.v1), self.start('b "v2", new', self.v2)
        code, out, err = trunkctl("stats", *self.controls(b))
        self.assertEqual((code, err), (0, ""))
        self.assertEqual(out.splitlines()[0], "tables            %s (site digest %s, 1 routes, "
                                              "format 3)" % (b.link, self.d2[:16]))
        code, out, err = trunkctl("stats", *self.controls(a, b))
        self.assertEqual((code, err), (0, ""))
        blocks = out.split("\n\n")
        self.assertEqual(len(blocks), 2, out)
        for block, d, digest in ((blocks[0], a, self.d1), (blocks[1], b, self.d2)):
            lines = block.splitlines()
            self.assertEqual(lines[0], "control           " + d.control)
            self.assertEqual(lines[1], "tables            %s (site digest %s, 1 routes, "
                                       "format 3)" % (d.link, digest[:16]))
        code, out, err = trunkctl("stats", *self.controls(a, b), "--format", "json")
        self.assertEqual((code, err), (0, ""))
        replies = json.loads(out)
        self.assertEqual([(r["control"], r["ok"], r["tables"]["site_digest"]) for r in replies],
                         [(a.control, True, self.d1), (b.control, True, self.d2)])
        # One gone: its place says why, the other still answers; exit 1.
        b.stop()
        code, out, err = trunkctl("stats", *self.controls(a, b), "--format", "json")
        self.assertEqual(code, 1)
        replies = json.loads(out)
        self.assertTrue(replies[0]["ok"])
        self.assertEqual(replies[1], {"control": b.control, "ok": False,
                                      "error": "cannot reach trunkd at %s: No such file or "
                                               "directory" % b.control})
        self.assertEqual(err, "trunkctl: %s\n" % replies[1]["error"])
        code, out, err = trunkctl("stats", *self.controls(b))
        self.assertEqual((code, out), (2, ""))


if __name__ == "__main__":
    unittest.main()
