// The text reader: SIP messages out of logs and pasted traces.
//
// Understands plain messages separated by blank lines, Asterisk's
// `pjsip set logger on`, FreeSWITCH's `sofia siptrace`, ngrep output (-W
// byline, -W single and its default rows) and
// "Received Packet from ADDRESS" style logs, and takes addresses, transport
// and times from the log lines when the format has them. Streams line by
// line; a message larger than a cap is cut and warned about. The log
// lines themselves are recognised in log_line.hpp; what the messages mean
// is left to trace/.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "capture/reader.hpp"

namespace trunk::capture {

// Reads text from `file`, which the reader takes over and closes.
std::unique_ptr<Reader> open_text(std::FILE* file, std::string name,
                                  diag::Sink& sink);

}  // namespace trunk::capture
