// The capture reader: pcap and pcapng files through libpcap.
//
// Link types: Ethernet (with VLAN tags), Linux cooked (SLL, SLL2), raw IP and
// BSD loopback. IPv4 (fragments reassembled) and IPv6, UDP, and TCP with a
// reassembly buffer per stream that cuts SIP messages by Content-Length.
// Memory is bounded: fragment and stream buffers are capped and aged out.
// Frames are taken apart in frame_decode.hpp, TCP in tcp_stream.hpp; what
// the messages mean is left to trace/.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "capture/reader.hpp"

namespace trunk::capture {

// Reads a capture from `file`, which the reader takes over and closes.
// Returns null (with an error "trace-format" in `sink`) when libpcap cannot
// read it as a capture.
std::unique_ptr<Reader> open_pcap(std::FILE* file, std::string name,
                                  diag::Sink& sink);

}  // namespace trunk::capture
