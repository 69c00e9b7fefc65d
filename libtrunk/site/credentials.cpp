// Reading a trunk's password (see credentials.hpp).
#include "site/credentials.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "io/input_file.hpp"

namespace trunk::site {

std::optional<std::string> read_password(const Auth& auth, std::string& error) {
  if (auth.password_env.present) {
    const char* value = std::getenv(auth.password_env.value.c_str());
    if (!value) {
      error = "environment variable " + auth.password_env.value + " is not set";
      return std::nullopt;
    }
    return std::string(value);
  }
  if (auth.password_file.present) {
    std::filesystem::path path = auth.password_file.value;
    if (path.is_relative() && !auth.password_file.where.file.empty())
      path = std::filesystem::path(auth.password_file.where.file.str()).parent_path() / path;
    std::string line;
    if (!io::read_input(path, io::kPasswordFile, line, error)) return std::nullopt;
    line.resize(std::min(line.size(), line.find('\n')));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      error = path.string() + " is empty";
      return std::nullopt;
    }
    return line;
  }
  if (auth.password.present) return auth.password.value;
  error = "the trunk has no password source (auth.password_env, auth.password_file)";
  return std::nullopt;
}

}  // namespace trunk::site
