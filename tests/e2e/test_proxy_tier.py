"""The production tier end to end (issue #16, tests 1-4): a real Kamailio
running the configuration `dialplan-compile --emit kamailio` writes, two
trunkd behind it, and SIPp playing the tenant's PBX and two carriers.

1. an outbound call from the PBX reaches the right carrier with the number
   and caller ID the site says, and completes through Kamailio by the
   route set (ACK and BYE);
2. failover: a carrier's 503 sends the call to the next carrier; a 486 goes
   back to the caller and the next carrier never hears of the call;
3. limits: a trunk at limits.outbound (or limits.inbound) calls is skipped
   for the next Contact, and with none left the call gets 503 (maximum
   channels reached);
4. admission: a carrier's inbound call reaches the PBX; an unknown address
   gets Kamailio's 403 and trunkd never sees it; a carrier posing as the
   tenant (From host its sip_domain) gets trunkd's refusal; a Via that
   forges received/rport is not believed.

The site is tests/e2e/tier/proxy_tier.toml; its peers have loopback
addresses of their own (127.0.16.x, port 5060). Kamailio and trunkd listen
on free ports. Each test starts its own Kamailio (dialogs held by one test
would count against the limits of the next) and its own SIPp peers; every
process is stopped by its id.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from support import (BIN, SIPP, compile_site, free_port, header_values,  # noqa: E402
                     sipp_requests, start_trunkd)
from test_trunkd import ere_escape, xml_escape  # noqa: E402
from test_trunkd_attack import wait_for  # noqa: E402

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tier", "proxy_tier.toml")
KAMAILIO = shutil.which("kamailio") or (
    "/usr/sbin/kamailio" if os.access("/usr/sbin/kamailio", os.X_OK) else None)

PBX = "127.0.16.31"
FIRST = "127.0.16.21"    # limits 2 in, 2 out; caller_id +15125551111
SECOND = "127.0.16.22"
NEXT_HOP = "127.0.16.23"  # telco's outbound proxy
NOBODY = "127.0.0.99"
PEER_PORT = 5060

# The caller's final answer, then (for a 200) ACK and BYE by the route set
# the 200's Record-Route gave, as a PBX does: SIPp's built-in uac ignores
# Record-Route, and Kamailio answers such an ACK or BYE 404.
UAC = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="proxy tier caller">
  <send retrans="500">
    <![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] %(via)s;branch=[branch]%(via_params)s
From: <%(from_uri)s>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:caller@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
%(rest)s
</scenario>
"""

ANSWERED = """  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
From: <%(from_uri)s>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="%(hold_ms)d"/>
  <send retrans="500">
    <![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[routes]
From: <%(from_uri)s>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>"""

# A refusal: the status line must hold `reason`; the ACK of a non-2xx
# answer is hop by hop, in the INVITE's transaction.
REFUSED = """  <recv response="%(code)d">
    <action><ereg regexp="%(reason)s" search_in="msg" check_it="true" assign_to="r"/></action>
  </recv>
  <send>
    <![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
From: <%(from_uri)s>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

    ]]>
  </send>
  <Reference variables="r"/>"""

# A callee that answers, keeping the route set in its 200 as RFC 3261 12.1.1
# says (SIPp's built-in uas leaves Record-Route out, so the caller's ACK
# and BYE would bypass Kamailio), then waits for the BYE.
ANSWER = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="callee answering 200">
  <recv request="INVITE"/>
  <send>
    <![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
[last_Record-Route:]
Contact: <sip:[local_ip]:[local_port]>
Content-Length: 0

    ]]>
  </send>
  <send>
    <![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
[last_Record-Route:]
Contact: <sip:[local_ip]:[local_port]>
Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"/>
  <recv request="BYE"/>
  <send>
    <![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

    ]]>
  </send>
</scenario>
"""

# A carrier that answers every INVITE with one final code.
ANSWER_WITH = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="carrier answering %(code)d">
  <recv request="INVITE"/>
  <send>
    <![CDATA[
SIP/2.0 %(code)d %(reason)s
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"/>
</scenario>
"""


def uac_scenario(code=200, reason="", hold_ms=0, from_uri="sip:1001@acme.test", via=None,
                 via_params=""):
    """A caller's scenario that expects `code` (a reason holding `reason`
    for a refusal); an answered call is held `hold_ms` before the BYE."""
    fields = {"from_uri": from_uri, "hold_ms": hold_ms, "code": code,
              "reason": xml_escape(ere_escape("%d %s" % (code, reason)))}
    rest = (ANSWERED if code == 200 else REFUSED) % fields
    return UAC % {"via": via or "[local_ip]:[local_port]", "via_params": via_params,
                  "from_uri": from_uri, "rest": rest}


def udp_bound(address, port):
    """Is some socket bound to address:port (UDP)? From /proc/net/udp, as
    SIPp binds with SO_REUSEADDR and a bind probe would succeed."""
    want = "%s:%04X" % ("".join("%02X" % int(b) for b in reversed(address.split("."))), port)
    with open("/proc/net/udp") as f:
        return any(line.split()[1] == want for line in f.readlines()[1:])


class TierBase(unittest.TestCase):
    """Kamailio (emitted for `site`) and two trunkd; the tests' helpers."""
    site = SITE

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="proxy-tier-")
        cls.tables = os.path.join(cls.tmp, "site.tables")
        compile_site(cls.site, cls.tables)
        cls.trunkd = []
        try:
            for _ in range(2):
                cls.trunkd.append(start_trunkd(cls.tables, cls.tmp))
            cls.port = free_port()
            cls.config = os.path.join(cls.tmp, "kamailio")
            run = subprocess.run(
                [os.path.join(BIN, "dialplan-compile"), "-c", cls.site, "--emit", "kamailio",
                 cls.config, "--listen", "udp:127.0.0.1:%d" % cls.port,
                 "--kamailio-ctl", "unix:" + os.path.join(cls.tmp, "kamailio.ctl"),
                 "--children", "2"] +
                [a for d in cls.trunkd for a in ("--trunkd", "udp:127.0.0.1:%d" % d.udp)],
                capture_output=True, text=True, timeout=30)
            assert run.returncode == 0, "--emit kamailio failed:\n%s%s" % (run.stdout, run.stderr)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for d in cls.trunkd:
            d.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.peers = []
        self.started = 0
        self.kamailio_log = os.path.join(self.tmp, "kamailio-%s.log" % self._testMethodName)
        with open(self.kamailio_log, "w") as log:
            self.kamailio = subprocess.Popen(
                [KAMAILIO, "-f", os.path.join(self.config, "kamailio.cfg"), "-DD", "-E",
                 "-m", "32", "-M", "8"], stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(self.stop_all)
        wait_for("kamailio did not answer OPTIONS:\n" + self.kamailio_log, self.kamailio_answers,
                 timeout=15)

    def kamailio_answers(self):
        if self.kamailio.poll() is not None:
            raise AssertionError("kamailio exited (%d):\n%s" % (self.kamailio.returncode,
                                                                 self.log_tail()))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(0.2)
            s.sendto(("OPTIONS sip:ping@127.0.0.1:%d SIP/2.0\r\n"
                      "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-ready%f\r\n"
                      "From: <sip:ready@127.0.0.1>;tag=1\r\nTo: <sip:ping@127.0.0.1>\r\n"
                      "Call-ID: ready-%f\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                      "Content-Length: 0\r\n\r\n" % (self.port, s.getsockname()[1], time.time(),
                                                   time.time())).encode(),
                     ("127.0.0.1", self.port))
            try:
                return s.recv(4096).startswith(b"SIP/2.0 ")
            except socket.timeout:
                return False

    def log_tail(self):
        with open(self.kamailio_log, errors="replace") as f:
            return f.read()[-3000:]

    def stop_all(self):
        for p in self.peers:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.peers:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if self.kamailio.poll() is None:
            self.kamailio.send_signal(signal.SIGTERM)
            try:
                self.kamailio.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kamailio.kill()
                self.kamailio.wait()

    def scenario_file(self, text):
        self.started += 1
        path = os.path.join(self.tmp, "%s-%d.xml" % (self._testMethodName, self.started))
        with open(path, "w") as f:
            f.write(text)
        return path

    def sipp_args(self, local_ip, local_port, name):
        log = os.path.join(self.tmp, "%s-%s.msg" % (self._testMethodName, name))
        return log, ["-i", local_ip, "-p", str(local_port), "-nostdin", "-trace_msg",
                     "-message_file", log, "-trace_err", "-error_file", log + ".err"]

    def carrier(self, address, name, answer=None):
        """A SIPp UAS on address:5060, answering 200 (ANSWER) or
        `answer` = (code, reason); returns its message log."""
        log, args = self.sipp_args(address, PEER_PORT, name)
        scenario = ANSWER_WITH % {"code": answer[0], "reason": answer[1]} if answer else ANSWER
        self.peers.append(subprocess.Popen([SIPP, "-sf", self.scenario_file(scenario), *args],
                                           stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL, cwd=self.tmp))
        wait_for("sipp at %s:%d did not start" % (address, PEER_PORT),
                 lambda: udp_bound(address, PEER_PORT))
        return log

    def caller(self, address, number, scenario, name, calls=1, background=False):
        """A SIPp UAC on `address` calling `number` through Kamailio;
        returns (exit code, message log), or (process, log) in the
        background."""
        log, args = self.sipp_args(address, free_port(address), name)
        cmd = [SIPP, "127.0.0.1:%d" % self.port, "-sf", self.scenario_file(scenario),
               "-s", number, "-m", str(calls), "-l", str(calls), "-r", "10", *args]
        if background:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    cwd=self.tmp)
            self.peers.append(proc)
            return proc, log
        run = subprocess.run(cmd + ["-timeout", "20s", "-timeout_error"], capture_output=True,
                             text=True, cwd=self.tmp, timeout=60)
        return run.returncode, log

    def call(self, address, number, scenario, name, calls=1):
        """As caller(), asserting that SIPp's calls all went as scenario said."""
        code, log = self.caller(address, number, scenario, name, calls)
        if code != 0:
            errors = ""
            if os.path.exists(log + ".err"):
                with open(log + ".err", errors="replace") as f:
                    errors = f.read()[-3000:]
            self.fail("%s: sipp exit %d\n%s\n--- kamailio ---\n%s" % (name, code, errors,
                                                                     self.log_tail()))
        return log

    def trunkd_invites(self):
        return sum(d.stats()["requests"]["INVITE"] for d in self.trunkd)

    def assert_invite(self, log, ruri_user, from_user):
        invites = sipp_requests(log, "INVITE")
        self.assertEqual(len(invites), 1, invites)
        _, ruri, headers = invites[0]
        self.assertTrue(ruri.startswith("sip:%s@" % ruri_user), ruri)
        self.assertIn("<sip:%s@" % from_user, header_values(headers, "From")[0])
        return headers


@unittest.skipUnless(SIPP, "sipp (Debian package sip-tester) is not installed")
@unittest.skipUnless(KAMAILIO, "kamailio is not installed")
class ProxyTier(TierBase):
    def test_1_outbound_call_reaches_the_carrier_and_completes(self):
        first = self.carrier(FIRST, "first")
        self.call(PBX, "15125550123", uac_scenario(), "pbx")
        headers = self.assert_invite(first, "+15125550123", "+15125551111")
        # It came through Kamailio (its Via on top), which stays in the path.
        self.assertIn("127.0.0.1:%d" % self.port, header_values(headers, "Via")[0])
        self.assertTrue(header_values(headers, "Record-Route"), headers)
        # The ACK and BYE took the route set: Kamailio relayed them.
        for method in ("ACK", "BYE"):
            got = sipp_requests(first, method)
            self.assertEqual(len(got), 1, "%s: %s" % (method, got))
            self.assertIn("127.0.0.1:%d" % self.port, header_values(got[0][2], "Via")[0])

    def test_1_next_hop_and_tel_uris(self):
        # telco's Contact: next-hop="sip:127.0.16.23:5060";tel-ruri;tel-to.
        hop = self.carrier(NEXT_HOP, "next-hop")
        self.call(PBX, "825125550123", uac_scenario(), "pbx-telco")
        invites = sipp_requests(hop, "INVITE")
        self.assertEqual(len(invites), 1, invites)
        _, ruri, headers = invites[0]
        self.assertEqual(ruri, "tel:+15125550123")
        self.assertIn("<tel:+15125550123>", header_values(headers, "To")[0])
        # No caller-id on the Contact (none set for telco or the route):
        # the tenant's.
        self.assertIn("<sip:+15125550000@", header_values(headers, "From")[0])

    def test_2_failover_on_503(self):
        first = self.carrier(FIRST, "first-503", (503, "Service Unavailable"))
        second = self.carrier(SECOND, "second")
        self.call(PBX, "15125550123", uac_scenario(), "pbx-503")
        self.assert_invite(first, "+15125550123", "+15125551111")
        # The second Contact's caller ID: the tenant's.
        self.assert_invite(second, "+15125550123", "+15125550000")
        self.assertEqual(len(sipp_requests(second, "BYE")), 1)

    def test_2_no_failover_on_486(self):
        first = self.carrier(FIRST, "first-486", (486, "Busy Here"))
        second = self.carrier(SECOND, "second")
        self.call(PBX, "15125550123", uac_scenario(486, "Busy Here"), "pbx-486")
        self.assert_invite(first, "+15125550123", "+15125551111")
        self.assertEqual(sipp_requests(second), [])

    def hold_two(self, caller, number, callee_log, name):
        """Two calls answered and held (no BYE) by `caller`; returns when
        the callee has both ACKs."""
        proc, _ = self.caller(caller, number, uac_scenario(hold_ms=60000), name, calls=2,
                              background=True)
        wait_for("two held calls were not answered:\n" + self.log_tail(),
                 lambda: len(sipp_requests(callee_log, "ACK")) == 2 or proc.poll() is not None,
                 timeout=20)
        self.assertIsNone(proc.poll(), "the holding sipp exited (%s)" % proc.returncode)

    def test_3_outbound_limit(self):
        first = self.carrier(FIRST, "first")
        second = self.carrier(SECOND, "second")
        self.hold_two(PBX, "15125550123", first, "pbx-held")
        self.assertEqual(sipp_requests(second), [])
        # The third goes to the next Contact...
        self.call(PBX, "15125550123", uac_scenario(), "pbx-third")
        self.assertEqual(len(sipp_requests(first, "INVITE")), 2)
        self.assert_invite(second, "+15125550123", "+15125550000")
        # ...and where there is none, it is refused.
        self.call(PBX, "815125550123", uac_scenario(
            503, "Service Unavailable (maximum channels reached: trunk first)"), "pbx-refused")
        self.assertEqual(len(sipp_requests(first, "INVITE")), 2)
        self.assertEqual(len(sipp_requests(second, "INVITE")), 1)

    def test_3_inbound_limit(self):
        pbx = self.carrier(PBX, "pbx")
        self.hold_two(FIRST, "5125550150", pbx, "first-held")
        self.call(FIRST, "5125550151", uac_scenario(503, "Service Unavailable (maximum channels "
                                                         "reached"), "first-third")
        self.assertEqual(len(sipp_requests(pbx, "INVITE")), 2)

    def test_4_inbound_call_reaches_the_pbx(self):
        pbx = self.carrier(PBX, "pbx")
        self.call(FIRST, "5125550150", uac_scenario(from_uri="sip:+14155550100@127.0.16.21"),
                  "first")
        self.assert_invite(pbx, "5125550150", "+14155550100")
        self.assertEqual(len(sipp_requests(pbx, "BYE")), 1)

    def test_4_unknown_address_refused_by_kamailio(self):
        before = self.trunkd_invites()
        self.call(NOBODY, "5125550150",
                  uac_scenario(403, "Forbidden (not a trunk of this site)"), "nobody")
        self.assertEqual(self.trunkd_invites(), before, "trunkd saw the call")

    def test_4_toll_fraud_refused_by_trunkd(self):
        # A carrier's address, posing as the tenant to call out.
        before = self.trunkd_invites()
        self.call(FIRST, "15125559999", uac_scenario(
            404, "Not Found (DID in no pool on this trunk)", from_uri="sip:1001@acme.test"),
            "fraud")
        # Asked (more than once only if a retransmission beat its answer).
        self.assertGreater(self.trunkd_invites(), before)

    def test_4_forged_via_not_believed(self):
        pbx = self.carrier(PBX, "pbx")
        # From an unknown address, claiming to be the carrier: the
        # permissions check looks at the real source.
        forged = ";received=%s;rport=%d" % (FIRST, PEER_PORT)
        before = self.trunkd_invites()
        self.call(NOBODY, "5125550150", uac_scenario(
            403, "Forbidden (not a trunk of this site)", via="%s:%d" % (FIRST, PEER_PORT),
            via_params=forged), "nobody-forged")
        self.assertEqual(self.trunkd_invites(), before)
        # From the PBX, claiming to be the carrier calling one of its DIDs:
        # believed, trunkd would send it to the PBX as an inbound call; it
        # takes the PBX's real address, and the PBX has no route for it.
        self.call(PBX, "5125550150", uac_scenario(
            404, "Not Found (no route)", via="%s:%d" % (FIRST, PEER_PORT), via_params=forged),
            "pbx-forged")
        self.assertGreater(self.trunkd_invites(), before)
        self.assertEqual(sipp_requests(pbx), [])


KEEPALIVE_SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tier",
                              "keepalive.toml")
KA_PBX, KA_PROBED, KA_BACKUP = "127.0.17.31", "127.0.17.21", "127.0.17.22"


@unittest.skipUnless(SIPP, "sipp (Debian package sip-tester) is not installed")
@unittest.skipUnless(KAMAILIO, "kamailio is not installed")
class Keepalive(TierBase):
    """The site's keepalive reaches the proxy: a trunk with
    keepalive.options that stops answering OPTIONS is taken offline and
    skipped in the 302's Contacts; with no Contact left the call gets
    503 (trunk NAME is offline)."""
    site = KEEPALIVE_SITE

    def probed_state(self):
        run = subprocess.run(["kamcmd", "-s", "unix:" + os.path.join(self.tmp, "kamailio.ctl"),
                              "dispatcher.list"], capture_output=True, text=True, timeout=10)
        text = run.stdout
        at = text.find("sip:%s:5060" % KA_PROBED)
        if at < 0:
            return ""
        flags = text.find("FLAGS:", at)
        return text[flags + 6:text.find("\n", flags)].strip() if flags >= 0 else ""

    def test_an_offline_trunk_is_skipped(self):
        # Nobody answers at the probed trunk's address: after the misses
        # dispatcher allows (2 probes, each waiting out tm's timer) it is
        # inactive ("I" in its flags).
        wait_for("the probed trunk never went offline:\n" + self.log_tail(),
                 lambda: self.probed_state().startswith("I"), timeout=30)
        backup = self.carrier(KA_BACKUP, "backup")
        self.call(KA_PBX, "15125550123", uac_scenario(), "pbx-national")
        self.assert_invite(backup, "+15125550123", "+15125550000")
        self.call(KA_PBX, "815125550123", uac_scenario(
            503, "Service Unavailable (trunk probed is offline)"), "pbx-probed-only")
        self.assertEqual(len(sipp_requests(backup, "INVITE")), 1)


if __name__ == "__main__":
    unittest.main()
