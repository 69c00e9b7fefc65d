#!/usr/bin/env python3
"""sip-trace-match's lean scanner against the full parse: the same output.

Every message sip-trace-match reads goes first to the lean scanner
(libtrunk/sip/scanner.hpp); only those it finds suspect take sofia-sip's
full parse and the fault checks. TRUNK_TRACE_FULL_PARSE=1 sends every
message through the full parse. This runs the tool both ways, text and
--format json, over every capture and log in tests/data, over captures
gen_capture writes (UDP and TCP, and unanswered INVITEs), and over a capture
of odd messages written here (compact and any-case header names, folded
lines, missing and repeated headers, bad Content-Length, UTF-8, NUL, tel:
and IPv6), and asserts byte-identical stdout, stderr and exit codes: the
fast path can never drift from the full one.

Environment: TRUNK_BIN and TRUNK_SOURCE_DIR, as for the other CLI tests.
"""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz"))
from clitest import BIN_DIR, SOURCE_DIR  # noqa: E402
from make_pcap_seeds import eth, ip4, ip6, pcap, udp  # noqa: E402

TOOL = os.path.join(BIN_DIR, "sip-trace-match")
GEN = os.path.join(BIN_DIR, "gen_capture")
SITE = "tests/data/trace/site.toml"
CARRIER, PBX = "203.0.113.10", "198.51.100.7"


def run(full_parse, *args):
    env = dict(os.environ)
    env.pop("TRUNK_SITE", None)
    env.pop("TRUNK_TRACE_FULL_PARSE", None)
    if full_parse:
        env["TRUNK_TRACE_FULL_PARSE"] = "1"
    p = subprocess.run([TOOL, "-c", SITE, *args], cwd=SOURCE_DIR, env=env,
                       capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def message(first, headers, body=b""):
    return (first + b"\r\n" + b"".join(h + b"\r\n" for h in headers) +
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


SDP = b"v=0\r\no=- 1 1 IN IP4 203.0.113.10\r\ns=-\r\nc=IN IP4 203.0.113.10\r\nt=0 0\r\n"


def call(n, first=b"INVITE sip:+14155550199@198.51.100.7:5060 SIP/2.0", method=b"INVITE",
         extra=(), drop=(), to_tag=b"", body=SDP, cseq=b"1"):
    """A request of call `n` from the carrier, headers in `drop` left out."""
    headers = [
        b"Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-%d-%s;rport" % (n, cseq),
        b"Max-Forwards: 70",
        b'From: "Acme" <sip:+14155550142@203.0.113.10>;tag=f%d' % n,
        b"To: <sip:+14155550199@198.51.100.7>" + (b";tag=" + to_tag if to_tag else b""),
        b"Call-ID: odd-%d@203.0.113.10" % n,
        b"CSeq: " + cseq + b" " + method,
        b"Contact: <sip:+14155550142@203.0.113.10:5060>",
        b"User-Agent: Carrier-SBC 4.2",
    ] + list(extra)
    if body:
        headers.append(b"Content-Type: application/sdp")
    headers = [h for h in headers if not any(h.lower().startswith(d.lower()) for d in drop)]
    return message(first, headers, body)


def answer(n, code, phrase, method=b"INVITE", extra=(), cseq=b"1"):
    return message(b"SIP/2.0 " + code + b" " + phrase, [
        b"Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-%d-%s;rport=5060;received=203.0.113.10"
        % (n, cseq),
        b'From: "Acme" <sip:+14155550142@203.0.113.10>;tag=f%d' % n,
        b"To: <sip:+14155550199@198.51.100.7>;tag=t%d" % n,
        b"Call-ID: odd-%d@203.0.113.10" % n,
        b"CSeq: " + cseq + b" " + method,
    ] + list(extra))


def odd_messages():
    """(from carrier?, bytes): a dialog or two, then one oddity per call."""
    out = []
    def dialog(n, invite):
        out.append((True, invite))
        out.append((False, answer(n, b"100", b"Trying")))
        out.append((False, answer(n, b"200", b"OK", extra=[b"Contact: <sip:pbx@198.51.100.7>"])))
        out.append((True, call(n, b"ACK sip:pbx@198.51.100.7 SIP/2.0", b"ACK", to_tag=b"t%d" % n,
                              body=b"")))
        out.append((True, call(n, to_tag=b"t%d" % n, cseq=b"2")))  # a re-INVITE
        out.append((False, answer(n, b"200", b"OK", cseq=b"2")))
        out.append((True, call(n, b"BYE sip:pbx@198.51.100.7 SIP/2.0", b"BYE", to_tag=b"t%d" % n,
                              body=b"", cseq=b"3")))
        out.append((False, answer(n, b"200", b"OK", b"BYE", cseq=b"3")))
    dialog(1, call(1))
    compact = call(2).replace(b"Via:", b"v:").replace(b"From:", b"f:").replace(b"\r\nTo:", b"\r\nt:")
    compact = compact.replace(b"Call-ID:", b"i:").replace(b"Contact:", b"m:")
    compact = compact.replace(b"Content-Length:", b"l:").replace(b"Content-Type:", b"c:")
    dialog(2, compact)
    dialog(3, call(3).replace(b"Call-ID:", b"cALL-iD:").replace(b"CSeq:", b"CSEQ:")
           .replace(b"Max-Forwards:", b"max-forwards:"))
    dialog(4, call(4, extra=[b"Subject: a folded\r\n line"]))
    dialog(5, call(5).replace(b"Via: SIP/2.0/UDP 203.0.113.10:5060;",
                              b"Via: SIP/2.0/UDP 203.0.113.10:5060\r\n ;"))
    for i, h in enumerate([b"Via", b"From", b"To", b"Call-ID", b"CSeq", b"Max-Forwards",
                           b"Content-Length"]):
        out.append((True, call(10 + i, drop=[h + b":"])))
    out.append((True, call(20, extra=[b"Call-ID: odd-20b@203.0.113.10"])))
    out.append((True, call(21, extra=[b"CSeq: 2 INVITE"])))
    out.append((True, call(22).replace(b"Content-Length: %d" % len(SDP), b"Content-Length: 900")))
    out.append((True, call(23).replace(b"Content-Length: %d" % len(SDP), b"Content-Length: 3")))
    out.append((True, call(24).replace(b"Content-Length: %d" % len(SDP), b"Content-Length: x")))
    out.append((True, call(25).replace(b'"Acme"', '"Ácmé ☎"'.encode())))
    out.append((True, call(26, extra=["X-Note: naïve".encode()])))
    out.append((True, call(27).replace(b"odd-27@", b"odd-27\0@")))
    out.append((True, call(28, extra=[b"X-Nul: a\0b"])))
    out.append((True, call(29, b"INVITE tel:+14155550199 SIP/2.0")))
    out.append((True, call(30).replace(b"203.0.113.10:5060;branch", b"[2001:db8::1]:5060;branch")))
    out.append((True, call(31, b"INVITE sip:+14155550199@198.51.100.7:5060 SIP/2.0 ")))
    out.append((True, call(32, b"INVITE <sip:+14155550199@198.51.100.7> SIP/2.0")))
    out.append((True, call(33).replace(b"<sip:+14155550142@203.0.113.10>",
                                       b"sip:+14155550142@203.0.113.10>")))
    out.append((True, call(34, method=b"BYE")))  # CSeq method not the request's
    out.append((True, call(35, b"INVITE sip:+14155550199@198.51.100.7:5060 SIP/3.0")))
    out.append((True, call(36).replace(b"\r\n", b"\n")))
    out.append((True, call(37, extra=[b"Authorization: Digest username=\"u\", realm=\"r\""])))
    out.append((True, call(38, b"invite sip:+14155550199@198.51.100.7:5060 SIP/2.0", b"invite")))
    out.append((True, call(39, b"OPTIONS sip:198.51.100.7 SIP/2.0", b"OPTIONS", body=b"")))
    out.append((True, call(40, extra=[b"Expires: 60", b"Supported: ,"])))
    dialog(41, call(41, b"INVITE sip:4155550142@carrier.example SIP/2.0"))
    out.append((True, call(42)))
    out.append((False, answer(42, b"486", b"Busy Here",
                              extra=[b'Reason: Q.850;cause=34;text="No channel"'])))
    out.append((True, call(43)))
    out.append((False, answer(43, b"503", b"Channel limit reached")))
    out.append((True, call(44, b"REGISTER sip:198.51.100.7 SIP/2.0", b"REGISTER", body=b"")))
    out.append((False, answer(44, b"401", b"Unauthorized", b"REGISTER",
                              extra=[b'WWW-Authenticate: Digest realm="r", nonce="n", stale=true'])))
    out.append((False, answer(44, b"200", b"OK", b"REGISTER",
                              extra=[b"Contact: <sip:u@203.0.113.10>;expires=300"])))
    out.append((False, answer(99, b"180", b"Ringing")))  # the request not captured
    out.append((True, call(45).replace(b"Via: SIP/2.0/UDP", b"Via: SIP/2.0/UDP 198.51.100.1;"
                                       b"branch=z9hG4bKa, SIP/2.0/UDP", 1)))
    out.append((True, call(46).replace(b"branch=", b"BRANCH=")))
    out.append((True, call(47).replace(b"Max-Forwards: 70", b"Max-Forwards: 256")))
    out.append((True, call(48).replace(b"tag=f48", b"tag=f48;tag=g")))
    out.append((True, b"garbage\r\n\r\n"))
    return out


class FastPathMatchesFullParse(unittest.TestCase):
    def assert_same(self, path, *extra):
        for fmt in ([], ["--format", "json"]):
            args = [*extra, *fmt, path]
            fast, full = run(False, *args), run(True, *args)
            self.assertEqual(fast[0], full[0], "exit code of %s" % args)
            self.assertEqual(fast[2].decode("utf-8", "replace"), full[2].decode("utf-8", "replace"),
                             "stderr of %s" % args)
            self.assertEqual(fast[1].decode("utf-8", "replace"), full[1].decode("utf-8", "replace"),
                             "stdout of %s" % args)
        return fast

    def test_every_file_in_tests_data(self):
        n = 0
        for sub in ("pcap", "trace", "rfc4475"):
            folder = os.path.join(SOURCE_DIR, "tests", "data", sub)
            for name in sorted(os.listdir(folder)):
                if name.endswith((".md", ".toml", ".expected")):
                    continue
                extra = ["--input-format", "text"] if name.endswith(".dat") else []
                with self.subTest(file=name):
                    self.assert_same(os.path.join("tests", "data", sub, name), *extra)
                n += 1
        self.assertGreater(n, 70)

    def test_odd_messages(self):
        frames, times = [], []
        for i, (from_carrier, m) in enumerate(odd_messages()):
            src, dst = (CARRIER, PBX) if from_carrier else (PBX, CARRIER)
            frames.append(eth(0x0800, ip4(src, dst, 17, udp(5060, 5060, m))))
            times.append(1700000000 * 1000000 + i * 1000)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "odd.pcap")
            with open(path, "wb") as f:
                f.write(pcap(1, frames, times))
            code, out, _ = self.assert_same(path)
            self.assertEqual(code, 1)  # the odd ones are reported
            self.assertIn(b"malformed", out)
            # The same messages as a text log, which has no addresses.
            log = os.path.join(tmp, "odd.txt")
            with open(log, "wb") as f:
                f.write(b"\r\n\r\n".join(m for _, m in odd_messages()
                                         if b"\0" not in m and b"garbage" not in m))
            self.assert_same(log, "--input-format", "text")

    def test_generated_captures(self):
        self.assertTrue(os.path.exists(GEN), "gen_capture is built with the tests (TRUNK_BENCH)")
        with tempfile.TemporaryDirectory() as tmp:
            for name, args in (("mixed.pcap", ["0.6", "--tcp-percent", "30", "--concurrent", "20"]),
                               ("unanswered.pcap", ["0.2", "--unanswered"])):
                path = os.path.join(tmp, name)
                subprocess.run([GEN, path, *args], check=True, capture_output=True, timeout=60)
                with self.subTest(capture=name):
                    self.assert_same(path)


if __name__ == "__main__":
    unittest.main(verbosity=2)
