"""End-to-end tests of trunkd with SIPp (Debian package sip-tester).

trunkd and SIPp run on loopback, on ports chosen free by the test; trunkd
is started and stopped by process id. Covered: outbound redirect with
failover Contacts, inbound redirect, 404 with its reason, 403, OPTIONS,
405; the control socket (stats, lookup, reload); TCP framing, keepalive,
idle timeout and connection limit; SIGHUP reload of a good
and of a corrupt file (refused, the old table keeps serving); SIGTERM.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

SRC = os.environ.get("TRUNK_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BIN = os.environ.get("TRUNK_BIN", os.path.join(SRC, "build", "bin"))
SITE = os.path.join(SRC, "tests", "e2e", "site")
SIPP = shutil.which("sipp")


def free_port(address="127.0.0.1", kind=socket.SOCK_DGRAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def compile_site(tmp):
    """Compiles tests/e2e/site into `tmp`; returns the tables file's path."""
    tables = os.path.join(tmp, "site.tables")
    run = subprocess.run([os.path.join(BIN, "dialplan-compile"), "-c", SITE, "-o", tables],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return tables


def ask_control(path, request, timeout=5):
    """Sends one request to trunkd's control socket at `path`; returns the reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall((json.dumps(request) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data)


def ere_escape(text):
    """`text` as a POSIX extended regular expression that matches it literally."""
    return "".join("\\" + c if c in ".[]()*+?{}|^$\\" else c for c in text)


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;")


def scenario(method, from_uri, expect_code, must_contain=()):
    """A SIPp UAC scenario: one request, one expected response (and an ACK
    after an INVITE's final response)."""
    checks = "".join(
        '<ereg regexp="%s" search_in="msg" check_it="true" assign_to="m%d"/>' % (
            xml_escape(ere_escape(text)), i) for i, text in enumerate(must_contain))
    refs = ",".join("m%d" % i for i in range(len(must_contain)))
    ack = """
  <send>
    <![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
From: <%s>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

    ]]>
  </send>""" % from_uri if method == "INVITE" else ""
    return """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="trunkd %s">
  <send retrans="500">
    <![CDATA[
%s sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <%s>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 %s
Contact: <sip:sipp@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

    ]]>
  </send>
  <recv response="%d">
    <action>%s</action>
  </recv>%s
  %s
</scenario>
""" % (method, method, from_uri, method, expect_code, checks, ack,
       '<Reference variables="%s"/>' % refs if refs else "")


@unittest.skipUnless(SIPP, "sipp (Debian package sip-tester) is not installed")
class Trunkd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="trunkd-e2e-")
        cls.tables = compile_site(cls.tmp)
        cls.port = free_port()
        cls.tcp_port = free_port(kind=socket.SOCK_STREAM)
        cls.control = os.path.join(cls.tmp, "control.sock")
        cls.log = open(os.path.join(cls.tmp, "trunkd.log"), "w+")
        cls.proc = subprocess.Popen(
            [os.path.join(BIN, "trunkd"), "--tables", cls.tables, "--listen",
             "udp:127.0.0.1:%d" % cls.port, "--listen", "tcp:127.0.0.1:%d" % cls.tcp_port,
             "--control", cls.control, "--log-level", "debug"],
            stdout=cls.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if cls.ask({"cmd": "stats"})["ok"]:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            cls.proc.kill()
            raise AssertionError("trunkd did not start")

    @classmethod
    def tearDownClass(cls):
        if cls.proc.poll() is None:
            cls.proc.kill()
            cls.proc.wait()
        cls.log.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def ask(cls, request):
        return ask_control(cls.control, request)

    def sipp(self, method, from_uri, service, expect_code, must_contain=(), local_ip="127.0.0.1",
             local_port=None, calls=3, tcp=False):
        path = os.path.join(self.tmp, "scenario.xml")
        with open(path, "w") as f:
            f.write(scenario(method, from_uri, expect_code, must_contain))
        port = self.tcp_port if tcp else self.port
        kind = socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM
        cmd = [SIPP, "127.0.0.1:%d" % port, "-sf", path, "-s", service, "-m", str(calls),
               "-r", "10", "-i", local_ip, "-p", str(local_port or free_port(local_ip, kind)),
               "-t", "t1" if tcp else "u1",
               "-timeout", "15s", "-timeout_error", "-nostdin", "-trace_err",
               "-error_file", os.path.join(self.tmp, "sipp_errors.log")]
        run = subprocess.run(cmd, capture_output=True, text=True, cwd=self.tmp, timeout=60)
        errors = ""
        if os.path.exists(os.path.join(self.tmp, "sipp_errors.log")):
            with open(os.path.join(self.tmp, "sipp_errors.log")) as f:
                errors = f.read()[-3000:]
        self.assertEqual(run.returncode, 0, "sipp failed (%d):\n%s\n%s\n%s" % (
            run.returncode, run.stdout[-2000:], run.stderr[-2000:], errors))

    def test_outbound_redirect_with_failover_contacts(self):
        self.sipp("INVITE", "sip:alice@acme.test", "14155550123", 302, (
            "Contact: <sip:14155550123@127.0.0.2:5060>;q=1.0",
            "Contact: <sip:14155550123@192.0.2.10:5080;transport=tcp>;q=0.9",
            "X-Route: national"))

    def test_tcp_outbound_and_inbound(self):
        self.sipp("INVITE", "sip:alice@acme.test", "14155550123", 302, (
            "Via: SIP/2.0/TCP", "Contact: <sip:14155550123@127.0.0.2:5060>;q=1.0",
            "X-Route: national"), tcp=True)
        self.sipp("INVITE", "sip:x@carrier.example", "5550101", 302,
                  ("Contact: <sip:5550101@acme.test>",), local_ip="127.0.0.2", tcp=True)

    def test_tcp_framing_and_keepalive(self):
        """Two requests in one segment, one request over two segments, and a
        CRLF keepalive, on a raw TCP connection."""
        def request(call_id):
            return ("OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\n"
                    "Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-%s\r\n"
                    "From: <sip:m@proxy.example>;tag=1\r\nTo: <sip:ping@127.0.0.1>\r\n"
                    "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 4\r\n\r\nbody"
                    % (call_id, call_id)).encode()
        with socket.create_connection(("127.0.0.1", self.tcp_port), timeout=5) as s:
            s.sendall(b"\r\n\r\n")
            self.assertEqual(s.recv(2), b"\r\n")
            s.sendall(request("a") + request("b"))
            second = request("c")
            s.sendall(second[:40])
            time.sleep(0.2)
            s.sendall(second[40:])
            data = b""
            deadline = time.time() + 5
            while data.count(b"SIP/2.0 200 OK") < 3 and time.time() < deadline:
                data += s.recv(65536)
        self.assertEqual(data.count(b"SIP/2.0 200 OK"), 3, data)
        for call_id in (b"a", b"b", b"c"):
            self.assertIn(b"Call-ID: " + call_id + b"\r\n", data)

    def test_tcp_idle_timeout_and_connection_limit(self):
        """A second trunkd with --tcp-idle-timeout 1 --tcp-max-connections 2:
        a silent connection is closed within the sweep, one that keeps
        talking stays, and a third connection is closed on arrival."""
        port = free_port(kind=socket.SOCK_STREAM)
        control = os.path.join(self.tmp, "limits.sock")
        proc = subprocess.Popen(
            [os.path.join(BIN, "trunkd"), "--tables", self.tables, "--listen",
             "tcp:127.0.0.1:%d" % port, "--control", control, "--tcp-idle-timeout", "1",
             "--tcp-max-connections", "2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def stats():
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(5)
                s.connect(control)
                s.sendall(b'{"cmd":"stats"}\n')
                data = b""
                while not data.endswith(b"\n"):
                    data += s.recv(65536)
            return json.loads(data)

        def wait_for(what, condition):
            deadline = time.time() + 10
            while True:
                try:
                    if condition(stats()):
                        return
                except OSError:
                    pass
                self.assertLess(time.time(), deadline, what)
                time.sleep(0.05)

        try:
            wait_for("trunkd did not start", lambda s: s["ok"])
            silent = socket.create_connection(("127.0.0.1", port), timeout=5)
            talker = socket.create_connection(("127.0.0.1", port), timeout=5)
            wait_for("the two connections were not accepted", lambda s: s["tcp_open"] == 2)
            third = socket.create_connection(("127.0.0.1", port), timeout=5)
            self.assertEqual(third.recv(1), b"", "a connection past the limit is closed")
            third.close()
            # The talker sends a keepalive well within the timeout, until
            # the silent one has been swept (at most 2 s: a 1 s timeout
            # checked once a second).
            started = time.time()
            while time.time() - started < 2.5:
                talker.sendall(b"\r\n\r\n")
                self.assertEqual(talker.recv(2), b"\r\n")
                time.sleep(0.25)
            self.assertEqual(silent.recv(1), b"", "the silent connection is closed")
            talker.sendall(b"\r\n\r\n")
            self.assertEqual(talker.recv(2), b"\r\n", "the talking one is kept")
            silent.close()
            talker.close()
            wait_for("the talker's close was not seen", lambda s: s["tcp_open"] == 0)
            s = stats()
            self.assertEqual(s["tcp_refused"], 1)
            self.assertEqual(s["tcp_idle_closed"], 1)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("TCP connection limit (2) reached: new connections are closed", err)

    def test_inbound_redirect_from_the_carrier_address(self):
        self.sipp("INVITE", "sip:+15125550000@carrier.example", "+5550142", 302, (
            "Contact: <sip:5550142@acme.test>", "X-Trunk: loop-carrier"), local_ip="127.0.0.2")

    def test_404_says_why(self):
        self.sipp("INVITE", "sip:alice@acme.test", "123", 404, ("Not Found (no route)",))
        self.sipp("INVITE", "sip:x@carrier.example", "5550180", 404,
                  ("no inbound rule for this DID",), local_ip="127.0.0.2")
        self.sipp("INVITE", "sip:x@carrier.example", "999", 404,
                  ("DID in no pool on this trunk",), local_ip="127.0.0.2")

    def test_403_for_an_unknown_source(self):
        self.sipp("INVITE", "sip:mallory@elsewhere.example", "14155550123", 403,
                  ("is no trunk's address",))

    def test_options_and_other_methods(self):
        self.sipp("OPTIONS", "sip:monitor@proxy.example", "ping", 200, ("Allow: INVITE, ACK, OPTIONS",))
        self.sipp("MESSAGE", "sip:alice@acme.test", "14155550123", 405, ("Allow: INVITE",))

    def test_acks_are_counted_and_never_answered(self):
        # A plain ACK is counted without the full parse (sip::scan, then
        # redirect() over the scanned view); a compact one too; a folded
        # one and one without a Call-ID take the full parse. Each is
        # counted once as an ACK answered with nothing, none is answered,
        # none is "not SIP".
        ack = ("ACK sip:+442079460000@127.0.0.1 SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:%(port)d;branch=z9hG4bK-ack%(n)d\r\n"
               "From: <sip:alice@acme.example>;tag=f%(n)d\r\n"
               "To: <sip:+442079460000@127.0.0.1>;tag=t%(n)d\r\n"
               "Call-ID: ack-%(n)d@127.0.0.1\r\n"
               "CSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
        before = self.ask({"cmd": "stats"})
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            me = udp.getsockname()[1]
            plain = ack % {"port": me, "n": 1}
            compact = (ack % {"port": me, "n": 2}).replace("Call-ID:", "i:")
            folded = (ack % {"port": me, "n": 3}).replace("CSeq: 1 ACK", "CSeq:\r\n 1 ACK")
            no_call_id = "".join(line + "\r\n" for line in (ack % {"port": me, "n": 4}).split(
                "\r\n")[:-2] if not line.startswith("Call-ID"))
            for text in (plain, compact, folded, no_call_id):
                udp.sendto(text.encode(), ("127.0.0.1", self.port))
            # The OPTIONS after them is answered by the same worker once
            # every ACK before it has been taken.
            udp.sendto(plain.replace("ACK", "OPTIONS").encode(), ("127.0.0.1", self.port))
            udp.settimeout(5)
            reply = udp.recv(65536).decode()
            self.assertTrue(reply.startswith("SIP/2.0 200 OK"), reply)
            self.assertIn("CSeq: 1 OPTIONS", reply)
            udp.settimeout(0.3)
            with self.assertRaises(socket.timeout):
                udp.recv(65536)  # no ACK was answered
        after = self.ask({"cmd": "stats"})
        delta = lambda *keys: (after[keys[0]][keys[1]] - before[keys[0]][keys[1]]
                               if len(keys) == 2 else after[keys[0]] - before[keys[0]])
        self.assertEqual(delta("requests", "ACK"), 4)
        self.assertEqual(delta("requests", "OPTIONS"), 1)
        self.assertEqual(delta("responses", "none"), 4)
        self.assertEqual(delta("lookups"), 5)
        self.assertEqual(delta("not_sip"), 0)

    def test_control_lookup(self):
        out = self.ask({"cmd": "lookup", "tenant": "acme", "number": "14155550123"})
        self.assertEqual(out["route"], "national")
        self.assertEqual(out["trunks"], ["loop-carrier", "backup"])
        self.assertEqual(out["decision"]["code"], 302)
        self.assertEqual([c["trunk"] for c in out["decision"]["contacts"]],
                         ["loop-carrier", "backup"])
        out = self.ask({"cmd": "lookup", "trunk": "loop-carrier", "did": "+5550101"})
        decision = out.pop("decision")
        self.assertEqual(out, {"ok": True, "trunk": "loop-carrier", "did": "+5550101",
                               "tenant": "acme", "to": "sip:5550101@acme.test"})
        self.assertEqual(decision["contacts"][0]["contact"], "<sip:5550101@acme.test>;trunk=loop-carrier")
        self.assertFalse(self.ask({"cmd": "lookup", "tenant": "nobody", "number": "1"})["ok"])
        self.assertFalse(self.ask({"cmd": "dance"})["ok"])

    def test_trunkctl_stats_and_reload(self):
        trunkctl = os.path.join(BIN, "trunkctl")
        run = subprocess.run([trunkctl, "stats", "--control", self.control], capture_output=True,
                             text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stderr, "")
        self.assertRegex(run.stdout, r"^tables            .*site\.tables \(site digest "
                                     r"[0-9a-f]{16}, 1 routes, format 3\)\n")
        # Every counter of the JSON reply has its row in the text (#15: the
        # 400s, the unanswered and the TCP and control counters were left
        # out). Nothing else talks to trunkd meanwhile: the same figures.
        reply = self.ask({"cmd": "stats"})
        rows = dict((line[:18].rstrip(), line[18:]) for line in run.stdout.splitlines())
        self.assertEqual(rows["requests"], ", ".join(
            "%s %d" % (k, v) for k, v in reply["requests"].items()))
        self.assertEqual(rows["responses"], ", ".join(
            "%s %d" % ("none sent" if k == "none" else k, v)
            for k, v in reply["responses"].items()))
        self.assertIn("400", reply["responses"])
        self.assertIn("484", reply["responses"])
        counters = [k for k, v in reply.items()
                    if isinstance(v, int) and not isinstance(v, bool) and k != "uptime_s"]
        self.assertEqual(len(rows), 3 + len(counters) + 1, run.stdout)  # tables, requests,
        # responses, the counters, uptime
        for label, key in [("not SIP", "not_sip"), ("TCP write failed", "tcp_write_failed"),
                           ("accept errors", "accept_errors"),
                           ("control refused", "control_refused")]:
            self.assertEqual(rows[label], str(reply[key]), label)
        # A control client closing may count between the two asks.
        self.assertRegex(rows["control dropped"], r"^\d+$")
        run = subprocess.run([trunkctl, "stats", "--control", self.control, "--format", "json"],
                             capture_output=True, text=True)
        self.assertTrue(json.loads(run.stdout)["ok"])
        before = self.ask({"cmd": "stats"})["reloads"]
        run = subprocess.run([trunkctl, "reload", "--control", self.control], capture_output=True,
                             text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertRegex(run.stdout, r"^%s: ok, site digest [0-9a-f]{16}\n$" %
                         re.escape(self.control))
        self.assertEqual(self.ask({"cmd": "stats"})["reloads"], before + 1)

    def test_y_reload_under_load(self):
        """SIPp calls at a steady rate for 20 s while the tables are replaced
        20 times, some with corrupt or truncated files: no call fails, and
        every response is wholly one of the two valid tables' answers."""
        variant = os.path.join(self.tmp, "site-b")
        os.makedirs(variant, exist_ok=True)
        with open(os.path.join(SITE, "site.toml")) as f:
            text = f.read()
        text = text.replace('name = "national"', 'name = "national-b"').replace(
            'trunks = ["loop-carrier", "backup"]', 'trunks = ["backup", "loop-carrier"]')
        with open(os.path.join(variant, "site.toml"), "w") as f:
            f.write(text)
        table_b = os.path.join(self.tmp, "b.tables")
        run = subprocess.run([os.path.join(BIN, "dialplan-compile"), "-c", variant, "-o", table_b],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        with open(self.tables, "rb") as f:
            good_a = f.read()
        with open(table_b, "rb") as f:
            good_b = f.read()
        flipped = bytearray(good_a)
        flipped[len(flipped) // 3] ^= 0x40
        files = [good_b, good_a[:100], good_a, bytes(flipped), good_b, good_a[: len(good_a) - 8]]
        before = self.ask({"cmd": "stats"})
        scen = os.path.join(self.tmp, "load.xml")
        either = ("Contact: <sip:14155550123@127\\.0\\.0\\.2:5060>;q=1\\.0.*X-Route: national[^-]|"
                  "Contact: <sip:14155550123@192\\.0\\.2\\.10:5080;transport=tcp>;q=1\\.0.*"
                  "X-Route: national-b")
        with open(scen, "w") as f:
            f.write(scenario("INVITE", "sip:alice@acme.test", 302).replace(
                "<action></action>",
                '<action><ereg regexp="%s" search_in="msg" check_it="true" assign_to="m"/>'
                "</action>" % xml_escape(either)).replace("\n  \n</scenario>",
                                                          '\n<Reference variables="m"/>\n</scenario>'))
        calls = 4000
        sipp = subprocess.Popen(
            [SIPP, "127.0.0.1:%d" % self.port, "-sf", scen, "-s", "14155550123", "-m", str(calls),
             "-r", "200", "-i", "127.0.0.1", "-p", str(free_port()), "-timeout", "60s",
             "-timeout_error", "-nostdin", "-trace_err",
             "-error_file", os.path.join(self.tmp, "load_errors.log")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=self.tmp)
        refused = 0
        for i in range(20):
            time.sleep(0.9)
            data = files[i % len(files)]
            refused += data not in (good_a, good_b)
            # As dialplan-compile writes: a new file renamed over the old.
            tmp = self.tables + ".new"
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, self.tables)
            self.proc.send_signal(signal.SIGHUP)
        out, err = sipp.communicate(timeout=90)
        errors = ""
        if os.path.exists(os.path.join(self.tmp, "load_errors.log")):
            with open(os.path.join(self.tmp, "load_errors.log")) as f:
                errors = f.read()[-3000:]
        self.assertEqual(sipp.returncode, 0, "%s\n%s\n%s" % (out[-3000:], err[-2000:], errors))
        deadline = time.time() + 5
        while time.time() < deadline:
            after = self.ask({"cmd": "stats"})
            if (after["reloads"] + after["reloads_refused"] -
                    before["reloads"] - before["reloads_refused"]) == 20:
                break
            time.sleep(0.05)
        self.assertEqual(after["reloads_refused"] - before["reloads_refused"], refused)
        self.assertEqual(after["reloads"] - before["reloads"], 20 - refused)
        self.assertEqual(after["responses"]["302"] - before["responses"]["302"], calls)
        # Leave the good first tables in place for the test after this one.
        with open(self.tables, "wb") as f:
            f.write(good_a)
        self.assertTrue(self.ask({"cmd": "reload"})["ok"])

    def test_z_reload_and_stop(self):
        # Runs last (name order): it replaces the tables and stops trunkd.
        before = self.ask({"cmd": "stats"})
        self.assertGreater(before["requests"]["INVITE"], 0)
        self.assertGreater(before["responses"]["302"], 0)
        # A corrupt file is refused and the old tables keep serving.
        with open(self.tables, "rb") as f:
            good = f.read()
        with open(self.tables, "wb") as f:
            f.write(good[: len(good) // 2])
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 5
        while (self.ask({"cmd": "stats"})["reloads_refused"] < before["reloads_refused"] + 1 and
               time.time() < deadline):
            time.sleep(0.05)
        self.assertEqual(self.ask({"cmd": "stats"})["reloads_refused"], before["reloads_refused"] + 1)
        self.sipp("INVITE", "sip:alice@acme.test", "14155550123", 302, ("X-Route: national",))
        # The good file again, through the control socket.
        with open(self.tables, "wb") as f:
            f.write(good)
        out = self.ask({"cmd": "reload"})
        self.assertTrue(out["ok"], out)
        self.assertEqual(self.ask({"cmd": "stats"})["reloads"], before["reloads"] + 1)
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=10), 0)
        self.log.seek(0)
        log = self.log.read()
        self.assertIn("reload refused, still serving the previous tables", log)
        self.assertIn("stopped", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
