// The Prometheus text format writer (prometheus_text.hpp).
#include "control/prometheus_text.hpp"

#include <charconv>
#include <cmath>

namespace trunk::control {

std::string escape_label_value(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return std::string(buf, end);
}

PrometheusText& PrometheusText::family(std::string_view name, std::string_view type,
                                       std::string_view help) {
  // HELP escapes backslash and newline only (no quotes around it).
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  for (char c : help) {
    if (c == '\\') out_ += "\\\\";
    else if (c == '\n') out_ += "\\n";
    else out_ += c;
  }
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
  return *this;
}

void PrometheusText::labels(std::initializer_list<Label> labels, std::string_view extra_name,
                            std::string_view extra_value) {
  if (labels.size() == 0 && extra_name.empty()) return;
  out_ += '{';
  bool first = true;
  auto one = [&](std::string_view n, std::string_view v) {
    if (!first) out_ += ',';
    first = false;
    out_ += n;
    out_ += "=\"";
    out_ += escape_label_value(v);
    out_ += '"';
  };
  for (const auto& [n, v] : labels) one(n, v);
  if (!extra_name.empty()) one(extra_name, extra_value);
  out_ += '}';
}

PrometheusText& PrometheusText::sample(std::string_view name, std::initializer_list<Label> l,
                                       std::uint64_t value) {
  out_ += name;
  labels(l);
  out_ += ' ';
  out_ += std::to_string(value);
  out_ += '\n';
  return *this;
}

PrometheusText& PrometheusText::sample(std::string_view name, std::initializer_list<Label> l,
                                       double value) {
  out_ += name;
  labels(l);
  out_ += ' ';
  out_ += format_number(value);
  out_ += '\n';
  return *this;
}

PrometheusText& PrometheusText::histogram(std::string_view name, std::span<const double> bounds,
                                          std::span<const std::uint64_t> counts, double sum) {
  const std::string bucket = std::string(name) + "_bucket";
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds.size() && i < counts.size(); ++i) {
    running += counts[i];
    out_ += bucket;
    labels({}, "le", i < bounds.size() ? format_number(bounds[i]) : "+Inf");
    out_ += ' ';
    out_ += std::to_string(running);
    out_ += '\n';
  }
  sample(std::string(name) + "_sum", {}, sum);
  sample(std::string(name) + "_count", {}, running);
  return *this;
}

}  // namespace trunk::control
