// toml_parse_floor: the parse floor of dialplan-compile. Reads every *.toml
// file of a site directory and parses it with toml++ alone, on one thread,
// in name order, each document freed before the next file is read: what any
// compiler of that site must at least spend on TOML. dialplan_bench runs it
// as a child process beside dialplan-compile, so that its wall time and
// peak memory are its own, and prints the ratio of the two.
//
//   build/bin/toml_parse_floor DIR
//
// Exit 0 when every file parsed, 1 when one did not (named on stderr), 2
// when DIR cannot be read.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <toml++/toml.h>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: toml_parse_floor DIR\n");
    return 2;
  }
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::directory_iterator(argv[1], ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    if (it->path().extension() == ".toml") files.push_back(it->path());
  if (ec) {
    std::fprintf(stderr, "toml_parse_floor: %s: %s\n", argv[1], ec.message().c_str());
    return 2;
  }
  std::sort(files.begin(), files.end());
  std::size_t tables = 0;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in) {
      std::fprintf(stderr, "toml_parse_floor: cannot read %s\n", path.c_str());
      return 2;
    }
    try {
      // The document goes out of scope (and is freed) before the next file.
      toml::table doc = toml::parse(text.view(), path.string());
      tables += doc.size();
    } catch (const toml::parse_error& e) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), std::string(e.description()).c_str());
      return 1;
    }
  }
  std::printf("%zu files, %zu top-level keys\n", files.size(), tables);
  return 0;
}
