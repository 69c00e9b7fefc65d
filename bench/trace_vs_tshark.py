#!/usr/bin/env python3
"""sip-trace-match against tshark's SIP dissection, on a pure-SIP and a mixed capture.

Issue 18's goal 1 in one run: sip-trace-match's full report at least 20x
faster than tshark on a capture of SIP only (UDP and TCP, many calls, as an
SBC's capture or an `sngrep` export has it) and at least 10x on a capture
of SIP and RTP. Generates both with bench/gen_capture (`--no-rtp` for the
first; the second is about 80% RTP by bytes) unless they are already there,
then runs, one after the other in each round so that both see the same
load:
  sip-trace-match -c SITE FILE             the full report (the goal)
  sip-trace-match --summary -c SITE FILE   no line per message (second line)
  tshark -n -r FILE -Y sip                 one summary line per SIP packet
--runs times each, and prints per capture the min/median/max of wall and
CPU time (user+sys, from wait4), CPU microseconds per SIP message, peak
resident memory (GNU time when installed, else wait4), the messages each
found, and the ratio tshark/ours over the rounds (each round's tshark time
over the same round's sip-trace-match time: median, min, max) against the
goal. Output goes to a pipe that is read and counted, so no tool waits on
a terminal.

  bench/trace_vs_tshark.py [--bin build-rel/bin] [--pure-mb 200] [--mixed-mb 500]
                           [--dir /tmp] [--runs 3]

Needs Debian's tshark package. Not a test: it prints figures and asserts
nothing. Run it on a Release build.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SITE = """[site]
name = "trace-bench"
transports = ["udp", "tcp"]

[[tenant]]
name = "bench"
sip_domain = "trunk.example.com"

[[trunk]]
name = "carrier"
type = "peer"
provider = "Carrier"
host = "carrier.example.net"
port = 5080
associated_ips = ["192.168.0.0/24"]
[trunk.limits]
total = 400
[[trunk.tenant]]
tenant = "bench"
did_pool = "4155550100-4155550199"

[[route]]
tenant = "bench"
name = "uk"
match = "_+44."
trunks = ["carrier"]
"""

# What issue 18 asks of the full report, by capture.
GOALS = {"pure SIP": 20.0, "mixed SIP+RTP": 10.0}

TIME = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)


def run_measured(argv):
    """Runs argv with stdout to a pipe; returns (wall s, cpu s, peak RSS MB, lines, tail).

    stdout is read in chunks and only counted (the full report of a 200 MB
    capture is over 100 MB of text); `tail` is its last 4 KB. The peak
    comes from GNU time (Debian package time) when it is there: a child
    forked from this Python process counts Python's own pages in wait4's
    ru_maxrss until it execs."""
    with tempfile.NamedTemporaryFile(mode="r") as rss:
        wrapped = ([TIME, "-f", "%M", "-o", rss.name] if TIME else []) + argv
        t0 = time.perf_counter()
        p = subprocess.Popen(wrapped, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        lines, tail = 0, b""
        while True:
            chunk = p.stdout.read(1 << 20)
            if not chunk:
                break
            lines += chunk.count(b"\n")
            tail = (tail + chunk)[-4096:]
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        peak_mb = usage.ru_maxrss / 1024.0
        if TIME:
            got = [line for line in rss.read().splitlines() if line.strip().isdigit()]
            if got:
                peak_mb = int(got[-1]) / 1024.0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: sip-trace-match found something, which is no failure here
        sys.exit("%s exited with %d" % (argv[0], code))
    return wall, usage.ru_utime + usage.ru_stime, peak_mb, lines, tail


def ensure_capture(gen, path, size_mb, extra):
    """Generates the capture unless a file of that name is already there."""
    if not os.path.exists(path):
        subprocess.run([gen, path, str(size_mb)] + extra, check=True)
    return os.path.getsize(path)


def messages_of(tail):
    """The message count from sip-trace-match's summary line."""
    m = re.search(rb"summary: (\d+) messages", tail)
    if not m:
        sys.exit("sip-trace-match printed no summary line")
    return int(m.group(1))


def spread(values, fmt="%.2f"):
    """"min / median / max" of values."""
    return " / ".join(fmt % v for v in (min(values), statistics.median(values), max(values)))


def bench_capture(name, path, size, tools, runs):
    rounds = {label: [] for label, _ in tools}
    found = {}
    for _ in range(runs):
        for label, argv in tools:
            wall, cpu, rss, lines, tail = run_measured(argv)
            rounds[label].append((wall, cpu, rss))
            found[label] = messages_of(tail) if label.startswith("sip-trace-match") else lines
    ours_messages = found["sip-trace-match"]
    print("\n%s: %s, %.1f MB, %d SIP messages (sip-trace-match), %d SIP packets (tshark)"
          % (name, path, size / 1e6, ours_messages, found["tshark -Y sip"]))
    print("  %-27s %-26s %-24s %9s %9s" % ("", "wall s min/med/max", "cpu s min/med/max",
                                          "cpu us/msg", "peak MB"))
    for label, _ in tools:
        r = rounds[label]
        cpu_median = statistics.median(x[1] for x in r)
        print("  %-27s %-26s %-24s %9.2f %9.1f" % (
            label, spread([x[0] for x in r]), spread([x[1] for x in r]),
            cpu_median * 1e6 / max(found[label], 1), max(x[2] for x in r)))
    goal = GOALS[name]
    for label, short in (("sip-trace-match", "full report"),
                         ("sip-trace-match --summary", "--summary")):
        for what, i in (("wall", 0), ("cpu", 1)):
            ratios = [t[i] / o[i] for t, o in zip(rounds["tshark -Y sip"], rounds[label])]
            median = statistics.median(ratios)
            verdict = ""
            if label == "sip-trace-match":
                verdict = ("  goal %gx: %s" % (goal, "met" if median >= goal else "NOT met"))
            print("  ratio tshark/ours, %-12s %-4s median %5.1fx (min %5.1fx, max %5.1fx)%s"
                  % (short + ":", what, median, min(ratios), max(ratios), verdict))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="build-rel/bin")
    ap.add_argument("--pure-mb", type=float, default=200, help="size of the pure-SIP capture")
    ap.add_argument("--mixed-mb", type=float, default=500, help="size of the SIP+RTP capture")
    ap.add_argument("--dir", default=tempfile.gettempdir(),
                    help="where the captures are written (and reused on the next run)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tshark = shutil.which("tshark")
    if not tshark:
        sys.exit("tshark is not installed (Debian package tshark)")
    tool = os.path.join(args.bin, "sip-trace-match")
    gen = os.path.join(args.bin, "gen_capture")
    load = os.getloadavg()
    print("load average before: %.2f %.2f %.2f on %d cores" % (load + (os.cpu_count(),)))

    captures = [
        ("pure SIP", os.path.join(args.dir, "trace-bench-sip-%g.pcap" % args.pure_mb),
         args.pure_mb, ["--no-rtp"]),
        ("mixed SIP+RTP", os.path.join(args.dir, "trace-bench-mixed-%g.pcap" % args.mixed_mb),
         args.mixed_mb, []),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        site = os.path.join(tmp, "site.toml")
        with open(site, "w") as f:
            f.write(SITE)
        for name, path, size_mb, extra in captures:
            size = ensure_capture(gen, path, size_mb, extra)
            tools = [
                ("sip-trace-match", [tool, "-c", site, path]),
                ("sip-trace-match --summary", [tool, "--summary", "-c", site, path]),
                ("tshark -Y sip", [tshark, "-n", "-r", path, "-Y", "sip"]),
            ]
            bench_capture(name, path, size, tools, args.runs)
    load = os.getloadavg()
    print("\nload average after: %.2f %.2f %.2f" % load)


if __name__ == "__main__":
    main()
