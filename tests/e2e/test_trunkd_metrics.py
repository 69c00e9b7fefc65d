"""trunkd --metrics (Prometheus /metrics) and --log-format json, end to end.

One trunkd serves tests/e2e/site with --metrics on a free loopback port
and JSON logs at debug level. The tests send SIP over UDP (SIPp for the
load), scrape /metrics over HTTP and check that the counters moved by what
was sent, that `promtool check metrics` accepts a scrape taken under load
(skipped, saying so, only where promtool, Debian package prometheus, is
absent; CI installs it), that hostile HTTP clients (slow, huge, not GET,
too many) neither stop nor stall the SIP side, and that every log line is
one JSON object with ts, level, event and message.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_trunkd import BIN, compile_site, free_port  # noqa: E402
from test_trunkd_attack import Daemon, udp_options, wait_for  # noqa: E402

PROMTOOL = shutil.which("promtool")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$')


def invite(number, local_port, call_id):
    return ("INVITE sip:%s@127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s\r\n"
            "From: <sip:alice@acme.test>;tag=1\r\nTo: <sip:%s@127.0.0.1>\r\n"
            "Call-ID: %s\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
            "Contact: <sip:alice@127.0.0.1:%d>\r\nContent-Length: 0\r\n\r\n"
            % (number, local_port, re.sub(r"[^A-Za-z0-9]", "", call_id), number, call_id,
               local_port)).encode()


def http(port, raw, timeout=5):
    """Sends `raw` to the metrics port; returns all trunkd answers (b"" if it
    closes without one)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(raw)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk


def scrape(port):
    answer = http(port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK"), answer[:200]
    assert b"Content-Type: text/plain; version=0.0.4" in head, head
    return body.decode()


def samples(text):
    """{(name, labels text): value} of a scrape."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample line: %r" % line
        out[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return out


class TrunkdMetrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="trunkd-metrics-")
        cls.tables = compile_site(cls.tmp)
        cls.metrics = free_port(kind=socket.SOCK_STREAM)
        cls.d = Daemon(cls.tmp, cls.tables, extra=[
            "--metrics", "127.0.0.1:%d" % cls.metrics, "--log-format", "json",
            "--log-level", "debug"]).wait_ready()
        wait_for("no /metrics", lambda: scrape(cls.metrics), daemon=cls.d)

    @classmethod
    def tearDownClass(cls):
        code = cls.d.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert code == 0, "trunkd exited with %s" % code

    def send_invites(self, numbers):
        """Sends one INVITE per number over UDP; returns each status code."""
        codes = []
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(5)
            me = s.getsockname()[1]
            for i, number in enumerate(numbers):
                s.sendto(invite(number, me, "m-%d-%s@test" % (i, number)), ("127.0.0.1", self.d.udp))
                codes.append(int(s.recv(65536).split(b" ", 2)[1]))
        return codes

    def test_counters_move_with_the_traffic(self):
        before = samples(scrape(self.metrics))
        self.assertEqual(self.send_invites(["14155550123"] * 5 + ["123"] * 2),
                         [302] * 5 + [404] * 2)
        self.assertTrue(udp_options(self.d.udp).startswith(b"SIP/2.0 200"))
        after = samples(scrape(self.metrics))
        delta = lambda name, labels="": after[(name, labels)] - before.get((name, labels), 0)
        self.assertEqual(delta("trunkd_requests_total", '{method="INVITE",code="302"}'), 5)
        self.assertEqual(delta("trunkd_requests_total", '{method="INVITE",code="404"}'), 2)
        self.assertEqual(delta("trunkd_requests_total", '{method="OPTIONS",code="200"}'), 1)
        self.assertEqual(delta("trunkd_tenant_decisions_total",
                               '{tenant="acme",result="redirected"}'), 5)
        self.assertEqual(delta("trunkd_tenant_decisions_total",
                               '{tenant="acme",result="refused"}'), 2)
        self.assertEqual(delta("trunkd_trunk_decisions_total",
                               '{trunk="loop-carrier",result="redirected"}'), 5)
        self.assertEqual(delta("trunkd_answer_seconds_count"), 8)
        self.assertEqual(delta("trunkd_answer_seconds_bucket", '{le="+Inf"}'), 8)
        self.assertGreater(delta("trunkd_answer_seconds_sum"), 0)
        digest = self.d.stats()["tables"]["site_digest"]
        self.assertIn(('trunkd_tables_info', '{site_digest="%s",path="%s",format_version="%d"}' % (
            digest, self.tables, self.d.stats()["tables"]["format_version"])), after)
        # The same counters as the control socket's stats.
        stats = self.d.stats()
        self.assertEqual(after[("trunkd_reloads_total", "")], stats["reloads"])
        # Kernel drops cannot be caused on demand here: the series must exist.
        self.assertIn(("trunkd_udp_dropped_total", ""), after)

    def test_reloads_are_counted_and_keep_the_decision_counts(self):
        self.send_invites(["14155550123"])
        before = samples(scrape(self.metrics))
        self.assertTrue(self.d.ask({"cmd": "reload"})["ok"])
        corrupt = os.path.join(self.tmp, "corrupt.tables")
        with open(corrupt, "wb") as f:
            f.write(b"not tables")
        good = os.path.join(self.tmp, "good.tables")
        shutil.copy(self.tables, good)
        shutil.copy(corrupt, self.tables)
        try:
            self.assertFalse(self.d.ask({"cmd": "reload"})["ok"])
        finally:
            shutil.copy(good, self.tables)
        after = samples(scrape(self.metrics))
        delta = lambda name, labels="": after[(name, labels)] - before.get((name, labels), 0)
        self.assertEqual(delta("trunkd_reloads_total"), 1)
        self.assertEqual(delta("trunkd_reloads_refused_total"), 1)
        # A reload does not reset a tenant's decisions to zero.
        self.assertEqual(delta("trunkd_tenant_decisions_total",
                               '{tenant="acme",result="redirected"}'), 0)
        self.assertLess(after[("trunkd_tables_age_seconds", "")], 60)

    @unittest.skipUnless(PROMTOOL, "promtool (Debian package prometheus) is not installed: "
                                   "the scrape's format is not checked")
    def test_promtool_accepts_a_scrape_under_load(self):
        stop = threading.Event()

        def load():
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind(("127.0.0.1", 0))
                s.setblocking(False)
                me, i = s.getsockname()[1], 0
                while not stop.is_set():
                    i += 1
                    s.sendto(invite(["14155550123", "123", "5550101"][i % 3], me, "load-%d" % i),
                             ("127.0.0.1", self.d.udp))
                    try:
                        while s.recv(65536):
                            pass
                    except BlockingIOError:
                        pass
                    time.sleep(0.0005)

        sender = threading.Thread(target=load)
        sender.start()
        try:
            before = samples(scrape(self.metrics))[("trunkd_answer_seconds_count", "")]
            wait_for("no load", lambda: samples(scrape(self.metrics))[
                ("trunkd_answer_seconds_count", "")] > before + 200, daemon=self.d)
            for _ in range(3):
                body = scrape(self.metrics)
                run = subprocess.run([PROMTOOL, "check", "metrics"], input=body,
                                     capture_output=True, text=True, timeout=30)
                self.assertEqual(run.returncode, 0, "promtool: %s%s\n%s" % (
                    run.stdout, run.stderr, body[:3000]))
        finally:
            stop.set()
            sender.join()

    def test_hostile_http_clients_do_not_stop_sip(self):
        # Not GET, not /metrics, not HTTP: answered and closed.
        self.assertTrue(http(self.metrics, b"POST /metrics HTTP/1.1\r\n\r\n").startswith(
            b"HTTP/1.1 405 Method Not Allowed\r\n"))
        self.assertTrue(http(self.metrics, b"GET / HTTP/1.1\r\n\r\n").startswith(
            b"HTTP/1.1 404 Not Found\r\n"))
        self.assertTrue(http(self.metrics, b"hello\r\n\r\n").startswith(b"HTTP/1.1 400 "))
        before = samples(scrape(self.metrics))
        # A request that never ends is closed past 8 KiB, unanswered, at
        # once: well before the 5 s deadline that closes any client.
        start = time.time()
        with socket.create_connection(("127.0.0.1", self.metrics), timeout=10) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\n")
            try:
                for _ in range(64):
                    s.sendall(b"X-Pad: " + b"a" * 1000 + b"\r\n")
            except OSError:
                pass  # closed under us: as it should be
            try:
                self.assertEqual(s.recv(65536), b"")
            except ConnectionResetError:
                pass
        self.assertLess(time.time() - start, 4)
        # Slow clients fill every slot; the next is closed at once, SIP is
        # answered all along, and a slot frees when they go.
        holders = []
        try:
            for _ in range(8):
                h = socket.create_connection(("127.0.0.1", self.metrics), timeout=10)
                h.sendall(b"GET /metr")
                holders.append(h)
            for _ in range(8):  # more than the cap: closed at once
                self.assertEqual(http(self.metrics, b""), b"")
            self.assertTrue(udp_options(self.d.udp).startswith(b"SIP/2.0 200"))
            self.assertEqual(self.send_invites(["14155550123"]), [302])
            start = time.time()
            self.assertEqual(holders[0].recv(65536), b"")  # trunkd closes it past its deadline
            self.assertLess(time.time() - start, 9)
        finally:
            for h in holders:
                h.close()
        wait_for("no scrape after the slow clients", lambda: scrape(self.metrics), daemon=self.d)
        after = samples(scrape(self.metrics))
        self.assertGreaterEqual(after[("trunkd_metrics_refused_total", "")] -
                                before[("trunkd_metrics_refused_total", "")], 8)
        self.assertGreaterEqual(after[("trunkd_metrics_dropped_total", "")] -
                                before[("trunkd_metrics_dropped_total", "")], 1 + 8)
        self.assertTrue(self.d.alive())

    def test_log_lines_are_json_objects(self):
        # A Call-ID with a quote and a backslash must not break its line.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(5)
            s.sendto(invite("14155550123", s.getsockname()[1], 'q"uo\\te@test'),
                     ("127.0.0.1", self.d.udp))
            s.recv(65536)
        self.d.ask({"cmd": "reload"})
        wait_for("no reload line", lambda: '"event":"reload"' in self.d.text(), daemon=self.d)
        events = []
        for line in self.d.text().splitlines():
            entry = json.loads(line)
            self.assertEqual(sorted(entry), ["event", "level", "message", "ts"], line)
            self.assertRegex(entry["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(entry["level"], ("error", "warning", "info", "debug"))
            events.append((entry["event"], entry["level"], entry["message"]))
        self.assertIn(("metrics", "info", "serving metrics on http://127.0.0.1:%d/metrics"
                       % self.metrics), events)
        self.assertTrue(any(e == "reload" and m.startswith("reloaded ") for e, _, m in events))
        self.assertIn(("answer", "debug", 'INVITE q"uo\\te@test -> 302 Moved Temporarily'), events)


class MetricsAddress(unittest.TestCase):
    """--metrics that cannot be served stops trunkd at start, exit 2, saying why."""

    def start(self, address):
        tmp = tempfile.mkdtemp(prefix="trunkd-metrics-addr-")
        try:
            tables = compile_site(tmp)
            run = subprocess.run(
                [os.path.join(BIN, "trunkd"), "--tables", tables,
                 "--listen", "udp:127.0.0.1:%d" % free_port(), "--metrics", address],
                capture_output=True, text=True, timeout=30)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return run.returncode, run.stderr

    def test_not_an_address(self):
        code, err = self.start("localhost")
        self.assertEqual(code, 2, err)
        self.assertIn("<3>error: --metrics localhost: give ADDRESS:PORT, such as 127.0.0.1:9464 "
                      "or [::1]:9464\n", err)

    def test_an_address_taken(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            code, err = self.start("127.0.0.1:%d" % port)
        self.assertEqual(code, 2, err)
        self.assertIn("<3>error: --metrics: cannot listen on tcp:127.0.0.1:%d: Address already in "
                      "use (another trunkd or another server has it)\n" % port, err)


if __name__ == "__main__":
    unittest.main()
