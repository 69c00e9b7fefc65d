// Fuzzes the Digest challenge parser (sip::digest::parse_challenges) and
// what register-test does with its result: choosing one and writing the
// answer to it. A server's WWW-/Proxy-Authenticate is untrusted input: no
// crash, no hang, and no answer that could break a header (a CR or LF in
// the Authorization value), whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/digest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (1u << 16)) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto challenges = trunk::sip::digest::parse_challenges(text, error);
  if (!challenges) {
    if (error.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  std::string why;
  const auto* c = trunk::sip::digest::choose(*challenges, why);
  if (!c) return 0;
  trunk::sip::digest::Answer a{"user\"name\\", "pass:word", "REGISTER",
                               "sip:127.0.0.1:5060;transport=udp", "0123abcd", 2};
  const std::string header = trunk::sip::digest::authorization(*c, a);
  if (header.find_first_of("\r\n") != std::string::npos) std::abort();
  (void)trunk::sip::digest::describe(*c);
  return 0;
}
