#!/usr/bin/env python3
"""Command-line tests of how trunkctl's changes (add, set, remove, assign)
and dialplan-compile -o write files: a symbolic link is kept and the file it
leads to is replaced, beside its target and under the lock of the target's
directory; a dangling link is an error; a run killed while writing leaves
nothing behind that a later run or `git status` sees; and the --dry-run
diff of a site whose path holds spaces, quotes or non-ASCII applies with
`patch -p1` and `git apply`.

Killed runs use the test hook of libtrunk/io/atomic_write.hpp:
TRUNK_TEST_STOP_IN_WRITE stops the run (SIGSTOP) at a point of the write;
the test waits for the stop (waitpid WUNTRACED), then kills it (SIGKILL).

Environment: TRUNK_BIN and TRUNK_SOURCE_DIR, as for test_trunkctl.py.
"""

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN_DIR, SOURCE_DIR, Run, ToolTest  # noqa: E402

TRUNKCTL = os.path.join(BIN_DIR, "trunkctl")
DIALPLAN = os.path.join(BIN_DIR, "dialplan-compile")
EXAMPLE_SITE = os.path.join(SOURCE_DIR, "examples", "site")
TRUNKS = "10-trunks.toml"


def environment(extra=None):
    env = dict(os.environ)
    env.pop("TRUNK_SITE", None)
    for key in ("TRUNK_TEST_STOP_IN_WRITE", "TRUNK_TEST_NO_TMPFILE"):
        env.pop(key, None)
    env.update(extra or {})
    return env


def run(tool, *args, cwd=SOURCE_DIR, env=None):
    proc = subprocess.run([tool, *args], cwd=cwd, env=environment(env), capture_output=True,
                          text=True, timeout=30)
    return Run(tool, list(args), proc)


def listing(directory):
    """Every name in `directory`, hidden ones included."""
    return sorted(os.listdir(directory))


class Writes(ToolTest):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="trunk-writes-")
        self.site = os.path.join(self.tmp, "site")
        shutil.copytree(EXAMPLE_SITE, self.site)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def read(self, path):
        with open(path, encoding="utf-8") as f:
            return f.read()

    def move_trunks_behind(self, *links):
        """Moves the site's trunks file to elsewhere/trunks.toml and leaves a
        chain of relative links to it: site/10-trunks.toml -> links... ->
        the file. Returns the file's path."""
        elsewhere = os.path.join(self.tmp, "elsewhere")
        os.mkdir(elsewhere)
        real = os.path.join(elsewhere, "trunks.toml")
        os.rename(os.path.join(self.site, TRUNKS), real)
        chain = [os.path.join(self.site, TRUNKS)] + [os.path.join(self.tmp, n) for n in links]
        for here, there in zip(chain, chain[1:] + [real]):
            os.symlink(os.path.relpath(there, os.path.dirname(here)), here)
        return real


class Symlinks(Writes):
    def test_a_linked_site_file_stays_a_link_and_its_target_changes(self):
        real = self.move_trunks_behind()
        link = os.path.join(self.site, TRUNKS)
        before = listing(self.site), listing(os.path.dirname(real))
        self.check(run(TRUNKCTL, "set", "CarrierA", "port=5080", "-c", self.site), 0, err="")
        self.assertTrue(os.path.islink(link), "the link was replaced by a file")
        self.assertEqual(os.readlink(link), "../elsewhere/trunks.toml")
        self.assertIn("port = 5080\n", self.read(real))
        self.assertEqual((listing(self.site), listing(os.path.dirname(real))), before)
        self.check(run(TRUNKCTL, "validate", "-c", self.site), 0, err="")

    def test_a_chain_of_links_is_followed_to_its_end(self):
        real = self.move_trunks_behind("hop-1.toml", "hop-2.toml")
        self.check(run(TRUNKCTL, "add", "gw-9", "--type", "peer", "--set", "host=192.0.2.9",
                       "-c", self.site), 0, err="")
        for name in (os.path.join(self.site, TRUNKS), os.path.join(self.tmp, "hop-1.toml"),
                     os.path.join(self.tmp, "hop-2.toml")):
            self.assertTrue(os.path.islink(name), name)
        self.assertIn('name = "gw-9"', self.read(real))
        self.assertEqual(listing(self.tmp), ["elsewhere", "hop-1.toml", "hop-2.toml", "site"])
        self.assertEqual(listing(os.path.dirname(real)), ["trunks.toml"])

    def test_a_linked_one_file_site_is_locked_in_its_targets_directory(self):
        target_dir = os.path.join(self.tmp, "real")
        os.mkdir(target_dir)
        shutil.copy(os.path.join(SOURCE_DIR, "tests", "e2e", "site", "site.toml"), target_dir)
        link = os.path.join(self.tmp, "site.toml")
        os.symlink("real/site.toml", link)
        fd = os.open(target_dir, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            r = run(TRUNKCTL, "add", "gw-9", "--type", "peer", "--set", "host=192.0.2.9",
                    "-c", link, "--wait", "0")
            self.check(r, 2, "")
            self.assertIn("trunkctl add: another trunkctl is changing the site in %s "
                          "(it holds the lock)\n" % target_dir, r.err)
        finally:
            os.close(fd)
        self.check(run(TRUNKCTL, "add", "gw-9", "--type", "peer", "--set", "host=192.0.2.9",
                       "-c", link), 0, err="")
        self.assertTrue(os.path.islink(link))
        self.assertIn('name = "gw-9"', self.read(os.path.join(target_dir, "site.toml")))

    def test_dialplan_output_through_a_link(self):
        out_dir = os.path.join(self.tmp, "out")
        os.mkdir(out_dir)
        link = os.path.join(self.tmp, "tables.bin")
        os.symlink("out/current.bin", link)
        r = run(DIALPLAN, "-c", self.site, "-o", link)
        self.check(r, 2, "")
        self.assertEqual(r.err, "dialplan-compile: cannot write %s: it is a symbolic link to "
                         "%s, which does not exist\n" % (link, os.path.join(self.tmp, "out",
                                                                           "current.bin")))
        self.assertEqual(listing(out_dir), [])
        with open(os.path.join(out_dir, "current.bin"), "wb") as f:
            f.write(b"old")
        self.check(run(DIALPLAN, "-c", self.site, "-o", link), 0, err="")
        self.assertTrue(os.path.islink(link))
        self.assertGreater(os.path.getsize(os.path.join(out_dir, "current.bin")), 3)
        self.assertEqual(listing(out_dir), ["current.bin"])


class KilledRuns(Writes):
    """A run killed at any point of its write leaves the site as it was and
    no file beside it once the next run is done."""

    def stop_and_kill(self, stage, args, extra_env=None):
        """Runs `args` until the write stops at `stage`, then kills it."""
        env = environment(dict(extra_env or {}, TRUNK_TEST_STOP_IN_WRITE=stage))
        proc = subprocess.Popen(args, cwd=SOURCE_DIR, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _, status = os.waitpid(proc.pid, os.WUNTRACED)
        stopped = os.WIFSTOPPED(status)
        if stopped:
            os.kill(proc.pid, signal.SIGKILL)
            os.waitpid(proc.pid, 0)
        proc.returncode = -signal.SIGKILL
        self.assertTrue(stopped, "the run did not stop at %r (exit status %d)" % (stage, status))

    def assert_next_run_cleans_up(self, names):
        self.check(run(TRUNKCTL, "set", "CarrierA", "port=5080", "-c", self.site), 0, err="")
        self.assertEqual(listing(self.site), names)
        self.assertIn("port = 5080\n", self.read(os.path.join(self.site, TRUNKS)))

    def test_killed_before_the_file_has_a_name_leaves_nothing(self):
        names = listing(self.site)
        original = self.read(os.path.join(self.site, TRUNKS))
        self.stop_and_kill("temp", [TRUNKCTL, "set", "CarrierA", "port=5080", "-c", self.site])
        self.assertEqual(listing(self.site), names)  # O_TMPFILE: never named
        self.assertEqual(self.read(os.path.join(self.site, TRUNKS)), original)
        self.assert_next_run_cleans_up(names)

    def test_killed_between_link_and_rename_the_next_run_removes_the_leftover(self):
        names = listing(self.site)
        self.stop_and_kill("named", [TRUNKCTL, "set", "CarrierA", "port=5080", "-c", self.site])
        left = [n for n in listing(self.site) if n not in names]
        self.assertEqual(len(left), 1, listing(self.site))
        self.assertRegex(left[0], r"^\.10-trunks\.toml\.tmp\.[A-Za-z0-9]{6}$")
        self.assert_next_run_cleans_up(names)

    def test_without_o_tmpfile_the_next_run_removes_the_leftover(self):
        names = listing(self.site)
        self.stop_and_kill("temp", [TRUNKCTL, "set", "CarrierA", "port=5080", "-c", self.site],
                           {"TRUNK_TEST_NO_TMPFILE": "1"})
        self.assertEqual(len(listing(self.site)), len(names) + 1, listing(self.site))
        self.assert_next_run_cleans_up(names)

    def test_a_leftover_of_an_older_run_is_removed_and_a_held_one_is_not(self):
        names = listing(self.site)
        stale = os.path.join(self.site, ".10-trunks.toml.tmp.Ab12Cd")
        held = os.path.join(self.site, ".10-trunks.toml.tmp.Held01")
        other = os.path.join(self.site, ".20-routes.toml.tmp.Ab12Cd")
        for path in (stale, held, other):
            with open(path, "w") as f:
                f.write("partial")
        fd = os.open(held, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # a writer at work
            self.check(run(TRUNKCTL, "set", "CarrierA", "port=5080", "-c", self.site), 0,
                       err="")
            self.assertFalse(os.path.exists(stale), "a stale temporary file is left")
            self.assertTrue(os.path.exists(held), "a held temporary file was removed")
            self.assertTrue(os.path.exists(other), "another file's temporary file was removed")
        finally:
            os.close(fd)
        os.remove(held)
        os.remove(other)
        self.assertEqual(listing(self.site), names)

    def test_dialplan_compile_killed_while_writing(self):
        out_dir = os.path.join(self.tmp, "out")
        os.mkdir(out_dir)
        out = os.path.join(out_dir, "tables.bin")
        self.stop_and_kill("named", [DIALPLAN, "-c", self.site, "-o", out])
        self.assertEqual(len(listing(out_dir)), 1, listing(out_dir))
        self.assertFalse(os.path.exists(out))
        self.check(run(DIALPLAN, "-c", self.site, "-o", out), 0, err="")
        self.assertEqual(listing(out_dir), ["tables.bin"])


class DiffNames(Writes):
    def test_a_dry_run_diff_of_an_awkward_path_applies(self):
        awkward = 'my "site" \u00e9t\u00e9 \\ x'
        os.rename(self.site, os.path.join(self.tmp, awkward))
        dry = run(TRUNKCTL, "set", "CarrierA", "port=5080", "--dry-run", "-c", awkward,
                  cwd=self.tmp)
        self.check(dry, 0)
        self.assertTrue(dry.out.startswith(
            '--- "a/my \\"site\\" \\303\\251t\\303\\251 \\\\ x/10-trunks.toml"\n'
            '+++ "b/my \\"site\\" \\303\\251t\\303\\251 \\\\ x/10-trunks.toml"\n@@ '), dry)
        patch_file = os.path.join(self.tmp, "change.diff")
        with open(patch_file, "w", encoding="utf-8") as f:
            f.write(dry.out)
        for tool in (["patch", "-p1", "--dry-run", "-i", patch_file],
                     ["git", "apply", "--check", patch_file]):
            with self.subTest(tool=tool[0]):
                p = subprocess.run(tool, cwd=self.tmp, capture_output=True, text=True,
                                   env=dict(os.environ, GIT_CEILING_DIRECTORIES=self.tmp))
                self.assertEqual(p.returncode, 0, "%s\n%s%s" % (dry.out, p.stdout, p.stderr))
        subprocess.run(["git", "apply", patch_file], cwd=self.tmp, check=True,
                       env=dict(os.environ, GIT_CEILING_DIRECTORIES=self.tmp))
        patched = self.read(os.path.join(self.tmp, awkward, TRUNKS))
        self.check(run(TRUNKCTL, "set", "CarrierA", "port=5060", "-c", awkward, cwd=self.tmp), 0)
        self.check(run(TRUNKCTL, "set", "CarrierA", "port=5080", "-c", awkward, cwd=self.tmp), 0)
        self.assertEqual(self.read(os.path.join(self.tmp, awkward, TRUNKS)), patched)


if __name__ == "__main__":
    unittest.main()
