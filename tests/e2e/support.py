"""What the decision tests (test_decisions.py, test_differential.py) share:
compiling a site, starting and stopping a trunkd on a free loopback port,
asking `trunkctl route` for the decision as JSON, reading the responses
out of a SIPp message log, and writing a classic pcap of UDP datagrams.

The older e2e files keep their own helpers; the few that fit here
(free_port, BIN, SIPP, and test_trunkd_attack's Daemon) are imported
rather than copied a third time. Stdlib only.
"""
import json
import os
import re
import socket
import struct
import subprocess

from test_trunkd import BIN, SIPP, free_port  # noqa: F401  (re-exported)
from test_trunkd_attack import Daemon


def compile_site(site, tables):
    """Compiles the site at `site` into the file `tables`."""
    run = subprocess.run([os.path.join(BIN, "dialplan-compile"), "-c", site, "-o", tables],
                         capture_output=True, text=True)
    assert run.returncode == 0, "dialplan-compile failed:\n%s%s" % (run.stdout, run.stderr)


def start_trunkd(tables, tmp):
    """A trunkd (test_trunkd_attack's Daemon: udp and tcp on free loopback
    ports, a control socket in `tmp`) serving `tables`, ready; stop() ends
    it by its process id and returns its exit code."""
    return Daemon(tmp, tables).wait_ready()


def route_json(*args, tables=None, site=None):
    """`trunkctl route --format json ARGS` over the tables file (faster: no
    compile) or the site; returns (exit code, parsed JSON)."""
    where = ["--tables", tables] if tables else ["-c", site]
    run = subprocess.run([os.path.join(BIN, "trunkctl"), "route", *where, "--format", "json",
                          *args], capture_output=True, text=True, timeout=30)
    assert run.returncode in (0, 1), "trunkctl route %s: exit %d\n%s" % (
        " ".join(args), run.returncode, run.stderr)
    return run.returncode, json.loads(run.stdout)


def split_message(text):
    """A SIP message's first line and its headers (name as written, value)
    in order."""
    lines = text.replace("\r\n", "\n").split("\n\n", 1)[0].split("\n")
    return lines[0], [(n.strip(), v.strip()) for n, _, v in
                      (line.partition(":") for line in lines[1:])]


def parse_response(text):
    """A SIP response's status code, reason phrase and headers (name as
    written, value) in order."""
    first, headers = split_message(text)
    m = re.match(r"SIP/2\.0 (\d{3}) (.*)$", first)
    assert m, "not a SIP response: %r" % first
    return int(m.group(1)), m.group(2), headers


def header_values(headers, name):
    return [v for n, v in headers if n.lower() == name.lower()]


def sipp_received(message_log):
    """The messages SIPp received, in order, as text, from its -trace_msg
    log (empty while SIPp has written none)."""
    if not os.path.exists(message_log):
        return []
    with open(message_log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    out = []
    # Each entry: a dashed line with the time, "UDP message received [N]
    # bytes :", a blank line, the message.
    for block in re.split(r"\n-{20,}[^\n]*\n", "\n" + text):
        m = re.match(r"\s*\w+ message received \[\d+\] bytes :\n\n(.*)", block, re.S)
        if m:
            out.append(m.group(1).strip("\n") + "\n\n")
    return out


def sipp_responses(message_log):
    """The responses SIPp received, in order, from its -trace_msg log."""
    return [parse_response(m) for m in sipp_received(message_log) if m.startswith("SIP/2.0 ")]


def parse_request(text):
    """A SIP request's method, Request-URI and headers (name as written,
    value) in order."""
    first, headers = split_message(text)
    m = re.match(r"([A-Z]+) (\S+) SIP/2\.0$", first)
    assert m, "not a SIP request: %r" % first
    return m.group(1), m.group(2), headers


def sipp_requests(message_log, method=None):
    """The requests SIPp received (only `method`'s, if given), in order,
    from its -trace_msg log, as parse_request gives them."""
    out = [parse_request(m) for m in sipp_received(message_log) if not m.startswith("SIP/2.0 ")]
    return [r for r in out if method is None or r[0] == method]


class PcapWriter:
    """A classic libpcap file of raw IPv4 (link type 101) holding UDP
    datagrams with their real addresses and ports, as a capture on lo
    would show them."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
        self.ident = 0

    def udp(self, when, src, dst, payload):
        """Writes one datagram sent at `when` (seconds) from `src` to `dst`
        ((address, port) each)."""
        udp = struct.pack("!HHHH", src[1], dst[1], 8 + len(payload), 0) + payload
        self.ident = (self.ident + 1) & 0xFFFF
        header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), self.ident, 0, 64, 17, 0,
                             socket.inet_aton(src[0]), socket.inet_aton(dst[0]))
        total = sum(struct.unpack("!10H", header))
        while total >> 16:
            total = (total & 0xFFFF) + (total >> 16)
        header = header[:10] + struct.pack("!H", ~total & 0xFFFF) + header[12:]
        frame = header + udp
        seconds = int(when)
        self.f.write(struct.pack("<IIII", seconds, int((when - seconds) * 1e6), len(frame),
                                 len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()
