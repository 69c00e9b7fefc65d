// Diagnostics as a SARIF 2.1.0 log (OASIS Static Analysis Results
// Interchange Format), for code-scanning dashboards (`--format sarif`).
//
// One log, one run: tool.driver names the tool, its version and (when the
// build knows one) the project's address, and lists as rules the diagnostic
// codes that occur, sorted. Each diagnostic is a result: ruleId and
// ruleIndex, level (error, warning or note from the severity), message.text
// (the message, then the hints on further lines), and its place as a
// physicalLocation: artifactLocation.uri relative to %SRCROOT% (the working
// directory, given in originalUriBaseIds) for a relative path, a file: URI
// for an absolute one, and region startLine/startColumn, with
// endLine/endColumn (exclusive, as SARIF counts) when known. The other side
// of a conflict is a relatedLocation with its label. A diagnostic about
// input from the command line (no file) has no location. Messages never
// carry secrets (diagnostic.hpp), so nothing here redacts.
#pragma once

#include <string>
#include <string_view>

#include "diag/diagnostic.hpp"

namespace trunk::diag {

struct SarifTool {
  std::string name;              // "trunkctl"
  std::string version;           // "0.1.0"
  std::string information_uri;   // empty: left out
  std::string working_directory; // absolute; what %SRCROOT% stands for
};

// The whole log as one JSON document, with its newline.
std::string render_sarif(const Sink& sink, const SarifTool& tool);

// `path` as a URI reference: each byte but unreserved ones (RFC 3986) and
// '/' percent-encoded.
std::string uri_encode_path(std::string_view path);

}  // namespace trunk::diag
