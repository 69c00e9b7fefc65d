// SARIF 2.1.0 logs: the layout sarif.hpp describes, written with JsonWriter.
#include "diag/sarif.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "diag/json.hpp"

namespace trunk::diag {

namespace {

std::string_view level_for(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

// A file: URI for the directory `dir` (absolute), ending in '/' as SARIF
// requires of a base.
std::string directory_uri(const std::string& dir) {
  std::string uri = "file://" + uri_encode_path(dir);
  if (uri.back() != '/') uri += '/';
  return uri;
}

// The physicalLocation object of `r` (which names a file).
void write_physical(JsonWriter& w, const SourceRegion& r) {
  w.begin_object().key("artifactLocation").begin_object();
  const std::string& path = r.file.str();
  if (path.front() == '/') {
    w.field("uri", "file://" + uri_encode_path(path));
  } else {
    w.field("uri", uri_encode_path(path)).field("uriBaseId", "%SRCROOT%");
  }
  w.end_object();
  if (r.line) {
    w.key("region").begin_object().field("startLine", static_cast<std::uint64_t>(r.line));
    if (r.column) w.field("startColumn", static_cast<std::uint64_t>(r.column));
    if (r.end_line >= r.line && r.end_column > 0 &&
        (r.end_line > r.line || r.end_column > r.column)) {
      w.field("endLine", static_cast<std::uint64_t>(r.end_line))
          .field("endColumn", static_cast<std::uint64_t>(r.end_column));
    }
    w.end_object();
  }
  w.end_object();
}

void write_result(JsonWriter& w, const Diagnostic& d, std::size_t rule_index) {
  w.begin_object()
      .field("ruleId", d.code)
      .field("ruleIndex", static_cast<std::uint64_t>(rule_index))
      .field("level", level_for(d.severity));
  std::string text = d.message;
  for (const auto& h : d.hints) text += "\nhint: " + h;
  w.key("message").begin_object().field("text", text).end_object();
  w.key("locations").begin_array();
  if (!d.where.file.empty()) {
    w.begin_object().key("physicalLocation");
    write_physical(w, d.where);
    w.end_object();
  }
  w.end_array();
  if (d.related && !d.related->file.empty()) {
    w.key("relatedLocations").begin_array().begin_object();
    w.field("id", static_cast<std::uint64_t>(0));
    w.key("message")
        .begin_object()
        .field("text", related_label_or_default(d))
        .end_object();
    w.key("physicalLocation");
    write_physical(w, *d.related);
    w.end_object().end_array();
  }
  w.end_object();
}

}  // namespace

std::string uri_encode_path(std::string_view path) {
  std::string out;
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += ch;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string render_sarif(const Sink& sink, const SarifTool& tool) {
  std::vector<std::string_view> rules;
  for (const auto& d : sink.all()) rules.push_back(d.code);
  std::sort(rules.begin(), rules.end());
  rules.erase(std::unique(rules.begin(), rules.end()), rules.end());

  JsonWriter w;
  w.begin_object()
      .field("$schema", "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
      .field("version", "2.1.0");
  w.key("runs").begin_array().begin_object();
  w.key("tool").begin_object().key("driver").begin_object();
  w.field("name", tool.name).field("version", tool.version);
  if (!tool.information_uri.empty()) w.field("informationUri", tool.information_uri);
  w.key("rules").begin_array();
  for (auto code : rules) w.begin_object().field("id", code).end_object();
  w.end_array().end_object().end_object();
  if (!tool.working_directory.empty()) {
    w.key("originalUriBaseIds").begin_object().key("%SRCROOT%").begin_object();
    w.field("uri", directory_uri(tool.working_directory)).end_object().end_object();
  }
  w.key("results").begin_array();
  for (const auto& d : sink.all()) {
    auto at = std::lower_bound(rules.begin(), rules.end(), std::string_view(d.code));
    write_result(w, d, static_cast<std::size_t>(at - rules.begin()));
  }
  w.end_array().end_object().end_array().end_object();
  return w.take() + "\n";
}

}  // namespace trunk::diag
