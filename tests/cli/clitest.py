"""What the command-line test suites share: running a built tool in the
source tree, a run's result with its diff-friendly text, the examples/broken*
convention of `# expect:` lines, and assertions that show the whole run.

Environment: TRUNK_BIN (the built tools; default build/bin) and
TRUNK_SOURCE_DIR (default: two levels up from here). Stdlib only.
"""
import json
import os
import re
import subprocess
import unittest

SOURCE_DIR = os.environ.get("TRUNK_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN_DIR = os.environ.get("TRUNK_BIN") or os.path.join(SOURCE_DIR, "build", "bin")

# The first line of a diagnostic: `FILE:LINE:COL: error[CODE]:`.
DIAG_HEAD = re.compile(r"^(\S+:\d+:\d+: (?:error|warning)\[[a-z0-9-]+\]):")
# `# expect: error[CODE] at FILE:LINE:COL`, with ` (strict)` for warnings.
EXPECT_LINE = re.compile(
    r"^# expect: (error|warning)\[([a-z0-9-]+)\] at (\S+):(\d+):(\d+)( \(strict\))?\s*$")


class Run:
    """One finished run of a tool."""

    def __init__(self, tool, args, proc):
        self.tool = os.path.basename(tool)
        self.args = args
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __str__(self):
        return ("$ %s %s\nexit %d\n--- stdout ---\n%s--- stderr ---\n%s"
                % (self.tool, " ".join(self.args), self.code, self.out, self.err))

    def heads(self, text=None):
        """The first lines of the diagnostics in `text` (default stderr)."""
        lines = (self.err if text is None else text).splitlines()
        return [m.group(1) for m in map(DIAG_HEAD.match, lines) if m]


def run_tool(tool, *args, site_env=None, timeout=10):
    """Runs `tool` in the source tree. TRUNK_SITE is unset unless given; a
    run longer than `timeout` seconds fails the test instead of hanging it."""
    env = dict(os.environ)
    env.pop("TRUNK_SITE", None)
    if site_env is not None:
        env["TRUNK_SITE"] = site_env
    proc = subprocess.run([tool, *args], cwd=SOURCE_DIR, env=env, capture_output=True,
                          text=True, timeout=timeout)
    return Run(tool, list(args), proc)


def broken_sites(directory):
    """Every site under `directory` (relative to the source): (path, file
    holding its expect lines), a site being a .toml file or a folder with an
    EXPECT file."""
    root = os.path.join(SOURCE_DIR, directory)
    sites = []
    for name in sorted(os.listdir(root)):
        full = os.path.join(root, name)
        if os.path.isdir(full):
            sites.append((directory + "/" + name, os.path.join(full, "EXPECT")))
        elif name.endswith(".toml"):
            sites.append((directory + "/" + name, full))
    return sites


def read_expects(site, expect_file):
    """The `# expect:` lines at the top of `expect_file`, as (severity, code,
    `FILE:LINE:COL: severity[code]`) with FILE as the tools print it."""
    base = site if os.path.isdir(os.path.join(SOURCE_DIR, site)) else os.path.dirname(site)
    out = []
    with open(expect_file, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("# expect:"):
                break
            m = EXPECT_LINE.match(line)
            if not m:
                raise AssertionError("%s: malformed expect line: %r" % (expect_file, line))
            severity, code, file, ln, col, strict = m.groups()
            if (severity == "warning") != bool(strict):
                raise AssertionError("%s: warnings, and only warnings, end in (strict): %r"
                                     % (expect_file, line))
            out.append((severity, code,
                        "%s/%s:%s:%s: %s[%s]" % (base, file, ln, col, severity, code)))
    return out


class ToolTest(unittest.TestCase):
    maxDiff = None

    def check(self, run, code=None, out=None, err=None):
        """Asserts the exit code and, where given, exact stdout and stderr;
        a failure shows the whole run."""
        if code is not None:
            self.assertEqual(run.code, code, "wrong exit code\n%s" % run)
        if out is not None:
            self.assertEqual(run.out, out, "stdout differs\n%s" % run)
        if err is not None:
            self.assertEqual(run.err, err, "stderr differs\n%s" % run)

    def json_of(self, run):
        try:
            return json.loads(run.out)
        except ValueError as e:
            self.fail("stdout is not JSON (%s)\n%s" % (e, run))
