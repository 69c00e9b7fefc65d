// JUnit XML: escaping and layout (see junit.hpp).
#include "diag/junit.hpp"

#include "text/utf8.hpp"

namespace trunk::diag {

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = text::utf8_sequence(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
      } else {
        out.append(s.substr(i, n));
        i += n - 1;
      }
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      // Kept as references so that an attribute keeps them (a parser
      // normalizes a literal tab or newline in an attribute to a space).
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (c < 0x20) out += "\xEF\xBF\xBD";
        else out += static_cast<char>(c);
    }
  }
  return out;
}

namespace {

std::size_t failures(const JunitSuite& s) {
  std::size_t n = 0;
  for (const auto& c : s.cases) n += c.failure.has_value();
  return n;
}

std::string counts(std::size_t tests, std::size_t failed) {
  return " tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failed) +
         "\" errors=\"0\" skipped=\"0\"";
}

void append_case(std::string& out, const JunitCase& c, const std::string& classname) {
  out += "    <testcase name=\"" + xml_escape(c.name) + "\" classname=\"" + classname + "\"";
  if (!c.where.file.empty()) out += " file=\"" + xml_escape(c.where.file.str()) + "\"";
  if (c.where.line) out += " line=\"" + std::to_string(c.where.line) + "\"";
  if (!c.failure) {
    out += "/>\n";
    return;
  }
  out += ">\n      <failure message=\"" + xml_escape(*c.failure) + "\" type=\"" +
         xml_escape(c.failure_type) + "\">" + xml_escape(c.failure_text) +
         "</failure>\n    </testcase>\n";
}

}  // namespace

std::string render_junit(std::string_view name, const std::vector<JunitSuite>& suites) {
  std::size_t tests = 0, failed = 0;
  for (const auto& s : suites) {
    tests += s.cases.size();
    failed += failures(s);
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"" + xml_escape(name) + "\"" + counts(tests, failed) + ">\n";
  for (const auto& s : suites) {
    const std::string suite_name = xml_escape(s.name);
    out += "  <testsuite name=\"" + suite_name + "\"" + counts(s.cases.size(), failures(s));
    if (s.cases.empty()) {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    for (const auto& c : s.cases) append_case(out, c, suite_name);
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace trunk::diag
