"""The proxy tier under load and across nodes (issue #16, tests 5 and 6):
real Kamailio from `dialplan-compile --emit kamailio`, real trunkd, SIPp
as the tenant's PBX and as the carrier, all on 127.0.0.x.

 5. test_calls_survive_a_trunkd_killed_and_restarted: calls at a steady
    rate through one Kamailio asking two trunkd; one trunkd is killed
    (SIGKILL) a third of the way in and started again on the same port a
    third later. No call may fail.
 6. test_two_nodes_share_a_trunks_total_limit: two Kamailio nodes joined
    by DMQ, a trunk with limits.total = 4: two calls held through each
    node, then a fifth through either is refused with 503 (maximum
    channels reached), and both nodes count the four calls.

The PBX and carrier scenarios (tests/e2e/scenarios/*_record_route.xml,
shared with bench/proxy_tier.py) keep the proxy in the dialog's path, as
real peers do; SIPp's built-in uac and uas do not. Every process started
here is stopped by its process id.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from support import compile_site, free_port, sipp_responses, SIPP, BIN  # noqa: E402
from test_proxy_tier import uac_scenario  # noqa: E402
from test_trunkd_attack import Daemon, wait_for  # noqa: E402

TIER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tier")
SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")
PBX_SCENARIO = os.path.join(SCENARIOS, "pbx_record_route.xml")
KAMAILIO = shutil.which("kamailio")
KAMCMD = shutil.which("kamcmd")
NUMBER = "15125550123"


def emit(site, out, listen, trunkd_ports, ctl, extra=()):
    """`dialplan-compile --emit kamailio` for the site into `out`."""
    cmd = [os.path.join(BIN, "dialplan-compile"), "-c", site, "--emit", "kamailio", out,
           "--listen", "udp:127.0.0.1:%d" % listen, "--kamailio-ctl", "unix:" + ctl,
           "--children", "2"]
    for port in trunkd_ports:
        cmd += ["--trunkd", "udp:127.0.0.1:%d" % port]
    run = subprocess.run(cmd + list(extra), capture_output=True, text=True)
    assert run.returncode == 0, "emit failed:\n%s%s" % (run.stdout, run.stderr)
    return os.path.join(out, "kamailio.cfg")


def kamcmd(ctl, *args):
    run = subprocess.run([KAMCMD, "-s", "unix:" + ctl, *args], capture_output=True, text=True,
                         timeout=5)
    if run.returncode != 0:
        raise OSError(run.stderr)
    return run.stdout


class Kamailio:
    """One Kamailio in the foreground (-DD -E: logs on stderr, to a file),
    ready once its control socket answers."""

    def __init__(self, cfg, ctl, log_path):
        self.ctl = ctl
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen([KAMAILIO, "-f", cfg, "-DD", "-E", "-m", "64", "-M", "16",
                                      "-w", os.path.dirname(log_path)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_for("kamailio did not answer on its control socket",
                 lambda: self.alive() and kamcmd(ctl, "core.version"), timeout=20)

    @property
    def text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()[-4000:]

    def alive(self):
        if self.proc.poll() is not None:
            raise AssertionError("kamailio exited (%s):\n%s" % (self.proc.returncode, self.text))
        return True

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Sipp:
    """One SIPp in the background on its own address; result() waits for
    it and returns (exit code, stats of its last -trace_stat line)."""

    def __init__(self, tmp, name, args):
        self.tmp = tmp
        self.name = name
        self.stat = os.path.join(tmp, name + "-stat.csv")
        self.messages = os.path.join(tmp, name + ".msg")
        self.out = open(os.path.join(tmp, name + ".out"), "w")
        self.proc = subprocess.Popen(
            [SIPP, *args, "-nostdin", "-trace_msg", "-message_file", self.messages,
             "-trace_stat", "-stf", self.stat, "-fd", "1", "-trace_err",
             "-error_file", os.path.join(tmp, name + ".err")],
            stdout=self.out, stderr=subprocess.STDOUT, cwd=tmp)

    def result(self, timeout):
        self.proc.wait(timeout=timeout)
        self.out.close()
        with open(self.stat) as f:
            rows = [line.rstrip("\n").split(";") for line in f if line.strip()]
        stats = dict(zip(rows[0], rows[-1]))
        return self.proc.returncode, stats

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGUSR1)  # SIPp's "quit now"
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.out.closed:
            self.out.close()


def carrier(tmp, name, address):
    """The carrier on `address`:5060: answers every INVITE (180, 200 that
    keeps the Record-Route), waits for the BYE."""
    return Sipp(tmp, name, ["-sf", os.path.join(SCENARIOS, "carrier_record_route.xml"),
                            "-i", address, "-p", "5060"])


def scenario_file(tmp, name, text):
    path = os.path.join(tmp, name + ".xml")
    with open(path, "w") as f:
        f.write(text)
    return path


@unittest.skipUnless(SIPP and KAMAILIO and KAMCMD, "needs sipp and kamailio (with kamcmd)")
class ProxyTierScale(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="proxy-scale-")
        self.stops = []
        os.environ.setdefault("ACME_PBX_PASSWORD", "not-used-by-these-tests")

    def tearDown(self):
        for stop in reversed(self.stops):
            try:
                stop()
            except Exception:  # noqa: BLE001  (stop the others anyway)
                pass
        if os.environ.get("KEEP_TMP"):
            print("kept", self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def started(self, thing):
        self.stops.append(thing.stop)
        return thing

    def numbers(self):
        """The -inf file of the PBX scenario: every call to NUMBER."""
        path = os.path.join(self.tmp, "numbers.csv")
        with open(path, "w") as f:
            f.write("SEQUENTIAL\n%s;\n" % NUMBER)
        return path

    def tables(self, site):
        tables = os.path.join(self.tmp, "site.tables")
        compile_site(site, tables)
        return tables

    def test_calls_survive_a_trunkd_killed_and_restarted(self):
        rate, seconds = 20, 30
        site = os.path.join(TIER, "scale.toml")
        tables = self.tables(site)
        first = self.started(Daemon(self.tmp, tables).wait_ready())
        second = self.started(Daemon(self.tmp, tables).wait_ready())
        port = free_port()
        ctl = os.path.join(self.tmp, "kamailio.ctl")
        cfg = emit(site, os.path.join(self.tmp, "kamailio"), port, [first.udp, second.udp], ctl)
        self.started(Kamailio(cfg, ctl, os.path.join(self.tmp, "kamailio.log")))
        uas = self.started(carrier(self.tmp, "carrier", "127.0.0.121"))
        pbx = self.started(Sipp(self.tmp, "pbx", [
            "-sf", PBX_SCENARIO, "-inf", self.numbers(),
            "-i", "127.0.0.131", "-p", str(free_port("127.0.0.131")),
            "-r", str(rate), "-m", str(rate * seconds), "-d", "200",
            "127.0.0.1:%d" % port]))

        begun = time.time()
        time.sleep(seconds / 3)
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait()
        killed_at = time.time() - begun
        time.sleep(seconds / 3)
        first.log.close()
        restarted = self.started(Daemon(self.tmp, tables, udp=first.udp, tcp=first.tcp,
                                        control=first.control + ".2").wait_ready())
        restarted_at = time.time() - begun

        code, stats = pbx.result(timeout=seconds * 3)
        summary = ("trunkd killed at %.1f s, restarted at %.1f s; SIPp exit %d, "
                   "%s successful, %s failed" % (killed_at, restarted_at, code,
                                                stats["SuccessfulCall(C)"],
                                                stats["FailedCall(C)"]))
        self.assertEqual(stats["FailedCall(C)"], "0", summary)
        self.assertEqual(stats["SuccessfulCall(C)"], str(rate * seconds), summary)
        self.assertEqual(code, 0, summary)
        # The restarted trunkd was taken back (dispatcher probes it with
        # OPTIONS) and answered calls again.
        self.assertGreater(restarted.stats()["responses"]["302"], 0, summary)

    def test_two_nodes_share_a_trunks_total_limit(self):
        site = os.path.join(TIER, "shared_limit.toml")
        tables = self.tables(site)
        trunkd = self.started(Daemon(self.tmp, tables).wait_ready())
        sip = {"a": free_port(), "b": free_port()}
        dmq = {"a": free_port(), "b": free_port()}
        nodes = {}
        for name, other in (("a", "b"), ("b", "a")):
            ctl = os.path.join(self.tmp, "kamailio-%s.ctl" % name)
            cfg = emit(site, os.path.join(self.tmp, "node-" + name), sip[name], [trunkd.udp], ctl,
                       ["--dmq", "udp:127.0.0.1:%d" % dmq[name],
                        "--dmq-peer", "udp:127.0.0.1:%d" % dmq[other]])
            nodes[name] = self.started(
                Kamailio(cfg, ctl, os.path.join(self.tmp, "kamailio-%s.log" % name)))
        self.started(carrier(self.tmp, "carrier", "127.0.0.122"))

        def held_calls(name):
            out = kamcmd(nodes[name].ctl, "dlg.profile_get_size", "trunk", "carrier")
            return int(out.split()[-1]) if out.split() else -1

        # Two calls held through each node (long enough for the test).
        held = []
        for name in ("a", "b"):
            held.append(self.started(Sipp(self.tmp, "held-" + name, [
                "-sf", PBX_SCENARIO, "-inf", self.numbers(), "-i", "127.0.0.132",
                "-p", str(free_port("127.0.0.132")), "-r", "10", "-m", "2", "-d", "60000",
                "127.0.0.1:%d" % sip[name]])))
            try:
                wait_for("node %s does not count its two calls" % name,
                         lambda: held_calls(name) >= 2 * len(held), timeout=15)
            except AssertionError:
                # What the node saw, so that a failure can be read.
                raise AssertionError("node %s counts %d calls; its log ends:\n%s" % (
                    name, held_calls(name), nodes[name].text()[-4000:]))
        for name in ("a", "b"):
            wait_for("node %s does not count the four calls of both nodes (it counts %d)"
                     % (name, held_calls(name)), lambda: held_calls(name) == 4, timeout=10)

        refused = scenario_file(self.tmp, "refused", uac_scenario(
            503, "Service Unavailable (maximum channels reached: trunk carrier)"))
        for name in ("a", "b"):
            fifth = Sipp(self.tmp, "fifth-" + name, [
                "-sf", refused, "-s", NUMBER, "-i", "127.0.0.132",
                "-p", str(free_port("127.0.0.132")), "-m", "1", "127.0.0.1:%d" % sip[name]])
            self.stops.append(fifth.stop)
            code, stats = fifth.result(timeout=30)
            answers = sipp_responses(fifth.messages)
            finals = [(c, r) for c, r, _ in answers if c >= 200]
            self.assertEqual(finals, [(503, "Service Unavailable (maximum channels reached: "
                                            "trunk carrier)")], "node %s" % name)
            self.assertEqual(code, 0, "node %s: SIPp %s" % (name, stats))
        for sipp in held:
            self.assertIsNone(sipp.proc.poll(), "a held call ended early")


if __name__ == "__main__":
    unittest.main()
