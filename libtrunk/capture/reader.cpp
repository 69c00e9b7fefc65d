// open(): picks the capture reader (pcap or text) by content and hands it
// the file.
//
// Owns nothing past the call: the FILE* goes to the reader it picks. A
// capture is recognised by its first four bytes (pcap in either byte order
// and with micro- or nanosecond times, pcapng); everything else is text.
// Standard input may be a pipe, which cannot seek back over the bytes looked
// at, so those are replayed in front of the rest through fopencookie.
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "io/input_file.hpp"
#include "capture/pcap_reader.hpp"
#include "capture/reader.hpp"
#include "capture/text_reader.hpp"

namespace trunk::capture {

namespace {

constexpr std::size_t kMagicSize = 4;

bool is_capture(const unsigned char* b, std::size_t n) {
  if (n < kMagicSize) return false;
  static constexpr unsigned char kMagics[][kMagicSize] = {
      {0xa1, 0xb2, 0xc3, 0xd4}, {0xd4, 0xc3, 0xb2, 0xa1},  // pcap, microseconds
      {0xa1, 0xb2, 0x3c, 0x4d}, {0x4d, 0x3c, 0xb2, 0xa1},  // pcap, nanoseconds
      {0x0a, 0x0d, 0x0d, 0x0a},                            // pcapng section header
  };
  for (const auto& m : kMagics)
    if (std::memcmp(b, m, kMagicSize) == 0) return true;
  return false;
}

// The bytes already read from a stream that cannot seek, then the stream.
struct Replay {
  std::FILE* under;
  unsigned char head[kMagicSize];
  std::size_t size, pos;
};

ssize_t replay_read(void* cookie, char* buf, std::size_t size) {
  auto* r = static_cast<Replay*>(cookie);
  if (r->pos < r->size) {
    std::size_t n = std::min(size, r->size - r->pos);
    std::memcpy(buf, r->head + r->pos, n);
    r->pos += n;
    return static_cast<ssize_t>(n);
  }
  // One read per call, so a pipe's lines arrive as they are written.
  int fd = fileno(r->under);
  ssize_t n;
  do n = ::read(fd, buf, size);
  while (n < 0 && errno == EINTR);
  return n < 0 ? -1 : n;
}

int replay_close(void* cookie) {
  auto* r = static_cast<Replay*>(cookie);
  int rc = std::fclose(r->under);
  delete r;
  return rc;
}

// Reads the first bytes of `file` into `head` and makes sure they will be
// read again: seeks back when it can, else wraps `file` (which then belongs
// to the returned stream). Null when the wrapper cannot be made.
std::FILE* peek(std::FILE* file, unsigned char (&head)[kMagicSize], std::size_t& got) {
  long at = std::ftell(file);
  if (at >= 0) {
    got = std::fread(head, 1, kMagicSize, file);
    if (std::ferror(file)) return nullptr;
    if (std::fseek(file, at, SEEK_SET) == 0) return file;
    return nullptr;  // seekable but would not seek: give up rather than lose bytes
  }
  // Not seekable (a pipe): read the head straight from the descriptor, so
  // nothing sits in the FILE's buffer that the wrapper would not see.
  got = 0;
  int fd = fileno(file);
  while (got < kMagicSize) {
    ssize_t n = ::read(fd, head + got, kMagicSize - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return nullptr;
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  auto* r = new Replay{file, {}, got, 0};
  std::memcpy(r->head, head, got);
  cookie_io_functions_t io{};
  io.read = replay_read;
  io.close = replay_close;
  std::FILE* wrapped = fopencookie(r, "rb", io);
  if (!wrapped) delete r;
  return wrapped;
}

}  // namespace

std::unique_ptr<Reader> open(const std::string& path, Format format, diag::Sink& sink) {
  const bool is_stdin = path == "-";
  const std::string name = is_stdin ? "<stdin>" : path;
  std::FILE* file = nullptr;
  if (is_stdin) {
    // A duplicate, so the reader closing it leaves the process's stdin alone.
    int fd = ::dup(STDIN_FILENO);
    if (fd >= 0) {
      file = fdopen(fd, "rb");
      if (!file) ::close(fd);
    }
  } else {
    // A named trace is a regular file: a FIFO or a device could block the
    // open or never end (a stream is given as "-"). No size cap: a trace
    // is streamed, never held whole.
    io::InputFile in;
    std::string error;
    if (!in.open(path, "trace", UINT64_MAX, error)) {
      sink.error("trace-open", error, {name});
      return nullptr;
    }
    file = fdopen(in.fd(), "rb");
    if (file) in.release();
  }
  if (!file) {
    sink.error("trace-open", "cannot open " + name + ": " + std::strerror(errno), {name});
    return nullptr;
  }
  if (format == Format::text) return open_text(file, name, sink);

  unsigned char head[kMagicSize] = {};
  std::size_t got = 0;
  std::FILE* peeked = peek(file, head, got);
  if (!peeked) {
    sink.error("trace-open", "cannot read " + name + ": " + std::strerror(errno), {name});
    std::fclose(file);
    return nullptr;
  }
  if (is_capture(head, got)) return open_pcap(peeked, name, sink);
  if (format == Format::pcap) {
    sink.error("trace-format", name + " is not a pcap or pcapng capture", {name});
    std::fclose(peeked);
    return nullptr;
  }
  return open_text(peeked, name, sink);
}

}  // namespace trunk::capture
