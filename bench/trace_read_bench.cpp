// trace_read_bench: reads a capture with the capture reader and prints how
// fast: megabytes and messages per second, and peak memory.
//
//   build/bin/trace_read_bench FILE [--runs N] [--tshark]
//
// Reads every message (as sip-trace-match will), touching each message's
// first and last byte so nothing is optimised away. Best and median wall
// time of --runs runs (1 by default; the first run also warms the page
// cache). --tshark also times `tshark -r FILE -Y sip -T fields -e
// sip.Method` as a child process and prints the ratio. Peak RSS is this
// process's (getrusage), the reader's buffers included. Make a file with
// gen_capture. No figure is asserted.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "measure.hpp"
#include "capture/pcap_reader.hpp"

namespace {

struct Pass {
  double seconds = 0;
  std::uint64_t messages = 0, udp = 0, tcp = 0, message_bytes = 0, warnings = 0;
  unsigned checksum = 0;
};

Pass read_once(const std::string& path) {
  Pass p;
  trunk::diag::Sink sink;
  auto start = std::chrono::steady_clock::now();
  auto reader = trunk::capture::open_pcap(std::fopen(path.c_str(), "rb"), path, sink);
  if (!reader) {
    std::fprintf(stderr, "trace_read_bench: %s: %s\n", path.c_str(),
                 sink.empty() ? "cannot read" : sink.all()[0].message.c_str());
    std::exit(2);
  }
  trunk::capture::Captured c;
  while (reader->next(c, sink)) {
    ++p.messages;
    (c.transport == trunk::capture::Transport::udp ? p.udp : p.tcp) += 1;
    p.message_bytes += c.bytes.size();
    p.checksum += static_cast<unsigned char>(c.bytes.front()) +
                  static_cast<unsigned char>(c.bytes.back());
  }
  reader.reset();
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  p.warnings = sink.warnings();
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  int runs = 1;
  bool tshark = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
    else if (a == "--tshark") tshark = true;
    else if (path.empty() && !a.starts_with("--")) path = a;
    else {
      std::fprintf(stderr, "usage: trace_read_bench FILE [--runs N] [--tshark]\n");
      return 2;
    }
  }
  if (path.empty() || runs < 1) {
    std::fprintf(stderr, "usage: trace_read_bench FILE [--runs N] [--tshark]\n");
    return 2;
  }
  double mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
  std::vector<double> times;
  Pass last;
  for (int i = 0; i < runs; ++i) {
    last = read_once(path);
    times.push_back(last.seconds);
  }
  double best = *std::min_element(times.begin(), times.end());
  double median = bench::percentile(times, 50);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("file: %s, %.1f MB\n", path.c_str(), mb);
  std::printf("messages: %llu (udp %llu, tcp %llu), %.1f MB of SIP, %llu warnings\n",
              static_cast<unsigned long long>(last.messages),
              static_cast<unsigned long long>(last.udp), static_cast<unsigned long long>(last.tcp),
              static_cast<double>(last.message_bytes) / 1e6,
              static_cast<unsigned long long>(last.warnings));
  std::printf("read: best %.3f s, median %.3f s of %d: %.0f MB/s, %.0f messages/s\n", best,
              median, runs, mb / best, static_cast<double>(last.messages) / best);
  std::printf("peak RSS: %.1f MB\n", static_cast<double>(ru.ru_maxrss) / 1024);
  if (tshark) {
    auto t = bench::run_child({"/usr/bin/tshark", "-r", path, "-Y", "sip", "-T", "fields", "-e",
                               "sip.Method"});
    std::printf("tshark -r FILE -Y sip -T fields -e sip.Method: %.1f s wall, %.1f s CPU, "
                "%.0f MB peak, exit %d\n",
                t.wall_s, t.user_s + t.sys_s, static_cast<double>(t.max_rss_kb) / 1024,
                t.exit_code);
    std::printf("reader vs tshark: %.1fx faster\n", t.wall_s / best);
  }
  return last.checksum == 1 ? 3 : 0;  // never: keeps the checksum live
}
