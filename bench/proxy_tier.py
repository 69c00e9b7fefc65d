#!/usr/bin/env python3
"""The production tier (Kamailio in front of trunkd) against Kamailio alone.

Generates a site of N prefix routes (default 100,000; trunkd_vs_kamailio.py's
generator) over two carriers, and sets up two ways of carrying the same
calls from the tenant's PBX (SIPp, 127.0.0.141) to the carriers (SIPp
UAS on 127.0.1.1 and 127.0.1.2, answering 200):
  tier:  Kamailio from `dialplan-compile --emit kamailio` asking one or two
         trunkd, which answer 302; Kamailio follows it (permissions, dialog
         profiles, record-route, tm);
  alone: Kamailio relaying with carrierroute over the same routes from a
         file (tm, rr, carrierroute; no permissions, no dialog profiles);
  alone, same duties: that, plus what the tier does besides routing
         (permissions with the same address file, a limit check and
         dialog profiles per carrier, the caller ID with uac).
Each call: INVITE -> 180/200 -> ACK -> BYE (tests/e2e/scenarios). Printed:
  - CPU per call of the whole system (utime + stime from /proc of every
    Kamailio process and every trunkd; SIPp excluded), min/median/max of
    --runs runs at --rate;
  - the highest rate of --rates with zero failed calls, for the tier with
    one trunkd, with two, with two of which one is SIGKILLed half-way
    through each run (and started again before the next), and for
    Kamailio alone.

  bench/proxy_tier.py [--bin build-rel/bin] [--routes N] [--rate R]
                      [--seconds S] [--runs K] [--rates R1,R2,...]

Needs sipp and kamailio. Traffic stays on 127.0.x.x; every process started
here is stopped by its process id. Keep runs short on a shared machine.
"""
import argparse
import csv
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from trunkd_vs_kamailio import (KAMAILIO_MODULES, SRC, cpu_seconds, free_port, make_routes,
                                process_tree, wait_udp_ready, write_carrierroute, write_numbers,
                                write_site)

SCENARIOS = os.path.join(SRC, "tests", "e2e", "scenarios")
PBX = "127.0.0.141"
CARRIERS = ["127.0.1.1", "127.0.1.2"]  # gw0 and gw1 of write_site

# The tenant's PBX, so that Kamailio admits it and trunkd routes its calls.
SITE_TAIL = """
[[proxy]]
name = "kamailio"
addresses = ["127.0.0.1"]

[[trunk]]
name = "pbx"
type = "accept-register"
owner = "t0"
host = "pbx.t0.example"
associated_ips = ["%s"]
[trunk.auth]
username = "pbx"
password_env = "BENCH_PBX_PASSWORD"
[[trunk.tenant]]
tenant = "t0"
""" % PBX

# Kamailio alone: a lean stateful proxy over the carrierroute file.
KAMAILIO_ALONE = """#!KAMAILIO
debug=0
log_stderror=yes
fork=yes
children=%(children)d
auto_aliases=no
listen=udp:127.0.0.1:%(port)d
mpath="%(modules)s"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "carrierroute.so"
modparam("carrierroute", "config_source", "file")
modparam("carrierroute", "config_file", "%(routes)s")
request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (has_totag()) {
    if (loose_route()) { t_relay(); exit; }
    if (is_method("ACK") && t_check_trans()) t_relay();
    else if (!is_method("ACK")) sl_send_reply("404", "Not Found");
    exit;
  }
  if (is_method("CANCEL|ACK")) { if (t_check_trans()) t_relay(); exit; }
  if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
  if (!is_method("INVITE")) { sl_send_reply("405", "Method Not Allowed"); exit; }
  t_check_trans();
  if (!cr_route("default", "default", "$rU", "$rU", "call_id")) {
    sl_send_reply("404", "Not Found");
    exit;
  }
  record_route();
  t_relay();
}
"""


# Kamailio alone doing the tier's other duties too: admitting only the
# trunks (permissions, the same address file), counting each call against
# its trunk's limit (dialog profiles), the caller ID (uac). The lean
# config above is the floor; this one is the same service as the tier.
KAMAILIO_ALONE_DUTIES = KAMAILIO_ALONE.replace(
    'loadmodule "carrierroute.so"\n',
    'loadmodule "carrierroute.so"\nloadmodule "permissions.so"\nloadmodule "dialog.so"\n'
    'loadmodule "uac.so"\nloadmodule "sanity.so"\n'
    'modparam("permissions", "address_file", "%(addresses)s")\n'
    'modparam("dialog", "profiles_with_value", "trunk_out; trunk")\n'
    'modparam("uac", "restore_mode", "auto")\n').replace(
    '  t_check_trans();\n',
    '  t_check_trans();\n'
    '  if (!sanity_check("17895", "7")) exit;\n'
    '  force_rport();\n'
    '  if (!allow_source_address("1")) { sl_send_reply("403", "Forbidden"); exit; }\n'
    '  dlg_manage();\n').replace(
    '  record_route();\n  t_relay();\n',
    '  get_profile_size("trunk_out", "$rd", "$var(n)");\n'
    '  if ($var(n) >= 100000) { sl_send_reply("503", "Busy"); exit; }\n'
    '  get_profile_size("trunk", "$rd", "$var(n)");\n'
    '  if ($var(n) >= 100000) { sl_send_reply("503", "Busy"); exit; }\n'
    '  set_dlg_profile("trunk_out", "$rd");\n'
    '  set_dlg_profile("trunk", "$rd");\n'
    '  uac_replace_from("sip:+15550000@$fd");\n'
    '  record_route();\n  t_relay();\n')


class Procs:
    """Everything started here, stopped by process id."""

    def __init__(self, tmp):
        self.all = []
        self.tmp = tmp

    def start(self, cmd, **kw):
        """Starts cmd, its output in TMP/<program>-<n>.log (kept with --keep)."""
        log = open(os.path.join(self.tmp, "%s-%d.log" % (os.path.basename(cmd[0]),
                                                         len(self.all))), "w")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **kw)
        log.close()
        self.all.append(p)
        return p

    @staticmethod
    def stop(p, sig=signal.SIGTERM):
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop_all(self):
        for p in reversed(self.all):
            self.stop(p)


def start_trunkd(procs, args, tables, port):
    p = procs.start([os.path.join(args.bin, "trunkd"), "--tables", tables, "--listen",
                     "udp:127.0.0.1:%d" % port, "--log-level", "warning"])
    assert wait_udp_ready(port), "trunkd did not answer"
    return p


def start_kamailio(procs, tmp, cfg, ctl=None, port=None):
    p = procs.start(["kamailio", "-f", cfg, "-DD", "-E", "-m", "256", "-M", "32", "-w", tmp])
    deadline = time.time() + 120
    while time.time() < deadline:
        assert p.poll() is None, "kamailio exited: %s" % cfg
        if ctl:
            if subprocess.run(["kamcmd", "-s", "unix:" + ctl, "core.version"],
                              capture_output=True).returncode == 0:
                return p
        elif wait_udp_ready(port, timeout=1):
            return p
        time.sleep(0.1)
    raise AssertionError("kamailio did not start: %s" % cfg)


def run_pbx(tmp, port, rate, seconds, during=None):
    """SIPp as the PBX: rate x seconds calls to 127.0.0.1:port; `during`
    runs in a thread meanwhile. Returns (ok, failed)."""
    stat = os.path.join(tmp, "stat-%d.csv" % time.monotonic_ns())
    cmd = ["sipp", "127.0.0.1:%d" % port, "-sf", os.path.join(SCENARIOS, "pbx_record_route.xml"),
           "-inf", os.path.join(tmp, "numbers.csv"), "-m", str(rate * seconds), "-r", str(rate),
           "-d", "100", "-i", PBX, "-p", str(free_port()), "-nostdin",
           "-timeout", str(seconds + 30) + "s", "-timeout_error", "-trace_stat", "-stf", stat,
           "-fd", "1", "-buff_size", str(8 << 20), "-trace_err",
           "-error_file", stat[:-4] + ".err"]
    helper = threading.Thread(target=during) if during else None
    sipp = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)
    if helper:
        helper.start()
    sipp.wait()
    if helper:
        helper.join()
    with open(stat) as f:
        rows = list(csv.reader(f, delimiter=";"))
    col = lambda name: int(rows[-1][rows[0].index(name)])
    return col("SuccessfulCall(C)"), col("FailedCall(C)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(SRC, "build-rel", "bin"))
    ap.add_argument("--routes", type=int, default=100000)
    ap.add_argument("--rate", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rates", default="250,500,1000,2000")
    ap.add_argument("--children", type=int, default=4)
    ap.add_argument("--keep", action="store_true", help="keep the work directory and logs")
    args = ap.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    for tool in ("sipp", "kamailio", "kamcmd"):
        if not shutil.which(tool):
            sys.exit("%s is not installed (Debian packages sip-tester, kamailio)" % tool)
    print("command: %s" % " ".join(sys.argv))
    os.environ["BENCH_PBX_PASSWORD"] = "unused"
    tmp = tempfile.mkdtemp(prefix="proxy-tier-bench-")
    procs = Procs(tmp)
    try:
        prefixes, targets = make_routes(args.routes)
        targets = [t % len(CARRIERS) for t in targets]
        site = os.path.join(tmp, "site.toml")
        write_site(site, prefixes, targets)
        with open(site, "a") as f:
            f.write(SITE_TAIL)
        write_carrierroute(os.path.join(tmp, "carrierroute.conf"), prefixes, targets)
        write_numbers(os.path.join(tmp, "numbers.csv"), prefixes)
        tables = os.path.join(tmp, "site.tables")
        subprocess.run([os.path.join(args.bin, "dialplan-compile"), "-c", site, "-o", tables],
                       check=True, stdout=subprocess.DEVNULL)
        for address in CARRIERS:
            procs.start(["sipp", "-sf", os.path.join(SCENARIOS, "carrier_record_route.xml"),
                         "-i", address, "-p", "5060", "-nostdin", "-buff_size", str(8 << 20)],
                        cwd=tmp)

        def tier(n_trunkd):
            """Kamailio (emitted) + n trunkd: (port, pids(), trunkd list, stop)."""
            ports = [free_port() for _ in range(n_trunkd)]
            trunkd = [start_trunkd(procs, args, tables, p) for p in ports]
            kport, ctl = free_port(), os.path.join(tmp, "kamailio-%d.ctl" % n_trunkd)
            out = os.path.join(tmp, "tier-%d" % n_trunkd)
            cmd = [os.path.join(args.bin, "dialplan-compile"), "-c", site, "--emit", "kamailio",
                   out, "--listen", "udp:127.0.0.1:%d" % kport, "--kamailio-ctl", "unix:" + ctl,
                   "--children", str(args.children)]
            for p in ports:
                cmd += ["--trunkd", "udp:127.0.0.1:%d" % p]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            kam = start_kamailio(procs, tmp, os.path.join(out, "kamailio.cfg"), ctl=ctl)
            pids = lambda: process_tree(kam.pid) + [t.pid for t in trunkd if t.poll() is None]

            def stop():
                for p in [kam] + trunkd:
                    Procs.stop(p)
            return kport, pids, trunkd, ports, stop

        def alone(duties=False):
            kport = free_port()
            cfg = os.path.join(tmp, "alone%s.cfg" % ("-duties" if duties else ""))
            with open(cfg, "w") as f:
                f.write((KAMAILIO_ALONE_DUTIES if duties else KAMAILIO_ALONE) % {
                    "port": kport, "modules": KAMAILIO_MODULES, "children": args.children,
                    "routes": os.path.join(tmp, "carrierroute.conf"),
                    "addresses": os.path.join(tmp, "tier-1", "trunks.address")})
            kam = start_kamailio(procs, tmp, cfg, port=kport)
            return kport, lambda: process_tree(kam.pid), [], [], lambda: Procs.stop(kam)

        def cpu_per_call(name, setup):
            port, pids, trunkd, _, stop = setup()
            figures, trunkd_share = [], []
            for _ in range(args.runs):
                before_pids = pids()
                trunkd_pids = [t.pid for t in trunkd]
                before = cpu_seconds(before_pids)
                before_trunkd = cpu_seconds(trunkd_pids) if trunkd_pids else 0.0
                ok, failed = run_pbx(tmp, port, args.rate, args.seconds)
                figures.append((cpu_seconds(before_pids) - before) / max(1, ok) * 1e6)
                if trunkd_pids:
                    trunkd_share.append((cpu_seconds(trunkd_pids) - before_trunkd) /
                                        max(1, ok) * 1e6)
                if failed:
                    print("  (%s: %d calls failed at %d/s)" % (name, failed, args.rate))
            stop()
            print("%-24s CPU per call at %d calls/s x %d s, %d runs: min %.0f us, median %.0f us,"
                  " max %.0f us" % (name, args.rate, args.seconds, args.runs, min(figures),
                                    statistics.median(figures), max(figures)))
            if trunkd_share:
                print("%-24s   of which trunkd: median %.0f us" % (
                    "", statistics.median(trunkd_share)))
            sys.stdout.flush()

        def capacity(name, setup, kill_one=False):
            port, _, trunkd, ports, stop = setup()
            best = 0
            for rate in rates:
                during = None
                if kill_one:
                    def during():
                        time.sleep(args.seconds / 2)
                        Procs.stop(trunkd[0], signal.SIGKILL)
                ok, failed = run_pbx(tmp, port, rate, args.seconds, during)
                if kill_one:
                    trunkd[0] = start_trunkd(procs, args, tables, ports[0])
                    time.sleep(2)  # until dispatcher's OPTIONS take it back
                print("  %-22s %5d calls/s x %d s: %d ok, %d failed" % (
                    name, rate, args.seconds, ok, failed))
                sys.stdout.flush()
                if failed:
                    break
                best = rate
            stop()
            print("%-24s highest rate with zero failed calls: %d calls/s" % (name, best))
            sys.stdout.flush()

        cpu_per_call("kamailio + 1 trunkd", lambda: tier(1))
        cpu_per_call("kamailio alone", alone)
        cpu_per_call("kamailio alone, same duties", lambda: alone(duties=True))
        capacity("kamailio + 1 trunkd", lambda: tier(1))
        capacity("kamailio + 2 trunkd", lambda: tier(2))
        capacity("kamailio + 2, one killed", lambda: tier(2), kill_one=True)
        capacity("kamailio alone", alone)
        capacity("kamailio alone, same duties", lambda: alone(duties=True))
    finally:
        procs.stop_all()
        if args.keep:
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
