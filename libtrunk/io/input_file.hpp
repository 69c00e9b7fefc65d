// Opening the files the tools read (a site and its fragments, --test files,
// templates, password files, tables files, traces) so that no input can hang
// a tool or exhaust its memory: only regular files are read, each kind under
// a size cap, and a file that grows while it is read is cut at the cap, not
// followed. A FIFO with no writer cannot block the open (O_NONBLOCK), and a
// character device such as /dev/zero is refused before a byte is read. One
// place decides this for every input; what each kind may weigh is below and
// in the man pages. A stream (standard input) is read whole only under the
// same caps (read_stream); a trace on standard input, which has no cap, is
// streamed by its reader.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace trunk::io {

// What an input may weigh, and the words that name it in messages.
struct InputKind {
  std::string_view name;  // "site file", "password file", ...
  std::uint64_t max_size;
};

// A site file or fragment, a --test file: 256 MiB. One file may hold a
// whole site of a million routes (about 100 MB); past that the cap only
// stops a runaway file before toml++ spends gigabytes on it. A trunk
// template: 16 MiB, far beyond any real one.
inline constexpr InputKind kSiteFile{"site file", 256ull << 20};
inline constexpr InputKind kTemplateFile{"template", 16ull << 20};
// A list of changes for `trunkctl apply`: 64 MiB, about 300,000 changes;
// a script with more can split them.
inline constexpr InputKind kChangeList{"list of changes", 64ull << 20};
// A password file holds one line.
inline constexpr InputKind kPasswordFile{"password file", 4ull << 10};
// Tables files: their own format caps them (tables/format.hpp kMaxFileSize).
// Traces: no cap; they are streamed, never held whole.

// A regular file open for reading, closed when the InputFile goes.
class InputFile {
 public:
  InputFile() = default;
  ~InputFile();
  InputFile(const InputFile&) = delete;  // owns a descriptor
  InputFile& operator=(const InputFile&) = delete;

  // Opens `path` if it is a regular file (symbolic links followed) of at
  // most `max_size` bytes. False with `error` set otherwise: a sentence
  // that names the path and what is wrong ("cannot open PATH: Permission
  // denied", "PATH is a named pipe (FIFO), not a regular file", "PATH is a
  // symbolic link to a missing file", "PATH is 20000000 bytes, more than a
  // site file may have (16 MiB)"). `kind_name` names the file in the last.
  bool open(const std::filesystem::path& path, std::string_view kind_name,
            std::uint64_t max_size, std::string& error);
  int fd() const { return fd_; }
  std::uint64_t size() const { return size_; }  // when opened
  // Hands the descriptor to the caller, who then closes it.
  int release();

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// Reads the whole of `path`, a regular file of `kind`, into `text`. False
// with `error` set (as InputFile::open says, or a read error, or the file
// grew past the cap while it was read); `text` is then unspecified.
bool read_input(const std::filesystem::path& path, const InputKind& kind, std::string& text,
                std::string& error);

// Reads the stream `fd` (standard input, a pipe) to its end into `text`,
// refusing it once it passes `kind`'s cap (then `error` says so, naming the
// input `name`; nothing past the cap is read). The caller owns `fd`.
bool read_stream(int fd, const std::string& name, const InputKind& kind, std::string& text,
                 std::string& error);

}  // namespace trunk::io
