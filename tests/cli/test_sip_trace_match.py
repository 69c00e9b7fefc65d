#!/usr/bin/env python3
"""Command-line tests for sip-trace-match.

Runs the built tool over real captures (tests/data/pcap, from public
repositories; see SOURCES.md there), over a log of each text format
(tests/data/trace), over the SkySwitch-style trace and over every RFC 4475
torture message, against tests/data/trace/site.toml. Asserts the report's
lines, JSON lines, filters, exit codes (0 all matched, 1 findings, 2 the
input cannot be read) and the warnings for a truncated capture.

Environment: TRUNK_BIN and TRUNK_SOURCE_DIR, as for the other CLI tests.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN_DIR, SOURCE_DIR, ToolTest, run_tool  # noqa: E402

TOOL = os.path.join(BIN_DIR, "sip-trace-match")
SITE = "tests/data/trace/site.toml"
PCAP = "tests/data/pcap/"
TEXT = "tests/data/trace/"
RFC = "tests/data/rfc4475/"


def stm(*args):
    return run_tool(TOOL, "-c", SITE, *args)


def json_lines(run):
    return [json.loads(line) for line in run.out.splitlines()]


def summary_of(run):
    rows = json_lines(run)
    assert rows and rows[-1]["type"] == "summary", run
    return rows[-1]


class SkySwitch(ToolTest):
    def test_text_report(self):
        r = stm(TEXT + "skyswitch.txt")
        self.check(r, 1, err="")
        self.assertEqual(
            r.out,
            "#1 line 6  INVITE sip:18005550123@trunking.example.net\n"
            "    trunk skyswitch-customer (From host \"trunking-customer.15611.service\" is its "
            "match_from_host), from-trunk; tenant acme (its route \"us\" takes 18005550123 from "
            "trunk skyswitch-customer); route us sends 18005550123 via CarrierA\n"
            "    note: the trace shows no source address: trunkd takes a trunk only from its "
            "addresses\n"
            "    note: 18005550123 is in no pool on trunk \"skyswitch-customer\": taken as a call "
            "from tenant \"acme\"'s PBX, going out\n"
            "    malformed Via: the sent-by host is missing after SIP/2.0/UDP: \"SIP/2.0/UDP\"\n"
            "    malformed To: '<' is never closed by '>': "
            "\"<sip:18005550123@trunking.example.net\"\n"
            "    malformed Contact: '<' is never closed by '>' and the URI has no host: "
            "\"<sip:4155550142@\"\n"
            "\n"
            "calls:\n"
            "  3848276298220188511@192.0.2.44  INVITE  skyswitch-customer tenant acme: "
            "unanswered: no response in the trace [1 message]\n"
            "\n"
            "trunks:\n"
            "  skyswitch-customer: 1 call: 1 unanswered\n"
            "\n"
            "summary: 1 messages (1 requests, 0 responses) from tests/data/trace/skyswitch.txt "
            "(text); 0 unmatched; 1 call, 0 failed; 1 with malformed headers\n")

    def test_json(self):
        r = stm("--format", "json", TEXT + "skyswitch.txt")
        self.check(r, 1, err="")
        rows = json_lines(r)
        self.assertEqual([x["type"] for x in rows], ["message", "call", "trunk", "summary"])
        m = rows[0]
        self.assertEqual(m["trunk"], "skyswitch-customer")
        self.assertEqual(m["tenant"], "acme")
        self.assertEqual(m["line"], 6)
        self.assertTrue(m["matched"])
        self.assertEqual([h["header"] for h in m["malformed"]], ["Via", "To", "Contact"])
        self.assertIsNone(m["src"])
        self.assertEqual(rows[-1]["malformed"], 1)
        self.assertEqual(rows[-1]["exit"], 1)


class SkySwitchGuide(ToolTest):
    """The guide's INVITE: sofia-sip sets aside only its Via and From, yet
    the To and Contact are broken too; all four are reported and the
    scheme-less From still names the trunk."""

    def test_every_broken_header_and_the_trunk(self):
        r = stm(TEXT + "skyswitch_guide.txt")
        self.check(r, 1, err="")
        self.assertEqual(
            r.out,
            "#1 line 9  INVITE sip:12032130635@trunking-customer.15611.service\n"
            "    trunk skyswitch-customer (From host \"trunking-customer.15611.service\" is its "
            "match_from_host), from-trunk; tenant acme (its route \"us\" takes 12032130635 from "
            "trunk skyswitch-customer); route us sends 12032130635 via CarrierA\n"
            "    note: the trace shows no source address: trunkd takes a trunk only from its "
            "addresses\n"
            "    note: 12032130635 is in no pool on trunk \"skyswitch-customer\": taken as a call "
            "from tenant \"acme\"'s PBX, going out\n"
            "    malformed Via: a space, not ':', separates the sent-by host from its port: "
            "\"SIP/2.0/UDP 192.0.2.44 5060;branch=z9hG4bK-524287-1---3b5f8d0e\"\n"
            "    malformed Contact: '>' without an opening '<' and the URI has no scheme (sip:, "
            "sips: or tel:): \"4155550142@192.0.2.44:5060>\"\n"
            "    malformed To: '>' without an opening '<' and the URI has no scheme (sip:, sips: "
            "or tel:): \"12032130635@trunking-customer.15611.service>\"\n"
            "    malformed From: '>' without an opening '<' and the URI has no scheme (sip:, "
            "sips: or tel:): \"\"Acme Sales\" 4155550142@trunking-customer.15611.service>;"
            "tag=3d0a1f55\"\n"
            "\n"
            "calls:\n"
            "  Yjc3ZWI5NTQ3OGM1ZTQ0NzE5MGRhMmY2N2Q2NmVjZjE  INVITE  skyswitch-customer tenant "
            "acme: unanswered: no response in the trace [1 message]\n"
            "\n"
            "trunks:\n"
            "  skyswitch-customer: 1 call: 1 unanswered\n"
            "\n"
            "summary: 1 messages (1 requests, 0 responses) from "
            "tests/data/trace/skyswitch_guide.txt (text); 0 unmatched; 1 call, 0 failed; "
            "1 with malformed headers\n")

    def test_json_names_the_four_headers(self):
        r = stm("--format", "json", TEXT + "skyswitch_guide.txt")
        self.check(r, 1, err="")
        m = json_lines(r)[0]
        self.assertEqual(m["trunk"], "skyswitch-customer")
        self.assertEqual([h["header"] for h in m["malformed"]], ["Via", "Contact", "To", "From"])
        self.assertEqual(m["malformed"][2]["value"], "12032130635@trunking-customer.15611.service>")


class Captures(ToolTest):
    def test_register_auth_failed_and_registered(self):
        r = stm("--method", "REGISTER", "--summary", PCAP + "sngrep_aaa.pcap")
        self.check(r, 1, err="")
        self.assertIn("  578222729-4665d775@578222732-4665d772  REGISTER  cybercity: registration "
                      "failed: authentication failed (401 nonce has changed) after credentials "
                      "were sent [26 messages", r.out)
        self.assertIn("  29858147-465b0752@29858051-465b07b2  REGISTER  cybercity: registered "
                      "(200 OK), expires 1200 s [14 messages", r.out)
        self.assertIn("\ntrunks:\n  cybercity: registered (expires 1200 s); ", r.out)
        self.assertIn("the REGISTER user \"voi18063\" is not trunk \"cybercity\"'s auth.username",
                      stm("--method", "REGISTER", PCAP + "sngrep_aaa.pcap").out)

    def test_invite_403_is_authentication_failed(self):
        r = stm("--format", "json", "--summary", "--method", "INVITE", PCAP + "sngrep_aaa.pcap")
        calls = [x for x in json_lines(r) if x["type"] == "call"]
        outcomes = {c["call_id"]: (c["outcome"], c.get("final_code")) for c in calls}
        self.assertEqual(outcomes["85216695-42dcdb1d@192.168.1.2"], ("auth-failed", 403))
        self.assertEqual(outcomes["105090259-446faf7a@192.168.1.2"], ("no-answer", 408))
        self.assertEqual(outcomes["11894297-4432a9f8@192.168.1.2"], ("no-answer", 480))

    def test_transport_type_inconsistent(self):
        r = stm("--format", "json", PCAP + "heplify_sip_ipv4_tcp_retrans.pcap")
        msgs = [x for x in json_lines(r) if x["type"] == "message" and x["request"]]
        tcp = [m for m in msgs if m["transport"] == "tcp"]
        self.assertEqual(len(tcp), 2)
        for m in tcp:
            self.assertEqual(m["trunk"], "registrar-228")
            self.assertEqual(m["direction"], "to-trunk")
            self.assertEqual(m["problems"], [
                "transport type inconsistent: the message came over TCP, trunk "
                "\"registrar-228\" is set to UDP"])
        self.assertEqual(summary_of(r)["unmatched"], 2)
        self.assertEqual(r.code, 1)

    def test_tcp_reassembly_and_calls(self):
        r = stm("--format", "json", "--summary", PCAP + "heplify_sip_ipv4_tcp_fragmented.pcap")
        s = summary_of(r)
        self.assertEqual(s["messages"], 406)  # as tshark finds, with the port hint
        self.assertEqual(s["format"], "pcap")
        trunks = {x["trunk"]: x for x in json_lines(r) if x["type"] == "trunk"}
        self.assertEqual(trunks["maxus"]["calls"], 37)
        self.assertEqual(trunks["maxus"]["answered"], 32)
        first = stm("--format", "json", "--method", "INVITE",
                    PCAP + "heplify_sip_ipv4_tcp_fragmented.pcap")
        m = json_lines(first)[0]
        self.assertEqual((m["frame"], m["transport"], m["src"]),
                         (2, "tcp", "10.186.207.1:37398"))
        self.assertEqual(m["destination"], "sip:699818@globex.pbx.example")

    def test_every_corpus_capture_is_read(self):
        counts = {"sngrep_aaa.pcap": 81, "sngrep_ipv6frag.pcap": 32, "sngrep_ipip.pcap": 4,
                  "heplify_sip_ipv4_tcp_retrans.pcap": 8,
                  "heplify_sip_ipv4_tcp_fragmented.pcap": 406,
                  "heplify_sip_ipv6_udp.pcap": 6, "heplify_erspan_sip_ipv4_udp.pcapng": 140,
                  "heplify_ipip0.pcap": 8, "ppp_sip_resp.pcap": 7, "ppp_sip_reqs.pcap": 4}
        for name, n in counts.items():
            r = stm("--format", "json", "--summary", PCAP + name)
            self.assertIn(r.code, (0, 1), str(r))
            self.assertEqual(summary_of(r)["messages"], n, name)
        self.assertEqual(summary_of(stm("--format", "json", "--summary",
                                        PCAP + "heplify_erspan_sip_ipv4_udp.pcapng"))["format"],
                         "pcapng")

    def test_unmatched_reasons(self):
        r = stm("--unmatched", PCAP + "heplify_ipip0.pcap")
        self.check(r, 1, err="")
        self.assertIn(
            "#1 frame 1 14:13:12.783378 udp 179.43.150.26:33489 -> 157.161.10.72:5060  INVITE "
            "sip:+3908351673002@157.161.10.72:5060\n"
            "    trunkd: 403 Forbidden (source 179.43.150.26:33489 is no trunk's address)\n"
            "    unmatched: the source address 179.43.150.26 is no trunk's host or "
            "associated_ips\n", r.out)

    def test_filters(self):
        r = stm("--call-id", "85216695-42dcdb1d@192.168.1.2", "--format", "json",
                PCAP + "sngrep_aaa.pcap")
        rows = json_lines(r)
        self.assertEqual({x["call_id"] for x in rows if x["type"] in ("message", "call")},
                         {"85216695-42dcdb1d@192.168.1.2"})
        self.assertEqual(summary_of(r)["shown"], 8)
        r = stm("--trunk", "maxus", "--format", "json", "--summary",
                PCAP + "heplify_sip_ipv4_tcp_fragmented.pcap")
        self.assertEqual([x["trunk"] for x in json_lines(r) if x["type"] == "trunk"], ["maxus"])
        self.check(stm("--trunk", "no-such", PCAP + "sngrep_aaa.pcap"), 2)

    def test_stdin_gives_the_same_report(self):
        with open(os.path.join(SOURCE_DIR, PCAP + "sngrep_aaa.pcap"), "rb") as f:
            data = f.read()
        p = subprocess.run([TOOL, "-c", SITE, "--summary", "-"], input=data, cwd=SOURCE_DIR,
                           capture_output=True, timeout=20)
        file_run = stm("--summary", PCAP + "sngrep_aaa.pcap")
        self.assertEqual(p.returncode, file_run.code)
        self.assertEqual(p.stdout.decode().replace("from stdin", "from X"),
                         file_run.out.replace("from " + PCAP + "sngrep_aaa.pcap", "from X"))

    def test_truncated_capture(self):
        with open(os.path.join(SOURCE_DIR, PCAP + "sngrep_aaa.pcap"), "rb") as f:
            data = f.read()
        with tempfile.TemporaryDirectory() as tmp:
            cut = os.path.join(tmp, "cut.pcap")
            with open(cut, "wb") as f:
                f.write(data[:len(data) // 2 + 7])
            r = stm("--format", "json", "--summary", cut)
            self.assertIn(r.code, (0, 1), str(r))
            s = summary_of(r)
            self.assertGreater(s["messages"], 10)
            self.assertLess(s["messages"], 81)
            codes = [x["code"] for x in json_lines(r) if x["type"] == "diagnostic"]
            self.assertIn("trace-truncated", codes)
            t = stm("--summary", cut)
            self.assertIn("warning[trace-truncated]", t.err)


class TextLogs(ToolTest):
    FORMATS = {"plain.txt": "text", "asterisk_pjsip.txt": "asterisk",
               "asterisk_chansip.txt": "asterisk", "freeswitch.txt": "freeswitch",
               "ngrep.txt": "ngrep", "ngrep_normal.txt": "ngrep", "ngrep_single.txt": "ngrep",
               "received_packet.txt": "received-packet"}

    def test_each_format(self):
        for name, fmt in self.FORMATS.items():
            with open(os.path.join(SOURCE_DIR, TEXT + name.replace(".txt", ".expected"))) as f:
                expected = [line for line in f.read().splitlines()[1:] if line.strip()]
            r = stm("--format", "json", TEXT + name)
            self.assertIn(r.code, (0, 1), str(r))
            s = summary_of(r)
            self.assertEqual(s["format"], fmt, name)
            self.assertEqual(s["messages"], len(expected), name)
            self.assertEqual(s["not_sip"], 0, name)
            msgs = [x for x in json_lines(r) if x["type"] == "message"]
            self.assertEqual([m["line"] for m in msgs], [int(e.split()[0]) for e in expected],
                             name)

    def test_addresses_from_log_lines_match_trunks(self):
        r = stm("--format", "json", TEXT + "asterisk_pjsip.txt")
        msgs = [x for x in json_lines(r) if x["type"] == "message"]
        self.assertTrue(any(m["src"] for m in msgs))


class Torture(ToolTest):
    """Every RFC 4475 message goes through without a crash or a hang; valid
    ones parse, invalid ones are reported."""
    VALID = ["wsinv", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri",
             "transports", "mpart01", "unreason", "noreason"]
    # sofia-sip refuses '+' and '`' in a method name, though RFC 3261 allows them.
    VALID_REFUSED = ["intmeth"]
    INVALID = ["badinv01", "clerr", "ncl", "scalar02", "scalarlg", "quotbal", "ltgtruri",
               "lwsruri", "lwsstart", "trws", "escruri", "baddate", "regbadct", "baddn",
               "badvers", "mismatch01", "mismatch02", "bigcode", "insuf", "multi01", "mcl01",
               # sofia-sip tolerates the spaces inside '<' '>'; the To is still reported.
               "badaspec"]

    def run_dat(self, name):
        r = stm("--input-format", "text", "--format", "json", RFC + name + ".dat")
        self.assertIn(r.code, (0, 1), str(r))
        return summary_of(r)

    def test_every_file(self):
        names = sorted(n[:-4] for n in os.listdir(os.path.join(SOURCE_DIR, RFC))
                       if n.endswith(".dat"))
        self.assertEqual(len(names), 50)
        for n in names:
            self.run_dat(n)  # exit 0 or 1, JSON summary: no crash, no hang

    def test_valid_parse(self):
        for n in self.VALID:
            s = self.run_dat(n)
            self.assertGreaterEqual(s["messages"], 1, n)
            self.assertEqual(s["not_sip"], 0, n)
            self.assertEqual(s["malformed"], 0, n)
        s = self.run_dat("intmeth")
        self.assertEqual((s["messages"], s["not_sip"]), (1, 1))

    def test_invalid_reported(self):
        for n in self.INVALID:
            s = self.run_dat(n)
            self.assertEqual(s["messages"], 1, n)
            self.assertGreaterEqual(s["not_sip"] + s["malformed"], 1, n)
            self.assertEqual(s["exit"], 1, n)


class Unusable(ToolTest):
    def test_missing_file(self):
        r = stm("/nonexistent/trace.pcap")
        self.check(r, 2, out="")
        self.assertIn("trace-open", r.err)

    def test_directory(self):
        self.check(stm("tests"), 2, out="")

    def test_forced_pcap_on_text(self):
        r = stm("--input-format", "pcap", TEXT + "plain.txt")
        self.check(r, 2, out="")
        self.assertIn("trace-format", r.err)

    def test_site_with_errors(self):
        r = run_tool(TOOL, "-c", "examples/broken/did-overlap.toml", TEXT + "plain.txt")
        self.check(r, 2, out="")
        self.assertIn("cannot match against", r.err)

    def test_no_trace_argument(self):
        self.check(stm(), 2, out="")


if __name__ == "__main__":
    unittest.main(verbosity=2)
