#!/usr/bin/env python3
"""Command-line tests for what the tools agree to read (io/input_file.hpp).

Each kind of input (a site file, a fragment of a site directory, a --test
file, a template, a password_file, a tables file, a trace) is given as a FIFO
with no writer, as /dev/zero and as a sparse file larger than its cap (made
with truncate, so it costs no disk). Each run must return promptly (the
subprocess timeout of clitest.run_tool would fail it), exit 2 and say what
the path is. Then the odd entries of a site directory: a symbolic link loop,
a dangling link, a directory named x.toml (skipped, as trunk-site(5) says),
and a site path that is itself a loop.

Environment: TRUNK_BIN and TRUNK_SOURCE_DIR, as for the other command-line
tests (clitest.py). Stdlib only.
"""

import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN_DIR, SOURCE_DIR, ToolTest, run_tool  # noqa: E402

TRUNKCTL = os.path.join(BIN_DIR, "trunkctl")
COMPILE = os.path.join(BIN_DIR, "dialplan-compile")
TRACE_MATCH = os.path.join(BIN_DIR, "sip-trace-match")
SITE = os.path.join(SOURCE_DIR, "examples", "site")

FIFO = "a named pipe (FIFO), not a regular file"
DEVICE = "a character device, not a regular file"

# A register trunk whose password is in `pw` beside the site file.
REGISTER_SITE = ('[site]\nname = "in"\n[[trunk]]\nname = "reg"\ntype = "register"\n'
                 'host = "127.0.0.1"\n[trunk.auth]\nusername = "u"\npassword_file = "pw"\n')


class Inputs(ToolTest):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def make(self, name, how, size=0):
        """Makes `name` in the temporary directory: a FIFO, a link to
        /dev/zero, or a sparse file of `size` bytes. Returns its path."""
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        if how == "fifo":
            os.mkfifo(p)
        elif how == "zero":
            os.symlink("/dev/zero", p)
        else:
            with open(p, "wb") as f:
                f.truncate(size)
        return p

    def refused(self, run, path, what):
        self.check(run, 2)
        self.assertIn("%s is %s" % (path, what), run.err + run.out, str(run))

    def each_odd_input(self, name, big_size, big_words):
        """(kind, path, expected words) for a FIFO, /dev/zero and a big file."""
        return [("fifo", self.make("fifo/" + name, "fifo"), FIFO),
                ("zero", self.make("zero/" + name, "zero"), DEVICE),
                ("big", self.make("big/" + name, "big", big_size),
                 "%d bytes, more than %s" % (big_size, big_words))]

    def test_site_file(self):
        for kind, p, what in self.each_odd_input("site.toml", 257 << 20,
                                                 "a site file may have (256 MiB)"):
            with self.subTest(kind=kind):
                run = run_tool(TRUNKCTL, "validate", "-c", p)
                self.refused(run, p, what)
                self.assertIn("%s: error[io]: " % p, run.err)
                self.check(run_tool(COMPILE, "-c", p, "--check"), 2)
                self.check(run_tool(os.path.join(BIN_DIR, "didpool-check"), "-c", p), 2)

    def test_fragment(self):
        for kind, how in (("fifo", FIFO), ("zero", DEVICE)):
            with self.subTest(kind=kind):
                d = self.path("site-" + kind)
                shutil.copytree(SITE, d)
                p = self.make("site-%s/15-odd.toml" % kind, kind)
                self.refused(run_tool(TRUNKCTL, "validate", "-c", d), p, how)
        d = self.path("site-big")
        shutil.copytree(SITE, d)
        p = self.make("site-big/15-odd.toml", "big", (256 << 20) + 1)
        self.refused(run_tool(TRUNKCTL, "validate", "-c", d), p,
                     "268435457 bytes, more than a site file may have (256 MiB)")

    def test_expectations_file(self):
        for kind, p, what in self.each_odd_input("expect.toml", 300 << 20,
                                                 "a site file may have"):
            with self.subTest(kind=kind):
                self.refused(run_tool(COMPILE, "-c", SITE, "--check", "--test", p), p, what)

    def test_template(self):
        for kind, p, what in self.each_odd_input("t.toml", 16 << 20 | 1, "a template may have"):
            with self.subTest(kind=kind):
                run = run_tool(TRUNKCTL, "add", "-c", SITE, "new-one", "--template", "t",
                               "--templates", os.path.dirname(p), "--dry-run")
                self.refused(run, p, what)
                self.assertIn("cannot read template: ", run.err)

    def test_password_file(self):
        for kind, p, what in self.each_odd_input("pw", 4097, "a password file may have (4 KiB)"):
            with self.subTest(kind=kind):
                site = os.path.join(os.path.dirname(p), "site.toml")
                with open(site, "w") as f:
                    f.write(REGISTER_SITE)
                run = run_tool(TRUNKCTL, "register-test", "-c", site, "reg")
                self.refused(run, p, what)
                self.assertIn('no password for "reg": ', run.err)

    def test_tables_file(self):
        for kind, p, what in self.each_odd_input("t.tables", (4 << 30) + 8,
                                                 "a tables file may have (4 GiB)"):
            with self.subTest(kind=kind):
                self.refused(run_tool(COMPILE, "--dump", p), p, what)
                self.refused(run_tool(TRUNKCTL, "route", "--tables", p, "acme", "5551234"),
                             p, what)

    def test_tables_header_checked_before_the_rest(self):
        # 1 GiB of zeros within the cap: refused on its header, not read.
        p = self.make("zeros.tables", "big", 1 << 30)
        run = run_tool(COMPILE, "--dump", p)
        self.check(run, 2, "", "dialplan-compile: %s: not a trunkline tables file (bad magic)\n"
                   % p)

    def test_trace(self):
        # No size cap on a trace (it is streamed), so no big file here.
        for kind, how in (("fifo", FIFO), ("zero", DEVICE)):
            with self.subTest(kind=kind):
                p = self.make("trace-" + kind, kind)
                run = run_tool(TRACE_MATCH, "-c", SITE, p)
                self.refused(run, p, how)
                self.assertIn("%s: error[trace-open]: " % p, run.err)


class SiteDirectory(ToolTest):
    """The odd entries of a site directory, and a site path that loops."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.site = os.path.join(self.tmp, "site")
        shutil.copytree(SITE, self.site)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_symlink_loop_fragment(self):
        p = os.path.join(self.site, "15-loop.toml")
        os.symlink("15-loop.toml", p)
        run = run_tool(TRUNKCTL, "validate", "-c", self.site)
        self.check(run, 2, "", "%s: error[io]: cannot open %s: Too many levels of symbolic links\n"
                   % (p, p))

    def test_dangling_link_fragment(self):
        p = os.path.join(self.site, "15-gone.toml")
        os.symlink("no-such.toml", p)
        run = run_tool(TRUNKCTL, "validate", "-c", self.site)
        self.check(run, 2, "", "%s: error[io]: %s is a symbolic link to a missing file\n"
                   % (p, p))

    def test_every_unreadable_fragment_is_named(self):
        a = os.path.join(self.site, "15-a.toml")
        b = os.path.join(self.site, "16-b.toml")
        os.symlink("15-a.toml", a)
        os.mkfifo(b)
        run = run_tool(TRUNKCTL, "validate", "-c", self.site)
        self.check(run, 2, "")
        self.assertEqual(run.heads(), [], str(run))  # io errors have no line
        self.assertIn("%s: error[io]: cannot open" % a, run.err)
        self.assertIn("%s: error[io]: %s is %s" % (b, b, FIFO), run.err)

    def test_directory_named_toml_is_skipped(self):
        os.mkdir(os.path.join(self.site, "15-dir.toml"))
        run = run_tool(TRUNKCTL, "validate", "-c", self.site)
        self.check(run, 0, None, "")

    def test_site_path_is_a_loop(self):
        p = os.path.join(self.tmp, "loop")
        os.symlink("loop", p)
        run = run_tool(TRUNKCTL, "validate", "-c", p)
        self.check(run, 2, "", "%s: error[io]: cannot read site: Too many levels of symbolic "
                   "links\n" % p)

    def test_site_path_is_a_dangling_link(self):
        p = os.path.join(self.tmp, "gone")
        os.symlink("no-such-site", p)
        run = run_tool(TRUNKCTL, "validate", "-c", p)
        self.check(run, 2, "", "%s: error[io]: cannot read site: a symbolic link to a missing "
                   "file\n  hint: give the site with -c PATH, or set TRUNK_SITE\n" % p)


class Nesting(ToolTest):
    """A site nested 35,000 deep crashed every tool inside toml++ (stack
    overflow); now each reports nesting-depth at the place (exit 1)."""

    def test_deep_dotted_key(self):
        with tempfile.TemporaryDirectory() as d:
            site = os.path.join(d, "site.toml")
            with open(site, "w") as f:
                f.write('[site]\nname = "deep"\n' + "a" + ".a" * 35000 + " = 1\n")
            head = ("%s:3:126: error[nesting-depth]: keys and values nest more than 64 levels "
                    "deep here\n" % site)
            for tool, args in ((TRUNKCTL, ("validate", "-c", site)),
                               (os.path.join(BIN_DIR, "didpool-check"), ("-c", site)),
                               (COMPILE, ("-c", site, "--check")),
                               (TRACE_MATCH, ("-c", site, "-"))):
                with self.subTest(tool=os.path.basename(tool)):
                    run = run_tool(tool, *args)
                    self.assertIn(run.code, (1, 2), str(run))  # not a crash
                    self.assertTrue(run.err.startswith(head), str(run))
            run = run_tool(TRUNKCTL, "validate", "-c", site)
            self.check(run, 1)

    def test_deep_inline_tables_in_a_header(self):
        with tempfile.TemporaryDirectory() as d:
            site = os.path.join(d, "site.toml")
            with open(site, "w") as f:
                f.write("[trunk.auth]\nx = " + "{ y = " * 35000 + "\n")
            run = run_tool(TRUNKCTL, "validate", "-c", site, "--format", "json")
            self.check(run, 1)
            (diag,) = self.json_of(run)["diagnostics"]
            self.assertEqual((diag["code"], diag["location"]["line"], diag["location"]["column"]),
                             ("nesting-depth", 2, 5 + 6 * 61 + 4))


if __name__ == "__main__":
    unittest.main()
