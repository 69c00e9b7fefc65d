#!/usr/bin/env python3
"""trunkd against Kamailio as SIP redirect servers over the same routes.

Generates a site of N prefix routes (default 100,000) for one tenant over
ten trunks, compiles it for trunkd, and writes the same route set as a
carrierroute file for Kamailio (sl + carrierroute, one UDP worker, the
setup the issue measured). Both servers run on 127.0.0.1 and are driven by
the same SIPp scenario (INVITE, 302, ACK; numbers drawn from the routes) at
the same rate. For each: calls that succeeded and failed, retransmissions,
the server's CPU time per call (utime + stime from /proc, every process of
the server, SIPp excluded), its resident memory, and its start-up time with
the routes loaded. Then trunkd alone at a higher rate (default 15,000/s).

  bench/trunkd_vs_kamailio.py [--bin build-rel/bin] [--routes N] [--rate R]
                              [--seconds S] [--high-rate R2]

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
KAMAILIO_MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"


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
    with open(path, "w") as f:
        f.write("domain default {\n")
        for p, t in zip(prefixes, targets):
            f.write("\tprefix %s {\n\t\tmax_targets = 1\n\t\ttarget 127.0.1.%d:5060 {\n"
                    "\t\t\tprob = 1\n\t\t\thash_index = 1\n\t\t\tstatus = 1\n"
                    "\t\t\tcomment = \"gw%d\"\n\t\t}\n\t}\n" % (p, t + 1, t))
        f.write("}\n")


def write_numbers(path, prefixes, count=20000, seed=2):
    """A SIPp -inf file of `count` numbers drawn at random from the routes:
    a prefix padded with random digits to 11 digits (at least one)."""
    rng = random.Random(seed)
    with open(path, "w") as f:
        f.write("RANDOM\n")
        for _ in range(count):
            p = prefixes[rng.randrange(len(prefixes))]
            f.write("%s%s;\n" % (p, "".join(rng.choice("0123456789")
                                           for _ in range(max(1, 11 - len(p))))))


KAMAILIO_CFG = """#!KAMAILIO
debug=0
log_stderror=yes
fork=yes
children=1
auto_aliases=no
listen=udp:127.0.0.1:%(port)d
mpath="%(modules)s"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "carrierroute.so"
modparam("carrierroute", "config_source", "file")
modparam("carrierroute", "config_file", "%(routes)s")
request_route {
  if (is_method("ACK")) { exit; }
  if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
  if (is_method("INVITE")) {
    if (cr_route("default", "default", "$rU", "$rU", "call_id")) {
      append_to_reply("Contact: <$ru>\\r\\n");
      sl_send_reply("302", "Moved Temporarily");
    } else {
      sl_send_reply("404", "Not Found");
    }
    exit;
  }
  sl_send_reply("405", "Method Not Allowed");
}
"""

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
  <recv response="302"/>
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
    with open(stat) as f:
        rows = list(csv.reader(f, delimiter=";"))
    head, last = rows[0], rows[-1]
    col = lambda name: int(last[head.index(name)])
    return {"exit": run.returncode, "calls": calls,
            "ok": col("SuccessfulCall(C)"), "failed": col("FailedCall(C)"),
            "retrans": col("Retransmissions(C)")}


def measure(name, pids_of, port, tmp, rate, seconds):
    pids = pids_of()
    before = cpu_seconds(pids)
    result = run_sipp(tmp, port, rate, seconds)
    used = cpu_seconds(pids) - before
    result["cpu_us_per_call"] = used / max(1, result["ok"]) * 1e6
    result["rss_mb"] = rss_mb(pids)
    print("%-9s %6d calls/s x %ds: %d ok, %d failed, %d retransmissions, %.1f us CPU per call, "
          "%.0f MB resident" % (name, rate, seconds, result["ok"], result["failed"],
                                result["retrans"], result["cpu_us_per_call"], result["rss_mb"]))
    sys.stdout.flush()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(SRC, "build-rel", "bin"))
    ap.add_argument("--routes", type=int, default=100000)
    ap.add_argument("--rate", type=int, default=5000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--high-rate", type=int, default=15000)
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
        write_numbers(os.path.join(tmp, "numbers.csv"), prefixes)
        with open(os.path.join(tmp, "scenario.xml"), "w") as f:
            f.write(SCENARIO)
        tables = os.path.join(tmp, "site.tables")
        t0 = time.time()
        subprocess.run([os.path.join(args.bin, "dialplan-compile"), "-c",
                        os.path.join(tmp, "site"), "-o", tables], check=True,
                       stdout=subprocess.DEVNULL)
        print("routes: %d; dialplan-compile %.2f s; tables %.1f MB" % (
            args.routes, time.time() - t0, os.path.getsize(tables) / 1048576))

        tport = free_port()
        t0 = time.time()
        trunkd = subprocess.Popen([os.path.join(args.bin, "trunkd"), "--tables", tables,
                                   "--listen", "udp:127.0.0.1:%d" % tport, "--log-level",
                                   "warning"], stderr=subprocess.DEVNULL)
        procs.append(trunkd)
        assert wait_udp_ready(tport), "trunkd did not answer"
        print("trunkd   start-up with the routes: %.3f s" % (time.time() - t0))

        kport = free_port()
        cfg = os.path.join(tmp, "kamailio.cfg")
        with open(cfg, "w") as f:
            f.write(KAMAILIO_CFG % {"port": kport, "modules": KAMAILIO_MODULES,
                                    "routes": os.path.join(tmp, "carrierroute.conf")})
        t0 = time.time()
        kamailio = subprocess.Popen(["kamailio", "-f", cfg, "-DD", "-E", "-m", "256", "-M", "64",
                                     "-w", tmp], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        procs.append(kamailio)
        assert wait_udp_ready(kport, timeout=120), "kamailio did not answer"
        print("kamailio start-up with the routes: %.3f s" % (time.time() - t0))

        measure("trunkd", lambda: [trunkd.pid], tport, tmp, args.rate, args.seconds)
        measure("kamailio", lambda: process_tree(kamailio.pid), kport, tmp, args.rate,
                args.seconds)
        measure("trunkd", lambda: [trunkd.pid], tport, tmp, args.high_rate, args.seconds)
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
    main()
