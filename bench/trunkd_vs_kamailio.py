#!/usr/bin/env python3
"""trunkd against Kamailio as SIP redirect servers over the same routes.

Generates a site of N prefix routes (default 100,000) for one tenant over
ten trunks, compiles it for trunkd, and writes the same route set as a
carrierroute file for the anchor, bench/kamailio-redirect.cfg (a copy of
../shared/anchors/kamailio-redirect.cfg, unchanged: sl + carrierroute,
stateless, run with one worker). Both servers run on 127.0.0.1 and are
driven by the same SIPp scenario (INVITE, 302, ACK; numbers drawn from the
routes) at the same rate, in turn, --runs times. Every 302's Contact is
checked against a longest-prefix match done here; a wrong gateway fails the
call. For each: calls that succeeded and failed, retransmissions, the
server's CPU time per call (utime + stime from /proc, every process of the
server, SIPp excluded), its system calls per call (with --syscalls: perf, when it may trace),
its resident memory and its start-up time with the routes loaded; then
min/median/max over the runs and the ratio of the two in each run. Then
trunkd alone at a higher rate (default 15,000/s). Exit 1 when any call
failed or was retransmitted.

  bench/trunkd_vs_kamailio.py [--bin build-rel/bin] [--routes N] [--rate R]
                              [--seconds S] [--runs N] [--high-rate R2] [--syscalls]

Needs the Debian packages sip-tester and kamailio. Traffic stays on
loopback; every process started here is stopped by its process id.
"""
import argparse
import csv
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pids):
    """utime + stime of the processes (and their threads), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / ticks


def rss_mb(pids):
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def process_tree(pid):
    """pid and all its descendants."""
    out = [pid]
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) in out and int(p) not in out:
                out.append(int(p))
        except OSError:
            pass
    return out


def make_routes(count, seed=1):
    rng = random.Random(seed)
    prefixes = set()
    while len(prefixes) < count:
        prefixes.add("".join(rng.choice("0123456789") for _ in range(rng.randint(4, 9))))
    return sorted(prefixes), [rng.randrange(10) for _ in range(count)]


def write_site(path, prefixes, targets):
    with open(path, "w") as f:
        f.write('[site]\nname = "bench-redirect"\n\n[[tenant]]\nname = "t0"\n'
                'sip_domain = "t0.example"\n\n')
        for k in range(10):
            f.write('[[trunk]]\nname = "gw%d"\ntype = "peer"\nprovider = "P%d"\n'
                    'host = "127.0.1.%d"\nport = 5060\n[[trunk.tenant]]\ntenant = "t0"\n\n'
                    % (k, k, k + 1))
        for i, (p, t) in enumerate(zip(prefixes, targets)):
            f.write('[[route]]\ntenant = "t0"\nname = "r%d"\nmatch = "_%s."\ntrunks = ["gw%d"]\n'
                    % (i, p, t))


def write_carrierroute(path, prefixes, targets):
    """The same routes in carrierroute's file format, domain "gw" (the
    anchor's), one setting a line (shared/anchors/README.md)."""
    with open(path, "w") as f:
        f.write("domain gw {\n")
        for p, t in zip(prefixes, targets):
            f.write("\tprefix %s {\n\t\tmax_targets = 1\n\t\ttarget 127.0.1.%d:5060 {\n"
                    "\t\t\tprob = 1.000000\n\t\t\thash_index = 1\n\t\t\tstatus = 1\n"
                    "\t\t\tcomment = \"\"\n\t\t}\n\t}\n" % (p, t + 1))
        f.write("}\n")


def write_numbers(path, prefixes, targets, count=20000, seed=2):
    """A SIPp -inf file of `count` numbers drawn at random from the routes
    (a prefix padded with random digits to 11 digits, at least one), each
    with the gateway the longest matching prefix names: the reference
    every answer of both servers is checked against (SCENARIO)."""
    rng = random.Random(seed)
    gateway = dict(zip(prefixes, targets))
    with open(path, "w") as f:
        f.write("RANDOM\n")
        for _ in range(count):
            p = prefixes[rng.randrange(len(prefixes))]
            number = p + "".join(rng.choice("0123456789") for _ in range(max(1, 11 - len(p))))
            longest = max(n for n in range(1, len(number)) if number[:n] in gateway)
            f.write("%s;127.0.1.%d;\n" % (number, gateway[number[:longest]] + 1))


# The anchor: ../shared/anchors/kamailio-redirect.cfg, copied unchanged into
# bench/ (sl + pv + carrierroute, stateless; its listen address is
# udp:127.0.0.1:5070 and its carrierroute domain "gw"). Only CHILDREN and
# CR_FILE are set, with -A, as its README says.
ANCHOR = os.path.join(HERE, "kamailio-redirect.cfg")
ANCHOR_PORT = 5070

SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="redirect">
  <send><![CDATA[
INVITE sip:[field0]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:alice@t0.example>;tag=[pid]SIPpTag00[call_number]
To: <sip:[field0]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="302">
    <action>
      <ereg regexp="@([0-9.]+)" search_in="hdr" header="Contact:" check_it="true"
            assign_to="gateway,gateway"/>
      <assignstr assign_to="want" value="[field1]"/>
      <strcmp assign_to="differs" variable="gateway" variable2="want"/>
      <test assign_to="wrong" variable="differs" compare="not_equal" value="0"/>
    </action>
  </recv>
  <!-- A 302 to another gateway than the longest prefix names fails the call:
       it waits for an answer that never comes. -->
  <nop test="wrong" next="wrong_gateway"/>
  <send><![CDATA[
ACK sip:[field0]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
From: <sip:alice@t0.example>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <nop next="done"/>
  <label id="wrong_gateway"/>
  <recv response="999" timeout="100"/>
  <label id="done"/>
</scenario>
"""


def wait_udp_ready(port, timeout=60):
    """Until the server answers an OPTIONS on 127.0.0.1:port."""
    deadline = time.time() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        msg = ("OPTIONS sip:ping@127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;"
               "branch=z9hG4bK-ping;rport\r\nFrom: <sip:p@bench>;tag=1\r\n"
               "To: <sip:ping@bench>\r\nCall-ID: ping\r\nCSeq: 1 OPTIONS\r\n"
               "Content-Length: 0\r\n\r\n" % (port, s.getsockname()[1])).encode()
        s.settimeout(0.05)
        while time.time() < deadline:
            s.sendto(msg, ("127.0.0.1", port))
            try:
                if s.recv(4096).startswith(b"SIP/2.0 200"):
                    return True
            except socket.timeout:
                pass
    return False


def run_sipp(tmp, port, rate, seconds):
    calls = rate * seconds
    stat = os.path.join(tmp, "stat-%d-%d.csv" % (port, rate))
    cmd = ["sipp", "127.0.0.1:%d" % port, "-sf", os.path.join(tmp, "scenario.xml"),
           "-inf", os.path.join(tmp, "numbers.csv"), "-m", str(calls), "-r", str(rate),
           "-rp", "1000", "-i", "127.0.0.1", "-p", str(free_port()), "-nostdin",
           "-timeout", str(seconds + 30) + "s", "-timeout_error", "-max_socket", "1",
           "-trace_stat", "-stf", stat, "-fd", "1", "-buff_size", str(8 << 20)]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
    if not os.path.exists(stat):
        sys.exit("sipp did not run: %s" % (run.stderr.strip() or run.stdout.strip())[-2000:])
    with open(stat) as f:
        rows = list(csv.reader(f, delimiter=";"))
    head, last = rows[0], rows[-1]
    col = lambda name: int(last[head.index(name)])
    return {"exit": run.returncode, "calls": calls,
            "ok": col("SuccessfulCall(C)"), "failed": col("FailedCall(C)"),
            "retrans": col("Retransmissions(C)")}


def syscall_counter(pids):
    """perf counting the system calls of `pids` (and their threads) while
    it runs, or None when perf is missing or may not trace."""
    if not shutil.which("perf"):
        return None
    return subprocess.Popen(["perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter",
                             "-p", ",".join(str(p) for p in pids)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def syscalls_counted(counter):
    if counter is None:
        return None
    counter.send_signal(signal.SIGINT)
    _, err = counter.communicate(timeout=10)
    for line in err.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2] == "raw_syscalls:sys_enter" and fields[0].isdigit():
            return int(fields[0])
    return None


def measure(name, pids, port, tmp, rate, seconds, syscalls=False):
    counter = syscall_counter(pids) if syscalls else None
    before = cpu_seconds(pids)
    result = run_sipp(tmp, port, rate, seconds)
    used = cpu_seconds(pids) - before
    syscalls = syscalls_counted(counter)
    ok = max(1, result["ok"])
    result["cpu_us_per_call"] = used / ok * 1e6
    result["syscalls_per_call"] = syscalls / ok if syscalls is not None else None
    result["rss_mb"] = rss_mb(pids)
    print("%-9s %6d calls/s x %ds: %d ok, %d failed, %d retransmissions, %.1f us CPU per call, "
          "%s system calls per call, %.0f MB resident"
          % (name, rate, seconds, result["ok"], result["failed"], result["retrans"],
             result["cpu_us_per_call"],
             "?" if syscalls is None else "%.2f" % result["syscalls_per_call"], result["rss_mb"]))
    sys.stdout.flush()
    return result


def unfinished(result):
    """Calls that did not end well (failed or not done), and retransmissions."""
    return result["calls"] - result["ok"] + result["retrans"]


def spread(values):
    values = sorted(values)
    return "min %.2f / median %.2f / max %.2f" % (values[0], values[len(values) // 2], values[-1])


def start_trunkd(args, tables):
    port = free_port()
    t0 = time.time()
    proc = subprocess.Popen([os.path.join(args.bin, "trunkd"), "--tables", tables,
                             "--listen", "udp:127.0.0.1:%d" % port, "--log-level", "warning"],
                            stderr=subprocess.DEVNULL)
    assert wait_udp_ready(port), "trunkd did not answer"
    print("trunkd   start-up with the routes: %.3f s" % (time.time() - t0))
    return proc, port


def start_anchor(tmp):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", ANCHOR_PORT))
        except OSError:
            sys.exit("udp 127.0.0.1:%d, the anchor's address, is in use" % ANCHOR_PORT)
    t0 = time.time()
    proc = subprocess.Popen(["kamailio", "-f", ANCHOR, "-DD", "-E", "-m", "256", "-w", tmp,
                             "-A", "CHILDREN=1",
                             "-A", 'CR_FILE="%s"' % os.path.join(tmp, "carrierroute.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert wait_udp_ready(ANCHOR_PORT, timeout=120), "kamailio did not answer"
    print("kamailio start-up with the routes: %.3f s (the anchor, one worker)" % (time.time() - t0))
    return proc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(SRC, "build-rel", "bin"))
    ap.add_argument("--routes", type=int, default=100000)
    ap.add_argument("--rate", type=int, default=5000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--high-rate", type=int, default=15000)
    ap.add_argument("--syscalls", action="store_true",
                    help="count system calls per call with perf (tracing them costs CPU: "
                         "the CPU figures of such a run are not the ones to compare)")
    args = ap.parse_args()
    for tool in ("sipp", "kamailio"):
        if not shutil.which(tool):
            sys.exit("%s is not installed (Debian packages sip-tester, kamailio)" % tool)
    tmp = tempfile.mkdtemp(prefix="trunkd-bench-")
    procs = []
    try:
        prefixes, targets = make_routes(args.routes)
        os.makedirs(os.path.join(tmp, "site"))
        write_site(os.path.join(tmp, "site", "site.toml"), prefixes, targets)
        write_carrierroute(os.path.join(tmp, "carrierroute.conf"), prefixes, targets)
        write_numbers(os.path.join(tmp, "numbers.csv"), prefixes, targets)
        with open(os.path.join(tmp, "scenario.xml"), "w") as f:
            f.write(SCENARIO)
        tables = os.path.join(tmp, "site.tables")
        t0 = time.time()
        subprocess.run([os.path.join(args.bin, "dialplan-compile"), "-c",
                        os.path.join(tmp, "site"), "-o", tables], check=True,
                       stdout=subprocess.DEVNULL)
        print("routes: %d; dialplan-compile %.2f s; tables %.1f MB" % (
            args.routes, time.time() - t0, os.path.getsize(tables) / 1048576))
        trunkd, tport = start_trunkd(args, tables)
        procs.append(trunkd)
        kamailio = start_anchor(tmp)
        procs.append(kamailio)

        # Each run measures both at the same rate, in turn (which goes first
        # alternates), so a ratio compares the two under the same conditions.
        ours, anchor, ratios, failures = [], [], [], 0
        for run in range(args.runs):
            pair = [("trunkd", [trunkd.pid], tport), ("kamailio", process_tree(kamailio.pid),
                                                      ANCHOR_PORT)]
            results = {}
            for name, pids, port in (pair if run % 2 == 0 else pair[::-1]):
                results[name] = measure(name, pids, port, tmp, args.rate, args.seconds, args.syscalls)
                failures += unfinished(results[name])
            ours.append(results["trunkd"]["cpu_us_per_call"])
            anchor.append(results["kamailio"]["cpu_us_per_call"])
            ratios.append(ours[-1] / anchor[-1])
            print("run %d: trunkd / kamailio CPU per call = %.2f" % (run + 1, ratios[-1]))
        print("CPU per call at %d/s over %d runs (us): trunkd %s; kamailio %s"
              % (args.rate, args.runs, spread(ours), spread(anchor)))
        print("ratio trunkd / kamailio: %s (goal: at most 0.40)" % spread(ratios))
        high = measure("trunkd", [trunkd.pid], tport, tmp, args.high_rate, args.seconds,
                       args.syscalls)
        failures += unfinished(high)
        if failures:
            print("FAILED: %d calls failed, were retransmitted or did not end (a wrong gateway "
                  "fails its call)" % failures)
            return 1
        return 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
