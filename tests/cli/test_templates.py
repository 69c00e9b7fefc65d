#!/usr/bin/env python3
"""Command-line tests for the templates built into trunkctl.

Owns the promises of trunkctl(1), sections TEMPLATES and `templates`:
every template in examples/templates is built into the binary (a new file
cannot be forgotten: `trunkctl templates` lists exactly those files), each
one added to a copy of examples/site gives a site that validates, the
binary finds them with no source tree around it, the lookup order (the
site's templates/ before the built-in set, a path read as it is,
--templates DIR alone), and the exit-2 error for an unknown name that
lists the names known.

Environment: TRUNK_BIN and TRUNK_SOURCE_DIR, as for test_trunkctl.py.
Stdlib only; exits non-zero on failure, showing the whole run.
"""

import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import SOURCE_DIR, Run  # noqa: E402
from test_trunkctl_provision import EXAMPLE_SITE, TEMPLATES, TRUNKCTL, SiteCopy  # noqa: E402

SHIPPED = sorted(f[:-len(".toml")] for f in os.listdir(TEMPLATES) if f.endswith(".toml"))

# What the operator gives beside the template: the host where the template
# leaves it out, and what a template's own comment asks for.
SETTINGS = {
    "generic": ["--set", "host=192.0.2.10"],
    "generic-ip-peer": ["--set", "host=192.0.2.10", "--set", "associated_ips=192.0.2.10"],
    "generic-register": ["--set", "host=sip.example.net", "--set", "auth.username=pbx1"],
    "bandwidth": ["--set", "host=192.0.2.20", "--set", "associated_ips=192.0.2.20,192.0.2.21"],
    "teams": ["--set", "owner=acme"],
    "telnyx": ["--set", "auth.username=pbx1"],
    "twilio-elastic-sip": ["--set", "host=acme.pstn.twilio.com"],
    "vonage": ["--set", "host=acme.sip-us.vonage.com"],
}


def run(tool, *args, cwd=SOURCE_DIR, env=None):
    """Runs `tool` with no TRUNK_SITE nor TRUNK_TEMPLATES unless given."""
    full = {k: v for k, v in os.environ.items() if k not in ("TRUNK_SITE", "TRUNK_TEMPLATES")}
    full.update(env or {})
    proc = subprocess.run([tool, *args], cwd=cwd, env=full, capture_output=True, text=True,
                          timeout=10)
    return Run(tool, list(args), proc)


class Templates(SiteCopy):
    def test_lists_exactly_the_shipped_files(self):
        run_ = run(TRUNKCTL, "templates", "--format", "json")
        self.check(run_, 0, err="")
        listed = self.json_of(run_)
        self.assertEqual([t["name"] for t in listed], SHIPPED)
        for t in listed:
            self.assertEqual(t["source"], "built-in", t)
            self.assertTrue(t["description"], t)
        self.assertEqual(listed[SHIPPED.index("vonage")]["description"],
                         "Vonage SIP Trunking, an IP trunk to your trunk's own SIP domain.")
        text = run(TRUNKCTL, "templates")
        self.check(text, 0, err="")
        lines = text.out.splitlines()
        self.assertEqual(lines[0].split(), ["NAME", "SOURCE", "DESCRIPTION"])
        self.assertEqual([line.split()[0] for line in lines[1:]], SHIPPED)
        self.assertIn("generic-ip-peer", text.out)
        self.assertRegex(text.out, r"\nteams +built-in +Microsoft Teams Direct Routing for one "
                                   r"tenant, over TLS to Microsoft's SIP proxies\.\n")

    def test_every_template_added_to_the_example_site_validates(self):
        self.assertEqual(sorted(SETTINGS), SHIPPED, "give the new template its settings here")
        for name in SHIPPED:
            with self.subTest(template=name):
                site = os.path.join(self.tmp, "site-" + name)
                shutil.copytree(EXAMPLE_SITE, site)
                added = run(TRUNKCTL, "add", "-c", site, name + "-x", "--template", name,
                            *SETTINGS[name])
                self.check(added, 0, err="")
                self.assertRegex(added.out, r'^trunk "%s-x" added to .* from template "%s"\n$'
                                 % (name, name))
                self.check(run(TRUNKCTL, "validate", "-c", site), 0)

    def test_built_in_with_no_source_tree(self):
        # The binary alone, run from a directory with no examples/ and no
        # templates/: what it finds, it carries.
        bin_dir = os.path.join(self.tmp, "bin")
        os.mkdir(bin_dir)
        tool = shutil.copy2(TRUNKCTL, bin_dir)
        for cwd in (bin_dir, "/"):
            with self.subTest(cwd=cwd):
                listed = run(tool, "templates", "-c", self.site, cwd=cwd)
                self.check(listed, 0, err="")
                self.assertEqual(len(listed.out.splitlines()), len(SHIPPED) + 1)
        added = run(tool, "add", "-c", self.site, "tw-1", "--template", "twilio-elastic-sip",
                    "--set", "host=acme.pstn.twilio.com", cwd=bin_dir)
        self.check(added, 0, err="")
        with open(os.path.join(self.site, "10-trunks.toml"), encoding="utf-8") as f:
            self.assertIn('name = "tw-1"\ntype = "peer"\nprovider = "Twilio"\n', f.read())
        self.check(run(tool, "validate", "-c", self.site, cwd=bin_dir), 0)

    def test_unknown_name_lists_the_known_ones(self):
        own = os.path.join(self.site, "templates")
        gone = run(TRUNKCTL, "add", "-c", self.site, "v-1", "--template", "vonnage",
                   "--set", "host=x.sip-us.vonage.com")
        self.check(gone, 2, out="",
                   err='trunkctl add: no template "vonnage"\n'
                       '  hint: did you mean "vonage"?\n'
                       "  hint: looked in %s and the built-in templates; templates there: %s\n"
                       % (own, ", ".join(SHIPPED)))
        self.check(run(TRUNKCTL, "add", "-c", self.site, "v-1", "--template", "zzzz"), 2, out="")

    def test_site_templates_come_before_the_built_in_ones(self):
        own = os.path.join(self.site, "templates")
        os.mkdir(own)
        with open(os.path.join(own, "generic.toml"), "w", encoding="utf-8") as f:
            f.write("# generic: the house gateway\n\ntype = \"peer\"\nprovider = \"House\"\n")
        listed = self.json_of(run(TRUNKCTL, "templates", "-c", self.site, "--format", "json"))
        mine = [t for t in listed if t["name"] == "generic"]
        self.assertEqual(mine, [{"name": "generic", "source": os.path.join(own, "generic.toml"),
                                 "description": "the house gateway"}])
        self.assertEqual(len(listed), len(SHIPPED))
        added = run(TRUNKCTL, "add", "-c", self.site, "h-1", "--template", "generic",
                    "--set", "host=192.0.2.50", "--dry-run")
        self.check(added, 0)
        self.assertIn('+provider = "House"\n', added.out)
        # --templates DIR alone: the built-in set is not behind it.
        only = run(TRUNKCTL, "templates", "-c", self.site, "--templates", own)
        self.check(only, 0, err="")
        self.assertEqual([line.split()[0] for line in only.out.splitlines()], ["NAME", "generic"])
        self.check(run(TRUNKCTL, "add", "-c", self.site, "t-1", "--template", "teams",
                       "--templates", own), 2, out="")

    def test_a_path_is_read_as_it_is(self):
        path = os.path.join(self.tmp, "mine.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write("# mine: a file of my own\n\ntype = \"peer\"\nprovider = \"Mine\"\n")
        added = run(TRUNKCTL, "add", "-c", self.site, "m-1", "--template", path,
                    "--set", "host=192.0.2.60", "--dry-run")
        self.check(added, 0)
        self.assertIn('+provider = "Mine"\n', added.out)
        missing = run(TRUNKCTL, "add", "-c", self.site, "m-1", "--template",
                      os.path.join(self.tmp, "nowhere.toml"))
        self.check(missing, 2, out="")
        self.assertIn("trunkctl add: cannot read template: ", missing.err)


if __name__ == "__main__":
    unittest.main()
