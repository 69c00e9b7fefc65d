// How a REGISTER ended (see register_status.hpp).
#include "sip/register_status.hpp"

namespace trunk::sip {

std::string_view to_string(RegisterStatus s) {
  switch (s) {
    case RegisterStatus::registered: return "registered";
    case RegisterStatus::auth_failed: return "auth-failed";
    case RegisterStatus::transport_inconsistent: return "transport-inconsistent";
    case RegisterStatus::rejected: return "rejected";
    case RegisterStatus::no_response: return "no-response";
  }
  return "no-response";
}

std::string_view describe(RegisterStatus s) {
  switch (s) {
    case RegisterStatus::registered: return "registered";
    case RegisterStatus::auth_failed: return "registration failed: authentication failed";
    case RegisterStatus::transport_inconsistent:
      return "registration failed: transport type inconsistent";
    case RegisterStatus::rejected: return "registration failed: rejected";
    case RegisterStatus::no_response: return "registration failed: no response";
  }
  return "registration failed";
}

RegisterStatus register_status(int code, bool credentials_sent) {
  if (code == 0) return RegisterStatus::no_response;
  if (code >= 200 && code < 300) return RegisterStatus::registered;
  if (code == 401 || code == 407) return credentials_sent ? RegisterStatus::auth_failed
                                                          : RegisterStatus::rejected;
  if (code == 403 && credentials_sent) return RegisterStatus::auth_failed;
  return RegisterStatus::rejected;
}

}  // namespace trunk::sip
