// Values read out of headers sofia-sip has parsed, for the two places that
// hold a sip_t: Message (traces) and the live checks (responses nua hands
// over). Internal to libtrunk/sip, as sofia-sip's types are.
#pragma once

#include <sofia-sip/sip.h>

#include <string>

namespace trunk::sip {

// The expiry a REGISTER asks for or a 2xx grants: the largest Contact
// expires parameter, else the Expires header; -1 when neither is there.
int expires_of(const sip_t* sip);

// Whether a 401/407's challenge says stale=true.
bool challenge_stale(const sip_t* sip);

}  // namespace trunk::sip
