#!/usr/bin/env python3
"""One rule set: a site is valid for one tool exactly when it is for all.

Walks every site in examples/broken and examples/broken-dialplan through
`trunkctl validate`, a
provisioning change (`trunkctl set` on a copy of the site: refused, nothing
written) and `dialplan-compile --check`, and asserts that each reports the
site's `# expect:` diagnostics, at the same places, with the same exit code.
Then makes, from a clean copy of examples/site, the changes issue #15 found
provisioning accepting although the compiler or trunkd could not use the
result (a route's trunk set to inbound, a second peer on one address without
verify_port, a provider spelt in other case, a trunk at a trusted proxy's
address): each is refused with the
code `trunkctl validate` and `dialplan-compile` give. The rules themselves
live once, in libtrunk, behind one entry point (check/site.hpp).

Environment: TRUNK_BIN and TRUNK_SOURCE_DIR, as for test_trunkctl.py.
Stdlib only; exits non-zero on failure, showing the whole run.
"""

import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN_DIR, SOURCE_DIR, ToolTest, broken_sites, read_expects, run_tool  # noqa: E402

TRUNKCTL = os.path.join(BIN_DIR, "trunkctl")
COMPILE = os.path.join(BIN_DIR, "dialplan-compile")
BROKEN_DIRS = ["examples/broken", "examples/broken-dialplan"]
EXAMPLE_SITE = os.path.join(SOURCE_DIR, "examples", "site")

# `FILE:LINE:COL: severity[code]` -> (file name, line, col, severity, code):
# the place without its directory, so a copy's findings compare with the
# original's.
HEAD = re.compile(r"^(.*):(\d+):(\d+): (error|warning)\[([a-z0-9-]+)\]$")


def places(heads):
    out = []
    for h in heads:
        m = HEAD.match(h)
        assert m, h
        out.append((os.path.basename(m.group(1)),) + m.groups()[1:])
    return sorted(out)


def snapshot(root):
    """Every file under `root` (a file or a directory) and its bytes."""
    paths = [root] if os.path.isfile(root) else [
        os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]
    out = {}
    for p in paths:
        with open(p, "rb") as f:
            out[p] = f.read()
    return out


class OneRuleSet(ToolTest):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="one-rule-set-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_every_broken_site_fails_every_tool_with_its_code(self):
        sites = [s for d in BROKEN_DIRS for s in broken_sites(d)]
        self.assertGreater(len(sites), 50)
        for site, expect_file in sites:
            with self.subTest(site=site):
                self.check_site(site, expect_file)

    def check_site(self, site, expect_file):
        expects = read_expects(site, expect_file)
        want = places(h for _, _, h in expects)
        errors = [sev for sev, _, _ in expects if sev == "error"]
        # A warning-only site passes, and fails under --strict, everywhere.
        strict = [] if errors else ["--strict"]

        validate = run_tool(TRUNKCTL, "validate", "-c", site, *strict)
        self.check(validate, 1)
        self.assertEqual(places(validate.heads()), want, str(validate))

        compiled = run_tool(COMPILE, "-c", site, "--check", *strict)
        self.check(compiled, 1)
        self.assertEqual(places(compiled.heads()), want, str(compiled))

        if not errors:
            return  # provisioning refuses errors; warnings a site has are its own
        copy = os.path.join(self.tmp, os.path.basename(site))
        if os.path.isdir(os.path.join(SOURCE_DIR, site)):
            shutil.copytree(os.path.join(SOURCE_DIR, site), copy)
        else:
            shutil.copy(os.path.join(SOURCE_DIR, site), copy)
        before = snapshot(copy)
        # Any change to any trunk: the site is checked first, as a whole.
        changed = run_tool(TRUNKCTL, "set", "-c", copy, "any-trunk", "port=5062")
        self.check(changed, 1)
        self.assertEqual(places(changed.heads()), want, str(changed))
        self.assertEqual(snapshot(copy), before, "the site was written\n%s" % changed)

    def example_copy(self):
        site = os.path.join(self.tmp, "site")
        shutil.copytree(EXAMPLE_SITE, site)
        return site

    def refused(self, site, args, code):
        """Runs the change `trunkctl ARGS[0] -c SITE ARGS[1:]`; asserts it is refused
        (exit 1) with error[code] and writes nothing. Returns the run."""
        before = snapshot(site)
        changed = run_tool(TRUNKCTL, args[0], "-c", site, *args[1:])
        self.check(changed, 1)
        self.assertIn("the change was not made", changed.err, str(changed))
        self.assertEqual(snapshot(site), before, "the site was written\n%s" % changed)
        self.assertIn(code, [c for *_, c in places(changed.heads())], str(changed))
        return changed

    def check_same_findings(self, site, changed):
        """The site with the refused change made by hand fails validate and
        dialplan-compile with what the change was refused for."""
        want = places(changed.heads())
        validate = run_tool(TRUNKCTL, "validate", "-c", site)
        self.check(validate, 1)
        self.assertEqual(places(validate.heads()), want, str(validate))
        compiled = run_tool(COMPILE, "-c", site, "--check")
        self.check(compiled, 1)
        self.assertEqual(places(compiled.heads()), want, str(compiled))

    def edit(self, path, old, new):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.assertIn(old, text)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new, 1))

    def test_route_trunk_direction_refused_by_set(self):
        # CarrierA carries acme's routes; before #15 validate and set took
        # direction = "inbound" and only dialplan-compile refused the site.
        site = self.example_copy()
        changed = self.refused(site, ["set", "CarrierA", "direction=inbound"],
                               "route-trunk-direction")
        self.edit(os.path.join(site, "10-trunks.toml"),
                  'verify_port = true', 'verify_port = true\ndirection = "inbound"')
        self.check_same_findings(site, changed)

    def test_peer_address_ambiguous_refused_by_add(self):
        # CarrierA's address on another port, without verify_port on the new trunk.
        site = self.example_copy()
        changed = self.refused(
            site, ["add", "CarrierC", "--type", "peer", "--set", "provider=CarrierC",
                   "--set", "host=203.0.113.10", "--set", "port=5080"],
            "peer-address-ambiguous")
        self.assertIn('peer trunks "CarrierA" and "CarrierC" share host 203.0.113.10 on ports '
                      '5060 and 5080, and "CarrierC" does not check the port', changed.err)

    def test_peer_per_provider_without_case_refused_by_add(self):
        site = self.example_copy()
        changed = self.refused(
            site, ["add", "CarrierB-2", "--type", "peer", "--set", "provider=carrierb",
                   "--set", "host=203.0.113.99"],
            "peer-per-provider")
        self.assertIn('provider "carrierb" has a second peer trunk "CarrierB-2" besides '
                      '"CarrierB"', changed.err)

    def test_trunk_at_a_proxy_address_refused_by_add(self):
        # The example site trusts Kamailio at 10.0.0.10; a trunk there
        # could forge any origin with one extra Via (#15).
        site = self.example_copy()
        changed = self.refused(
            site, ["add", "CarrierC", "--type", "peer", "--set", "provider=CarrierC",
                   "--set", "host=10.0.0.10"],
            "proxy-address-is-trunk")
        self.assertIn('address 10.0.0.10 of proxy "kamailio" overlaps host 10.0.0.10 '
                      'of trunk "CarrierC"', changed.err)
        with open(os.path.join(site, "10-trunks.toml"), "a", encoding="utf-8") as f:
            f.write('\n[[trunk]]\nname = "CarrierC"\ntype = "peer"\nprovider = "CarrierC"\n'
                    'host = "10.0.0.10"\n')
        self.check_same_findings(site, changed)


if __name__ == "__main__":
    unittest.main()
