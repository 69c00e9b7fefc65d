// GitHub Actions workflow commands: escaping and layout (see github.hpp).
#include "diag/github.hpp"

namespace trunk::diag {

namespace {

std::string_view command_for(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "notice";
  }
  return "error";
}

// What the text form prints under the first line, so that an annotation
// says as much as a terminal does.
std::string annotation_text(const Diagnostic& d) {
  std::string text = d.message;
  if (d.related)
    text += "\nnote: " + d.related->to_string() + ": " + related_label_or_default(d);
  for (const auto& h : d.hints) text += "\nhint: " + h;
  return text;
}

// GitHub's two escapings differ only in : and , (which end a property).
std::string escape(std::string_view s, bool property) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string escape_github_message(std::string_view s) { return escape(s, false); }
std::string escape_github_property(std::string_view s) { return escape(s, true); }

std::string render_github(const Diagnostic& d) {
  std::string out = "::";
  out += command_for(d.severity);
  std::string props;
  auto prop = [&props](std::string_view name, std::string_view value) {
    props += props.empty() ? " " : ",";
    props += name;
    props += '=';
    props += escape_github_property(value);
  };
  const SourceRegion& r = d.where;
  if (!r.file.empty()) prop("file", r.file.str());
  if (r.line) prop("line", std::to_string(r.line));
  if (r.line && r.column) prop("col", std::to_string(r.column));
  prop("title", d.code);
  out += props;
  out += "::";
  out += escape_github_message(annotation_text(d));
  out += '\n';
  return out;
}

std::string render_github(const Sink& sink) {
  std::string out;
  for (const auto& d : sink.all()) out += render_github(d);
  return out;
}

}  // namespace trunk::diag
