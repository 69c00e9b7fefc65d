#!/usr/bin/env python3
"""sip-trace-match against tshark's SIP dissection of the same capture.

Generates a capture of --size-mb with bench/gen_capture (calls over UDP and
TCP with G.711 RTP between them, as a PBX's capture has), then times, side
by side on this machine:
  sip-trace-match --summary --format json -c SITE FILE   (read, parse, match)
  tshark -r FILE -Y sip -T fields -e sip.Method -d udp.port==5080,sip ...
Each runs --runs times; the best and median wall time, the CPU time (from
wait4) and the peak resident memory (from GNU time, else wait4) are printed, with the messages each found
and the throughput ratio. Output goes to a pipe that is read and counted,
so neither tool is held up by a terminal.

  bench/trace_vs_tshark.py [--bin build-rel/bin] [--size-mb 500]
                           [--capture /tmp/trace-bench.pcap] [--runs 3]

Needs Debian's tshark package (DEBIAN_FRONTEND=noninteractive apt-get
install -y tshark). Not a test: it prints figures and asserts nothing.
"""
import argparse
import json
import os
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


TIME = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)


def run_measured(argv):
    """Runs argv with stdout to a pipe; returns (wall s, cpu s, peak RSS MB, stdout).

    The peak comes from GNU time (Debian package time) when it is there: a
    child forked from this Python process counts Python's own pages in
    wait4's ru_maxrss until it execs, which for a 30 MB tool is most of
    the figure."""
    with tempfile.NamedTemporaryFile(mode="r") as rss:
        wrapped = ([TIME, "-f", "%M", "-o", rss.name] if TIME else []) + argv
        t0 = time.perf_counter()
        p = subprocess.Popen(wrapped, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        peak_mb = usage.ru_maxrss / 1024.0
        if TIME:
            lines = [line for line in rss.read().splitlines() if line.strip().isdigit()]
            if lines:
                peak_mb = int(lines[-1]) / 1024.0
    return wall, usage.ru_utime + usage.ru_stime, peak_mb, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="build-rel/bin")
    ap.add_argument("--size-mb", type=float, default=500)
    ap.add_argument("--capture", default=os.path.join(tempfile.gettempdir(), "trace-bench.pcap"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tshark = shutil.which("tshark")
    if not tshark:
        sys.exit("tshark is not installed (Debian package tshark)")
    tool = os.path.join(args.bin, "sip-trace-match")
    gen = os.path.join(args.bin, "gen_capture")
    want = int(args.size_mb * 1e6)
    if not os.path.exists(args.capture) or abs(os.path.getsize(args.capture) - want) > want * 0.05:
        subprocess.run([gen, args.capture, str(args.size_mb)], check=True)
    size = os.path.getsize(args.capture)
    print("capture: %s, %.1f MB" % (args.capture, size / 1e6))

    with tempfile.TemporaryDirectory() as tmp:
        site = os.path.join(tmp, "site.toml")
        with open(site, "w") as f:
            f.write(SITE)
        ours, theirs = [], []
        found_ours = found_theirs = 0
        for _ in range(args.runs):
            wall, cpu, rss, out = run_measured(
                [tool, "--summary", "--format", "json", "-c", site, args.capture])
            summary = json.loads(out.decode().splitlines()[-1])
            found_ours = summary["messages"]
            ours.append((wall, cpu, rss))
            wall, cpu, rss, out = run_measured(
                [tshark, "-n", "-r", args.capture, "-Y", "sip", "-T", "fields",
                 "-e", "sip.Method", "-d", "udp.port==5080,sip", "-d", "tcp.port==5080,sip"])
            found_theirs = out.count(b"\n")
            theirs.append((wall, cpu, rss))

    def report(name, runs, found):
        walls = sorted(r[0] for r in runs)
        best, median = walls[0], statistics.median(walls)
        print("%-16s best %7.2f s  median %7.2f s  %8.1f MB/s  cpu %7.2f s  peak %7.1f MB  "
              "%d SIP messages" % (name, best, median, size / 1e6 / median,
                                   statistics.median(r[1] for r in runs),
                                   max(r[2] for r in runs), found))
        return median

    a = report("sip-trace-match", ours, found_ours)
    b = report("tshark -Y sip", theirs, found_theirs)
    print("ratio (tshark median / sip-trace-match median): %.1fx" % (b / a))


if __name__ == "__main__":
    main()
