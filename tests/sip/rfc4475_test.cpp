// RFC 4475's SIP torture test messages through sip::Message::parse: every
// file in tests/data/rfc4475 (see SOURCES.md there) has one row below saying
// what our parser layer does with it, so a change in sofia-sip or in Message
// shows up as a failing row. Rows where we disagree with the RFC's verdict
// (a valid message rejected or flagged, an invalid one accepted as is) must
// say why. Also checked: the fields the RFC spells out for a few messages,
// and that no message, nor any prefix of one, crashes the parser or the
// accessors (run under ASan and UBSan too). What a server should answer to
// each message (400, 416, 420, ...) is left to the layers above.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sip/message.hpp"

using trunk::sip::Message;

namespace {

namespace fs = std::filesystem;

// The RFC's verdict. Sections 3.2 to 3.4 test the layers above the parser;
// there the RFC calls a message well-formed or not.
enum class Rfc { valid, invalid, well_formed, unclassified };

struct Row {
  std::string_view file;
  std::string_view section;
  Rfc rfc;
  bool parses;                          // false: parse() returns nullopt
  std::vector<std::string> malformed;   // when it parses, in message order
  std::string_view why = {};            // required where we differ from the RFC
};

const std::vector<Row>& rows() {
  static const std::vector<Row> table = {
      // 3.1.1: valid messages.
      {"wsinv", "3.1.1.1", Rfc::valid, true, {}},
      {"intmeth", "3.1.1.2", Rfc::valid, false, {},
       "sofia-sip's method token lacks '+' and '`', which RFC 3261's token allows"},
      {"esc01", "3.1.1.3", Rfc::valid, true, {}},
      {"escnull", "3.1.1.4", Rfc::valid, true, {}},
      {"esc02", "3.1.1.5", Rfc::valid, true, {}},
      {"lwsdisp", "3.1.1.6", Rfc::valid, true, {}},
      {"longreq", "3.1.1.7", Rfc::valid, true, {}},
      {"dblreq", "3.1.1.8", Rfc::valid, true, {}},
      {"semiuri", "3.1.1.9", Rfc::valid, true, {}},
      {"transports", "3.1.1.10", Rfc::valid, true, {}},
      {"mpart01", "3.1.1.11", Rfc::valid, true, {}},
      {"unreason", "3.1.1.12", Rfc::valid, true, {}},
      {"noreason", "3.1.1.13", Rfc::valid, true, {}},
      // 3.1.2: invalid messages.
      {"badinv01", "3.1.2.1", Rfc::invalid, true, {"Via", "Contact"}},
      {"clerr", "3.1.2.2", Rfc::invalid, true, {},
       "Content-Length 9999 runs past the datagram: no header is malformed, "
       "body_shortfall() and message_faults() say it (trunkd answers 400)"},
      {"ncl", "3.1.2.3", Rfc::invalid, true, {"Content-Length"}},
      {"scalar02", "3.1.2.4", Rfc::invalid, true, {"CSeq"}},
      {"scalarlg", "3.1.2.5", Rfc::invalid, true, {"CSeq"}},
      {"quotbal", "3.1.2.6", Rfc::invalid, true, {"To"}},
      {"ltgtruri", "3.1.2.7", Rfc::invalid, true, {},
       "the <> go into the Request-URI: scheme \"<sip\", no host"},
      {"lwsruri", "3.1.2.8", Rfc::invalid, false, {}},
      {"lwsstart", "3.1.2.9", Rfc::invalid, true, {},
       "sofia-sip skips repeated SP between request-line elements"},
      {"trws", "3.1.2.10", Rfc::invalid, true, {},
       "sofia-sip strips SP after SIP/2.0 at the end of the request line"},
      {"escruri", "3.1.2.11", Rfc::invalid, true, {},
       "sofia-sip keeps ?Route=... as URI headers; refusing them in a Request-URI "
       "is for the layer above"},
      {"baddate", "3.1.2.12", Rfc::invalid, true, {"Date"}},
      {"regbadct", "3.1.2.13", Rfc::invalid, true, {"Contact"}},
      {"badaspec", "3.1.2.14", Rfc::invalid, true, {},
       "sofia-sip allows LWS inside <> around the addr-spec"},
      {"baddn", "3.1.2.15", Rfc::invalid, true, {"From", "To"}},
      {"badvers", "3.1.2.16", Rfc::invalid, true, {},
       "sofia-sip parses any SIP/x.y; Message does not expose the version"},
      {"mismatch01", "3.1.2.17", Rfc::invalid, true, {},
       "CSeq method INVITE on an OPTIONS: a transaction-layer check, not syntax"},
      {"mismatch02", "3.1.2.18", Rfc::invalid, true, {},
       "CSeq method INVITE on NEWMETHOD: a transaction-layer check, not syntax"},
      {"bigcode", "3.1.2.19", Rfc::invalid, false, {}},
      // 3.2: transaction layer.
      {"badbranch", "3.2.1", Rfc::well_formed, true, {}},
      // 3.3: application layer.
      {"insuf", "3.3.1", Rfc::invalid, true, {},
       "no Call-ID, From or To: nothing is malformed, can_be_answered() is false"},
      {"unkscm", "3.3.2", Rfc::well_formed, true, {}},
      {"novelsc", "3.3.3", Rfc::well_formed, true, {}},
      {"unksm2", "3.3.4", Rfc::well_formed, true, {}},
      {"bext01", "3.3.5", Rfc::well_formed, true, {}},
      {"invut", "3.3.6", Rfc::well_formed, true, {}},
      {"regaut01", "3.3.7", Rfc::well_formed, true, {}},
      {"multi01", "3.3.8", Rfc::invalid, true,
       {"CSeq", "Call-ID", "To", "From", "Max-Forwards"}},
      {"mcl01", "3.3.9", Rfc::invalid, true, {"Content-Length"}},
      {"bcast", "3.3.10", Rfc::well_formed, true, {}},
      {"zeromf", "3.3.11", Rfc::well_formed, true, {}},
      {"cparam01", "3.3.12", Rfc::well_formed, true, {}},
      {"cparam02", "3.3.13", Rfc::well_formed, true, {}},
      {"regescrt", "3.3.14", Rfc::well_formed, true, {}},
      {"sdp01", "3.3.15", Rfc::well_formed, true, {}},
      // 3.4: backward compatibility.
      {"inv2543", "3.4.1", Rfc::well_formed, true, {}},
      // In the appendix archive only: a request line with no SIP-Version.
      {"test", "-", Rfc::unclassified, false, {}},
  };
  return table;
}

fs::path data_dir() { return fs::path(TRUNK_SOURCE_DIR) / "tests" / "data" / "rfc4475"; }

std::string read(std::string_view name) {
  std::ifstream in(data_dir() / (std::string(name) + ".dat"), std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot open " << name << ".dat");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Message parsed(std::string_view name) {
  std::string error;
  auto m = Message::parse(read(name), error);
  REQUIRE_MESSAGE(m.has_value(), name << ": " << error);
  return std::move(*m);
}

// "scheme|user|host|port", so a failed check prints the parts.
std::string parts(const trunk::sip::Uri& u) {
  return u.scheme + "|" + u.user + "|" + u.host + "|" + u.port;
}

// "Via,Contact", so a failed check prints the list.
std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

// Whether our outcome disagrees with the RFC's verdict.
bool differs(const Row& r) {
  bool clean = r.parses && r.malformed.empty();
  switch (r.rfc) {
    case Rfc::valid:
    case Rfc::well_formed: return !clean;
    case Rfc::invalid: return clean;
    case Rfc::unclassified: return false;
  }
  return false;
}

// Calls every accessor, as a redirect server or trace reader would.
void touch_everything(const Message& m) {
  (void)m.is_request();
  (void)m.method();
  (void)m.status();
  (void)m.request_uri();
  (void)m.from_uri();
  (void)m.to_uri();
  (void)m.to_has_tag();
  (void)m.call_id();
  (void)m.cseq_method();
  (void)m.malformed_headers();
  if (m.can_be_answered()) (void)m.response_headers("rfc4475");
}

}  // namespace

TEST_CASE("rfc4475: every message file has exactly one row") {
  std::set<std::string> on_disk;
  for (const auto& e : fs::directory_iterator(data_dir()))
    if (e.path().extension() == ".dat") on_disk.insert(e.path().stem().string());
  std::set<std::string> in_table;
  for (const Row& r : rows()) CHECK_MESSAGE(in_table.insert(std::string(r.file)).second, r.file);
  CHECK(joined({on_disk.begin(), on_disk.end()}) == joined({in_table.begin(), in_table.end()}));
  CHECK(on_disk.size() == 50);  // the 49 messages of Section 3 and test.dat
}

TEST_CASE("rfc4475: each message parses as its row says") {
  for (const Row& r : rows()) {
    CAPTURE(r.file);
    std::string error;
    auto m = Message::parse(read(r.file), error);
    if (!r.parses) {
      CHECK_FALSE(m.has_value());
      CHECK(error == "no request or status line");
      continue;
    }
    REQUIRE_MESSAGE(m.has_value(), error);
    CHECK(joined(m->malformed_headers()) == joined(r.malformed));
    touch_everything(*m);
  }
}

TEST_CASE("rfc4475: every disagreement with the RFC gives its reason") {
  std::vector<std::string> valid_not_clean;
  for (const Row& r : rows()) {
    CAPTURE(r.file);
    CHECK(differs(r) == !r.why.empty());
    if (r.rfc == Rfc::valid && differs(r)) valid_not_clean.push_back(std::string(r.file));
  }
  // The valid messages sofia-sip is stricter about; anything new here is a
  // regression, anything gone is worth a look.
  CHECK(joined(valid_not_clean) == "intmeth");
}

TEST_CASE("rfc4475: fields of the messages the RFC spells out") {
  SUBCASE("wsinv: folding, odd case and whitespace everywhere") {
    Message m = parsed("wsinv");
    CHECK(m.method() == "INVITE");
    CHECK(parts(m.request_uri()) == "sip|vivekg|chair-dnrc.example.com|");
    CHECK(m.call_id() == "wsinv.ndaksdj@192.0.2.1");
    CHECK(m.cseq_method() == "INVITE");
    CHECK(m.to_has_tag());
    CHECK(m.from_uri().user == "jdrosen");
    CHECK(m.can_be_answered());
  }
  SUBCASE("esc01: escaped reserved characters stay escaped in the user part") {
    Message m = parsed("esc01");
    CHECK(m.method() == "INVITE");
    CHECK(parts(m.request_uri()) == "sip|sips%3Auser%40example.com|example.net|");
    CHECK(m.call_id() == "esc01.239409asdfakjkn23onasd0-3234");  // compact "i:"
    // %75se%72 escapes unreserved characters only: sofia-sip decodes them,
    // as the RFC reads it (the To is sip:user@example.com).
    CHECK(m.to_uri().user == "user");
  }
  SUBCASE("esc02: an escaped method is not REGISTER") {
    Message m = parsed("esc02");
    CHECK(m.method() == "RE%47IST%45R");
    CHECK(m.cseq_method() == "RE%47IST%45R");
  }
  SUBCASE("clerr: a Content-Length past the end of the datagram is a fault") {
    Message m = parsed("clerr");
    CHECK(m.body_shortfall() > 0);
    REQUIRE(m.message_faults().size() == 1);
    CHECK(m.message_faults()[0] == "the body is " + std::to_string(m.body_shortfall()) +
                                       " bytes shorter than its Content-Length of 9999");
  }
  SUBCASE("longreq: long values and 34 Vias") {
    Message m = parsed("longreq");
    CHECK(m.method() == "INVITE");
    CHECK(parts(m.request_uri()) == "sip|user|example.com|");
    std::string really;
    for (int i = 0; i < 20; ++i) really += "really";
    CHECK(m.call_id() == "longreq.one" + really + "longcallid");
    CHECK(m.from_uri().user.size() == 5 * std::string_view("amazinglylongcallername").size());
    std::string answer = m.response_headers("t");
    std::size_t vias = 0;
    for (std::size_t at = 0; (at = answer.find("Via: ", at)) != std::string::npos; ++at) ++vias;
    CHECK(vias == 34);
  }
  SUBCASE("dblreq: the INVITE after the REGISTER is ignored") {
    Message m = parsed("dblreq");
    CHECK(m.method() == "REGISTER");
    CHECK(m.call_id() == "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
  }
  SUBCASE("semiuri: the ';' belongs to the user part") {
    Message m = parsed("semiuri");
    CHECK(parts(m.request_uri()) == "sip|user;par=u%40example.net|example.com|");
  }
  SUBCASE("mpart01: a MESSAGE with a binary multipart body") {
    Message m = parsed("mpart01");
    CHECK(m.method() == "MESSAGE");
    CHECK(parts(m.request_uri()) == "sip|kumiko|example.org|");
    CHECK(m.call_id() == "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..");
    CHECK(m.cseq_method() == "MESSAGE");
  }
  SUBCASE("unreason: a 200 with a non-ASCII reason phrase") {
    Message m = parsed("unreason");
    CHECK_FALSE(m.is_request());
    CHECK(m.status() == 200);
    CHECK(m.call_id() == "unreason.1234ksdfak3j2erwedfsASdf");
  }
  SUBCASE("noreason: a 100 with an empty reason phrase") {
    Message m = parsed("noreason");
    CHECK_FALSE(m.is_request());
    CHECK(m.status() == 100);
    CHECK(m.call_id() == "noreason.asndj203insdf99223ndf");
  }
  SUBCASE("unkscm and novelsc: Request-URI schemes other than sip") {
    CHECK(parsed("unkscm").request_uri().scheme == "nobodyKnowsThisScheme");
    CHECK(parts(parsed("novelsc").request_uri()) == "soap.beep||192.0.2.103|3002");
  }
  SUBCASE("bigcode and intmeth: rejected outright") {
    std::string error;
    CHECK_FALSE(Message::parse(read("bigcode"), error));  // status 4294967301
    CHECK_FALSE(Message::parse(read("intmeth"), error));  // see its row
  }
  SUBCASE("ltgtruri: the <> end up in the Request-URI scheme") {
    CHECK(parsed("ltgtruri").request_uri().scheme == "<sip");
  }
  SUBCASE("insuf: parses, but cannot be answered") {
    Message m = parsed("insuf");
    CHECK(m.malformed_headers().empty());
    CHECK(m.call_id().empty());
    CHECK_FALSE(m.can_be_answered());
  }
  SUBCASE("mismatch01: the CSeq method is reported as written") {
    Message m = parsed("mismatch01");
    CHECK(m.method() == "OPTIONS");
    CHECK(m.cseq_method() == "INVITE");
  }
}

TEST_CASE("rfc4475: no prefix of any message crashes the parser") {
  // A datagram cut short anywhere: each prefix must parse or fail cleanly.
  for (const Row& r : rows()) {
    CAPTURE(r.file);
    const std::string bytes = read(r.file);
    for (std::size_t n = 0; n <= bytes.size(); ++n) {
      std::string error;
      auto m = Message::parse(std::string_view(bytes).substr(0, n), error);
      if (m) touch_everything(*m);
      else CHECK_FALSE(error.empty());
    }
  }
}
