"""Differential test of the decision (issue #15): trunkd against
sip-trace-match and trunkctl route.

A seeded generator writes a site (tenants with sip_domains; peer trunks on
127.170.0.0/16 with associated_ips blocks inside 127/8, nested and shared;
three verify_port trunks on one address; match_from_host trunks; a
tenant's own accept-register PBX; DID pools, inbound rules, routes with
failover chains, direction and limits 0 on some; two trusted proxies) and
compiles it. trunkd serves it on loopback; 10,000 generated INVITEs are
sent over UDP from sockets bound to random 127.x.y.z addresses, about a
third from the proxies with the origin recorded on a second Via (received,
rport, or neither; one proxy behind the other), with random From hosts and
numbers. Every request and its answer go into one pcap (raw IPv4) that
sip-trace-match reads; for every INVITE its decision must give trunkd's
answer: code, reason phrase, X-Trunk, X-Tenant, X-Origin, the Contacts,
and the direction where the answer shows it. A sample is also asked of
`trunkctl route --source` one by one.

The seed is random unless TRUNK_DIFF_SEED is set; a failure prints it with
the first disagreements and their inputs. TRUNK_DIFF_COUNT changes the
number of INVITEs.
"""
import collections
import json
import os
import random
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from support import BIN, PcapWriter, compile_site, route_json, start_trunkd

COUNT = int(os.environ.get("TRUNK_DIFF_COUNT", "10000"))
SEED = int(os.environ.get("TRUNK_DIFF_SEED", str(random.SystemRandom().randrange(1 << 32))))
SAMPLE = 60  # requests also asked of trunkctl route --source, one process each

PROXIES = {"edge": "127.0.0.1", "inner": "127.161.0.9"}
SHARED_HOST = "127.175.0.1"  # the verify_port trunks' one address
JUNK_NET = "127.199"


def toml_str(s):
    return json.dumps(s)


class SiteGen:
    """A random valid site and the facts the request generator draws from."""

    def __init__(self, rng):
        self.rng = rng
        self.tenants = ["t%d" % i for i in range(4)]
        self.domains = {t: "%s.example" % t for t in self.tenants}
        self.trunks = []  # dicts: name, host, port, blocks, from_host, direction, tenants
        self.sources = []  # (address, port or None): where trunks send from
        self.from_names = []
        self.dids = []  # numbers in some pool
        self.next_pool = 0
        self.text = self.write()

    def pool(self):
        """A DID range no other pool holds."""
        k = self.next_pool
        self.next_pool += 1
        if k % 3 == 2:
            first = 5550000 + 100 * k
            return "%d-%d" % (first, first + 49), [str(first + i) for i in range(50)]
        first = 2125000000 + 1000 * k
        return "%d-%d" % (first, first + 99), [str(first + i) for i in range(100)]

    def write(self):
        rng = self.rng
        out = ['[site]\nname = "differential"\ntransports = ["udp", "tcp"]\n']
        for name, address in PROXIES.items():
            out.append('[[proxy]]\nname = "%s"\naddresses = ["%s"]\n' % (name, address))
        for t in self.tenants:
            out.append("[[tenant]]\nname = %s\nsip_domain = %s\n" % (
                toml_str(t), toml_str(self.domains[t])))
            if rng.random() < 0.6:
                caller = rng.choice(["*", "+1512555%04d" % rng.randrange(10000)])
                out.append("caller_id = %s\n" % toml_str(caller))
        peers = 9
        for i in range(peers):
            tr = {"name": "peer%d" % i, "type": "peer", "owner": None, "blocks": [],
                  "from_host": None, "verify_port": False}
            if i in (4, 5, 6):
                tr["host"], tr["port"], tr["verify_port"] = SHARED_HOST, 5060 + i - 3, True
            else:
                tr["host"], tr["port"] = "127.170.%d.1" % i, rng.choice([5060, 5070, 5080])
                if rng.random() < 0.7:
                    tr["blocks"].append("127.170.%d.0/24" % i)
            if i == 0:
                tr["blocks"].append("127.180.0.0/16")
            if i == 1:
                tr["blocks"].append("127.180.5.0/24")  # inside peer0's: the longer wins
            if i in (2, 3, 7):
                tr["blocks"].append("127.181.0.0/24")  # one block, three trunks
            if i in (3, 7):
                tr["from_host"] = "sbc.prov%d.example" % i
            self.trunks.append(tr)
        pbx = {"name": "pbx0", "type": "accept-register", "owner": "t0", "host": "pbx0.t0.net",
               "port": 5060, "blocks": ["127.190.0.0/28"], "from_host": None,
               "verify_port": False}
        self.trunks.append(pbx)
        names = [tr["name"] for tr in self.trunks]
        for idx, tr in enumerate(self.trunks):
            tr["direction"] = rng.choices(["both", "inbound", "outbound"], [8, 1, 1])[0]
            tr["tenants"] = {}
            lines = ["[[trunk]]", "name = %s" % toml_str(tr["name"]),
                     "type = %s" % toml_str(tr["type"]),
                     "host = %s" % toml_str(tr["host"]), "port = %d" % tr["port"]]
            if tr["type"] == "peer":
                lines.append('provider = "Prov%d"' % idx)
            else:
                lines.append('owner = "%s"' % tr["owner"])
            if tr["blocks"]:
                lines.append("associated_ips = %s" % json.dumps(tr["blocks"]))
            if tr["verify_port"]:
                lines.append("verify_port = true")
            if tr["from_host"]:
                lines.append("match_from_host = %s" % toml_str(tr["from_host"]))
                self.from_names.append(tr["from_host"])
            if tr["direction"] != "both":
                lines.append('direction = "%s"' % tr["direction"])
            if rng.random() < 0.5:
                lines.append("strip_plus = true")
            if rng.random() < 0.3:
                lines.append('request_uri_params = "user=phone"')
            if rng.random() < 0.2:
                lines.append("tel_uri_request_line = true")
            if rng.random() < 0.4:
                caller = rng.choice(["*", "+1415555%04d" % rng.randrange(10000)])
                lines.append("caller_id = %s" % toml_str(caller))
            if rng.random() < 0.2:
                lines.append('transport = "tcp"')
            if rng.random() < 0.2:
                lines.append('outbound_proxy = "127.0.0.7"\noutbound_proxy_port = 5999')
            later = names[idx + 1:-1]  # failovers point forward: chains end
            if later and tr["type"] == "peer" and rng.random() < 0.5:
                lines.append("failover = %s" % toml_str(rng.choice(later)))
            limits = []
            for key, p_zero in (("inbound", 0.15), ("outbound", 0.15), ("total", 0.06)):
                r = rng.random()
                if r < p_zero:
                    limits.append("%s = 0" % key)
                elif r < 0.4:
                    limits.append("%s = %d" % (key, rng.randrange(1, 100)))
            if limits:
                lines.append("[trunk.limits]\n" + "\n".join(limits))
            if tr["type"] != "peer":
                lines.append('[trunk.auth]\nusername = "pbx0"\npassword_env = "PBX0_PASSWORD"')
            owners = [tr["owner"]] if tr["owner"] else rng.sample(self.tenants, rng.randrange(1, 4))
            for t in owners:
                lines.append("[[trunk.tenant]]\ntenant = %s" % toml_str(t))
                if rng.random() < 0.85:
                    text, numbers = self.pool()
                    lines.append("did_pool = %s" % toml_str(text))
                    tr["tenants"][t] = (text, numbers)
                    self.dids += numbers
                else:
                    tr["tenants"][t] = None
            out.append("\n".join(lines) + "\n")
            for b in tr["blocks"]:
                self.sources.append((b, None))
            if tr["host"][0].isdigit():
                self.sources.append((tr["host"], tr["port"]))
        for tr in self.trunks:
            if tr["direction"] == "outbound":
                continue
            for t, pool in sorted(tr["tenants"].items()):
                if pool and rng.random() < 0.75:
                    first, last = pool[0].split("-")
                    if rng.random() < 0.5:  # half the pool: the rest has no rule
                        last = str(int(first) + (int(last) - int(first)) // 2)
                    out.append("[[inbound]]\ntenant = %s\ntrunk = %s\ndid = \"%s-%s\"\n"
                               "to = \"sip:{did}@%s\"\n" % (toml_str(t), toml_str(tr["name"]),
                                                           first, last, self.domains[t]))
        patterns = [("national", "_1NXXNXXXXXX", 0, ""), ("international", "_011.", 3, "+"),
                    ("outside", "_9.", 1, ""), ("local", "_NXXXXXX", 0, "1512"),
                    ("short", "_7XXX", 0, "")]
        for t in self.tenants:
            usable = [tr["name"] for tr in self.trunks
                      if t in tr["tenants"] and tr["direction"] != "inbound"]
            if not usable:
                continue
            # Distinct priorities: overlapping patterns (_9. and _NXXXXXX)
            # of one priority are route-ambiguous.
            priorities = rng.sample(range(-5, 5), len(patterns))
            for (name, match, strip, prepend), priority in zip(patterns, priorities):
                if rng.random() < 0.2:
                    continue
                chosen = rng.sample(usable, rng.randrange(1, min(3, len(usable)) + 1))
                lines = ["[[route]]", "tenant = %s" % toml_str(t), 'name = "%s"' % name,
                         'match = "%s"' % match, "trunks = %s" % json.dumps(chosen),
                         "priority = %d" % priority]
                if strip:
                    lines.append("strip = %d" % strip)
                if prepend:
                    lines.append('prepend = "%s"' % prepend)
                if rng.random() < 0.3:
                    lines.append('caller_id = "+1800555%04d"' % rng.randrange(10000))
                out.append("\n".join(lines) + "\n")
        return "\n".join(out)


class Request:
    """One generated INVITE: where it is sent from, its Vias below the
    sender's own, From host and number."""
    __slots__ = ("index", "source", "vias", "from_host", "number", "sock", "data", "answer",
                 "sent", "tries")

    def __init__(self, index, source, vias, from_host, number):
        self.index, self.source, self.vias = index, source, vias
        self.from_host, self.number = from_host, number
        self.answer = None
        self.tries = 0

    def describe(self):
        return "#%d from %s:%d, vias %s, From host %r, number %r" % (
            self.index, self.source[0], self.source[1], self.vias, self.from_host, self.number)


def address_in(block, rng):
    """A random address in `block` (an address or a /16, /24, /28)."""
    if "/" not in block:
        return block
    net, bits = block.split("/")
    parts = [int(p) for p in net.split(".")]
    value = (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]
    host_bits = 32 - int(bits)
    value |= rng.randrange(1, (1 << host_bits) - 1)
    return ".".join(str((value >> s) & 255) for s in (24, 16, 8, 0))


class RequestGen:
    def __init__(self, site, rng):
        self.site, self.rng = site, rng

    def origin(self):
        """(address, port or None): a trunk's, near one, or nobody's."""
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            block, port = rng.choice(self.site.sources)
            address = address_in(block, rng)
            if port is None or rng.random() < 0.3:
                port = rng.choice([None, 5060, 5061, 5062, 5063, rng.randrange(20000, 60000)])
            return address, port
        if r < 0.75:
            return SHARED_HOST, rng.choice([5060, 5061, 5062, 5063, 5064,
                                            rng.randrange(20000, 60000)])
        return "%s.%d.%d" % (JUNK_NET, rng.randrange(256), rng.randrange(1, 255)), rng.choice(
            [None, 5060, rng.randrange(20000, 60000)])

    def from_host(self):
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            return rng.choice(list(self.site.domains.values()))
        if r < 0.45:
            return rng.choice(self.site.from_names)
        if r < 0.7:
            return rng.choice([tr["host"] for tr in self.site.trunks])
        return rng.choice(["evil.example", "127.0.0.1", "T0.EXAMPLE", "sbc.prov3.example.evil",
                           "10.1.2.3"])

    def number(self):
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            did = rng.choice(self.site.dids)
            return rng.choice([did, did, "+" + did, "1" + did])
        if r < 0.7:
            return rng.choice(["1%d555%04d" % (rng.randrange(2, 10), rng.randrange(10000)),
                               "011%d" % rng.randrange(10 ** 8, 10 ** 12),
                               "9%d" % rng.randrange(10 ** 6, 10 ** 10),
                               "%d%06d" % (rng.randrange(2, 10), rng.randrange(10 ** 6)),
                               "7%03d" % rng.randrange(1000),
                               "+1415555%04d" % rng.randrange(10000)])
        return rng.choice(["abc", "12-34", "*72", "%2372", "+1+2", "0",
                           "5551%05d" % rng.randrange(10 ** 5),
                           "2125%06d" % rng.randrange(10 ** 6)])

    def trunk_call(self):
        """A call as one of the trunks sends it: from its address (the
        trunk's port where it checks ports), a DID mostly of its pools."""
        rng = self.rng
        tr = rng.choice(self.site.trunks)
        places = tr["blocks"] + ([tr["host"]] if tr["host"][0].isdigit() else [])
        address = address_in(rng.choice(places), rng)
        port = tr["port"]
        if not tr["verify_port"] and rng.random() < 0.5:
            port = rng.randrange(20000, 60000)
        pools = [p for p in tr["tenants"].values() if p]
        if pools and rng.random() < 0.8:
            number = rng.choice(rng.choice(pools)[1])
            number = "+" + number if rng.random() < 0.2 else number
        else:
            number = self.number()
        from_host = tr["from_host"] if tr["from_host"] and rng.random() < 0.7 else self.from_host()
        return (address, port), from_host, number

    def make(self, index, used):
        """A request whose source (address, port) is not in `used` (the
        sockets of its batch); port 0: any free port."""
        rng = self.rng
        vias = []
        kind = rng.random()
        if kind < 0.4:  # a trunk's call, straight or through a proxy
            origin, from_host, number = self.trunk_call()
            if rng.random() < 0.4:
                proxy = rng.choice(["edge", "edge", "inner"])
                return Request(index, (PROXIES[proxy], 0), [origin + ("received",)], from_host,
                               number)
            source = origin if origin not in used else (origin[0], 0)
            return Request(index, source, vias, from_host, number)
        if kind < 0.6:  # a tenant's user, through a proxy, or spoofing one
            from_host = rng.choice(list(self.site.domains.values()))
            r = rng.random()
            if r < 0.4:
                return Request(index, (PROXIES["edge"], 0), vias, from_host, self.number())
            if r < 0.8:
                junk = ("%s.%d.%d" % (JUNK_NET, rng.randrange(256), rng.randrange(1, 255)),
                        rng.randrange(20000, 60000), "received")
                return Request(index, (PROXIES["edge"], 0), [junk], from_host, self.number())
            return Request(index, ("%s.0.%d" % (JUNK_NET, rng.randrange(1, 255)), 0), vias,
                           from_host, self.number())
        if rng.random() < 0.34:
            proxy = rng.choice(["edge", "edge", "inner"])
            source = (PROXIES[proxy], 0)
            r = rng.random()
            if r < 0.1:
                pass  # only its own Via: the proxy itself is the origin
            elif r < 0.15:
                vias.append(("proxy.example", None, None))  # recorded nothing
            else:
                if rng.random() < 0.15:  # through the other proxy first
                    vias.append((PROXIES["inner" if proxy == "edge" else "edge"],
                                 rng.randrange(20000, 60000), "received"))
                address, port = self.origin()
                vias.append((address, port, rng.choice(["received", "received", "sent-by"])))
        else:
            address, port = self.origin()
            source = (address, port or 0)
            if source in used:
                source = (address, 0)
        return Request(index, source, vias, self.from_host(), self.number())


def invite(req, trunkd_port, local):
    """The INVITE's text, sent from `local` (address, port)."""
    vias = ["Via: SIP/2.0/UDP %s:%d;rport;branch=z9hG4bK-d%d" % (local[0], local[1], req.index)]
    for k, (address, port, how) in enumerate(req.vias):
        if how is None:
            vias.append("Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-o%d-%d" % (address, req.index, k))
        elif how == "sent-by":
            vias.append("Via: SIP/2.0/UDP %s%s;branch=z9hG4bK-o%d-%d" % (
                address, ":%d" % port if port else "", req.index, k))
        else:
            vias.append("Via: SIP/2.0/UDP 10.9.9.9:5060;received=%s%s;branch=z9hG4bK-o%d-%d" % (
                address, ";rport=%d" % port if port else "", req.index, k))
    return ("INVITE sip:%s@127.0.0.1:%d SIP/2.0\r\n%s\r\n"
            "From: <sip:caller@%s>;tag=f%d\r\nTo: <sip:%s@127.0.0.1>\r\n"
            "Call-ID: diff-%d@differential\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
            "Contact: <sip:caller@%s:%d>\r\nContent-Length: 0\r\n\r\n" % (
                req.number, trunkd_port, "\r\n".join(vias), req.from_host, req.index,
                req.number, req.index, local[0], local[1])).encode()


def parse_answer(data):
    text = data.decode("utf-8", "replace")
    head = text.split("\r\n\r\n", 1)[0].split("\r\n")
    _, code, phrase = head[0].split(" ", 2)
    headers = collections.defaultdict(list)
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()].append(value.strip())
    return {"code": int(code), "reason": phrase, "contacts": headers["contact"],
            "trunk": (headers["x-trunk"] or [None])[0],
            "tenant": (headers["x-tenant"] or [None])[0],
            "route": (headers["x-route"] or [None])[0],
            "origin": (headers["x-origin"] or [None])[0],
            "call_id": (headers["call-id"] or [None])[0]}


def send_all(requests, trunkd_port, pcap, batch=200):
    """Sends every request, resending unanswered ones, and writes each
    request and its answer to `pcap`."""
    server = ("127.0.0.1", trunkd_port)
    clock = 1_700_000_000.0
    for start in range(0, len(requests), batch):
        group = requests[start:start + batch]
        by_fd = {}
        for req in group:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                s.bind(req.source)
            except OSError:  # a fixed port taken on this machine: any port
                s.bind((req.source[0], 0))
            req.source = s.getsockname()
            req.sock = s
            req.data = invite(req, trunkd_port, req.source)
            by_fd[s.fileno()] = req
        pending = dict(by_fd)
        for attempt in range(8):
            for req in pending.values():
                req.sock.sendto(req.data, server)
                req.tries += 1
            deadline = time.time() + 0.5 * (attempt + 1)
            while pending and time.time() < deadline:
                ready, _, _ = select.select(list(pending), [], [], 0.1)
                for fd in ready:
                    req = pending.pop(fd)
                    req.answer = req.sock.recv(65535)
            if not pending:
                break
        for req in group:
            if req.answer is not None:
                clock += 0.001
                pcap.udp(clock, req.source, server, req.data)
                pcap.udp(clock + 0.0005, server, req.source, req.answer)
                req.answer = parse_answer(req.answer)
            req.sock.close()
            req.sock = None


def expected_from(decision):
    """What trunkd's answer shows of a decision (route::write_decision's
    JSON): the fields parse_answer gives."""
    contacts = [c["contact"] for c in decision.get("contacts") or []]
    trunk = None
    if decision.get("direction") == "inbound":
        trunk = decision.get("trunk")
    elif decision.get("direction") == "outbound" and decision.get("contacts"):
        trunk = decision["contacts"][0]["trunk"]
    origin = None
    if decision.get("origin") and decision.get("origin_proxy"):
        origin = "%s;proxy=%s" % (decision["origin"], decision["origin_proxy"])
    return {"code": decision.get("code"), "reason": decision.get("reason"), "contacts": contacts,
            "trunk": trunk or None, "tenant": decision.get("tenant") or None, "origin": origin}


def answer_direction(answer):
    """The direction trunkd's answer shows, or None when it shows none."""
    if answer["route"]:
        return "outbound"
    if answer["code"] == 302:
        return "inbound"
    return None


class Differential(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="trunkd-differential-")
        rng = random.Random(SEED)
        cls.site = SiteGen(rng)
        cls.site_dir = os.path.join(cls.tmp, "site")
        os.makedirs(cls.site_dir)
        with open(os.path.join(cls.site_dir, "site.toml"), "w") as f:
            f.write(cls.site.text)
        cls.tables = os.path.join(cls.tmp, "site.tables")
        try:
            compile_site(cls.site_dir, cls.tables)
        except AssertionError as e:
            raise AssertionError("seed %d: the generated site does not compile: %s" % (SEED, e))
        gen = RequestGen(cls.site, rng)
        cls.requests = []
        used = set()
        for i in range(COUNT):
            if i % 200 == 0:
                used = set()
            req = gen.make(i, used)
            if req.source[1]:
                used.add(req.source)
            cls.requests.append(req)
        trunkd = start_trunkd(cls.tables, cls.tmp)
        cls.pcap = os.path.join(cls.tmp, "differential.pcap")
        pcap = PcapWriter(cls.pcap)
        started = time.time()
        try:
            send_all(cls.requests, trunkd.udp, pcap)
        finally:
            pcap.close()
            code = trunkd.stop()
        cls.send_seconds = time.time() - started
        assert code == 0, "seed %d: trunkd exited %s:\n%s" % (SEED, code, trunkd.text()[-4000:])

    @classmethod
    def tearDownClass(cls):
        if os.environ.get("TRUNK_DIFF_KEEP"):
            print("kept %s" % cls.tmp, file=sys.stderr)
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def report(self, what, disagreements):
        if disagreements:
            self.fail("seed %d (TRUNK_DIFF_SEED=%d reruns it): %d %s; the first:\n%s" % (
                SEED, SEED, len(disagreements), what, "\n".join(disagreements[:5])))

    def test_every_request_answered(self):
        lost = [r.describe() for r in self.requests if r.answer is None]
        self.report("requests without an answer", lost)
        codes = collections.Counter(r.answer["code"] for r in self.requests)
        print("\nseed %d: %d INVITEs in %.1f s, answers %s" % (
            SEED, len(self.requests), self.send_seconds, dict(sorted(codes.items()))),
            file=sys.stderr)
        # The generator reaches every kind of answer, or the test says little.
        for code in (302, 403, 404, 484):
            self.assertGreater(codes[code], len(self.requests) // 100, (SEED, codes))

    def test_trunkd_agrees_with_trunkctl_route(self):
        """A sample, each asked of trunkctl route --source (requests whose
        proxy recorded no address cannot be written as --via)."""
        rng = random.Random(SEED + 1)
        sample = [r for r in self.requests
                  if r.answer and all(how is not None for _, _, how in r.vias)]
        disagreements = []
        for req in rng.sample(sample, min(SAMPLE, len(sample))):
            args = [req.number, "--source", "%s:%d" % req.source, "--from-host", req.from_host]
            for address, port, how in req.vias:
                # The port counts only as rport: a sent-by port is not
                # where the proxy saw the request come from.
                recorded = port and how == "received"
                args += ["--via", "%s:%d" % (address, port) if recorded else address]
            if req.number.startswith("-"):
                continue
            _, decision = route_json(*args, tables=self.tables)
            want = expected_from(decision)
            got = {k: req.answer[k] for k in want}
            shown = answer_direction(req.answer)
            if got != want or (shown and shown != decision["direction"]):
                disagreements.append("%s\n  trunkctl: %s direction %s\n  trunkd:   %s direction %s"
                                     % (req.describe(), want, decision["direction"], got, shown))
        self.report("disagreements with trunkctl route", disagreements)

    def test_trunkd_agrees_with_sip_trace_match(self):
        run = subprocess.run([os.path.join(BIN, "sip-trace-match"), "-c", self.site_dir,
                              "--format", "json", "--method", "INVITE", self.pcap],
                             capture_output=True, text=True, timeout=300)
        self.assertIn(run.returncode, (0, 1), run.stderr[-3000:])
        records, malformed = {}, []
        for line in run.stdout.splitlines():
            rec = json.loads(line)
            if rec.get("type") != "message":
                continue
            if rec.get("malformed"):
                malformed.append("#%d %s: %s" % (rec["index"], rec["call_id"], rec["malformed"]))
            if rec.get("request") and rec.get("method") == "INVITE":
                records[rec["call_id"]] = rec
        # Every INVITE of the pcap read back, and none of them nor trunkd's
        # answers taken for broken (trunkd's caller-id="..." once was).
        self.assertEqual(len(records), sum(r.answer is not None for r in self.requests))
        self.report("messages sip-trace-match calls malformed", malformed)
        if not any("decision" in r for r in records.values()):
            self.skipTest("sip-trace-match prints no decision for an INVITE yet (#15, the lead's "
                          "part)")
        disagreements = []
        for req in self.requests:
            if req.answer is None:
                continue
            rec = records.get(req.answer["call_id"])
            if rec is None or "decision" not in rec:
                disagreements.append("%s\n  sip-trace-match: no decision for it" % req.describe())
                continue
            decision = rec["decision"]
            want = expected_from(decision)
            got = {k: req.answer[k] for k in want}
            shown = answer_direction(req.answer)
            if got != want or (shown and shown != decision.get("direction")):
                disagreements.append("%s\n  sip-trace-match: %s direction %s\n  trunkd:          "
                                     "%s direction %s" % (req.describe(), want,
                                                          decision.get("direction"), got, shown))
        self.report("disagreements with sip-trace-match", disagreements)


if __name__ == "__main__":
    unittest.main(verbosity=2)
