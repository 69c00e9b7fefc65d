// Template lookup over the search directories and the built-in set, and
// the reading of a template's description and body (site/templates.hpp).
#include "site/templates.hpp"

#include <algorithm>
#include <cstdlib>

#include "io/input_file.hpp"
#include "site/builtin_templates.hpp"

namespace trunk::site {

namespace {

const BuiltinTemplate* find_builtin(std::string_view name) {
  for (const auto& t : builtin_templates())
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace

TemplateSearch template_search(const std::string& explicit_dir, const std::filesystem::path& site) {
  if (!explicit_dir.empty()) return {{explicit_dir}, false};
  TemplateSearch s;
  if (const char* env = std::getenv("TRUNK_TEMPLATES"); env && *env) s.dirs.emplace_back(env);
  std::error_code ec;
  if (std::filesystem::is_directory(site, ec))
    s.dirs.push_back(site / "templates");
  else
    s.dirs.push_back((site.has_parent_path() ? site.parent_path() : ".") / "templates");
  return s;
}

std::string FoundTemplate::origin() const { return path.empty() ? "built-in" : path.string(); }

std::optional<FoundTemplate> find_template(std::string_view name, const TemplateSearch& search) {
  if (name.find('/') != std::string_view::npos) return FoundTemplate{std::filesystem::path(name), {}};
  std::string file(name);
  if (!file.ends_with(".toml")) file += ".toml";
  for (const auto& dir : search.dirs) {
    // Whatever is there but a directory is the template: reading it says
    // what is wrong with a FIFO or a device (io/input_file.hpp), rather than
    // "no template" beside a listing that names it.
    std::error_code ec;
    auto status = std::filesystem::status(dir / file, ec);
    if (!ec && std::filesystem::exists(status) && !std::filesystem::is_directory(status))
      return FoundTemplate{dir / file, {}};
  }
  if (search.builtin)
    if (const BuiltinTemplate* t = find_builtin(std::string_view(file).substr(0, file.size() - 5)))
      return FoundTemplate{{}, t->text};
  return std::nullopt;
}

bool read_template(const FoundTemplate& t, std::string& text, std::string& error) {
  if (t.path.empty()) {
    text = t.builtin_text;
    return true;
  }
  return io::read_input(t.path, io::kTemplateFile, text, error);
}

std::vector<std::string> template_names(const TemplateSearch& search) {
  std::vector<std::string> names;
  for (const auto& dir : search.dirs) {
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
      if (it->path().extension() == ".toml") names.push_back(it->path().stem().string());
  }
  if (search.builtin)
    for (const auto& t : builtin_templates()) names.emplace_back(t.name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string describe_search(const TemplateSearch& search) {
  std::vector<std::string> parts;
  for (const auto& d : search.dirs) parts.push_back(d.string());
  if (search.builtin) parts.push_back("the built-in templates");
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i)
    out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  return out;
}

std::vector<TemplateEntry> list_templates(const TemplateSearch& search) {
  std::vector<TemplateEntry> out;
  for (const auto& name : template_names(search)) {
    TemplateEntry e{name, "", "", ""};
    auto found = find_template(name, search);
    if (!found) continue;  // gone since the directory was read
    e.origin = found->origin();
    std::string text;
    if (read_template(*found, text, e.error)) e.description = template_description(name, text);
    out.push_back(std::move(e));
  }
  return out;
}

std::string template_description(std::string_view name, std::string_view text) {
  std::string_view line = text.substr(0, text.find('\n'));
  if (!line.starts_with('#')) return "";
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == '#' || s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
  };
  line = trim(line);
  if (line.starts_with(name) && line.substr(name.size()).starts_with(':'))
    line = trim(line.substr(name.size() + 1));
  return std::string(line);
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
