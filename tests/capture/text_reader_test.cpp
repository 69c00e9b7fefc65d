// The text trace reader and open()'s format detection: the sample logs in
// tests/data/trace (each with a .expected listing, per message, its line,
// transport, endpoints, time, size and start line), the same message read
// the same from every format, the SkySwitch guide's broken INVITE, and the
// edges: CRLF, no final newline, empty and binary input, cut and oversized
// messages, and standard input through a pipe.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sip/message.hpp"
#include "capture/reader.hpp"
#include "capture/text_reader.hpp"

using namespace trunk;
using capture::Captured;

namespace {

const std::string kData = std::string(TRUNK_SOURCE_DIR) + "/tests/data/trace/";

struct Seen {
  std::string bytes;
  Captured at;  // bytes not valid: see `bytes`
};

std::vector<Seen> read_all(capture::Reader& r, diag::Sink& sink) {
  std::vector<Seen> out;
  Captured c;
  while (r.next(c, sink)) {
    out.push_back({std::string(c.bytes), c});
    out.back().at.bytes = {};
  }
  return out;
}

std::string start_line(const std::string& bytes) {
  return bytes.substr(0, bytes.find("\r\n"));
}

// "LINE TRANSPORT SRC > DST TIME SIZE START-LINE", as in the .expected files.
std::string describe(const Seen& s) {
  auto ep = [](const capture::Endpoint& e) { return e.known() ? e.to_string() : "-"; };
  std::ostringstream o;
  o << s.at.line << ' ' << capture::to_string(s.at.transport) << ' ' << ep(s.at.src) << " > "
    << ep(s.at.dst) << ' ' << s.at.time_us << ' ' << s.bytes.size() << ' '
    << start_line(s.bytes);
  return o.str();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

// A reader over `text`, through a temporary file.
std::unique_ptr<capture::Reader> text_reader(std::string_view text, diag::Sink& sink) {
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  if (!text.empty()) REQUIRE(std::fwrite(text.data(), 1, text.size(), f) == text.size());
  std::rewind(f);
  return capture::open_text(f, "test.txt", sink);
}

std::vector<Seen> read_text(std::string_view text, diag::Sink& sink) {
  auto r = text_reader(text, sink);
  return read_all(*r, sink);
}

std::vector<Seen> read_sample(const std::string& name, std::string* format = nullptr) {
  diag::Sink sink;
  auto r = capture::open(kData + name + ".txt", capture::Format::automatic, sink);
  REQUIRE(r);
  auto all = read_all(*r, sink);
  CHECK(sink.empty());
  if (format) *format = r->format_name();
  return all;
}

// Every line ends in CRLF, and no LF stands alone.
bool crlf_only(const std::string& bytes) {
  if (bytes.size() < 2 || bytes.substr(bytes.size() - 2) != "\r\n") return false;
  for (std::size_t i = 0; i < bytes.size(); ++i)
    if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) return false;
  return true;
}

const char* kOptions =
    "OPTIONS sip:203.0.113.10:5060 SIP/2.0\n"
    "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK0a1b2c3d\n"
    "From: <sip:ping@198.51.100.7>;tag=77e1\n"
    "To: <sip:203.0.113.10>\n"
    "Call-ID: 0f0e0d0c0b0a@198.51.100.7\n"
    "CSeq: 4711 OPTIONS\n"
    "Content-Length: 0\n"
    "\n";

}  // namespace

TEST_CASE("text reader: each sample log reads as its .expected file lists") {
  for (const char* name : {"plain", "plain_crlf", "quoted", "asterisk_pjsip", "asterisk_chansip",
                           "freeswitch", "ngrep", "ngrep_normal", "ngrep_single",
                           "received_packet"}) {
    CAPTURE(name);
    std::string format;
    auto all = read_sample(name, &format);
    std::ostringstream got;
    got << "format " << format << '\n';
    for (const auto& s : all) {
      got << describe(s) << '\n';
      CHECK(crlf_only(s.bytes));
    }
    CHECK(got.str() == slurp(kData + name + ".expected"));
  }
}

TEST_CASE("text reader: the same message reads to the same bytes in every format") {
  auto plain = read_sample("plain");               // the call
  auto crlf = read_sample("plain_crlf");           // OPTIONS, 200, then the registration
  auto quoted = read_sample("quoted");             // OPTIONS, 200 first
  auto pjsip = read_sample("asterisk_pjsip");      // registration, then the call's first 4
  auto chansip = read_sample("asterisk_chansip");  // OPTIONS, 200, INVITE, 100, 200
  auto fs = read_sample("freeswitch");             // the call's first 5, OPTIONS, 200
  auto ngrep = read_sample("ngrep");               // registration, OPTIONS, 200
  auto packet = read_sample("received_packet");    // the call's first 5, OPTIONS
  REQUIRE(plain.size() == 7);
  REQUIRE(crlf.size() == 6);
  REQUIRE(quoted.size() == 4);
  REQUIRE(pjsip.size() == 8);
  REQUIRE(chansip.size() == 5);
  REQUIRE(fs.size() == 7);
  REQUIRE(ngrep.size() == 6);
  REQUIRE(packet.size() == 6);
  for (int i = 0; i < 5; ++i) {
    CAPTURE(i);
    CHECK(fs[i].bytes == plain[i].bytes);
    CHECK(packet[i].bytes == plain[i].bytes);
    if (i < 4) {
      CHECK(pjsip[4 + i].bytes == plain[i].bytes);
      CHECK(pjsip[i].bytes == crlf[2 + i].bytes);
      CHECK(ngrep[i].bytes == crlf[2 + i].bytes);
    }
  }
  for (int i = 0; i < 2; ++i) {
    CAPTURE(i);
    CHECK(quoted[i].bytes == crlf[i].bytes);
    CHECK(chansip[i].bytes == crlf[i].bytes);
    CHECK(fs[5 + i].bytes == crlf[i].bytes);
    CHECK(ngrep[4 + i].bytes == crlf[i].bytes);
  }
  CHECK(packet[5].bytes == crlf[0].bytes);
  // ngrep's default rows and -W single hold the same packets as -W byline,
  // the last of them two messages in one TCP segment.
  for (const char* other : {"ngrep_normal", "ngrep_single"}) {
    CAPTURE(other);
    auto same = read_sample(other);
    REQUIRE(same.size() == ngrep.size());
    for (std::size_t i = 0; i < ngrep.size(); ++i) CHECK(same[i].bytes == ngrep[i].bytes);
  }
  CHECK(chansip[2].bytes == plain[0].bytes);
  CHECK(chansip[3].bytes == plain[1].bytes);
  CHECK(chansip[4].bytes == plain[3].bytes);
}

TEST_CASE("text reader: a body is taken by Content-Length, blank lines and all") {
  auto plain = read_sample("plain");
  const std::string& invite = plain[0].bytes;
  CHECK(invite.find("Content-Length: 245\r\n\r\nv=0\r\n") != std::string::npos);
  CHECK(invite.ends_with("a=ptime:20\r\na=sendrecv\r\n"));
  // A message/sipfrag body starts with a status line: still body.
  auto quoted = read_sample("quoted");
  CHECK(quoted[3].bytes.ends_with("Content-Length: 16\r\n\r\nSIP/2.0 200 OK\r\n"));
  // Without Content-Length the body runs to the next message, less the
  // blank lines before it.
  CHECK(quoted[2].bytes.ends_with("text/plain\r\n\r\nTest message one\r\nsecond line\r\n"));
}

TEST_CASE("text reader: the SkySwitch guide's INVITE with broken To, Via and Contact") {
  std::string format;
  auto all = read_sample("skyswitch", &format);
  CHECK(format == "text");
  REQUIRE(all.size() == 1);
  const std::string& b = all[0].bytes;
  CHECK(all[0].at.line == 6);
  CHECK(start_line(b) == "INVITE sip:18005550123@trunking.example.net SIP/2.0");
  CHECK(b.find("\r\nVia: SIP/2.0/UDP\r\n") != std::string::npos);
  CHECK(b.find("\r\nFrom: \"Acme Sales\" <sip:4155550142@trunking-customer.15611.service>;"
               "tag=9fxced76sl\r\n") != std::string::npos);
  CHECK(b.find("\r\nTo: <sip:18005550123@trunking.example.net\r\n") != std::string::npos);
  CHECK(b.find("\r\nContact: <sip:4155550142@\r\n") != std::string::npos);
  CHECK(b.ends_with("\r\n\r\nv=0\r\no=- 20518 0 IN IP4 192.0.2.44\r\ns=SDP Data\r\n"
                    "c=IN IP4 192.0.2.44\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0 18 101\r\n"
                    "a=sendrecv\r\n"));
  CHECK(!all[0].at.src.known());
  CHECK(all[0].at.time_us == 0);
  // What sip-trace-match does next: the SIP parser sets the broken headers
  // aside and the From host is still there to match on.
  std::string error;
  auto m = sip::Message::parse(b, error);
  REQUIRE(m);
  CHECK(m->method() == "INVITE");
  CHECK(m->from_uri().host == "trunking-customer.15611.service");
  CHECK(m->from_uri().user == "4155550142");
  auto bad = m->malformed_headers();
  std::sort(bad.begin(), bad.end());
  CHECK(bad == std::vector<std::string>{"Contact", "To", "Via"});
}

TEST_CASE("text reader: ngrep's rows and single lines, with a body, any width, padding lost") {
  const std::string invite =
      "INVITE sip:+14155550123@198.51.100.7 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.44:5060;branch=z9hG4bK-b1\r\n"
      "From: <sip:pbx@192.0.2.44>;tag=a\r\nTo: <sip:+14155550123@198.51.100.7>\r\n"
      "Call-ID: body-1@192.0.2.44\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n"
      "Content-Length: 35\r\n\r\n"
      "v=0\r\no=- 1 1 IN IP4 192.0.2.44\r\ns=-";
  REQUIRE(invite.size() - invite.find("\r\n\r\n") - 4 == 35);
  std::string shown = invite;
  std::replace(shown.begin(), shown.end(), '\r', '.');
  std::replace(shown.begin(), shown.end(), '\n', '.');
  const std::string header = "U 192.0.2.44:5060 -> 198.51.100.7:5060\n";
  for (std::size_t width : {40u, 75u, 1000u}) {
    CAPTURE(width);
    std::string rows = header;
    for (std::size_t k = 0; k < shown.size(); k += width)
      rows += "  " + shown.substr(k, width) + "\n";  // the last row without its padding
    rows += "\nU 192.0.2.44:5060 -> 198.51.100.7:5060\n  OPTIONS sip:x SIP/2.0..Call-ID: o..\n";
    diag::Sink sink;
    auto all = read_text(rows, sink);
    REQUIRE(all.size() == 2);
    CHECK(all[0].bytes == invite);
    CHECK(all[0].at.src.to_string() == "192.0.2.44:5060");
    CHECK(start_line(all[1].bytes) == "OPTIONS sip:x SIP/2.0");
    CHECK(sink.empty());
  }
  diag::Sink sink;
  auto single = read_text("T 192.0.2.44:5060 -> 198.51.100.7:5060 [AP] " + shown + "\n", sink);
  REQUIRE(single.size() == 1);
  CHECK(single[0].bytes == invite);
  CHECK(single[0].at.transport == capture::Transport::tcp);
  // A body cut short in the packet is handed out with a warning.
  auto cut = read_text(header + "  " + shown.substr(0, shown.size() - 10) + "\n", sink);
  REQUIRE(cut.size() == 1);
  CHECK(sink.warnings() == 1);
}

TEST_CASE("text reader: CRLF and LF input give the same bytes") {
  std::string lf = kOptions, crlf;
  for (char c : lf) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  diag::Sink sink;
  auto a = read_text(lf, sink), b = read_text(crlf, sink);
  REQUIRE(a.size() == 1);
  REQUIRE(b.size() == 1);
  CHECK(a[0].bytes == b[0].bytes);
  CHECK(a[0].bytes == crlf);
  CHECK(sink.empty());
}

TEST_CASE("text reader: a byte order mark before the first message is skipped") {
  diag::Sink sink;
  auto all = read_text(std::string("\xEF\xBB\xBF") + kOptions, sink);
  REQUIRE(all.size() == 1);
  CHECK(start_line(all[0].bytes) == "OPTIONS sip:203.0.113.10:5060 SIP/2.0");
  CHECK(all[0].at.line == 1);
}

TEST_CASE("text reader: no newline at the end of the input") {
  diag::Sink sink;
  auto all = read_text("OPTIONS sip:203.0.113.10 SIP/2.0\nCSeq: 1 OPTIONS\nContent-Length: 0",
                       sink);
  REQUIRE(all.size() == 1);
  CHECK(all[0].bytes == "OPTIONS sip:203.0.113.10 SIP/2.0\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n");
  CHECK(sink.empty());
}

TEST_CASE("text reader: an empty input has no messages and no problems") {
  diag::Sink sink;
  CHECK(read_text("", sink).empty());
  CHECK(read_text("\n\n\r\n", sink).empty());
  CHECK(sink.empty());
  auto r = capture::open(kData + "empty.txt", capture::Format::automatic, sink);
  REQUIRE(r);
  CHECK(read_all(*r, sink).empty());
  CHECK(r->format_name() == "text");
  CHECK(sink.empty());
}

TEST_CASE("text reader: binary garbage reads as no messages") {
  std::mt19937 rng(20261123);
  std::string junk(200000, '\0');
  for (auto& c : junk) c = static_cast<char>(rng());
  diag::Sink sink;
  CHECK(read_text(junk, sink).empty());
  // One line far past the cap, then a message: the line is skipped.
  std::string longline(300000, 'x');
  auto all = read_text(longline + "\n" + kOptions, sink);
  REQUIRE(all.size() == 1);
  CHECK(all[0].at.line == 2);
}

TEST_CASE("text reader: a message cut at the end of the input is handed out, with a warning") {
  std::string cut = "INVITE sip:+14155550199@198.51.100.7 SIP/2.0\n"
                    "Call-ID: cut@192.0.2.44\n"
                    "Content-Type: application/sdp\n"
                    "Content-Length: 200\n"
                    "\n"
                    "v=0\n"
                    "o=- 1 1 IN IP4 192.0.2.44\n";
  diag::Sink sink;
  auto all = read_text(cut, sink);
  REQUIRE(all.size() == 1);
  CHECK(all[0].bytes.ends_with("\r\n\r\nv=0\r\no=- 1 1 IN IP4 192.0.2.44\r\n"));
  REQUIRE(sink.all().size() == 1);
  const auto& d = sink.all()[0];
  CHECK(d.severity == diag::Severity::warning);
  CHECK(d.code == "trace-message-truncated");
  CHECK(d.message == "SIP message ends after 32 of the 200 body bytes its Content-Length gives");
  CHECK(d.where.file.str() == "test.txt");
  CHECK(d.where.line == 1);
  // Cut in the headers: handed out as it is.
  diag::Sink quiet;
  auto head = read_text("BYE sip:a@192.0.2.1 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.2", quiet);
  REQUIRE(head.size() == 1);
  CHECK(head[0].bytes == "BYE sip:a@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.2\r\n");
}

TEST_CASE("text reader: a Content-Length past the body ends at the next message") {
  std::string text = "INVITE sip:a@192.0.2.1 SIP/2.0\nContent-Length: 900\n\nv=0\n\n";
  text += kOptions;
  diag::Sink sink;
  auto all = read_text(text, sink);
  REQUIRE(all.size() == 2);
  CHECK(all[0].bytes == "INVITE sip:a@192.0.2.1 SIP/2.0\r\nContent-Length: 900\r\n\r\nv=0\r\n\r\n");
  CHECK(start_line(all[1].bytes) == "OPTIONS sip:203.0.113.10:5060 SIP/2.0");
  CHECK(all[1].at.line == 6);
  REQUIRE(sink.all().size() == 1);
  CHECK(sink.all()[0].code == "trace-message-truncated");
}

TEST_CASE("text reader: a start line ends a message that has no blank line") {
  diag::Sink sink;
  auto all = read_text(
      "SIP/2.0 100 Trying\nCSeq: 1 INVITE\nSIP/2.0 180 Ringing\nCSeq: 1 INVITE\n\n", sink);
  REQUIRE(all.size() == 2);
  CHECK(all[0].bytes == "SIP/2.0 100 Trying\r\nCSeq: 1 INVITE\r\n");
  CHECK(all[1].bytes == "SIP/2.0 180 Ringing\r\nCSeq: 1 INVITE\r\n\r\n");
  CHECK(all[1].at.line == 3);
}

TEST_CASE("text reader: a message past 64 KiB is cut with a warning, and reading goes on") {
  std::string big = "MESSAGE sip:a@192.0.2.1 SIP/2.0\nContent-Type: text/plain\nContent-Length: 90000\n\n";
  for (int i = 0; i < 900; ++i) big += std::string(98, 'a' + i % 26) + "\n";
  big += "\n";
  big += kOptions;
  diag::Sink sink;
  auto all = read_text(big, sink);
  REQUIRE(all.size() >= 2);
  CHECK(all[0].bytes.size() == 64 * 1024);
  CHECK(start_line(all.back().bytes) == "OPTIONS sip:203.0.113.10:5060 SIP/2.0");
  REQUIRE(sink.all().size() == 1);
  CHECK(sink.all()[0].code == "trace-message-too-large");
  CHECK(sink.all()[0].message ==
        "SIP message is larger than 65536 bytes; the rest of it is skipped");
  CHECK(sink.all()[0].where.line == 1);
}

TEST_CASE("text reader: formats mix in one file; the first detected names it") {
  std::string text = slurp(kData + "ngrep.txt") + "\nsome noise\n\n" + kOptions +
                     slurp(kData + "freeswitch.txt");
  diag::Sink sink;
  auto r = text_reader(text, sink);
  auto all = read_all(*r, sink);
  CHECK(all.size() == 6 + 1 + 7);
  CHECK(r->format_name() == "ngrep");
  CHECK(!all[6].at.src.known());  // the plain message takes nothing from the ngrep packet
  CHECK(all[7].at.src.to_string() == "203.0.113.10:5060");
  CHECK(sink.empty());
}

TEST_CASE("text reader: a log line followed by noise gives its endpoints to no message") {
  diag::Sink sink;
  std::string text = "Received Packet from 203.0.113.10:5060 (UDP)\nkeepalive\n\n";
  text += kOptions;
  auto all = read_text(text, sink);
  REQUIRE(all.size() == 1);
  CHECK(!all[0].at.src.known());
  CHECK(all[0].at.transport == capture::Transport::unknown);
}

// open(): by content, never by name.

TEST_CASE("text reader: open() reports a path it cannot open") {
  diag::Sink sink;
  CHECK(!capture::open(kData + "no-such-file.txt", capture::Format::automatic, sink));
  REQUIRE(sink.all().size() == 1);
  CHECK(sink.all()[0].severity == diag::Severity::error);
  CHECK(sink.all()[0].code == "trace-open");
  CHECK(sink.all()[0].message ==
        "cannot open " + kData + "no-such-file.txt: No such file or directory");
}

TEST_CASE("text reader: open() reports a directory") {
  diag::Sink sink;
  CHECK(!capture::open(kData, capture::Format::automatic, sink));
  REQUIRE(sink.all().size() == 1);
  CHECK(sink.all()[0].code == "trace-open");
  CHECK(sink.all()[0].message == kData + " is a directory, not a regular file");
}

TEST_CASE("text reader: open() refuses a forced pcap format on text") {
  diag::Sink sink;
  CHECK(!capture::open(kData + "plain.txt", capture::Format::pcap, sink));
  REQUIRE(sink.all().size() == 1);
  CHECK(sink.all()[0].code == "trace-format");
  CHECK(sink.all()[0].message == kData + "plain.txt is not a pcap or pcapng capture");
}

TEST_CASE("text reader: open() hands captures to the pcap reader, whatever the name") {
  // A pcap file header (little endian, microseconds, Ethernet) and no packets,
  // named like a text log.
  const unsigned char header[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                                    0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0};
  std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                     "/trunk-text-reader-test-" + std::to_string(::getpid()) + ".txt";
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(header), sizeof header);
  }
  diag::Sink sink;
  auto r = capture::open(path, capture::Format::automatic, sink);
  // The pcap reader either reads it (no packets) or says why not; it is never text.
  if (r) {
    CHECK(r->format_name() != "text");
    Captured c;
    CHECK(!r->next(c, sink));
  } else {
    REQUIRE(sink.errors() > 0);
    CHECK(sink.all()[0].code != "trace-open");
  }
  std::remove(path.c_str());
}

TEST_CASE("text reader: open() reads text by content, whatever the name") {
  diag::Sink sink;
  auto r = capture::open(kData + "ngrep.txt", capture::Format::text, sink);
  REQUIRE(r);
  CHECK(read_all(*r, sink).size() == 6);
  CHECK(r->format_name() == "ngrep");
}

TEST_CASE("text reader: open(\"-\") reads a pipe on standard input without losing the peeked bytes") {
  // plain_crlf.txt starts with its first message: a lost byte breaks the start line.
  const std::string text = slurp(kData + "plain_crlf.txt");
  REQUIRE(text.starts_with("OPTIONS "));
  diag::Sink sink;
  auto expected = read_sample("plain_crlf");

  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  int saved = ::dup(STDIN_FILENO);
  REQUIRE(saved >= 0);
  REQUIRE(::dup2(fds[0], STDIN_FILENO) == STDIN_FILENO);
  ::close(fds[0]);
  // Written in small pieces, so the reader meets short reads.
  std::thread writer([&] {
    for (std::size_t at = 0; at < text.size(); at += 3)
      if (::write(fds[1], text.data() + at, std::min<std::size_t>(3, text.size() - at)) < 0) break;
    ::close(fds[1]);
  });
  auto r = capture::open("-", capture::Format::automatic, sink);
  std::vector<Seen> got;
  if (r) got = read_all(*r, sink);
  writer.join();
  r.reset();
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);

  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CHECK(got[i].bytes == expected[i].bytes);
    CHECK(got[i].at.line == expected[i].at.line);
  }
  CHECK(sink.empty());
}
