"""End-to-end tests of the digest algorithms `trunkctl register-test` (and
`probe`, when a server challenges its OPTIONS) offer
beyond what Kamailio can challenge with (test_live_checks.py covers MD5 and
SHA-256 against Kamailio): SHA-512-256, -sess, several challenges in one
401 (RFC 7616 sec 3.7), a 407 from a proxy, and challenges no client could
answer.

The registrar here is a small SIP server in this file, on a free UDP port
on 127.0.0.1, in a thread: it challenges every REGISTER as the username
asks (see CHALLENGES) and checks each answer by its own computation
(hashlib, RFC 7616 sec 3.4.1), so a wrong hash is a 401, not a pass. It
records every Authorization it was sent, so the tests can assert which
challenge was answered and that the password never crossed the wire.
"""
import hashlib
import json
import os
import re
import socket
import subprocess
import tempfile
import threading
import unittest

from test_live_checks import TRUNKCTL, free_port

PASSWORD = "s3cret:with\"quotes"
REALM = "carrier.test"

# username -> (status code, header name, the challenges, one header each)
CHALLENGES = {
    "strongest": (401, "WWW-Authenticate", [
        'Digest realm="%s", nonce="{n}", qop="auth", algorithm=MD5' % REALM,
        'Digest realm="%s", nonce="{n}", qop="auth", algorithm=SHA-512-256, opaque="op1"' % REALM,
        'Digest realm="%s", nonce="{n}", qop="auth", algorithm=SHA-256' % REALM]),
    "proxied": (407, "Proxy-Authenticate", [
        'Digest realm="%s", nonce="{n}", qop="auth,auth-int", algorithm=SHA-256-sess' % REALM]),
    "sha1only": (401, "WWW-Authenticate", [
        'Digest realm="%s", nonce="{n}", qop="auth", algorithm=SHA-1' % REALM]),
    "nononce": (401, "WWW-Authenticate", ['Digest realm="%s", qop="auth"' % REALM]),
}
HASHES = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}


def params(value):
    """The name=value parameters of a Digest header value, unquoted."""
    out = {}
    for m in re.finditer(r'([\w-]+)=("((?:[^"\\]|\\.)*)"|[^,\s]*)', value):
        out[m.group(1).lower()] = (re.sub(r'\\(.)', r'\1', m.group(3))
                                   if m.group(3) is not None else m.group(2))
    return out


def expected_response(p, method, password):
    """RFC 7616 sec 3.4.1, computed here, independently of libtrunk."""
    alg = p.get("algorithm", "MD5")
    sess = alg.endswith("-sess")
    h = lambda s: hashlib.new(HASHES[alg[:-5] if sess else alg], s.encode()).hexdigest()
    ha1 = h("%s:%s:%s" % (p["username"], p["realm"], password))
    if sess:
        ha1 = h("%s:%s:%s" % (ha1, p["nonce"], p["cnonce"]))
    ha2 = h("%s:%s" % (method, p["uri"]))
    if p.get("qop") == "auth":
        return h(":".join([ha1, p["nonce"], p["nc"], p["cnonce"], "auth", ha2]))
    return h(":".join([ha1, p["nonce"], ha2]))


class Registrar(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.seen = []     # (username, method, Authorization's parameters, its text)
        self.nonces = set()
        self.count = 0

    def run(self):
        while True:
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                return
            reply = self.answer(data.decode("utf-8", "replace"))
            if reply:
                self.sock.sendto(reply.encode(), addr)

    def answer(self, text):
        head = text.split("\r\n\r\n", 1)[0].split("\r\n")
        method, uri = head[0].split(" ")[:2]
        if method not in ("REGISTER", "OPTIONS"):
            return None
        headers = [tuple(x.strip() for x in h.split(":", 1)) for h in head[1:] if ":" in h]
        get = lambda n: [v for k, v in headers if k.lower() == n.lower()]
        if method == "REGISTER":
            user = re.search(r"sip:([^@]+)@", get("From")[0]).group(1)
        else:  # an OPTIONS names no user: challenged as "strongest", checked as its answer says
            user = params(get("Authorization")[0])["username"] if get("Authorization") else \
                "strongest"
        code, challenge_name, challenges = CHALLENGES[user]
        creds = get("Authorization" if code == 401 else "Proxy-Authorization")
        ok = False
        if creds:
            p = params(creds[0])
            self.seen.append((user, method, p, creds[0]))
            ok = (p.get("nonce") in self.nonces and p.get("uri") == uri and
                  p.get("realm") == REALM and
                  p.get("response") == expected_response(p, method, PASSWORD))
        copy = "".join("%s: %s\r\n" % (k, v) for k, v in headers
                       if k.lower() in ("via", "from", "call-id", "cseq"))
        to = get("To")[0] + ";tag=reg1"
        if ok and method == "OPTIONS":
            return "SIP/2.0 200 OK\r\n%sTo: %s\r\nContent-Length: 0\r\n\r\n" % (copy, to)
        if ok:
            expires = "0" if get("Expires") == ["0"] else "120"
            return ("SIP/2.0 200 OK\r\n%sTo: %s\r\nContact: %s;expires=%s\r\n"
                    "Content-Length: 0\r\n\r\n" % (copy, to, get("Contact")[0], expires))
        self.count += 1
        nonce = "n%d-%s" % (self.count, os.urandom(6).hex())
        self.nonces.add(nonce)
        lines = "".join("%s: %s\r\n" % (challenge_name, c.format(n=nonce)) for c in challenges)
        reason = "Unauthorized" if code == 401 else "Proxy Authentication Required"
        return ("SIP/2.0 %d %s\r\n%sTo: %s\r\n%sContent-Length: 0\r\n\r\n"
                % (code, reason, copy, to, lines))


class DigestAlgorithms(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.registrar = Registrar()
        cls.registrar.start()
        cls.tmp = tempfile.TemporaryDirectory(prefix="trunk-digest-")
        cls.site = os.path.join(cls.tmp.name, "site.toml")
        trunks = "".join(
            '[[trunk]]\nname = "%s"\ntype = "register"\nprovider = "%s"\nhost = "127.0.0.1"\n'
            'port = %d\n[trunk.auth]\nusername = "%s"\npassword_env = "DIGEST_PASSWORD"\n\n'
            % (u, u.upper(), cls.registrar.port, u) for u in CHALLENGES)
        trunks += ('[[trunk]]\nname = "nocreds"\ntype = "peer"\nprovider = "PEER"\n'
                   'host = "127.0.0.1"\nport = %d\n' % cls.registrar.port)
        with open(cls.site, "w") as f:
            f.write('[site]\nname = "digest"\ntransports = ["udp"]\n\n'
                    '[[tenant]]\nname = "acme"\nsip_domain = "acme.test"\n\n' + trunks)

    @classmethod
    def tearDownClass(cls):
        cls.registrar.sock.close()
        cls.tmp.cleanup()

    def register(self, name, fmt="text", command="register-test"):
        p = subprocess.run([TRUNKCTL, command, "-c", self.site, name, "--bind",
                            "127.0.0.1", "--timeout", "2", "--no-fallback", "--format", fmt],
                           capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, DIGEST_PASSWORD=PASSWORD))
        self.assertNotIn(PASSWORD, p.stdout + p.stderr)
        self.assertNotIn("s3cret", p.stdout + p.stderr)
        return p

    def sent(self, user):
        """The REGISTERs' Authorization headers from `user`: (parameters, text)."""
        return [(p, raw) for u, m, p, raw in self.registrar.seen if u == user and m == "REGISTER"]

    def test_strongest_of_three_challenges_is_answered(self):
        p = self.register("strongest")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"^strongest: registered \(200 OK, expires 120 s, [0-9.]+ ms\); "
                                   r"unregistered sip:127\.0\.0\.1:%d;transport=udp as strongest; "
                                   r"auth: digest SHA-512-256, qop=auth\n$" % self.registrar.port)
        sent = self.sent("strongest")
        self.assertEqual(len(sent), 2)  # the REGISTER and its Expires: 0 twin
        for params_, raw in sent:
            self.assertEqual(params_["algorithm"], "SHA-512-256")
            self.assertEqual((params_["qop"], params_["nc"], params_["opaque"]),
                             ("auth", "00000001", "op1"))
            self.assertNotIn("s3cret", raw)
        j = json.loads(self.register("strongest", "json").stdout)
        self.assertEqual((j["status"], j["auth"]), ("registered", "digest SHA-512-256, qop=auth"))

    def test_proxy_challenge_with_sess(self):
        p = self.register("proxied", "json")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        j = json.loads(p.stdout)
        self.assertEqual((j["status"], j["challenges"], j["auth"]),
                         ("registered", 1, "digest SHA-256-sess, qop=auth"))
        self.assertEqual(self.sent("proxied")[0][0]["algorithm"], "SHA-256-sess")

    def test_unsupported_algorithm_only_is_a_clear_rejection(self):
        p = self.register("sha1only")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout,
                         "sha1only: registration failed: rejected (401 Unauthorized; cannot "
                         "answer: no Digest challenge this client can answer (offered: "
                         "algorithm \"SHA-1\"; supported: MD5, SHA-256, SHA-512-256, with or "
                         "without -sess, qop=auth or none)) sip:127.0.0.1:%d;transport=udp as "
                         "sha1only\n" % self.registrar.port)
        j = json.loads(self.register("sha1only", "json").stdout)
        self.assertEqual((j["status"], j["code"], j["challenges"]), ("rejected", 401, 1))
        self.assertIn('algorithm "SHA-1"', j["auth_error"])
        self.assertNotIn("auth", j)
        self.assertEqual(self.sent("sha1only"), [])  # nothing was guessed at

    def test_malformed_challenge_is_a_clear_rejection(self):
        p = self.register("nononce")
        self.assertEqual(p.returncode, 1)
        self.assertIn("nononce: registration failed: rejected (401 Unauthorized; cannot answer: "
                      "malformed WWW-Authenticate: Digest challenge without nonce)", p.stdout)

    def test_probe_answers_a_challenge_with_the_trunks_credentials(self):
        p = self.register("strongest", command="probe")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"^strongest: online \(200 OK, [0-9.]+ ms\) "
                                   r"sip:127\.0\.0\.1:%d;transport=udp; "
                                   r"auth: digest SHA-512-256, qop=auth\n$" % self.registrar.port)
        j = json.loads(self.register("strongest", "json", command="probe").stdout)
        self.assertEqual((j["status"], j["code"], j["auth"]),
                         ("online", 200, "digest SHA-512-256, qop=auth"))

    def test_probe_without_credentials_reports_the_challenge(self):
        p = self.register("nocreds", "json", command="probe")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        j = json.loads(p.stdout)
        self.assertEqual((j["status"], j["code"], j["phrase"]), ("online", 401, "Unauthorized"))
        self.assertNotIn("auth", j)


if __name__ == "__main__":
    unittest.main(verbosity=2)
