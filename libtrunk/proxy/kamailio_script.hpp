// The text of the Kamailio script emit_kamailio() fills in (see
// kamailio_script.cpp): @NAME@ placeholders, Kamailio 5.6 syntax.
#pragma once

namespace trunk::proxy {

extern const char* const kKamailioScript;

}  // namespace trunk::proxy
