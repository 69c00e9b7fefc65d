// Template lookup over the file system.
#include "site/templates.hpp"

#include <algorithm>
#include <cstdlib>

#ifndef TRUNK_TEMPLATES_DIR
#define TRUNK_TEMPLATES_DIR "/usr/local/share/doc/trunkline/examples/templates"
#endif

namespace trunk::site {

std::vector<std::filesystem::path> template_dirs(const std::string& explicit_dir,
                                                 const std::filesystem::path& site) {
  if (!explicit_dir.empty()) return {explicit_dir};
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("TRUNK_TEMPLATES"); env && *env) dirs.emplace_back(env);
  std::error_code ec;
  if (std::filesystem::is_directory(site, ec))
    dirs.push_back(site / "templates");
  else
    dirs.push_back((site.has_parent_path() ? site.parent_path() : ".") / "templates");
  dirs.emplace_back(TRUNK_TEMPLATES_DIR);
  return dirs;
}

std::optional<std::filesystem::path> find_template(
    std::string_view name, const std::vector<std::filesystem::path>& dirs) {
  std::string file(name);
  if (!file.ends_with(".toml")) file += ".toml";
  if (file.find('/') != std::string::npos) return std::nullopt;  // a name, not a path
  for (const auto& dir : dirs) {
    // Whatever is there but a directory is the template: reading it says
    // what is wrong with a FIFO or a device (io/input_file.hpp), rather than
    // "no template" beside a listing that names it.
    std::error_code ec;
    auto status = std::filesystem::status(dir / file, ec);
    if (!ec && std::filesystem::exists(status) && !std::filesystem::is_directory(status))
      return dir / file;
  }
  return std::nullopt;
}

std::vector<std::string> template_names(const std::vector<std::filesystem::path>& dirs) {
  std::vector<std::string> names;
  for (const auto& dir : dirs) {
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
      if (it->path().extension() == ".toml") names.push_back(it->path().stem().string());
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string template_body(std::string_view text) {
  std::size_t p = 0;
  // The opening paragraph: comment lines up to the first blank line.
  while (p < text.size() && text[p] == '#') {
    std::size_t nl = text.find('\n', p);
    p = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  while (p < text.size() && (text[p] == '\n' || text[p] == '\r')) ++p;
  std::string body(text.substr(p));
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ' || body.back() == '\r'))
    body.pop_back();
  if (!body.empty()) body += '\n';
  return body;
}

}  // namespace trunk::site
