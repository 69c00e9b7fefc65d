// io/atomic_write: where a write goes when the path is a symbolic link, and
// the errors for links that lead nowhere. The writes themselves, killed
// runs included, are tested through the tools (tests/cli/
// test_provision_writes.py).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "io/atomic_write.hpp"

namespace fs = std::filesystem;
using trunk::io::write_atomically;
using trunk::io::write_target;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / "trunk_atomic_write_test";
  TempDir() {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("write_target follows a chain of links to its end") {
  TempDir d;
  fs::create_directories(d.path / "real");
  std::ofstream(d.path / "real" / "f.toml") << "old\n";
  fs::create_symlink("real/f.toml", d.path / "hop");
  fs::create_symlink(d.path / "hop", d.path / "link");  // absolute, then relative
  fs::path target;
  std::string error;
  REQUIRE(write_target(d.path / "link", target, error));
  CHECK(target == d.path / "real" / "f.toml");
  REQUIRE(write_atomically(d.path / "link", "new\n", error));
  CHECK(fs::is_symlink(d.path / "link"));
  CHECK(fs::is_symlink(d.path / "hop"));
  CHECK(read(d.path / "real" / "f.toml") == "new\n");
  REQUIRE(write_target(d.path / "new.toml", target, error));
  CHECK(target == d.path / "new.toml");
}

TEST_CASE("a dangling link and a loop are errors, and nothing is written") {
  TempDir d;
  fs::create_symlink("nowhere.toml", d.path / "dangling");
  fs::create_symlink("b", d.path / "a");
  fs::create_symlink("a", d.path / "b");
  std::string error;
  CHECK_FALSE(write_atomically(d.path / "dangling", "x", error));
  CHECK(error == "cannot write " + (d.path / "dangling").string() +
                     ": it is a symbolic link to " + (d.path / "nowhere.toml").string() +
                     ", which does not exist");
  CHECK_FALSE(write_atomically(d.path / "a", "x", error));
  CHECK(error == "cannot write " + (d.path / "a").string() +
                     ": Too many levels of symbolic links");
  std::size_t files = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(d.path)) ++files;
  CHECK(files == 3);
}
