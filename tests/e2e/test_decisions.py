"""End-to-end tests of trunkd's decision (issue #15) with SIPp.

SIPp plays a trunk, a spoofer or a trusted proxy by binding 127.0.0.x
(-i); the site is tests/e2e/decisions (no [[proxy]]: 127.0.0.1 is the
trusted proxy by default), and a variant of it with a [[proxy]] on
127.0.0.8. Each answer is read from SIPp's message log and held against
`trunkctl route --format json` for the same call: the status line, and
the Contact headers equal, in order, to the decision's contacts. Covered:
a spoofed From (a trunk's address, a tenant's domain, a forged Via from
an untrusted source) gets 403; the same call through a trusted proxy is
identified by the origin the proxy recorded (X-Trunk, X-Origin); outbound
Contacts with failover, caller ID, number and parameters; a trunk with
limits.outbound = 0 never a Contact, and 403 naming it when it is the
only one; inbound on a limits.inbound = 0 trunk refused.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from support import (SIPP, compile_site, free_port, header_values, route_json, sipp_responses,
                     start_trunkd)
from test_trunkd import scenario

SRC = os.environ.get("TRUNK_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SITE = os.path.join(SRC, "tests", "e2e", "decisions")
OWN_VIA = "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"


def proxied(xml, recorded):
    """`xml` (a test_trunkd scenario) with a second Via under SIPp's own,
    the hop before the proxy as a proxy records it: sent-by 10.9.9.9 (what
    the caller wrote), received and rport (what the proxy saw); or, for
    "nothing", a sent-by host name alone."""
    if recorded == "nothing":  # a proxy that recorded no address: a host name, no received
        return xml.replace(OWN_VIA, OWN_VIA + "Via: SIP/2.0/UDP caller.example:5060;"
                           "branch=z9hG4bK-origin[call_number]\n")
    address, port = recorded
    return xml.replace(OWN_VIA, OWN_VIA + "Via: SIP/2.0/UDP 10.9.9.9:5060;received=%s;rport=%d;"
                       "branch=z9hG4bK-origin[call_number]\n" % (address, port))


@unittest.skipUnless(SIPP, "sipp (Debian package sip-tester) is not installed")
class Decisions(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="trunkd-decisions-")
        cls.tables = os.path.join(cls.tmp, "site.tables")
        compile_site(SITE, cls.tables)
        cls.trunkd = start_trunkd(cls.tables, cls.tmp)

    @classmethod
    def tearDownClass(cls):
        code = cls.trunkd.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert code == 0, "trunkd exited %s" % code

    def call(self, from_uri, number, expect_code, local_ip="127.0.0.1", via=None, trunkd=None):
        """One INVITE from SIPp bound to `local_ip` (a free port), with a
        recorded origin `via` ((address, port)) under its own Via when
        given; returns (local port, code, phrase, headers) of the answer."""
        trunkd = trunkd or self.trunkd
        xml = scenario("INVITE", from_uri, expect_code)
        if via:
            xml = proxied(xml, via)
        path = os.path.join(self.tmp, "scenario.xml")
        log = os.path.join(self.tmp, "messages.log")
        with open(path, "w") as f:
            f.write(xml)
        if os.path.exists(log):
            os.remove(log)
        port = free_port(local_ip)
        run = subprocess.run(
            [SIPP, "127.0.0.1:%d" % trunkd.udp, "-sf", path, "-s", number, "-m", "1",
             "-i", local_ip, "-p", str(port), "-t", "u1", "-timeout", "15s", "-timeout_error",
             "-nostdin", "-trace_msg", "-message_file", log],
            capture_output=True, text=True, cwd=self.tmp, timeout=60)
        responses = sipp_responses(log) if os.path.exists(log) else []
        self.assertEqual(run.returncode, 0, "sipp failed (%d), answers %r:\n%s\n%s" % (
            run.returncode, responses, run.stdout[-2000:], run.stderr[-2000:]))
        self.assertEqual(len(responses), 1, responses)
        return (port,) + responses[0]

    def assert_as_trunkctl_prints(self, answer, decision):
        """The answer's status line and Contacts are the decision's."""
        _, code, phrase, headers = answer
        self.assertEqual((code, phrase), (decision["code"], decision["reason"]))
        self.assertEqual(header_values(headers, "Contact"),
                         [c["contact"] for c in decision["contacts"]])

    def facts(self, source, number, from_host, *vias):
        # NUMBER first: --via takes every value after it.
        args = [number, "--source", "%s:%d" % source, "--from-host", from_host]
        for v in vias:
            args += ["--via", "%s:%d" % v]
        return route_json(*args, tables=self.tables)[1]

    def test_spoofed_from_is_403(self):
        # The carrier's address in From, sent from nobody's address.
        port, code, phrase, headers = answer = self.call("sip:alice@127.0.0.2", "5550142", 403,
                                                         local_ip="127.0.0.5")
        self.assertEqual(phrase, "Forbidden (source 127.0.0.5:%d is no trunk's address)" % port)
        self.assert_as_trunkctl_prints(answer, self.facts(("127.0.0.5", port), "5550142",
                                                          "127.0.0.2"))
        self.assertEqual(header_values(headers, "X-Trunk"), [])
        # A tenant's domain in From counts only through a trusted proxy.
        port, code, phrase, headers = self.call("sip:alice@acme.test", "14155550123", 403,
                                                local_ip="127.0.0.5")
        self.assertEqual(phrase, "Forbidden (source 127.0.0.5:%d is no trunk's address, and a "
                                 "tenant's domain in From counts only through a trusted proxy)"
                         % port)
        # A Via claiming the carrier's address, from a source nobody trusts.
        port, code, phrase, headers = self.call("sip:x@carrier.example", "5550142", 403,
                                                local_ip="127.0.0.5", via=("127.0.0.2", 5060))
        self.assertEqual(phrase, "Forbidden (source 127.0.0.5:%d is no trunk's address)" % port)

    def test_call_through_trusted_proxy_is_identified_by_recorded_origin(self):
        port, code, phrase, headers = answer = self.call(
            "sip:x@carrier.example", "5550142", 302, via=("127.0.0.2", 5060))
        self.assertEqual(header_values(headers, "X-Trunk"), ["carrier"])
        self.assertEqual(header_values(headers, "X-Tenant"), ["acme"])
        self.assertEqual(header_values(headers, "X-Origin"), ["127.0.0.2:5060;proxy=loopback"])
        self.assertEqual(header_values(headers, "Contact"),
                         ["<sip:5550142@acme.test>;trunk=carrier;max-total=40"])
        decision = self.facts(("127.0.0.1", port), "5550142", "carrier.example",
                              ("127.0.0.2", 5060))
        self.assertEqual((decision["origin"], decision["trunk"], decision["direction"]),
                         ("127.0.0.2:5060", "carrier", "inbound"))
        self.assert_as_trunkctl_prints(answer, decision)
        # The proxy recorded the spoofer: its word is taken, and it says nobody.
        port, code, phrase, headers = self.call("sip:alice@127.0.0.2", "5550142", 403,
                                                via=("127.0.0.5", 5060))
        self.assertEqual(phrase, "Forbidden (origin 127.0.0.5:5060 is no trunk's address)")
        self.assertEqual(header_values(headers, "X-Origin"), ["127.0.0.5:5060;proxy=loopback"])
        # It recorded nothing: refused, and no origin claimed (X-Origin once
        # named the proxy's own address).
        port, code, phrase, headers = self.call("sip:x@carrier.example", "5550142", 403,
                                                via="nothing")
        self.assertEqual(phrase, "Forbidden (trusted proxy loopback recorded no address on the "
                                 "Via below its own)")
        self.assertEqual(header_values(headers, "X-Origin"), [])

    def test_outbound_contacts_as_trunkctl_prints(self):
        for number, first in (("14155550123", "carrier"), ("01144201234567", "backup")):
            with self.subTest(number=number):
                port, code, phrase, headers = answer = self.call("sip:alice@acme.test", number,
                                                                 302)
                _, named = route_json("acme", number, tables=self.tables)
                self.assert_as_trunkctl_prints(answer, named["decision"])
                self.assert_as_trunkctl_prints(
                    answer, self.facts(("127.0.0.1", port), number, "acme.test"))
                self.assertEqual(header_values(headers, "X-Trunk"), [first])
                self.assertEqual(header_values(headers, "X-Tenant"), ["acme"])
                contacts = header_values(headers, "Contact")
                self.assertEqual(len(contacts), 2, contacts)
                self.assertFalse([c for c in contacts if "closed-out" in c], contacts)
        # The whole of each Contact, as trunkd.8 describes it: the national
        # route left closed-out out, then the carrier with its number
        # (strip_plus), parameters, caller ID and limits, then its failover.
        self.assertEqual(header_values(self.call("sip:alice@acme.test", "14155550123", 302)[3],
                                       "Contact"), [
            '<sip:14155550123@127.0.0.2:5060;user=phone>;q=1.0;trunk=carrier;'
            'caller-id="+15125551111";max-calls=30;max-total=40;'
            'failover-on="408,480,500,502,503,504"',
            '<sip:+14155550123@127.0.0.4:5080;transport=tcp;user=phone>;q=0.9;trunk=backup;'
            'next-hop="sip:127.0.0.7:5070";tel-ruri;tel-to;'
            'failover-on="408,480,500,502,503,504"'])

    def test_route_of_only_an_outbound_0_trunk_is_403(self):
        _, code, phrase, headers = answer = self.call("sip:alice@acme.test", "7123", 403)
        self.assertEqual(phrase, "Forbidden (trunk closed-out: limits.outbound = 0)")
        self.assertEqual(header_values(headers, "Contact"), [])
        self.assert_as_trunkctl_prints(answer, route_json("acme", "7123",
                                                          tables=self.tables)[1]["decision"])

    def test_inbound_on_an_inbound_0_trunk_is_403(self):
        port, code, phrase, headers = answer = self.call("sip:x@deaf.example", "5550242", 403,
                                                         local_ip="127.0.0.6")
        self.assertEqual(phrase, "Forbidden (trunk closed-in: limits.inbound = 0)")
        self.assert_as_trunkctl_prints(answer, self.facts(("127.0.0.6", port), "5550242",
                                                          "deaf.example"))
        # Through the proxy, the same.
        _, code, phrase, _ = self.call("sip:x@deaf.example", "5550242", 403,
                                       via=("127.0.0.6", 5060))
        self.assertEqual(phrase, "Forbidden (trunk closed-in: limits.inbound = 0)")

    def test_site_with_a_proxy_trusts_only_its_addresses(self):
        """With [[proxy]] edge on 127.0.0.8, edge's Via is taken and
        127.0.0.1's no longer is."""
        variant = os.path.join(self.tmp, "with-proxy")
        os.makedirs(variant, exist_ok=True)
        shutil.copy(os.path.join(SITE, "site.toml"), variant)
        with open(os.path.join(variant, "zz-proxy.toml"), "w") as f:
            f.write('[[proxy]]\nname = "edge"\naddresses = ["127.0.0.8"]\n')
        tables = os.path.join(self.tmp, "with-proxy.tables")
        compile_site(variant, tables)
        trunkd = start_trunkd(tables, self.tmp)
        try:
            _, code, phrase, headers = self.call("sip:x@carrier.example", "5550142", 302,
                                                 local_ip="127.0.0.8", via=("127.0.0.2", 5060),
                                                 trunkd=trunkd)
            self.assertEqual(header_values(headers, "X-Trunk"), ["carrier"])
            self.assertEqual(header_values(headers, "X-Origin"), ["127.0.0.2:5060;proxy=edge"])
            port, code, phrase, _ = self.call("sip:x@carrier.example", "5550142", 403,
                                              via=("127.0.0.2", 5060), trunkd=trunkd)
            self.assertEqual(phrase, "Forbidden (source 127.0.0.1:%d is no trunk's address)"
                             % port)
        finally:
            self.assertEqual(trunkd.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
