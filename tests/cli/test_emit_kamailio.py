#!/usr/bin/env python3
"""Command-line tests for `dialplan-compile --emit kamailio DIR` (fast, no
network): every site the tests keep that dialplan-compile accepts gives a
configuration `kamailio -c` accepts; the files' content for a small site;
the kamailio-* diagnostics with their positions; bad --trunkd / --listen
and a missing DIR (exit 2, nothing written); the JSON "emitted" list.

What the emitted Kamailio does with calls is tests/e2e/test_proxy_tier.py's.
The `kamailio -c` checks are skipped, saying so, where kamailio is not
installed (CI installs it). Environment as for clitest.py. Stdlib only.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN_DIR, SOURCE_DIR, ToolTest, run_tool  # noqa: E402

TOOL = os.path.join(BIN_DIR, "dialplan-compile")
KAMAILIO = shutil.which("kamailio") or (
    "/usr/sbin/kamailio" if os.access("/usr/sbin/kamailio", os.X_OK) else None)
FILES = ["trunks.address", "dispatcher.list", "kamailio.cfg"]

# A small site: one trunk checked by port (verify_port), one named by host
# name with associated_ips and probed with OPTIONS.
SMALL_SITE = """[site]
name = "small"
transports = ["udp"]

[[proxy]]
name = "kamailio"
addresses = ["127.0.0.1", "192.0.2.5"]

[[tenant]]
name = "acme"
sip_domain = "acme.test"

[[trunk]]
name = "carrier"
type = "peer"
provider = "Carrier"
host = "198.51.100.7"
port = 5080
verify_port = true

[[trunk.tenant]]
tenant = "acme"

[[trunk]]
name = "named"
type = "peer"
provider = "Named"
host = "sip.named.test"
associated_ips = ["203.0.113.0/28"]

[trunk.keepalive]
options = true
interval = 30

[[trunk.tenant]]
tenant = "acme"

[[route]]
tenant = "acme"
name = "all"
match = "_X."
trunks = ["carrier", "named"]
"""


def data_lines(path):
    """The file's lines that are not comments."""
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]


def accepted_sites():
    """examples/site and every site under tests/ that dialplan-compile
    accepts (a site it refuses is some other test's broken input)."""
    candidates = ["examples/site"] + sorted(
        os.path.relpath(p, SOURCE_DIR) for p in
        glob.glob(os.path.join(SOURCE_DIR, "tests/e2e/*/site.toml")) +
        glob.glob(os.path.join(SOURCE_DIR, "tests/e2e/tier/*.toml")))
    out = []
    for site in dict.fromkeys(candidates):
        if run_tool(TOOL, "-c", site, "--check").code == 0:
            out.append(site)
    return out


class EmitKamailio(ToolTest):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="emit-kamailio-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def emit(self, site, *args, out="out"):
        dest = os.path.join(self.tmp, out)
        return dest, run_tool(TOOL, "-c", site, "--emit", "kamailio", dest,
                              "--kamailio-ctl", "unix:" + os.path.join(self.tmp, "ctl"), *args)

    def small_site(self, text=SMALL_SITE):
        path = os.path.join(self.tmp, "site.toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    @unittest.skipUnless(KAMAILIO, "kamailio is not installed: `kamailio -c` not run "
                                   "(CI installs it)")
    def test_every_accepted_site_gives_a_config_kamailio_accepts(self):
        sites = accepted_sites()
        self.assertIn("examples/site", sites)
        self.assertIn("tests/e2e/tier/site.toml", sites)
        for site in sites:
            with self.subTest(site=site):
                dest, run = self.emit(site, "--trunkd", "udp:127.0.0.1:5070",
                                      "--trunkd", "udp:127.0.0.1:5071",
                                      out=site.replace("/", "_"))
                self.check(run, code=0)
                self.assertEqual(sorted(os.listdir(dest)), sorted(FILES))
                check = subprocess.run([KAMAILIO, "-c", "-f", os.path.join(dest, "kamailio.cfg")],
                                       capture_output=True, text=True, timeout=30)
                self.assertEqual(check.returncode, 0, "kamailio -c refused the config of %s:\n%s"
                                 % (site, check.stderr[-3000:]))
                self.assertIn("config file ok", check.stderr)

    def test_files_of_a_small_site(self):
        dest, run = self.emit(self.small_site(), "--listen", "udp:192.0.2.5:5060",
                              "--trunkd", "udp:127.0.0.1:5070", "--trunkd", "udp:127.0.0.1:5071")
        self.check(run, code=0, err="")
        # The port only where verify_port; a block's mask as given.
        self.assertEqual(data_lines(os.path.join(dest, "trunks.address")), [
            "1 198.51.100.7 32 5080 carrier",
            "1 203.0.113.0 28 0 named",
        ])
        # trunkd probed (8); the named host resolved when used (16) and
        # probed, as keepalive.options says (8|16).
        self.assertEqual(data_lines(os.path.join(dest, "dispatcher.list")), [
            "1 sip:127.0.0.1:5070 8 0 duid=trunkd1",
            "1 sip:127.0.0.1:5071 8 0 duid=trunkd2",
            "2 sip:198.51.100.7:5080 0 0 duid=carrier",
            "2 sip:sip.named.test:5060 24 0 duid=named",
        ])
        with open(os.path.join(dest, "kamailio.cfg"), encoding="utf-8") as f:
            cfg = f.read()
        self.assertIn("\nlisten=udp:192.0.2.5:5060\n", cfg)
        self.assertIn('modparam("ctl", "binrpc", "unix:%s")' % os.path.join(self.tmp, "ctl"), cfg)
        self.assertIn('modparam("permissions", "address_file", "%s/trunks.address")' % dest, cfg)
        self.assertIn('modparam("dispatcher", "list_file", "%s/dispatcher.list")' % dest, cfg)
        self.assertIn('modparam("dispatcher", "ds_ping_interval", 10)', cfg)
        self.assertEqual(re.findall(r"@[A-Z_]+@", cfg), [], "a value left out of the script")

    def test_untrusted_listen_address_writes_nothing(self):
        dest, run = self.emit(self.small_site(), "--listen", "udp:192.0.2.9:5060")
        self.check(run, code=1)
        site = os.path.join(self.tmp, "site.toml")
        self.assertEqual(run.heads(), ["%s:5:1: error[kamailio-untrusted]" % site])
        self.assertIn("trunkd does not take the word of a proxy at 192.0.2.9", run.err)
        self.assertIn("nothing written", run.err)
        self.assertFalse(os.path.exists(dest))

    def test_only_a_wildcard_listen_address_is_taken_for_one(self):
        # 0.0.0.0 and :: are warned about (the sending address depends on
        # the route); an address that merely ends in zeros is an address,
        # and trunkd must trust it.
        for wildcard in ("udp:0.0.0.0:5060", "udp:[::]:5060"):
            with self.subTest(listen=wildcard):
                _, run = self.emit(self.small_site(), "--listen", wildcard, out="w")
                self.check(run, code=0)
                self.assertEqual([h.split(": ")[-1] for h in run.heads()],
                                 ["warning[kamailio-listen]"])
        _, run = self.emit(self.small_site(), "--listen", "udp:[2001:db8::]:5060", out="v6")
        self.check(run, code=1)
        self.assertEqual([h.split(": ")[-1] for h in run.heads()], ["error[kamailio-untrusted]"])

    def test_nothing_in_the_site_or_the_paths_writes_configuration(self):
        # A line end in the site's name would end the header comment and
        # write the rest as configuration: it is shown escaped.
        site = self.small_site(SMALL_SITE.replace('name = "small"',
                                                  'name = "x\\nloadmodule \\"exec.so\\""'))
        dest, run = self.emit(site, out="named")
        self.check(run, code=0)
        with open(os.path.join(dest, "kamailio.cfg"), encoding="utf-8") as f:
            cfg = f.read()
        self.assertNotIn("\nloadmodule \"exec.so\"", cfg)
        self.assertIn('site "x\\x0aloadmodule \"exec.so\""', cfg)
        # Paths go into quoted strings: a quote or a line end is refused.
        for bad in ('out"x', "out\nx"):
            with self.subTest(dir=bad):
                dest, run = self.emit(self.small_site(), out=bad)
                self.check(run, code=2)
                self.assertIn("the Kamailio script cannot quote", run.err)
                self.assertFalse(os.path.exists(dest))
        dest = os.path.join(self.tmp, "ctl")
        run = run_tool(TOOL, "-c", self.small_site(), "--emit", "kamailio", dest,
                       "--kamailio-ctl", 'unix:/tmp/a"b')
        self.check(run, code=2)
        self.assertIn('--kamailio-ctl "unix:/tmp/a"b" holds a quote', run.err)
        self.assertFalse(os.path.exists(dest))

    def test_warnings_with_their_positions(self):
        dest, run = self.emit("examples/site")
        self.check(run, code=0)
        self.assertEqual(run.heads(), [
            "examples/site/10-trunks.toml:6:8: warning[kamailio-registration]",
            "examples/site/10-trunks.toml:40:8: warning[kamailio-registration]",
            "examples/site/10-trunks.toml:85:13: warning[kamailio-transport]",
            "examples/site/10-trunks.toml:107:8: warning[kamailio-no-address]",
            "examples/site/10-trunks.toml:124:8: warning[kamailio-no-address]",
            "examples/site/10-trunks.toml:126:13: warning[kamailio-transport]",
        ])
        self.assertIn('trunk "acme-e1-gw" has a host name and no associated_ips', run.err)
        self.assertIn('trunk "CarrierB" uses tls', run.err)
        self.assertIn('trunk "XYZ-Primary" registers with its provider', run.err)
        self.assertEqual(sorted(os.listdir(dest)), sorted(FILES))
        # --strict: the warnings refuse the run, and nothing is written.
        dest, run = self.emit("examples/site", "--strict", out="strict")
        self.check(run, code=1)
        self.assertFalse(os.path.exists(dest))

    def test_bad_addresses_are_usage_errors(self):
        site = self.small_site()
        for args, message in [
            (["--trunkd", "bogus"],
             'dialplan-compile: --trunkd address "bogus" must be udp:ADDRESS:PORT or '
             "tcp:ADDRESS:PORT\n"),
            (["--trunkd", "tcp:127.0.0.1:5070"],
             "dialplan-compile: --trunkd address tcp:127.0.0.1:5070: the proxy asks trunkd "
             "over udp\n"),
            (["--listen", "udp:127.0.0.1:99999"],
             'dialplan-compile: port "99999" in "udp:127.0.0.1:99999" is not 0-65535\n'),
        ]:
            with self.subTest(args=args):
                dest, run = self.emit(site, *args)
                self.check(run, code=2, out="", err=message)
                self.assertFalse(os.path.exists(dest))

    def test_emit_without_dir(self):
        run = run_tool(TOOL, "-c", self.small_site(), "--emit", "kamailio")
        self.check(run, code=2, out="")
        self.assertIn("--emit", run.err)

    def test_json_lists_the_files_emitted(self):
        dest, run = self.emit(self.small_site(), "--format", "json")
        self.check(run, code=0)
        doc = self.json_of(run)
        self.assertTrue(doc["ok"])
        self.assertEqual(doc["emitted"], [os.path.join(dest, f) for f in FILES])
        self.assertEqual(doc["diagnostics"], [])


if __name__ == "__main__":
    unittest.main()
