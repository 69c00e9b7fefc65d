// sip-trace-match's report (see report.hpp).
#include "report.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "route/decide_report.hpp"
#include "text/utf8.hpp"

namespace sip_trace_match {

using namespace trunk;
using trace::kNone;

namespace {

template <class Int>
void append_number(std::string& out, Int n) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
}

// The frame or line a message came from: "frame 12", "line 40", or nothing.
void append_where(std::string& out, const capture::Captured& c) {
  if (c.frame) {
    out += "frame ";
    append_number(out, c.frame);
  } else if (c.line) {
    out += "line ";
    append_number(out, c.line);
  }
}

void optional_field(diag::JsonWriter& w, std::string_view k, std::string_view v) {
  if (v.empty()) w.key(k).null();
  else w.field(k, v);
}

// The buffer is handed to the stream in pieces of about this size.
constexpr std::size_t kFlushAt = 1 << 20;

}  // namespace

Report::Report(const site::Site& site, const tables::Tables& tables, const Filters& filters,
               cli::Format format, std::string input, std::ostream& out)
    : site_(site), tables_(tables), filters_(filters), format_(format), input_(std::move(input)), out_(out) {
  buf_.reserve(kFlushAt + (64 << 10));
}

std::string_view Report::trunk_name(std::uint32_t i) const {
  return i == kNone || i >= site_.trunks.size() ? std::string_view() : site_.trunks[i].name.value;
}

std::string_view Report::tenant_name(std::uint32_t i) const {
  return i == kNone || i >= site_.tenants.size() ? std::string_view() : site_.tenants[i].name.value;
}

bool Report::shown(const trace::MessageReport& r) const {
  if (!filters_.call_id.empty() && r.call_id != filters_.call_id) return false;
  if (!filters_.method.empty()) {
    const std::string_view m = r.request ? r.method : r.cseq_method;
    if (m != filters_.method) return false;
  }
  if (!filters_.trunk.empty() && trunk_name(r.match.trunk) != filters_.trunk) return false;
  if (filters_.unmatched && !((r.unmatched() && !r.retransmission) || !r.parsed)) return false;
  return true;
}

void Report::append_time(std::string& out, std::int64_t us) {
  if (us <= 0) return;
  const std::int64_t second = us / 1000000;
  if (second != second_) {
    std::time_t s = static_cast<std::time_t>(second);
    std::tm tm{};
    gmtime_r(&s, &tm);
    std::snprintf(second_text_, sizeof second_text_, "%02d:%02d:%02d.", tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    second_ = second;
  }
  out += second_text_;
  // Six digits, zero-padded: what "%06lld" gave.
  char digits[6];
  auto fraction = static_cast<std::uint32_t>(us % 1000000);
  for (int i = 5; i >= 0; --i, fraction /= 10) digits[i] = static_cast<char>('0' + fraction % 10);
  out.append(digits, sizeof digits);
}

void Report::end_line(std::size_t start) {
  const std::string_view written(buf_.data() + start, buf_.size() - start);
  if (!text::printable_as_is(written)) {
    // Escaped as a whole, as printable() saw the line before it was built
    // in place: a UTF-8 sequence is judged with the bytes that follow it.
    scratch_.assign(written);
    buf_.resize(start);
    text::append_printable(buf_, scratch_);
  }
  buf_ += '\n';
}

void Report::line(std::string_view text, std::string_view more) {
  const std::size_t start = buf_.size();
  buf_ += text;
  buf_ += more;
  end_line(start);
}

void Report::flush(bool all) {
  if (buf_.empty() || (!all && buf_.size() < kFlushAt)) return;
  out_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  buf_.clear();
}

void Report::message(const capture::Captured& c, const trace::MessageReport& r) {
  if (!shown(r)) return;
  ++shown_;
  if (r.call && filters_.any()) shown_calls_.insert(r.call);
  if (!r.parsed) ++not_sip_;
  if (r.unmatched() && !r.retransmission) ++unmatched_;
  if (!r.malformed.empty() || !r.faults.empty()) ++malformed_;
  if (filters_.summary_only) return;
  if (format_ == cli::Format::json) message_json(c, r);
  else message_text(c, r);
  flush(false);
}

void Report::message_text(const capture::Captured& c, const trace::MessageReport& r) {
  std::string& o = buf_;
  std::size_t start = o.size();
  o += '#';
  append_number(o, r.index);
  if (c.frame || c.line) {
    o += ' ';
    append_where(o, c);
  }
  if (c.time_us > 0) {
    o += ' ';
    append_time(o, c.time_us);
  }
  if (c.transport != capture::Transport::unknown) {
    o += ' ';
    o += to_string(c.transport);
  }
  if (c.src.known() || c.dst.known()) {
    o += ' ';
    if (c.src.known()) c.src.append_to(o);
    else o += '?';
    o += " -> ";
    if (c.dst.known()) c.dst.append_to(o);
    else o += '?';
  }
  if (!r.parsed) {
    o += "  not a SIP message: ";
    o += r.parse_error;
    end_line(start);
    return;
  }
  if (r.request) {
    o += "  ";
    o += r.method;
    o += ' ';
    o += r.request_uri;
    if (r.retransmission) o += "  (retransmission)";
  } else {
    o += "  ";
    append_number(o, r.status);
    o += ' ';
    o += r.phrase;
    o += " (";
    o += r.cseq_method;
    o += ')';
  }
  end_line(start);
  if (r.request && !r.retransmission) match_text(r);
  for (const auto& h : r.malformed) {
    start = o.size();
    o += "    malformed ";
    o += h.name;
    o += ": ";
    o += h.problem;
    o += ": \"";
    o += h.value;
    o += '"';
    end_line(start);
  }
  for (const auto& f : r.faults) line("    malformed message: ", f);
}

// The lines under a request that say what it matched: trunk, tenant, route
// or inbound rule, trunkd's answer, notes and problems.
void Report::match_text(const trace::MessageReport& r) {
  std::string& o = buf_;
  const trace::Match& m = r.match;
  std::size_t start = o.size();
  o += "    ";
  const std::size_t empty = o.size();
  if (m.trunk != kNone) {
    o += "trunk ";
    o += trunk_name(m.trunk);
    o += " (";
    o += m.trunk_by;
    o += "), ";
    o += to_string(m.direction);
  }
  if (m.tenant != kNone) {
    if (o.size() != empty) o += "; ";
    o += "tenant ";
    o += tenant_name(m.tenant);
    if (!m.tenant_by.empty()) {
      o += " (";
      o += m.tenant_by;
      o += ')';
    }
  }
  if (!m.route.empty()) {
    o += "; route ";
    o += m.route;
    o += " sends ";
    o += m.send;
    o += " via ";
    for (std::size_t i = 0; i < m.trunks.size(); ++i) {
      if (i) o += ", ";
      o += m.trunks[i];
    }
  }
  if (!m.destination.empty()) {
    o += "; inbound rule -> ";
    o += m.destination;
  }
  if (o.size() != empty) end_line(start);
  else o.resize(start);
  if (m.decision) {
    // trunkd's answer to it: the same decision trunkd makes.
    std::array<char, route::kReasonSize> why;
    start = o.size();
    o += "    trunkd: ";
    append_number(o, m.decision->code);
    o += ' ';
    o += route::reason(*m.decision, tables_, why);
    if (m.decision->contact_count) {
      o += " (";
      append_number(o, m.decision->contact_count);
      o += m.decision->contact_count == 1 ? " Contact)" : " Contacts)";
    }
    end_line(start);
  }
  for (const auto& n : m.notes) line("    note: ", n);
  for (const auto& p : m.problems) line("    unmatched: ", p);
  if (m.problems.empty() && !m.trunk_or_tenant_known())
    line(r.in_dialog ? "    in the dialog of a call that matched no trunk"
                     : "    unmatched: no trunk or tenant");
}

void Report::message_json(const capture::Captured& c, const trace::MessageReport& r) {
  diag::JsonWriter& w = json_;
  w.clear();
  w.begin_object().field("type", "message").field("index", r.index);
  if (c.frame) w.field("frame", c.frame);
  if (c.line) w.field("line", static_cast<std::uint64_t>(c.line));
  if (c.time_us) w.field("time_us", static_cast<std::int64_t>(c.time_us));
  w.field("transport", to_string(c.transport));
  scratch_.clear();
  c.src.append_to(scratch_);
  optional_field(w, "src", scratch_);
  scratch_.clear();
  c.dst.append_to(scratch_);
  optional_field(w, "dst", scratch_);
  w.field("sip", r.parsed);
  if (!r.parsed) {
    w.field("error", r.parse_error).end_object();
    buf_ += w.str();
    buf_ += '\n';
    return;
  }
  w.field("request", r.request);
  if (r.request) w.field("method", r.method).field("request_uri", r.request_uri);
  else w.field("status", r.status).field("phrase", r.phrase);
  w.field("cseq_method", r.cseq_method).field("call_id", r.call_id);
  const trace::Match& m = r.match;
  optional_field(w, "trunk", trunk_name(m.trunk));
  optional_field(w, "tenant", tenant_name(m.tenant));
  w.field("direction", to_string(m.direction));
  if (r.request) {
    w.field("in_dialog", r.in_dialog)
        .field("retransmission", r.retransmission)
        .field("matched", m.matched());
    optional_field(w, "trunk_by", m.trunk_by);
    optional_field(w, "tenant_by", m.tenant_by);
    optional_field(w, "route", m.route);
    optional_field(w, "send", m.send);
    w.key("trunks").begin_array();
    for (const auto& t : m.trunks) w.value(t);
    w.end_array();
    optional_field(w, "did", m.did);
    optional_field(w, "destination", m.destination);
    if (m.decision) {
      // trunkd's decision for this request, in the fields trunkctl route gives.
      w.key("decision").begin_object();
      route::write_decision(*m.decision, tables_, true, w);
      w.end_object();
    }
    w.key("problems").begin_array();
    for (const auto& p : m.problems) w.value(p);
    w.end_array().key("notes").begin_array();
    for (const auto& n : m.notes) w.value(n);
    w.end_array();
  }
  w.key("malformed").begin_array();
  for (const auto& h : r.malformed)
    w.begin_object().field("header", h.name).field("value", h.value).field("problem", h.problem)
        .end_object();
  w.end_array().key("faults").begin_array();
  for (const auto& f : r.faults) w.value(f);
  w.end_array().end_object();
  buf_ += w.str();
  buf_ += '\n';
}

void Report::call(const trace::Call& call) {
  if (filters_.any() && !shown_calls_.erase(&call)) return;
  ++calls_shown_;
  if (call.failed()) ++calls_failed_;
  if (format_ == cli::Format::json) {
    diag::JsonWriter w;
    w.begin_object()
        .field("type", "call")
        .field("call_id", call.call_id)
        .field("method", call.method);
    optional_field(w, "trunk", trunk_name(call.trunk));
    optional_field(w, "tenant", tenant_name(call.tenant));
    w.field("direction", to_string(call.direction))
        .field("outcome", to_string(call.outcome()))
        .field("description", call.describe())
        .field("failed", call.failed())
        .field("matched", call.matched)
        .field("messages", static_cast<std::uint64_t>(call.messages));
    if (call.final_code) w.field("final_code", call.final_code).field("final_phrase", call.final_phrase);
    optional_field(w, "route", call.route);
    optional_field(w, "destination", call.destination);
    if (call.first_us) w.field("first_time_us", call.first_us).field("last_time_us", call.last_us);
    w.end_object();
    calls_.write(w.str());
    calls_.write("\n");
    return;
  }
  // Built in scratch_ and escaped into the spool's text as a whole line.
  std::string& t = scratch_;
  t.assign("  ");
  t += call.call_id;
  t += "  ";
  t += call.method;
  t += "  ";
  const std::size_t who = t.size();
  t += trunk_name(call.trunk);
  if (call.tenant != kNone) {
    if (t.size() != who) t += ' ';
    t += "tenant ";
    t += tenant_name(call.tenant);
  }
  if (t.size() == who) t += "no trunk";
  t += ": ";
  t += call.describe();
  t += " [";
  append_number(t, call.messages);
  t += call.messages == 1 ? " message" : " messages";
  if (call.first_us) {
    t += ", ";
    append_time(t, call.first_us);
    t += " - ";
    append_time(t, call.last_us);
  }
  t += ']';
  if (text::printable_as_is(t)) {
    t += '\n';
    calls_.write(t);
  } else {
    calls_.write(text::printable(t));
    calls_.write("\n");
  }
}

int Report::finish(const trace::Analyzer& a, std::string_view format_name,
                   const diag::Sink& warnings) {
  flush(true);
  if (format_ != cli::Format::json && a.calls().opened()) out_ << "\ncalls:\n";
  std::string error;
  if (!calls_.copy_to(out_, error)) {
    std::cerr << "sip-trace-match: the calls could not be printed: " << error << "\n";
    return cli::kExitUnusable;
  }
  print_trunks(a);
  print_warnings(warnings);
  const bool findings = unmatched_ || calls_failed_ || not_sip_ || malformed_;
  const int code = findings ? cli::kExitFindings : cli::kExitClean;
  print_summary(a, format_name, warnings, code);
  return code;
}

// The trunks the trace shows, or the one --trunk names.
void Report::print_trunks(const trace::Analyzer& a) {
  auto status = a.calls().trunk_status();
  bool header = false;
  for (std::uint32_t i = 0; i < status.size(); ++i) {
    const auto& ts = status[i];
    if (!ts.registration_seen && !ts.calls && !ts.registers_unanswered) continue;
    if (!filters_.trunk.empty() && site_.trunks[i].name.value != filters_.trunk) continue;
    if (format_ == cli::Format::json) {
      diag::JsonWriter w;
      w.begin_object()
          .field("type", "trunk")
          .field("trunk", site_.trunks[i].name.value)
          .field("status", ts.describe(site_.trunks[i]))
          .field("calls", static_cast<std::uint64_t>(ts.calls))
          .field("answered", static_cast<std::uint64_t>(ts.answered))
          .field("busy", static_cast<std::uint64_t>(ts.busy))
          .field("no_answer", static_cast<std::uint64_t>(ts.no_answer))
          .field("unanswered", static_cast<std::uint64_t>(ts.unanswered))
          .field("failed", static_cast<std::uint64_t>(ts.failed))
          .field("channel_refusals", static_cast<std::uint64_t>(ts.channel_refusals))
          .field("peak_concurrent", static_cast<std::uint64_t>(ts.peak_total));
      if (ts.registration_seen) {
        w.field("registration", to_string(ts.registration));
        if (ts.expires >= 0) w.field("expires", ts.expires);
      }
      w.field("registers_unanswered", static_cast<std::uint64_t>(ts.registers_unanswered));
      w.end_object();
      buf_ += w.str();
      buf_ += '\n';
      continue;
    }
    if (!header) buf_ += "\ntrunks:\n";
    header = true;
    line("  " + site_.trunks[i].name.value + ": " + ts.describe(site_.trunks[i]));
  }
  flush(true);
}

// The reader's warnings: JSON objects on stdout, or text on stderr.
void Report::print_warnings(const diag::Sink& warnings) {
  if (format_ == cli::Format::json) {
    for (const auto& d : warnings.all()) {
      diag::JsonWriter w;
      w.begin_object()
          .field("type", "diagnostic")
          .field("severity", diag::to_string(d.severity))
          .field("code", d.code)
          .field("message", d.message)
          .field("file", d.where.file.str())
          .end_object();
      out_ << w.str() << "\n";
    }
    return;
  }
  // Warnings may quote the trace (a log's line, a header): escaped too.
  diag::Sink shown;
  for (diag::Diagnostic d : warnings.all()) {
    d.message = text::printable(d.message);
    shown.add(std::move(d));
  }
  cli::print_diagnostics_text(shown, nullptr, std::cerr);
}

void Report::print_summary(const trace::Analyzer& a, std::string_view format_name,
                           const diag::Sink& warnings, int code) {
  const std::uint64_t calls = calls_shown_, failed = calls_failed_;
  if (format_ == cli::Format::json) {
    diag::JsonWriter w;
    w.begin_object()
        .field("type", "summary")
        .field("input", input_)
        .field("format", format_name)
        .field("messages", a.messages())
        .field("requests", a.requests())
        .field("responses", a.responses())
        .field("shown", shown_)
        .field("unmatched", unmatched_)
        .field("malformed", malformed_)
        .field("not_sip", not_sip_)
        .field("calls", calls)
        .field("failed_calls", failed)
        .field("warnings", static_cast<std::uint64_t>(warnings.warnings()))
        .field("exit", code)
        .end_object();
    out_ << w.str() << "\n";
    return;
  }
  out_ << "\nsummary: " << a.messages() << " messages (" << a.requests() << " requests, "
       << a.responses() << " responses) from " << text::printable(input_) << " ("
       << format_name << ")";
  if (filters_.any()) out_ << "; " << shown_ << " shown";
  out_ << "; " << unmatched_ << " unmatched; " << calls << (calls == 1 ? " call, " : " calls, ")
       << failed << " failed";
  if (malformed_) out_ << "; " << malformed_ << " with malformed headers";
  if (not_sip_) out_ << "; " << not_sip_ << " not SIP";
  if (warnings.warnings()) out_ << "; " << warnings.warnings() << " warnings";
  out_ << "\n";
}

}  // namespace sip_trace_match
