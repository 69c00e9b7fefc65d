#!/usr/bin/env python3
"""sip-trace-match against traces made to hurt it.

Generated here with struct (the helpers of tests/fuzz/make_pcap_seeds.py):
a capture of many INVITEs that nothing answers, each with a 268-character
Call-ID (memory must stay bounded: calls are closed as they time out in
capture time, and still counted); captures and a text log with bytes that
are not UTF-8 and terminal escape sequences in their headers (every JSON
line must be valid UTF-8, text output must carry no raw control
character); frames cut inside their IPv4 and IPv6 headers (a warning each).

Environment: TRUNK_BIN and TRUNK_SOURCE_DIR, as for the other CLI tests.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz"))
from clitest import BIN_DIR, SOURCE_DIR, ToolTest, run_tool  # noqa: E402
from make_pcap_seeds import eth, ip4, ip6, pcap, udp  # noqa: E402

TOOL = os.path.join(BIN_DIR, "sip-trace-match")
SITE = "tests/data/trace/site.toml"
T0 = 1700000000 * 1000000

# CarrierA's address in the test site: every INVITE is its call.
CARRIER, PBX = "203.0.113.10", "198.51.100.7"


def invite(call_id, extra=b"", ruri=b"sip:4155550242@198.51.100.7"):
    return (b"INVITE " + ruri + b" SIP/2.0\r\n"
            b"Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-" + call_id[:8] + b"\r\n"
            b"From: <sip:caller@203.0.113.10>;tag=f1\r\nTo: <" + ruri + b">\r\n"
            b"Call-ID: " + call_id + b"\r\nCSeq: 1 INVITE\r\n" + extra +
            b"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")


def udp_frame(payload, src=CARRIER, dst=PBX, sport=5060, dport=5060):
    return eth(0x0800, ip4(src, dst, 17, udp(sport, dport, payload)))


def write(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def run_measured(*args):
    """Runs the tool; returns (exit code, stdout, stderr, peak RSS in KiB) of
    that one child (wait4, not the sum of every child so far)."""
    env = dict(os.environ)
    env.pop("TRUNK_SITE", None)
    # Under AddressSanitizer, freed memory waits in a quarantine (256 MB by
    # default) that would hide what the tool itself keeps.
    if env.get("ASAN_OPTIONS"):
        env["ASAN_OPTIONS"] += ":quarantine_size_mb=1"
    else:
        env["ASAN_OPTIONS"] = "quarantine_size_mb=1"
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen([TOOL, "-c", SITE, *args], cwd=SOURCE_DIR, env=env, stdout=out,
                             stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return p.returncode, out.read(), err.read(), usage.ru_maxrss


class BoundedMemory(ToolTest):
    CALLS = 20000
    GAP_US = 20000  # 50 INVITEs a second: 1,600 calls within a transaction's 32 s

    def test_unanswered_invites_with_long_call_ids(self):
        def call_id(i):
            tail = b"%d@192.0.2.1" % i
            return b"x" * (268 - len(tail)) + tail
        frames = [udp_frame(invite(call_id(i))) for i in range(self.CALLS)]
        times = [T0 + i * self.GAP_US for i in range(self.CALLS)]
        with tempfile.TemporaryDirectory() as tmp:
            big = write(tmp, "unanswered.pcap", pcap(1, frames, times))
            small = write(tmp, "one.pcap", pcap(1, frames[:1], times[:1]))
            code, out, err, base_kib = run_measured("--summary", "--format", "json", small)
            self.assertEqual(code, 0, err)
            code, out, err, peak_kib = run_measured("--summary", "--format", "json", big)
        # Every call kept to the end takes 20,000 records of some 700 bytes
        # and their Call-IDs again: 41 MB more than for one call, under
        # ASan, before calls were closed as they time out; 7 MB since.
        grown_mib = (peak_kib - base_kib) / 1024
        self.assertLess(grown_mib, 15, "peak %d KiB, %d KiB for one call" % (peak_kib, base_kib))
        rows = [json.loads(line) for line in out.decode().splitlines()]
        # Far more than limits.total 2 at once, but no answer ever said
        # channels ran out: unanswered, not busy, and not a finding.
        self.assertEqual(code, 0, err)
        summary = rows[-1]
        self.assertEqual(summary["messages"], self.CALLS)
        self.assertEqual(summary["calls"], self.CALLS)
        calls = [r for r in rows if r["type"] == "call"]
        self.assertEqual(len(calls), self.CALLS)
        # Printed in the order they closed, here the order they came; a
        # Call-ID this long is kept as its two ends and a hash.
        self.assertEqual([c["call_id"][:118] for c in calls[:3]],
                         [call_id(i).decode()[:118] for i in range(3)])
        self.assertEqual([c["call_id"][118:121] + c["call_id"][-28:-17] for c in calls[:3]],
                         ["...0@192.0.2.1", "...1@192.0.2.1", "...2@192.0.2.1"])
        self.assertEqual({len(c["call_id"]) for c in calls}, {256})
        self.assertEqual({(c["outcome"], c["description"]) for c in calls},
                         {("no-response", "unanswered: no response in the trace")})
        trunk = [r for r in rows if r["type"] == "trunk"]
        self.assertEqual([(t["trunk"], t["calls"], t["unanswered"], t["busy"],
                           t["channel_refusals"]) for t in trunk],
                         [("CarrierA", self.CALLS, self.CALLS, 0, 0)])
        self.assertNotIn("maximum channels", trunk[0]["status"])


class HostileText(ToolTest):
    EVIL = (b"Subject: \x1b]0;owned\x07\x1b[2J\xc2\x9b31m\r\n"
            b"User-Agent: caf\xe9 \xff\xfe\x80 \xed\xa0\x80\r\n")

    def messages(self):
        return [invite(b"esc-\x1b[31m-call", self.EVIL),
                b"SIP/2.0 486 Busy \x1b[5mHere\xff\r\nVia: SIP/2.0/UDP 203.0.113.10:5060;"
                b"branch=z9hG4bK-esc\r\nFrom: <sip:caller@203.0.113.10>;tag=f1\r\n"
                b"To: <sip:4155550242@198.51.100.7>;tag=t\x1b\r\n"
                b"Call-ID: esc-\x1b[31m-call\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
                invite(b"utf-\xe9\xff-call", b"To: <sip:\xff\x1b[1m@bad\r\n",
                       ruri=b"sip:41555\x1b[0m50242@198.51.100.7")]

    def check_outputs(self, path):
        text = run_tool_bytes(path)
        js = run_tool_bytes(path, "--format", "json")
        for run in (text, js):
            self.assertEqual(run[0], 1, run)
            for stream in run[1:]:
                self.assertNotIn(b"\x1b", stream, run)
                self.assertNotIn(b"\x9b", stream.replace(b"\\u009b", b""), run)
        lines = js[1].decode("utf-8").splitlines()  # strict: fails on invalid UTF-8
        rows = [json.loads(line) for line in lines]
        self.assertEqual(rows[-1]["type"], "summary")
        msgs = [r for r in rows if r["type"] == "message"]
        self.assertEqual(msgs[0]["call_id"], "esc-\x1b[31m-call")
        self.assertEqual(msgs[2]["call_id"], "utf-\ufffd\ufffd-call")
        self.assertEqual(msgs[1]["phrase"], "Busy \x1b[5mHere\ufffd")
        out = text[1].decode("utf-8", "replace")
        self.assertIn("  486 Busy \\x1b[5mHere\\xff (INVITE)\n", out)
        self.assertIn("  esc-\\x1b[31m-call  INVITE  CarrierA", out)
        self.assertIn("busy (486 Busy \\x1b[5mHere\\xff)", out)
        self.assertIn("utf-\\xe9\\xff-call", out)
        return rows

    def test_capture(self):
        frames = [udp_frame(m) if i != 1 else udp_frame(m, PBX, CARRIER)
                  for i, m in enumerate(self.messages())]
        with tempfile.TemporaryDirectory() as tmp:
            self.check_outputs(write(tmp, "evil.pcap", pcap(1, frames)))

    def test_text_log(self):
        log = b"\r\n\r\n".join(m.rstrip(b"\r\n") for m in self.messages()) + b"\r\n\r\n"
        with tempfile.TemporaryDirectory() as tmp:
            self.check_outputs(write(tmp, "evil.txt", log))


def run_tool_bytes(*args):
    p = subprocess.run([TOOL, "-c", SITE, *args], cwd=SOURCE_DIR, capture_output=True,
                       timeout=20, env={k: v for k, v in os.environ.items()
                                        if k != "TRUNK_SITE"})
    return p.returncode, p.stdout, p.stderr


class CutHeaders(ToolTest):
    def test_frames_cut_inside_the_ip_header(self):
        whole = udp_frame(invite(b"cut-1"))
        v6 = eth(0x86DD, ip6("2001:db8::1", "2001:db8::2", 17, udp(5060, 5060, invite(b"cut-2"))))
        frames = [whole[:14 + 12], v6[:14 + 30], whole,
                  eth(0x0800, b"\x46" + whole[15:14 + 20])]  # IHL 6: 24 bytes, 20 there
        with tempfile.TemporaryDirectory() as tmp:
            path = write(tmp, "cut.pcap", pcap(1, frames))
            r = run_tool(TOOL, "-c", SITE, "--summary", path)
            self.check(r, 0)
            self.assertEqual(r.err,
                             path + ": warning[trace-ip-header-cut]: frame 1: the frame ends "
                             "inside its IPv4 header (12 of 20 bytes): skipped\n" +
                             path + ": warning[trace-ip-header-cut]: frame 2: the frame ends "
                             "inside its IPv6 header (30 of 40 bytes): skipped\n" +
                             path + ": warning[trace-ip-header-cut]: frame 4: the frame ends "
                             "inside its IPv4 header (20 of 24 bytes): skipped\n")
            self.assertIn("summary: 1 messages", r.out)
            j = run_tool(TOOL, "-c", SITE, "--summary", "--format", "json", path)
            diags = [x for x in map(json.loads, j.out.splitlines()) if x["type"] == "diagnostic"]
            self.assertEqual([(d["code"], d["severity"]) for d in diags],
                             [("trace-ip-header-cut", "warning")] * 3)

    def test_many_cut_frames_are_counted_not_listed(self):
        whole = udp_frame(invite(b"cut-1"))
        with tempfile.TemporaryDirectory() as tmp:
            path = write(tmp, "cut.pcap", pcap(1, [whole[:20]] * 25))
            r = run_tool(TOOL, "-c", SITE, "--summary", path)
            self.check(r, 0)
            lines = r.err.splitlines()
            self.assertEqual(len(lines), 11)
            self.assertEqual(lines[-1], path + ": warning[trace-ip-header-cut]: 25 frames in all "
                             "end inside their IP header, skipped; the first 10 are named above")


if __name__ == "__main__":
    unittest.main(verbosity=2)
