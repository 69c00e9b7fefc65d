// IP fragment reassembly: sets kept in arrival order, ranges merged as they come.
#include "capture/ip_reassembly.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace trunk::capture {

void IpReassembly::drop(std::size_t i, std::string_view why, const CaptureWarnings& warn) {
  Set& s = sets_[i];
  std::size_t have = 0;
  for (auto [b, e] : s.have) have += e - b;
  warn.at(s.first_frame, "trace-fragments-dropped",
          "IPv" + std::to_string(s.key.family) + " fragments of datagram id " +
              std::to_string(s.key.id) + " dropped (" + std::to_string(have) +
              " bytes held): " + std::string(why));
  spare_.push_back(std::move(s));
  sets_.erase(sets_.begin() + static_cast<std::ptrdiff_t>(i));
}

bool IpReassembly::complete(Set& s) const {
  return s.total_known && s.have.size() == 1 && s.have[0].first == 0 &&
         s.have[0].second >= s.total;
}

std::span<const std::uint8_t> IpReassembly::add(const FragmentKey& key, std::size_t offset,
                                                bool more, std::span<const std::uint8_t> data,
                                                std::uint64_t frame, std::int64_t time_us,
                                                const CaptureWarnings& warn) {
  // Sets are in the order their first fragment came, so the old ones lead.
  while (!sets_.empty() && time_us - sets_.front().first_time > kMaxAge)
    drop(0, "not completed within 30 s", warn);

  std::size_t i = 0;
  while (i < sets_.size() && !(sets_[i].key == key)) ++i;
  if (i == sets_.size()) {
    if (sets_.size() >= kMaxSets)
      drop(0, "more than " + std::to_string(kMaxSets) + " datagrams in fragments at once", warn);
    Set s;
    if (!spare_.empty()) {
      s = std::move(spare_.back());
      spare_.pop_back();
    }
    s.key = key;
    s.bytes.clear();
    s.have.clear();
    s.total = 0;
    s.total_known = false;
    s.first_frame = frame;
    s.first_time = time_us;
    sets_.push_back(std::move(s));
    i = sets_.size() - 1;
  }
  Set& s = sets_[i];
  if (!(data.size() <= kMaxDatagram && offset <= kMaxDatagram - data.size())) {
    drop(i, "fragment at frame " + std::to_string(frame) + " goes past 64 KiB", warn);
    return {};
  }
  std::size_t end = offset + data.size();
  if (s.bytes.size() < end) s.bytes.resize(end);
  if (!data.empty()) std::memcpy(s.bytes.data() + offset, data.data(), data.size());
  if (!more) {
    s.total = end;
    s.total_known = true;
  }
  if (end > offset) {
    s.have.emplace_back(static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(end));
    std::sort(s.have.begin(), s.have.end());
    std::size_t out = 0;
    for (std::size_t k = 1; k < s.have.size(); ++k) {
      if (s.have[k].first <= s.have[out].second)
        s.have[out].second = std::max(s.have[out].second, s.have[k].second);
      else
        s.have[++out] = s.have[k];
    }
    s.have.resize(out + 1);
  }
  if (!complete(s)) return {};
  std::swap(done_, s.bytes);
  done_.resize(s.total);
  spare_.push_back(std::move(s));
  sets_.erase(sets_.begin() + static_cast<std::ptrdiff_t>(i));
  return {done_.data(), done_.size()};
}

void IpReassembly::finish(const CaptureWarnings& warn) {
  while (!sets_.empty()) drop(0, "the capture ends before the rest", warn);
}

}  // namespace trunk::capture
