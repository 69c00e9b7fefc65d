"""End-to-end tests of `trunkctl probe` and `trunkctl register-test`
against a real Kamailio (Debian package kamailio).

Kamailio runs on 127.0.0.1 with tests/e2e/kamailio/registrar.cfg, on a UDP
port chosen free by the test, and is stopped by process id. The site is
written on the fly with trunks pointing at it: the right password, a wrong
one, a blocked user, the wrong transport (TCP against a UDP-only server)
and a closed port. Every case asserts the status an operator reads, the
exit code, the JSON fields, and that no password is ever printed.
"""
import hashlib
import json
import os
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
TRUNKCTL = os.path.join(BIN, "trunkctl")
KAMAILIO = shutil.which("kamailio") or ("/usr/sbin/kamailio"
                                        if os.path.exists("/usr/sbin/kamailio") else None)
CONFIG = os.path.join(os.path.abspath(SRC), "tests", "e2e", "kamailio", "registrar.cfg")
PASSWORD = "correct-horse-42"
WRONG_PASSWORD = "wrong-battery-17"
# Every character a credentials string, a config file or a URL would take
# apart: colons, a double quote, a backslash, percent escapes, spaces and
# non-ASCII UTF-8. The whole of it is the password.
SPECIAL_PASSWORD = 'ab:cd:ef-123 "q" \\n %41%3A \u00e9t\u00e9 \u20ac \U0001f511'

SITE = """[site]
name = "live"
transports = ["udp", "tcp"]

[[tenant]]
name = "acme"
sip_domain = "acme.test"

# The right user and password.
[[trunk]]
name = "good"
type = "register"
provider = "A"
host = "127.0.0.1"
port = %(port)d
[trunk.auth]
username = "trunk-user"
password_env = "LIVE_GOOD_PASSWORD"
register_interval = 3600

# The right user, its password read from a file beside this one.
[[trunk]]
name = "good-file"
type = "register"
provider = "A2"
host = "localhost.test"
outbound_proxy = "127.0.0.1"
outbound_proxy_port = %(port)d
port = %(port)d
[trunk.auth]
username = "trunk-user"
password_file = "secret.txt"

# A password holding colons, quotes, a backslash, percent signs, spaces and
# non-ASCII, from the environment and from a file.
[[trunk]]
name = "special"
type = "register"
provider = "S"
host = "127.0.0.1"
port = %(port)d
[trunk.auth]
username = "special-user"
password_env = "LIVE_SPECIAL_PASSWORD"

[[trunk]]
name = "special-file"
type = "register"
provider = "S2"
host = "127.0.0.1"
port = %(port)d
[trunk.auth]
username = "special-user2"
password_file = "special.txt"

[[trunk]]
name = "wrong-password"
type = "register"
provider = "B"
host = "127.0.0.1"
port = %(port)d
[trunk.auth]
username = "trunk-user2"
password_env = "LIVE_WRONG_PASSWORD"

[[trunk]]
name = "blocked"
type = "register"
provider = "C"
host = "127.0.0.1"
port = %(port)d
[trunk.auth]
username = "blocked"
password_env = "LIVE_GOOD_PASSWORD"

# The server listens on UDP only.
[[trunk]]
name = "wrong-transport"
type = "register"
provider = "D"
host = "127.0.0.1"
port = %(port)d
transport = "tcp"
[trunk.auth]
username = "trunk-user3"
password_env = "LIVE_GOOD_PASSWORD"

[[trunk]]
name = "closed"
type = "register"
provider = "E"
host = "127.0.0.1"
port = %(closed)d
[trunk.auth]
username = "trunk-user4"
password_env = "LIVE_GOOD_PASSWORD"

[[trunk]]
name = "peer"
type = "peer"
provider = "F"
host = "127.0.0.1"
port = %(port)d

[[trunk]]
name = "pbx-users"
type = "accept-register"
provider = "G"
host = "users.acme.test"
[trunk.auth]
username = "office"
password_env = "LIVE_GOOD_PASSWORD"
"""


def free_port(kind=socket.SOCK_DGRAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_both():
    """A port free for both UDP and TCP on loopback."""
    for _ in range(50):
        port = free_port()
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


def options_answered(port, timeout=0.5):
    msg = ("OPTIONS sip:ping@127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%%d;branch=z9hG4bK-ready;rport\r\n"
           "From: <sip:ready@127.0.0.1>;tag=1\r\nTo: <sip:ping@127.0.0.1>\r\n"
           "Call-ID: ready-%f\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
           "Content-Length: 0\r\n\r\n") % (port, time.time())
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(timeout)
        s.sendto((msg % s.getsockname()[1]).encode(), ("127.0.0.1", port))
        try:
            return s.recvfrom(4096)[0].startswith(b"SIP/2.0 200")
        except OSError:
            return False


@unittest.skipIf(KAMAILIO is None, "kamailio is not installed (Debian package kamailio)")
class KamailioRegistrar(unittest.TestCase):
    """Kamailio with registrar.cfg on a free port, the site beside it, and
    trunkctl run against them; DEFINES are passed as kamailio -A."""
    DEFINES = ()
    AUTH = "digest MD5"  # how the server's challenge is answered, as reported

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="trunk-live-")
        cls.port = free_port_both()
        cls.closed = free_port_both()
        cls.site = os.path.join(cls.tmp, "site.toml")
        with open(cls.site, "w") as f:
            f.write(SITE % {"port": cls.port, "closed": cls.closed})
        with open(os.path.join(cls.tmp, "secret.txt"), "w") as f:
            f.write(PASSWORD + "\n")
        with open(os.path.join(cls.tmp, "special.txt"), "w", encoding="utf-8") as f:
            f.write(SPECIAL_PASSWORD + "\n")
        cls.log = open(os.path.join(cls.tmp, "kamailio.log"), "w")
        cls.kamailio = subprocess.Popen(
            [KAMAILIO, "-f", CONFIG, "-l", "udp:127.0.0.1:%d" % cls.port, "-DD", "-E",
             "-m", "64", "-M", "16", "-Y", cls.tmp] +
            [arg for d in cls.DEFINES for arg in ("-A", d)],
            stdout=cls.log, stderr=subprocess.STDOUT, cwd=cls.tmp,
            env=dict(os.environ, LIVE_SPECIAL_PASSWORD=SPECIAL_PASSWORD,
                     LIVE_SPECIAL_HA1=hashlib.sha256(
                         ("special-user2:trunk.test:" + SPECIAL_PASSWORD).encode()).hexdigest()))
        deadline = time.time() + 30
        while not options_answered(cls.port):
            if cls.kamailio.poll() is not None or time.time() > deadline:
                cls.log.flush()
                with open(os.path.join(cls.tmp, "kamailio.log")) as f:
                    log = f.read()
                cls.tearDownClass()
                raise RuntimeError("kamailio did not start; its log:\n" + log)
            time.sleep(0.2)

    @classmethod
    def tearDownClass(cls):
        if cls.kamailio.poll() is None:
            os.kill(cls.kamailio.pid, signal.SIGTERM)
            try:
                cls.kamailio.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(cls.kamailio.pid, signal.SIGKILL)
                cls.kamailio.wait()
        cls.log.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def trunkctl(self, *args):
        env = dict(os.environ, LIVE_GOOD_PASSWORD=PASSWORD, LIVE_WRONG_PASSWORD=WRONG_PASSWORD,
                   LIVE_SPECIAL_PASSWORD=SPECIAL_PASSWORD)
        env.pop("TRUNK_SITE", None)
        p = subprocess.run([TRUNKCTL, args[0], "-c", self.site, "--bind", "127.0.0.1"] +
                           list(args[1:]), capture_output=True, text=True, env=env,
                           timeout=60)
        for secret in (PASSWORD, WRONG_PASSWORD, SPECIAL_PASSWORD, "ab:cd:ef-123"):
            self.assertNotIn(secret, p.stdout + p.stderr)
        return p

    def register(self, name, *extra):
        p = self.trunkctl("register-test", name, "--timeout", "2", *extra)
        j = self.trunkctl("register-test", name, "--timeout", "2", "--format", "json", *extra)
        self.assertEqual(j.returncode, p.returncode, j.stderr)
        return p, json.loads(j.stdout)

    def check_right_password(self):
        p, j = self.register("good")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"^good: registered \(200 OK, expires 300 s, [0-9.]+ ms\); "
                                   r"unregistered sip:127\.0\.0\.1:%d;transport=udp as "
                                   r"trunk-user; auth: %s\n$" % (self.port, self.AUTH))
        self.assertEqual(j["status"], "registered")
        self.assertEqual(j["auth"], self.AUTH)
        self.assertEqual(j["code"], 200)
        self.assertEqual(j["challenges"], 1)
        self.assertEqual(j["expires"], 300)  # asked 3600; the registrar's max is 300
        self.assertTrue(j["unregistered"])
        self.assertEqual(j["unregister_code"], 200)

    def check_wrong_password(self):
        p, j = self.register("wrong-password")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout,
                         "wrong-password: registration failed: authentication failed "
                         "(401 Unauthorized after credentials were sent) "
                         "sip:127.0.0.1:%d;transport=udp as trunk-user2; auth: %s\n"
                         % (self.port, self.AUTH))
        self.assertEqual(j["status"], "auth-failed")
        self.assertEqual(j["code"], 401)
        self.assertEqual(j["challenges"], 2)


class LiveChecks(KamailioRegistrar):
    # --- probe -----------------------------------------------------------

    def test_probe_online(self):
        p = self.trunkctl("probe", "peer", "good")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 2, p.stdout)
        self.assertRegex(lines[0], r"^peer: +online \(200 OK, [0-9.]+ ms\) "
                                   r"sip:127\.0\.0\.1:%d;transport=udp$" % self.port)
        self.assertTrue(lines[1].startswith("good:"))

    def test_probe_json(self):
        p = self.trunkctl("probe", "peer", "wrong-transport", "closed", "--timeout", "1",
                          "--format", "json")
        self.assertEqual(p.returncode, 1, p.stderr)
        rows = [json.loads(line) for line in p.stdout.splitlines()]
        self.assertEqual([r["trunk"] for r in rows], ["peer", "wrong-transport", "closed"])
        self.assertEqual(rows[0]["status"], "online")
        self.assertEqual(rows[0]["code"], 200)
        self.assertGreater(rows[0]["rtt_ms"], 0)
        self.assertEqual(rows[1]["status"], "transport-inconsistent")
        self.assertEqual(rows[1]["answers_over"], "udp")
        self.assertNotIn("code", rows[1])
        self.assertEqual(rows[2]["status"], "offline")
        self.assertNotIn("code", rows[2])

    def test_probe_wrong_transport(self):
        p = self.trunkctl("probe", "wrong-transport", "--timeout", "1")
        self.assertEqual(p.returncode, 1)
        self.assertIn("wrong-transport: offline: transport type inconsistent (no answer over "
                      "tcp; the server answers over udp)", p.stdout)

    def test_probe_closed_port(self):
        p = self.trunkctl("probe", "closed", "--timeout", "1")
        self.assertEqual(p.returncode, 1)
        self.assertRegex(p.stdout, r"^closed: offline \(no answer")

    def test_probe_through_outbound_proxy(self):
        # good-file's host does not resolve; only its proxy leads anywhere.
        p = self.trunkctl("probe", "good-file", "--timeout", "2")
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("via 127.0.0.1", p.stdout)

    def test_probe_all_skips_accept_register(self):
        p = self.trunkctl("probe", "--all", "--timeout", "1", "--format", "json")
        names = [json.loads(line)["trunk"] for line in p.stdout.splitlines()]
        self.assertNotIn("pbx-users", names)
        self.assertIn("peer", names)
        self.assertEqual(p.returncode, 1)  # closed and wrong-transport are not online

    def test_probe_usage(self):
        self.assertEqual(self.trunkctl("probe").returncode, 2)
        p = self.trunkctl("probe", "gooood")
        self.assertEqual(p.returncode, 2)
        self.assertIn('did you mean "good"', p.stderr)

    # --- register-test ---------------------------------------------------

    def test_register_right_password(self):
        self.check_right_password()  # the server names no algorithm and no qop: MD5

    def test_register_password_with_colons_quotes_and_utf8(self):
        # From the environment and from password_file: the whole value is
        # the password, unescaped, uncut.
        for name in ("special", "special-file"):
            with self.subTest(trunk=name):
                p, j = self.register(name)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertRegex(p.stdout, r"^%s: registered \(200 OK, expires 300 s, "
                                           r"[0-9.]+ ms\); unregistered " % name)
                self.assertEqual((j["status"], j["challenges"], j["unregister_code"]),
                                 ("registered", 1, 200))

    def test_register_keep_and_password_file_through_proxy(self):
        p, j = self.register("good-file", "--keep", "--expires", "120")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(j["status"], "registered")
        self.assertEqual(j["expires"], 120)
        self.assertTrue(j["kept"])
        self.assertNotIn("unregistered", j)
        self.assertIn("; kept", p.stdout)

    def test_register_wrong_password(self):
        self.check_wrong_password()

    def test_register_blocked_user(self):
        p, j = self.register("blocked")
        self.assertEqual(p.returncode, 1)
        self.assertIn("blocked: registration failed: rejected (403 Forbidden)", p.stdout)
        self.assertEqual(j["status"], "rejected")
        self.assertEqual(j["code"], 403)
        self.assertEqual(j["challenges"], 0)

    def test_register_wrong_transport(self):
        p, j = self.register("wrong-transport")
        self.assertEqual(p.returncode, 1)
        self.assertIn("wrong-transport: registration failed: transport type inconsistent "
                      "(no answer over tcp; the server answers over udp)", p.stdout)
        self.assertEqual(j["status"], "transport-inconsistent")
        self.assertEqual(j["answers_over"], "udp")

    def test_register_closed_port(self):
        p, j = self.register("closed", "--no-fallback")
        self.assertEqual(p.returncode, 1)
        self.assertIn("closed: registration failed: no response (", p.stdout)
        self.assertEqual(j["status"], "no-response")
        self.assertNotIn("code", j)

    def test_register_refuses_what_cannot_register(self):
        p = self.trunkctl("register-test", "peer")
        self.assertEqual(p.returncode, 2)
        self.assertIn('"peer" is a peer trunk', p.stderr)
        env_less = subprocess.run([TRUNKCTL, "register-test", "-c", self.site, "good"],
                                  capture_output=True, text=True,
                                  env={k: v for k, v in os.environ.items()
                                       if k != "LIVE_GOOD_PASSWORD"})
        self.assertEqual(env_less.returncode, 2)
        self.assertIn("environment variable LIVE_GOOD_PASSWORD is not set", env_less.stderr)


class Sha256Challenges(KamailioRegistrar):
    """The same Kamailio challenging with algorithm=SHA-256, qop=auth (its
    auth module's "algorithm" setting, RFC 8760), as carriers now do."""
    DEFINES = ("DIGEST_SHA256",)
    AUTH = "digest SHA-256, qop=auth"

    def test_register_sha256(self):
        self.check_right_password()

    def test_register_sha256_special_password(self):
        p, j = self.register("special-file")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual((j["status"], j["auth"]), ("registered", "digest SHA-256, qop=auth"))

    def test_register_sha256_wrong_password(self):
        self.check_wrong_password()

if __name__ == "__main__":
    unittest.main(verbosity=2)
