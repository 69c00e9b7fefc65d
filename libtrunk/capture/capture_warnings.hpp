// Warnings about a capture, each naming the frame it is about.
//
// Capture problems have no line and column: the place is the file, and the
// message starts "frame N: " so that an operator can find the packet in
// Wireshark (Go to Packet). Codes start "trace-", as sip-trace-match's
// users know them, although the readers now live in capture/. The Sink is
// the one the reader's caller passed to the current next(), so it is set
// per call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "diag/diagnostic.hpp"

namespace trunk::capture {

struct CaptureWarnings {
  diag::Sink* sink = nullptr;
  diag::FilePath file;

  void at(std::uint64_t frame, std::string code, std::string_view text) const {
    if (!sink) return;
    diag::SourceRegion where;
    where.file = file;
    sink->warning(std::move(code), "frame " + std::to_string(frame) + ": " + std::string(text),
                  where);
  }
  // About the whole capture rather than one frame.
  void whole(std::string code, std::string text) const {
    if (!sink) return;
    diag::SourceRegion where;
    where.file = file;
    sink->warning(std::move(code), std::move(text), where);
  }
};

}  // namespace trunk::capture
