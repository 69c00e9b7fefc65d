// A trunk's password, read from where the site says it is.
//
// `auth.password_env` names an environment variable, `auth.password_file` a
// file (relative paths are taken from the directory of the site file that
// names it; the first line is the password, its line ending dropped), and
// `auth.password` holds it inline. The password is returned to the caller
// only; errors name the source, never the secret.
#pragma once

#include <optional>
#include <string>

#include "site/model.hpp"

namespace trunk::site {

// The password of `auth`, or nullopt with `error` set ("environment variable
// XYZ_PASSWORD is not set", "cannot read /etc/...: No such file").
std::optional<std::string> read_password(const Auth& auth, std::string& error);

}  // namespace trunk::site
