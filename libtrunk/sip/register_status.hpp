// How a REGISTER ended, in the words an operator knows from PBX screens.
//
// One rule and one wording for every tool that judges a registration:
// `trunkctl register-test`, which sends the REGISTER itself, and
// sip-trace-match, which sees one in a trace. Which answer means what is
// decided here (register_status), and so is what it is called (describe);
// the tools only add the code, the phrase and what else they know.
#pragma once

#include <string_view>

namespace trunk::sip {

enum class RegisterStatus { registered, auth_failed, transport_inconsistent, rejected, no_response };
// "registered", "auth-failed", "transport-inconsistent", "rejected", "no-response".
std::string_view to_string(RegisterStatus s);
// The words an operator sees: "registration failed: authentication failed".
std::string_view describe(RegisterStatus s);

// The status of a REGISTER whose last final answer is `code` (0: none came)
// after credentials were sent (`credentials_sent`) or not. 2xx is
// registered; a 401/407 or a 403 after credentials is authentication
// failed, while a 403 or any other refusal of the first, unauthenticated
// request is rejected (the server will not have it whoever asks); no answer
// is no response. A 401/407 to a request without credentials is only a
// challenge: the caller answers it, or decides what an unanswered one means.
// Transport type inconsistent is never decided here: it needs a second try.
RegisterStatus register_status(int code, bool credentials_sent);

}  // namespace trunk::sip
