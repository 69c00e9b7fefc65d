"""trunkd under attack: hostile peers must not stop, stall or take over it.

One regression test per defect of issue #14 (items 1-5): a TCP peer or a
control client that goes away without reading its answers (SIGPIPE), the
descriptor limit (default connection cap, accept() failures), a --control
path that is not trunkd's to delete, a second trunkd on an address already
served, and a control client that never reads. Then the standing suite,
test_z_under_attack: SIPp at a steady rate for 30 s while all of that
happens at once, plus garbage datagrams and SIGHUP reloads of good and
corrupt tables; no call may fail, trunkd must answer `stats` at once at the
end, and its RSS must not grow.

Each test starts its own trunkd on ports chosen free, and stops it by
process id.
"""
import json
import os
import random
import re
import resource
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_trunkd import BIN, SIPP, ask_control, compile_site, free_port, scenario  # noqa: E402


def options_request(call_id, transport="TCP"):
    return ("OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/%s 127.0.0.1:9;branch=z9hG4bK-%s\r\n"
            "From: <sip:m@proxy.example>;tag=1\r\nTo: <sip:ping@127.0.0.1>\r\n"
            "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
            % (transport, call_id, call_id)).encode()


def wait_for(what, condition, timeout=10, daemon=None):
    """Polls `condition` (exceptions count as not yet) until it is true;
    fails at once if `daemon` has exited."""
    deadline = time.time() + timeout
    while True:
        try:
            if condition():
                return
        except (OSError, ValueError):
            pass
        if daemon and not daemon.alive():
            raise AssertionError("%s: trunkd exited with status %s:\n%s" % (
                what, daemon.proc.returncode, daemon.text()[-2000:]))
        if time.time() > deadline:
            raise AssertionError(what)
        time.sleep(0.02)


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


def udp_options(port, call_id="u"):
    """Sends one OPTIONS over UDP; returns the answer (retried, as UDP may drop)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        for _ in range(10):
            s.sendto(options_request(call_id, "UDP"), ("127.0.0.1", port))
            try:
                return s.recv(65536)
            except socket.timeout:
                continue
    return b""


class Daemon:
    """One trunkd with a UDP and a TCP address and a control socket."""
    started = 0

    def __init__(self, tmp, tables, extra=(), nofile=None, control=None, udp=None, tcp=None,
                 env=None):
        self.udp = udp or free_port()
        self.tcp = tcp or free_port(kind=socket.SOCK_STREAM)
        Daemon.started += 1
        self.control = control or os.path.join(tmp, "control-%d.sock" % Daemon.started)
        self.log_path = os.path.join(tmp, "trunkd-%d.log" % Daemon.started)
        self.log = open(self.log_path, "w")
        preexec = None
        if nofile:
            preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
        self.proc = subprocess.Popen(
            [os.path.join(BIN, "trunkd"), "--tables", tables, "--listen",
             "udp:127.0.0.1:%d" % self.udp, "--listen", "tcp:127.0.0.1:%d" % self.tcp,
             "--control", self.control, "--workers", "2"] + list(extra),
            stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=preexec, env=env)

    def wait_ready(self):
        wait_for("trunkd did not start", lambda: self.stats()["ok"], daemon=self)
        return self

    def ask(self, request):
        return ask_control(self.control, request)

    def stats(self):
        return self.ask({"cmd": "stats"})

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


@unittest.skipUnless(SIPP, "sipp (Debian package sip-tester) is not installed")
class TrunkdUnderAttack(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="trunkd-attack-")
        cls.tables = compile_site(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def start(self, *args, **kwargs):
        daemon = Daemon(self.tmp, self.tables, *args, **kwargs)
        self.addCleanup(daemon.stop)
        return daemon.wait_ready()

    # Item 1: a write to a gone peer closes that connection only.
    def test_1_tcp_peer_gone_before_its_answers(self):
        d = self.start()
        for i in range(30):
            self.assertTrue(d.alive(), "trunkd exited with status %s" % d.proc.returncode)
            c = socket.create_connection(("127.0.0.1", d.tcp), timeout=5)
            if i % 2:  # reset rather than close
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            try:
                c.sendall(b"".join(options_request("c%d-%d" % (i, j)) for j in range(200)))
            except OSError:
                pass  # trunkd may close first: these answers are not read either
            c.close()
        wait_for("the TCP connections were not closed", lambda: d.stats()["tcp_open"] == 0,
                 daemon=d)
        self.assertGreater(d.stats()["tcp_write_failed"], 0)
        self.assertEqual(b"SIP/2.0 200 OK", udp_options(d.udp)[:14])
        self.assertEqual(d.stop(), 0, d.text())

    def test_1_control_client_gone_before_its_answers(self):
        d = self.start()
        # More answers than the socket holds: trunkd is still writing them
        # when the client goes.
        for i in range(5):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
                c.connect(d.control)
                c.sendall(b'{"cmd":"stats"}\n' * 5000)
        wait_for("the control clients were not dropped", lambda: d.stats()["control_dropped"] == 5,
                 daemon=d)
        self.assertEqual(d.stop(), 0, d.text())

    # Item 2: the connection cap comes from the descriptor limit.
    def test_2_connection_cap_fits_the_descriptor_limit(self):
        d = self.start(["--tcp-max-connections", "4096"], nofile=96)
        m = re.search(r"--tcp-max-connections 4096 does not fit in the descriptor limit \(96\): "
                      r"using (\d+)\n", d.text())
        self.assertTrue(m, d.text())
        cap = int(m.group(1))
        self.assertIn("descriptor limit 96: up to %d TCP connections per address" % cap, d.text())
        conns = [socket.create_connection(("127.0.0.1", d.tcp), timeout=5) for _ in range(cap + 5)]
        wait_for("the connections were not all accepted or refused",
                 lambda: d.stats()["tcp_open"] + d.stats()["tcp_refused"] == cap + 5)
        s = d.stats()
        self.assertEqual((s["tcp_open"], s["tcp_refused"], s["accept_errors"]), (cap, 5, 0))
        conns[0].sendall(options_request("kept"))
        self.assertEqual(conns[0].recv(14), b"SIP/2.0 200 OK")
        self.assertEqual(b"SIP/2.0 200 OK", udp_options(d.udp)[:14])
        for c in conns:
            c.close()
        self.assertEqual(d.stop(), 0, d.text())

    # Item 2: out of descriptors, accept() pauses instead of spinning, logs
    # once, and UDP and the control socket keep serving.
    def test_2_out_of_descriptors_pauses_accepting(self):
        d = self.start()
        fds = {int(f) for f in os.listdir("/proc/%d/fd" % d.proc.pid)}
        lowest_free = min(set(range(len(fds) + 1)) - fds)
        _, hard = resource.prlimit(d.proc.pid, resource.RLIMIT_NOFILE)
        resource.prlimit(d.proc.pid, resource.RLIMIT_NOFILE, (lowest_free, hard))
        line = ("cannot accept on tcp:127.0.0.1:%d: Too many open files; retrying every 100 ms"
                % d.tcp)
        # trunkd may close a descriptor after the listing above (the readiness
        # check's control client, for one), which frees a slot under the new
        # limit: a connection that finds a free slot is accepted, so connect
        # one at a time until an accept fails, however many slots were free.
        waiting = []
        for _ in range(32):
            waiting.append(socket.create_connection(("127.0.0.1", d.tcp), timeout=5))
            try:
                wait_for("", lambda: line in d.text(), timeout=1)
                break
            except AssertionError:
                continue
        self.assertIn(line, d.text(), "no log line for the failed accept")
        before = cpu_seconds(d.proc.pid)
        started = time.time()
        self.assertEqual(b"SIP/2.0 200 OK", udp_options(d.udp)[:14])
        s = d.stats()  # the control socket has a descriptor held for this
        self.assertGreater(s["accept_errors"], 0)
        time.sleep(max(0.0, 1.0 - (time.time() - started)))  # a window to measure CPU over
        used = cpu_seconds(d.proc.pid) - before
        self.assertLess(used, 0.5, "trunkd spun on accept(): %.2f s CPU in 1 s" % used)
        resource.prlimit(d.proc.pid, resource.RLIMIT_NOFILE, (hard, hard))
        waiting[0].sendall(options_request("late"))
        self.assertEqual(waiting[0].recv(14), b"SIP/2.0 200 OK")
        wait_for("no log line for the end of the episode",
                 lambda: re.search(r"accepting again on tcp:127\.0\.0\.1:%d after \d+ failed "
                                   r"accepts?\n" % d.tcp, d.text()))
        self.assertEqual(d.text().count(line), 1, "one line per episode")
        for c in waiting:
            c.close()
        self.assertEqual(d.stop(), 0, d.text())

    # Item 3: --control refuses what is not a stale socket.
    def test_3_control_path_is_never_taken_over(self):
        path = os.path.join(self.tmp, "not-a-socket")
        with open(path, "w") as f:
            f.write("precious\n")
        d = Daemon(self.tmp, self.tables, control=path)
        try:
            self.assertEqual(d.proc.wait(timeout=10), 2)
        finally:
            d.stop()
        self.assertIn("control socket path %s exists and is not a socket; not replacing it" % path,
                      d.text())
        with open(path) as f:
            self.assertEqual(f.read(), "precious\n")

        first = self.start()
        second = Daemon(self.tmp, self.tables, control=first.control)
        try:
            self.assertEqual(second.proc.wait(timeout=10), 2)
        finally:
            second.stop()
        self.assertIn("another trunkd serves %s" % first.control, second.text())
        self.assertTrue(first.stats()["ok"], "the first trunkd keeps its socket")

        stale = os.path.join(self.tmp, "stale.sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.bind(stale)  # closed without unlink: what a killed trunkd leaves
        third = self.start(control=stale)
        self.assertTrue(third.stats()["ok"])
        self.assertEqual(third.stop(), 0)
        self.assertFalse(os.path.exists(stale), "removed at stop")

    # Item 4: an address already served is refused, whoever asks.
    def test_4_second_instance_on_a_served_address(self):
        first = self.start()
        for which in ("udp", "tcp"):
            kwargs = {"udp": first.udp} if which == "udp" else {"tcp": first.tcp}
            second = Daemon(self.tmp, self.tables, **kwargs)
            try:
                self.assertEqual(second.proc.wait(timeout=10), 2, second.text())
            finally:
                second.stop()
            port = first.udp if which == "udp" else first.tcp
            self.assertIn("cannot listen on %s:127.0.0.1:%d: Address already in use (another "
                          "trunkd or another server has it)" % (which, port), second.text())
            self.assertFalse(os.path.exists(second.control), "nothing left behind")
        self.assertEqual(b"SIP/2.0 200 OK", udp_options(first.udp)[:14])
        # Another server on the UDP address (bound without SO_REUSEPORT,
        # as most are): trunkd's SO_REUSEPORT workers could not bind, but
        # the refusal must name the address, not half-start.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
            other.bind(("127.0.0.1", 0))
            busy = other.getsockname()[1]
            third = Daemon(self.tmp, self.tables, udp=busy)
            try:
                self.assertEqual(third.proc.wait(timeout=10), 2, third.text())
            finally:
                third.stop()
            self.assertIn("cannot listen on udp:127.0.0.1:%d: Address already in use" % busy,
                          third.text())
        # Two trunkd started at the same moment on one fresh address:
        # exactly one serves it, the other exits 2.
        port = free_port()
        pair = [Daemon(self.tmp, self.tables, udp=port) for _ in range(2)]
        try:
            wait_for("neither trunkd of the pair came up or exited",
                     lambda: sum(d.proc.poll() == 2 for d in pair) == 1 and
                     any(d.alive() and d.stats()["ok"] for d in pair))
            self.assertEqual(sum(d.alive() for d in pair), 1)
        finally:
            for d in pair:
                d.stop()

    # Item 5: a control client that does not read blocks nobody.
    def test_5_control_client_that_never_reads(self):
        d = self.start()
        hog = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        hog.connect(d.control)
        hog.setblocking(False)
        request = b'{"cmd":"stats"}\n' * 256
        # Write until trunkd stops taking requests: its answers fill the
        # socket and what it holds for this client.
        while select.select([], [hog], [], 1.0)[1]:
            try:
                hog.send(request)
            except BlockingIOError:
                pass
        run = subprocess.run([os.path.join(BIN, "trunkctl"), "stats", "--control", d.control],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertTrue(run.stdout.startswith("tables "), run.stdout)
        os.kill(d.proc.pid, signal.SIGHUP)
        wait_for("SIGHUP was not handled", lambda: d.stats()["reloads"] == 1)
        wait_for("the client that never reads was not closed at its deadline",
                 lambda: d.stats()["control_dropped"] >= 1)
        hog.close()
        idle = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        idle.connect(d.control)
        idle.sendall(b'{"cmd":"sta')  # half a request, then nothing
        d.proc.send_signal(signal.SIGTERM)
        self.assertEqual(d.proc.wait(timeout=10), 0, d.text())
        idle.close()
        self.assertIn("stopped", d.text())

    # The standing suite.
    def test_z_under_attack(self):
        """SIPp at 100 calls/s for 30 s while TCP clients send and reset
        without reading, connections are held up to the descriptor limit,
        a control client sits idle and another floods stats, 100,000
        garbage datagrams arrive and SIGHUP reloads good and corrupt
        tables."""
        # Under AddressSanitizer, freed memory waits in a quarantine of up
        # to 256 MiB before reuse, which would read as growth; a small one
        # still catches a use after free of the last few MiB freed.
        env = dict(os.environ, ASAN_OPTIONS=":".join(filter(None, [
            os.environ.get("ASAN_OPTIONS"), "quarantine_size_mb=8"])))
        d = self.start(nofile=128, env=env)
        cap = int(re.search(r"up to (\d+) TCP connections per address", d.text()).group(1))
        with open(self.tables, "rb") as f:
            tables_bytes = f.read()
        stop = threading.Event()
        problems = []
        garbage_sent = [0]

        def guarded(fn):
            def run():
                try:
                    fn()
                except Exception as e:  # reported by the test, not lost in a thread
                    if not stop.is_set():
                        problems.append("%s: %r" % (fn.__name__, e))
            return run

        def resetters():
            i = 0
            while not stop.is_set():
                try:
                    c = socket.create_connection(("127.0.0.1", d.tcp), timeout=2)
                except OSError:
                    continue
                if i % 2:
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                try:
                    c.sendall(b"".join(options_request("r%d-%d" % (i, j)) for j in range(10)))
                except OSError:
                    pass  # refused at the limit
                c.close()
                i += 1
                time.sleep(0.005)

        def holders():
            while not stop.is_set():
                held = []
                for _ in range(cap + 20):
                    try:
                        held.append(socket.create_connection(("127.0.0.1", d.tcp), timeout=2))
                    except OSError:
                        break
                stop.wait(3)
                for c in held:
                    c.close()

        def idle_control():
            while not stop.is_set():
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
                    c.connect(d.control)
                    c.settimeout(10)
                    self.assertEqual(c.recv(1), b"")  # closed by trunkd at its deadline

        def stats_flood():
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
                c.connect(d.control)
                c.settimeout(10)
                while not stop.is_set():
                    c.sendall(b'{"cmd":"stats"}\n' * 20)
                    data = b""
                    while data.count(b"\n") < 20:
                        data += c.recv(65536)

        def garbage():
            rng = random.Random(14)
            samples = [options_request("g", "UDP")[:n] for n in (5, 40, 120)] + [
                b"INVITE sip:x SIP/2.0\r\nVia: \r\nContent-Length: 99999\r\n\r\n",
                b"\r\n", b"\x00" * 512, b"SIP/2.0 200 OK\r\n\r\n"]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                for i in range(100_000):
                    if stop.is_set():
                        return
                    if i % 3:
                        data = rng.randbytes(rng.randrange(1, 300))
                    else:
                        data = samples[i % len(samples)]
                    s.sendto(data, ("127.0.0.1", d.udp))
                    garbage_sent[0] += 1
                    if i % 500 == 499:
                        time.sleep(0.1)  # about 4,000 a second, spread over the run

        def reloads():
            corrupt = [tables_bytes[:100], tables_bytes[: len(tables_bytes) - 8]]
            i = 0
            while not stop.wait(1.0):
                data = tables_bytes if i % 2 == 0 else corrupt[(i // 2) % 2]
                tmp = self.tables + ".new"
                with open(tmp, "wb") as f:
                    f.write(data)
                os.rename(tmp, self.tables)
                d.proc.send_signal(signal.SIGHUP)
                i += 1

        def sipp(calls, rate, name):
            path = os.path.join(self.tmp, "invite.xml")
            with open(path, "w") as f:
                f.write(scenario("INVITE", "sip:alice@acme.test", 302, ("X-Route: national",)))
            errors = os.path.join(self.tmp, name + "_errors.log")
            run = subprocess.run(
                [SIPP, "127.0.0.1:%d" % d.udp, "-sf", path, "-s", "14155550123", "-m", str(calls),
                 "-r", str(rate), "-i", "127.0.0.1", "-p", str(free_port()), "-timeout", "90s",
                 "-timeout_error", "-nostdin", "-trace_err", "-error_file", errors],
                capture_output=True, text=True, cwd=self.tmp, timeout=120)
            text = open(errors).read()[-3000:] if os.path.exists(errors) else ""
            self.assertEqual(run.returncode, 0, "SIPp saw failed calls:\n%s\n%s\n%s" % (
                run.stdout[-3000:], run.stderr[-2000:], text))

        attackers = [threading.Thread(target=guarded(f), daemon=True) for f in (
            resetters, holders, idle_control, stats_flood, garbage, reloads)]
        # Warm-up: a little of everything, so that RSS is measured with the
        # buffers and pools trunkd keeps already grown.
        for t in attackers:
            t.start()
        sipp(500, 100, "warmup")
        rss_before = rss_kib(d.proc.pid)
        sipp(3000, 100, "attack")  # 30 s
        stop.set()
        for t in attackers:
            t.join(timeout=15)
        self.assertTrue(d.alive(), "trunkd died with status %s" % d.proc.returncode)
        self.assertEqual(problems, [])
        self.assertEqual(garbage_sent[0], 100_000)
        # The last reload may have been of a corrupt file: make it good.
        with open(self.tables, "wb") as f:
            f.write(tables_bytes)
        self.assertTrue(d.ask({"cmd": "reload"})["ok"])
        started = time.monotonic()
        s = d.stats()
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, 0.1, "stats took %.3f s" % elapsed)
        rss_after = rss_kib(d.proc.pid)
        self.assertLessEqual(rss_after, rss_before * 1.1,
                             "RSS grew from %d to %d KiB" % (rss_before, rss_after))
        self.assertGreater(s["not_sip"], 0)
        self.assertGreater(s["tcp_refused"], 0)
        self.assertGreater(s["reloads_refused"], 0)
        self.assertGreater(s["control_dropped"], 0)
        print("\nunder attack: %d KiB RSS before, %d after; stats in %.1f ms; %s" % (
            rss_before, rss_after, elapsed * 1000, json.dumps(
                {k: s[k] for k in ("not_sip", "tcp_write_failed", "tcp_refused", "accept_errors",
                                   "control_refused", "control_dropped", "reloads",
                                   "reloads_refused")})), file=sys.stderr)
        self.assertEqual(d.stop(), 0, d.text()[-3000:])


if __name__ == "__main__":
    unittest.main(verbosity=2)
