// Digest authentication, the client's side (sip::digest): RFC 7616's worked
// example (sec 3.9.1) for MD5 and SHA-256, the legacy no-qop form, choosing
// among several challenges, and what malformed challenges are told.
#include <doctest/doctest.h>

#include <string>

#include "sip/digest.hpp"

using namespace trunk::sip;

namespace {

// RFC 7616 sec 3.9.1: the server's two challenges (SHA-256 first, then MD5),
// the client's values, and the responses the RFC gives.
constexpr const char* kRfcChallenges =
    "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", "
    "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, "
    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
constexpr const char* kRfcCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

digest::Answer rfc_answer() {
  digest::Answer a;
  a.username = "Mufasa";
  a.password = "Circle of Life";
  a.method = "GET";
  a.uri = "/dir/index.html";
  a.cnonce = kRfcCnonce;
  a.nc = 1;
  return a;
}

std::vector<digest::Challenge> parse_ok(std::string_view text) {
  std::string error;
  auto c = digest::parse_challenges(text, error);
  REQUIRE_MESSAGE(c, error);
  return *c;
}

std::string parse_error(std::string_view text) {
  std::string error;
  CHECK_FALSE(digest::parse_challenges(text, error));
  return error;
}

}  // namespace

TEST_CASE("digest: RFC 7616 sec 3.9.1 worked example, SHA-256 and MD5") {
  auto cs = parse_ok(kRfcChallenges);
  REQUIRE(cs.size() == 2);
  CHECK(cs[0].algorithm == digest::Algorithm::sha256);
  CHECK(cs[1].algorithm == digest::Algorithm::md5);
  CHECK(cs[0].realm == "http-auth@example.org");
  CHECK(cs[0].qop_auth);
  CHECK(cs[0].opaque == "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  CHECK(digest::response(cs[0], rfc_answer()) ==
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  CHECK(digest::response(cs[1], rfc_answer()) == "8ca523f5e9506fed4657c9700eebdbec");
  CHECK(digest::authorization(cs[0], rfc_answer()) ==
        "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
        "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", uri=\"/dir/index.html\", "
        "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
        "algorithm=SHA-256, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
        "qop=auth, nc=00000001, opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
  std::string why;
  CHECK(digest::choose(cs, why) == &cs[0]);
  CHECK(digest::describe(cs[0]) == "digest SHA-256, qop=auth");
}

TEST_CASE("digest: SHA-512-256, -sess and userhash, against Python's hashlib") {
  // Expected values computed independently with hashlib ("sha512_256").
  auto cs = parse_ok("Digest realm=\"http-auth@example.org\", qop=\"auth\", "
                     "algorithm=SHA-512-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\"");
  CHECK(digest::response(cs[0], rfc_answer()) ==
        "430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0");
  auto sess = parse_ok("Digest realm=\"r\", nonce=\"n\", qop=auth, algorithm=SHA-256-sess");
  CHECK(sess[0].sess);
  CHECK(digest::describe(sess[0]) == "digest SHA-256-sess, qop=auth");
  CHECK(digest::response(sess[0], rfc_answer()) ==
        "8f4667fe75c90f157ab829e6aa44c4ece02289bdcd81fc899130020eabc14803");
  auto uh = parse_ok("Digest realm=\"r\", nonce=\"n\", qop=auth, algorithm=SHA-256, userhash=true");
  // username = SHA-256("Mufasa:r"), which hides the user's name.
  CHECK(digest::authorization(uh[0], rfc_answer()).find(
            "username=\"" + std::string("8ec3e1d647d8bd2ae7115a19b5155727c083dd356e9e6fa526b1188461f18acf")) !=
        std::string::npos);
}

TEST_CASE("digest: the legacy form without qop, as Kamailio's www_challenge(..., \"0\") asks") {
  auto cs = parse_ok("Digest realm=\"trunk.test\", nonce=\"abc\"");
  REQUIRE(cs.size() == 1);
  CHECK_FALSE(cs[0].has_qop);
  CHECK(cs[0].algorithm_text.empty());
  auto a = rfc_answer();
  a.method = "REGISTER";
  a.uri = "sip:127.0.0.1:5060;transport=udp";
  // MD5(MD5("Mufasa:trunk.test:Circle of Life"):abc:MD5("REGISTER:sip:...")), by hashlib.
  CHECK(digest::response(cs[0], a) == "31a69b4d59d0a86d01b8c2ce2c6633eb");
  const std::string h = digest::authorization(cs[0], a);
  CHECK(h.find("qop") == std::string::npos);
  CHECK(h.find("cnonce") == std::string::npos);
  CHECK(h.find("algorithm") == std::string::npos);  // none was named: none is echoed
  CHECK(digest::describe(cs[0]) == "digest MD5");
}

TEST_CASE("digest: the strongest supported challenge is chosen, wherever it comes") {
  auto cs = parse_ok("Digest realm=\"r\", nonce=\"1\", algorithm=MD5, qop=\"auth\", "
                     "Digest realm=\"r\", nonce=\"2\", algorithm=SHA-512-256, qop=\"auth\", "
                     "Basic realm=\"r\", "
                     "Digest realm=\"r\", nonce=\"3\", algorithm=SHA-256, qop=\"auth\"");
  REQUIRE(cs.size() == 3);  // Basic is skipped
  std::string why;
  const auto* c = digest::choose(cs, why);
  REQUIRE(c);
  CHECK(c->nonce == "2");
  // qop=auth is preferred over none within one algorithm.
  auto two = parse_ok("Digest realm=\"r\", nonce=\"1\", algorithm=SHA-256, "
                      "Digest realm=\"r\", nonce=\"2\", algorithm=SHA-256, qop=auth");
  CHECK(digest::choose(two, why)->nonce == "2");
  // An unknown algorithm next to MD5: MD5.
  auto mixed = parse_ok("Digest realm=\"r\", nonce=\"1\", algorithm=SHA-1, "
                        "Digest realm=\"r\", nonce=\"2\"");
  CHECK(digest::choose(mixed, why)->nonce == "2");
}

TEST_CASE("digest: no challenge this client can answer is a clear reason") {
  auto cs = parse_ok("Digest realm=\"r\", nonce=\"1\", algorithm=SHA-1, "
                     "Digest realm=\"r\", nonce=\"2\", algorithm=MD5, qop=\"auth-int\"");
  std::string why;
  CHECK(digest::choose(cs, why) == nullptr);
  CHECK(why == "no Digest challenge this client can answer (offered: algorithm \"SHA-1\", "
               "qop without \"auth\"; supported: MD5, SHA-256, SHA-512-256, with or without "
               "-sess, qop=auth or none)");
  auto basic = parse_ok("Basic realm=\"r\"");
  CHECK(basic.empty());
  CHECK(digest::choose(basic, why) == nullptr);
  CHECK(why == "no Digest challenge");
}

TEST_CASE("digest: lenient reading of what servers write") {
  // Unquoted realm and nonce, a quoted algorithm, upper-case names, no
  // spaces, stale=TRUE.
  auto cs = parse_ok("digest REALM=trunk.test,NONCE=abc,Algorithm=\"sha-256\",stale=TRUE,"
                     "qop=auth");
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].realm == "trunk.test");
  CHECK(cs[0].nonce == "abc");
  CHECK(cs[0].algorithm == digest::Algorithm::sha256);
  CHECK(cs[0].stale);
  CHECK(cs[0].qop_auth);
  // Escapes in quoted strings are undone on reading, redone on writing.
  auto q = parse_ok(R"(Digest realm="a\"b\\c", nonce="n")");
  CHECK(q[0].realm == "a\"b\\c");
  CHECK(digest::authorization(q[0], rfc_answer()).find(R"(realm="a\"b\\c")") != std::string::npos);
}

TEST_CASE("digest: malformed challenges are errors with a position") {
  CHECK(parse_error("Digest realm=\"r\"") == "Digest challenge without nonce");
  CHECK(parse_error("Digest nonce=\"n\"") == "Digest challenge without realm");
  CHECK(parse_error("Digest realm=\"r\", nonce=\"\"") == "Digest challenge with an empty nonce");
  CHECK(parse_error("Digest realm=\"r, nonce=\"n\"") ==
        "expected ',' at column 25");  // the quote closes at nonce="; n follows
  CHECK(parse_error("Digest realm=\"r\", nonce=\"n") == "unterminated quoted string at column 27");
  CHECK(parse_error("realm=\"r\", nonce=\"n\"") == "parameter before any scheme at column 7");
  CHECK(parse_error("Digest realm=\"r\" nonce=\"n\"") == "expected ',' at column 18");
  CHECK(parse_error("Digest realm=\"r\", nonce=\"n\", realm=\"x\"") ==
        "parameter realm given twice");
  CHECK(parse_error("Digest realm=\"r\", nonce=\"a\r\nVia: x\"") ==
        "control character in a quoted value at column 27");
  CHECK(parse_error("Digest realm=\"r\", =\"n\"") == "expected a name at column 19");
}

TEST_CASE("digest: huge values are refused, not hashed") {
  const std::string big(digest::kMaxValue + 1, 'x');
  CHECK(parse_error("Digest realm=\"r\", nonce=\"" + big + "\"") ==
        "value longer than 1024 bytes at column 1051");
  CHECK(parse_error("Digest realm=r, nonce=" + big) ==
        "value longer than 1024 bytes at column 1048");
  const std::string at_cap(digest::kMaxValue, 'x');
  CHECK(parse_ok("Digest realm=\"r\", nonce=\"" + at_cap + "\"")[0].nonce == at_cap);
  CHECK(parse_error("Digest " + std::string(16 * digest::kMaxValue, ' ')) ==
        "header value longer than 16384 bytes");
}

TEST_CASE("digest: random cnonces differ and are hex") {
  const std::string a = digest::random_cnonce(), b = digest::random_cnonce();
  CHECK(a.size() == 32);
  CHECK(a != b);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
}
