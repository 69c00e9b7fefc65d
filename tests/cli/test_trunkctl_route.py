#!/usr/bin/env python3
"""Command-line tests for trunkctl route on numbers that are no dial string
and on tables files whose content was changed after compiling.

`trunkctl route -c examples/site acme 0114420-1` crashed: the router's tail
node for "_011." took the '-', the explanation (which parses the patterns)
did not, and the printer read the first of no matching routes. Now a number
that is no dial string for the plan is refused before routing, in the words
trunkd's 484/404 reason phrase carries, and the explanation always lists the
router's winner. Environment as in test_trunkctl.py. Stdlib only.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import BIN_DIR, ToolTest, run_tool  # noqa: E402

TRUNKCTL = os.path.join(BIN_DIR, "trunkctl")


def trunkctl(*args):
    return run_tool(TRUNKCTL, *args)


def checksum(data):
    """libtrunk/tables/checksum.hpp, to reseal a file changed on purpose."""
    mask = (1 << 64) - 1
    h = 0x243f6a8885a308d3 ^ len(data)
    for off in range(0, len(data) - 7, 8):
        w = 0 if off == 24 else int.from_bytes(data[off:off + 8], "little")
        h = ((h ^ w) * 0x9e3779b97f4a7c15) & mask
        h ^= h >> 29
    return h


class NotADialString(ToolTest):
    def test_dash_in_a_number_that_a_tail_route_would_take(self):
        run = trunkctl("route", "-c", "examples/site", "acme", "0114420-1")
        self.check(run, 1, "acme dials 0114420-1\n  route      none: not a dial string: "
                   "'-' at position 8 is not a dial symbol\n"
                   "  answer     484 Address Incomplete (not a dial string: '-' at position 8 "
                   "is not a dial symbol)\n", "")

    def test_letters(self):
        run = trunkctl("route", "-c", "examples/site", "acme", "12abc")
        self.check(run, 1, "acme dials 12abc\n  route      none: not a dial string: "
                   "'a' at position 3 is not a dial symbol\n"
                   "  answer     484 Address Incomplete (not a dial string: 'a' at position 3 "
                   "is not a dial symbol)\n", "")

    def test_plus_not_first(self):
        run = trunkctl("route", "-c", "examples/site", "initech", "1+2")
        self.check(run, 1, "initech dials 1+2\n  route      none: not a dial string: "
                   "'+' at position 2 is not first\n"
                   "  answer     484 Address Incomplete (not a dial string: '+' at position 2 "
                   "is not first)\n", "")

    def test_star_where_no_route_names_it(self):
        # initech's "_X." would take "5*1" as a wildcard; no route names '*'.
        run = trunkctl("route", "-c", "examples/site", "--format", "json", "initech", "5*1")
        self.check(run, 1, None, "")
        out = json.loads(run.out)
        self.assertEqual(out["route"], "")
        self.assertEqual(out["reason"],
                         "not a dial string here: the plan has no numbers with '*'")
        self.assertEqual(out["matching"], [])

    def test_inbound_did(self):
        run = trunkctl("route", "-c", "examples/site", "--trunk", "CarrierA", "41555510a2")
        self.check(run, 1, "41555510a2 arrives on CarrierA\n  tenant     none\n"
                   "  to         none\n  why        not a dial string: "
                   "'a' at position 9 is not a dial symbol\n"
                   "  answer     484 Address Incomplete (not a dial string: 'a' at position 9 "
                   "is not a dial symbol)\n", "")


class ChangedTables(ToolTest):
    def test_pattern_text_that_no_longer_matches_the_winner(self):
        """A resealed file whose route pattern text was changed verifies (the
        verifier proves bounds, not that text and automaton agree): the
        explanation must still show the router's winner, not crash."""
        with tempfile.TemporaryDirectory() as tmp:
            tables = os.path.join(tmp, "site.tables")
            compiled = subprocess.run(
                [os.path.join(BIN_DIR, "dialplan-compile"), "-c", "examples/site", "-o", tables],
                capture_output=True, text=True)
            self.assertEqual(compiled.returncode, 0, compiled.stderr)
            with open(tables, "rb") as f:
                data = bytearray(f.read())
            self.assertEqual(data.count(b"_011."), 1)
            at = data.index(b"_011.")
            data[at:at + 5] = b"_999."
            data[24:32] = checksum(bytes(data)).to_bytes(8, "little")
            with open(tables, "wb") as f:
                f.write(data)
            run = trunkctl("route", "--tables", tables, "acme", "011442071234567")
            self.check(run, 0, "acme dials 011442071234567\n"
                       "  route      international (match _999., priority 0)\n"
                       "  send       +442071234567\n"
                       "  answer     302 Moved Temporarily\n"
                       "  contact 1  <sip:+442071234567@203.0.113.10:5060>;q=1.0;trunk=CarrierA;"
                       "caller-id=\"4155550100\";max-total=200;"
                       "failover-on=\"408,480,500,502,503,504\"\n"
                       "             caller ID 4155550100 (the route's)\n"
                       "  contact 2  <sip:+442071234567@sbc.carrierb.example:5061;transport=tls;"
                       "user=phone>;q=0.9;trunk=CarrierB;caller-id=\"4155550100\";tel-ruri;"
                       "failover-on=\"408,480,500,502,503,504\"\n"
                       "             failover of CarrierA; caller ID 4155550100 (the route's)\n",
                       "")


if __name__ == "__main__":
    unittest.main()
