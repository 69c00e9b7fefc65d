#!/usr/bin/env python3
"""Writes the seed captures for fuzz_pcap_reader into tests/fuzz/corpus/pcap_reader.

One small capture per link type and layer the reader knows, each with a SIP
message or two, so that mutations start from frames that reach the deep
code: Ethernet with VLAN tags, PPPoE, SLL, SLL2, NULL, raw IP, IPv6 with a
fragment header, IPv4 fragments, IP-in-IP, GRE/ERSPAN II, TCP with a message
over segments, out of order and retransmitted, and a pcapng file.
Run from the repository root: python3 tests/fuzz/make_pcap_seeds.py
"""
import os
import socket
import struct

OUT = os.path.join(os.path.dirname(__file__), "corpus", "pcap_reader")


def sip(method="INVITE", body=b"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n"):
    return (method.encode() + b" sip:+14155550100@192.0.2.2 SIP/2.0\r\n"
            b"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nCall-ID: seed\r\n"
            b"CSeq: 1 " + method.encode() + b"\r\nContent-Length: " +
            str(len(body)).encode() + b"\r\n\r\n" + body)


RESPONSE = b"SIP/2.0 200 OK\r\nCall-ID: seed\r\nl: 0\r\n\r\n"


def ip4(src, dst, proto, payload, ident=1, offset=0, more=False):
    flags = (0x2000 if more else 0) | (offset // 8)
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags, 64,
                       proto, 0, socket.inet_aton(src), socket.inet_aton(dst)) + payload


def ip6(src, dst, nxt, payload):
    return (struct.pack("!IHBB", 0x60000000, len(payload), nxt, 64) +
            socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) +
            payload)


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 0x50, flags, 65535, 0, 0) + payload


def eth(etype, payload):
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01" + struct.pack("!H", etype) + payload


def pcap(link, frames, times_us=None):
    """A pcap file; frame i at times_us[i] (microseconds), else 1 ms apart."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, link)]
    for i, f in enumerate(frames):
        t = times_us[i] if times_us else 1700000000 * 1000000 + i * 1000
        out += [struct.pack("<IIII", t // 1000000, t % 1000000, len(f), len(f)), f]
    return b"".join(out)


def pcapng(link, frames):
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", link, 0, 65535))
    for i, f in enumerate(frames):
        ts = 1700000000 * 1000000 + i * 1000
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f)
    return out


def udp4(payload, sport=5060, dport=5060):
    return ip4("192.0.2.1", "192.0.2.2", 17, udp(sport, dport, payload))


def seeds():
    msg = sip()
    yield "ethernet_udp.pcap", pcap(1, [eth(0x0800, udp4(msg)), eth(0x0800, udp4(RESPONSE, 5060, 5080)),
                                        eth(0x0800, udp4(b"\x80\0\0\1" + b"\xff" * 40, 4000, 4002))])
    vlan = struct.pack("!HH", 100, 0x8100) + struct.pack("!HH", 200, 0x0800)
    yield "vlan.pcap", pcap(1, [eth(0x88A8, vlan + udp4(msg))])
    pppoe = struct.pack("!BBHHH", 0x11, 0, 1, len(udp4(msg)) + 2, 0x0021)
    yield "pppoe.pcap", pcap(1, [eth(0x8864, pppoe + udp4(msg))])
    sll = struct.pack("!HHH8sH", 0, 1, 6, b"\x02" * 8, 0x0800)
    yield "sll.pcap", pcap(113, [sll + udp4(msg)])
    v6 = ip6("2001:db8::1", "2001:db8::2", 17, udp(5060, 5060, msg))
    sll2 = struct.pack("!HHIHBB8s", 0x86DD, 0, 1, 1, 0, 6, b"\x02" * 8)
    yield "sll2_ipv6.pcap", pcap(276, [sll2 + v6])
    yield "null.pcap", pcap(0, [struct.pack("<I", 2) + udp4(msg)])
    yield "raw.pcap", pcap(101, [udp4(msg), v6])
    dgram = udp(5060, 5060, sip(body=b"a=x\r\n" * 60))
    yield "ipv4_fragments.pcap", pcap(1, [
        eth(0x0800, ip4("192.0.2.1", "192.0.2.2", 17, dgram[96:], 7, 96, False)),
        eth(0x0800, ip4("192.0.2.1", "192.0.2.2", 17, dgram[:96], 7, 0, True))])
    frag1 = struct.pack("!BBHI", 17, 0, 0 | 1, 9) + dgram[:128]
    frag2 = struct.pack("!BBHI", 17, 0, 128, 9) + dgram[128:]
    yield "ipv6_fragments.pcap", pcap(1, [
        eth(0x86DD, ip6("2001:db8::1", "2001:db8::2", 44, frag1)),
        eth(0x86DD, ip6("2001:db8::1", "2001:db8::2", 44, frag2))])
    yield "ipip.pcap", pcap(1, [eth(0x0800, ip4("198.51.100.1", "198.51.100.2", 4, udp4(msg)))])
    erspan = struct.pack("!HHI", 0x1000, 0x88BE, 1) + b"\x10\x01\0\x01\0\0\0\0" + eth(0x0800, udp4(msg))
    yield "erspan.pcap", pcap(1, [eth(0x0800, ip4("198.51.100.1", "198.51.100.2", 47, erspan))])
    two = sip() + sip("ACK", b"")
    cut = len(two) // 3

    def t(seq, flags, payload=b""):
        return eth(0x0800, ip4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 5060, seq, flags, payload)))
    yield "tcp.pcap", pcap(1, [t(99, 2), t(100 + cut, 0x18, two[cut:2 * cut]), t(100, 0x10, two[:cut]),
                               t(100, 0x10, two[:cut]), t(100 + 2 * cut, 0x18, two[2 * cut:]),
                               t(100 + len(two), 0x11)])
    yield "pcapng.pcapng", pcapng(1, [eth(0x0800, udp4(msg)), eth(0x0800, udp4(RESPONSE))])


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
