// Fuzzes a whole provisioning change, as trunkctl add, set, remove, assign
// and unassign make it (site/change.hpp), over a fuzzed site: no crash, no
// hang, and its promises kept. Planning writes nothing, whatever it
// decides; a change planned clean is written (apply_change), the written
// site reads back with no error and with exactly the planned texts, files
// the change does not name keep their bytes, nothing else appears in the
// directory, and the same set or assign planned again has nothing to
// change.
//
// Input: the first line is the change, the rest the site's text; a form
// feed (\f) starts another file of a directory site (00.toml, 01.toml, ...),
// else the site is one file. The change is one of
//   add NAME TYPE [KEY=VALUE...]    set NAME KEY=VALUE...    remove NAME
//   assign NAME TENANT [POOL]       unassign NAME TENANT
// with words split at spaces. The site lives in a private temporary
// directory, rewritten for every input.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "check/site.hpp"
#include "site/change.hpp"
#include "site/loader.hpp"

namespace fs = std::filesystem;
using trunk::site::ChangeRequest;

namespace {

void require(bool ok, const char* promise) {
  if (ok) return;
  std::fprintf(stderr, "provision_fuzzer: broken: %s\n", promise);
  std::abort();
}

const fs::path& work_dir() {
  static const fs::path dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "provision-fuzz.XXXXXX").string();
    require(mkdtemp(tmpl.data()) != nullptr, "a temporary directory");
    return fs::path(tmpl);
  }();
  return dir;
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool parse_request(const std::string& line, ChangeRequest& req) {
  std::vector<std::string> w = words(line);
  if (w.size() < 2) return false;
  static const std::map<std::string, ChangeRequest::Kind> kKinds = {
      {"add", ChangeRequest::Kind::add},       {"set", ChangeRequest::Kind::set},
      {"remove", ChangeRequest::Kind::remove}, {"assign", ChangeRequest::Kind::assign},
      {"unassign", ChangeRequest::Kind::unassign}};
  auto kind = kKinds.find(w[0]);
  if (kind == kKinds.end()) return false;
  req.kind = kind->second;
  req.trunk = w[1];
  std::vector<std::string> rest(w.begin() + 2, w.end());
  switch (req.kind) {
    case ChangeRequest::Kind::add:
      if (rest.empty()) return false;
      req.type = rest[0];
      req.settings.assign(rest.begin() + 1, rest.end());
      return true;
    case ChangeRequest::Kind::set:
      req.settings = rest;
      return !rest.empty();
    case ChangeRequest::Kind::remove:
      return rest.empty();
    case ChangeRequest::Kind::assign:
      if (rest.empty() || rest.size() > 2) return false;
      req.tenant = rest[0];
      if (rest.size() == 2) req.did_pool = rest[1];
      return true;
    case ChangeRequest::Kind::unassign:
      if (rest.size() != 1) return false;
      req.tenant = rest[0];
      return true;
  }
  return false;
}

// Every file in `dir` with its bytes.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    out[e.path().string()] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 8192) return 0;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  if (nl == std::string::npos) return 0;
  ChangeRequest req;
  if (!parse_request(input.substr(0, nl), req)) return 0;

  const fs::path& dir = work_dir();
  for (const auto& e : fs::directory_iterator(dir)) fs::remove_all(e.path());
  std::vector<std::string> texts;
  for (std::size_t begin = nl + 1;;) {
    std::size_t ff = input.find('\f', begin);
    texts.push_back(input.substr(begin, ff == std::string::npos ? ff : ff - begin));
    if (ff == std::string::npos) break;
    begin = ff + 1;
  }
  if (texts.size() > 8) return 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    std::string name = texts.size() == 1 ? "site.toml" : "0" + std::to_string(i) + ".toml";
    std::ofstream(dir / name, std::ios::binary) << texts[i];
  }
  const fs::path site = texts.size() == 1 ? dir / "site.toml" : dir;
  const auto before = snapshot(dir);

  trunk::site::ChangeResult r = trunk::site::plan_change(site, req, trunk::check::check_site);
  require(snapshot(dir) == before, "planning writes nothing");
  require(r.exit_code >= 0 && r.exit_code <= 2, "exit code 0, 1 or 2");
  if (r.exit_code != 0) {
    require(!r.message.empty(), "a refused change says why");
    return 0;
  }
  if (r.changed.empty()) return 0;
  require(!r.diff.empty(), "a change has a diff");

  std::string error;
  require(trunk::site::apply_change(r, error), "a planned change is written");
  const auto after = snapshot(dir);
  require(after.size() == before.size(), "no file appears or goes");
  for (const auto& f : r.files) {
    auto it = after.find(f.path);
    require(it != after.end() && it->second == f.text, "the planned text is written");
  }
  for (const auto& [path, bytes] : before) {
    bool named = std::find(r.changed.begin(), r.changed.end(), path) != r.changed.end();
    require(named || after.at(path) == bytes, "files not changed keep their bytes");
  }

  trunk::site::Site reread;
  trunk::diag::Sink sink;
  trunk::diag::SourceText sources;
  require(trunk::site::load_site(site, reread, sink, sources) == trunk::site::LoadStatus::loaded,
          "the written site loads");
  trunk::check::check_site(reread, sources, sink);
  require(sink.errors() == 0, "the written site has no error");

  if (req.kind == ChangeRequest::Kind::set || req.kind == ChangeRequest::Kind::assign) {
    trunk::site::ChangeResult again =
        trunk::site::plan_change(site, req, trunk::check::check_site);
    require(again.exit_code == 0 && again.changed.empty(), "the same change again changes nothing");
  }
  return 0;
}
