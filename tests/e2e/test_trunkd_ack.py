"""trunkd and the ACKs of its 302s: a plain ACK is counted without the full
parse (sip::is_plain_ack), an odd one takes the full parse; either way no
ACK is answered and each is counted once as an ACK answered with nothing.

trunkd runs on 127.0.0.1 on a free port and is stopped by process id.
"""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

SRC = os.environ.get("TRUNK_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BIN = os.environ.get("TRUNK_BIN", os.path.join(SRC, "build", "bin"))
SITE = os.path.join(SRC, "tests", "e2e", "site")

ACK = ("ACK sip:+442079460000@127.0.0.1 SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 127.0.0.1:%(port)d;branch=z9hG4bK-%(n)d\r\n"
       "From: <sip:alice@acme.example>;tag=f%(n)d\r\n"
       "To: <sip:+442079460000@127.0.0.1>;tag=t%(n)d\r\n"
       "Call-ID: ack-%(n)d@127.0.0.1\r\n"
       "CSeq: 1 ACK\r\n"
       "Max-Forwards: 70\r\n"
       "Content-Length: 0\r\n\r\n")


class AckTest(unittest.TestCase):
    def test_acks_are_counted_and_never_answered(self):
        with tempfile.TemporaryDirectory() as tmp:
            tables = os.path.join(tmp, "site.tables")
            subprocess.run([os.path.join(BIN, "dialplan-compile"), "-c", SITE, "-o", tables],
                           check=True, stdout=subprocess.DEVNULL)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            control = os.path.join(tmp, "control.sock")
            proc = subprocess.Popen([os.path.join(BIN, "trunkd"), "--tables", tables, "--listen",
                                     "udp:127.0.0.1:%d" % port, "--control", control],
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
                            return stats()
                    except OSError:
                        pass
                    self.assertLess(time.time(), deadline, what)
                    time.sleep(0.05)

            try:
                wait_for("trunkd did not start", lambda s: s["ok"])
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                    udp.bind(("127.0.0.1", 0))
                    me = udp.getsockname()[1]
                    plain = ACK % {"port": me, "n": 1}
                    compact = (ACK % {"port": me, "n": 2}).replace("Call-ID:", "i:")
                    folded = (ACK % {"port": me, "n": 3}).replace("CSeq: 1 ACK", "CSeq:\r\n 1 ACK")
                    no_call_id = "".join(line + "\r\n" for line in
                                         (ACK % {"port": me, "n": 4}).split("\r\n")[:-2]
                                         if not line.startswith("Call-ID"))
                    for text in (plain, compact, folded, no_call_id):
                        udp.sendto(text.encode(), ("127.0.0.1", port))
                    # An OPTIONS after them is answered: once its 200 is
                    # here, every ACK before it has been taken.
                    udp.sendto(plain.replace("ACK", "OPTIONS").encode(), ("127.0.0.1", port))
                    udp.settimeout(5)
                    reply = udp.recv(65536).decode()
                    self.assertTrue(reply.startswith("SIP/2.0 200 OK"), reply)
                    self.assertIn("CSeq: 1 OPTIONS", reply)
                    udp.settimeout(0.3)
                    with self.assertRaises(socket.timeout):
                        udp.recv(65536)  # no ACK was answered
                s = wait_for("the requests were not counted",
                             lambda s: s["requests"]["OPTIONS"] == 1)
                self.assertEqual(s["requests"]["ACK"], 4)
                self.assertEqual(s["responses"]["none"], 4)
                self.assertEqual(s["lookups"], 5)
                self.assertEqual(s["not_sip"], 0)
            finally:
                proc.send_signal(signal.SIGTERM)
                _, err = proc.communicate(timeout=10)
            self.assertEqual(proc.returncode, 0, err)


if __name__ == "__main__":
    unittest.main()
