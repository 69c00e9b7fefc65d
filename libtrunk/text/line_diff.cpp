// Myers' greedy forward algorithm with a saved frontier per edit distance,
// walked back to recover the script; common head and tail are trimmed first
// so a small edit in a large file costs little.
#include "text/line_diff.hpp"

#include <algorithm>
#include <cstdint>

namespace trunk::text {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t nl = text.find('\n', begin);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return lines;
}

namespace {

// The script for a[a0, a1) against b[b0, b1), appended to `out`.
void myers(std::span<const std::string_view> a, std::span<const std::string_view> b,
           std::size_t a0, std::size_t a1, std::size_t b0, std::size_t b1,
           std::vector<LineEdit>& out) {
  const auto n = static_cast<std::int64_t>(a1 - a0);
  const auto m = static_cast<std::int64_t>(b1 - b0);
  const std::int64_t max = n + m;
  const std::int64_t offset = max + 1;
  std::vector<std::int64_t> v(static_cast<std::size_t>(2 * max + 3), 0);
  // trace[d] keeps v[-d-1 .. d+1] as it was before step d: all the walk
  // back reads, so memory grows with D squared, not D times the lines.
  std::vector<std::vector<std::int64_t>> trace;
  auto at = [&](std::vector<std::int64_t>& vec, std::int64_t k) -> std::int64_t& {
    return vec[static_cast<std::size_t>(k + offset)];
  };
  auto saved = [&](std::int64_t d, std::int64_t k) {
    return trace[static_cast<std::size_t>(d)][static_cast<std::size_t>(k + d + 1)];
  };
  std::int64_t found = -1;
  for (std::int64_t d = 0; d <= max && found < 0; ++d) {
    trace.emplace_back(v.begin() + (offset - d - 1), v.begin() + (offset + d + 2));
    for (std::int64_t k = -d; k <= d; k += 2) {
      std::int64_t x = (k == -d || (k != d && at(v, k - 1) < at(v, k + 1)))
                           ? at(v, k + 1)        // down: an insertion
                           : at(v, k - 1) + 1;   // right: a removal
      std::int64_t y = x - k;
      while (x < n && y < m &&
             a[a0 + static_cast<std::size_t>(x)] == b[b0 + static_cast<std::size_t>(y)]) {
        ++x;
        ++y;
      }
      at(v, k) = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  // Walk back from (n, m), collecting the steps in reverse.
  std::vector<LineEdit> rev;
  std::int64_t x = n, y = m;
  for (std::int64_t d = found; d >= 0; --d) {
    std::int64_t k = x - y;
    std::int64_t prev_k = 0, prev_x = 0, prev_y = 0;
    if (d > 0) {
      bool down = k == -d || (k != d && saved(d, k - 1) < saved(d, k + 1));
      prev_k = down ? k + 1 : k - 1;
      prev_x = saved(d, prev_k);
      prev_y = prev_x - prev_k;
    }
    while (x > prev_x && y > prev_y) {
      --x;
      --y;
      rev.push_back({Op::keep, a0 + static_cast<std::size_t>(x), b0 + static_cast<std::size_t>(y)});
    }
    if (d == 0) break;
    if (x == prev_x) {
      --y;
      rev.push_back({Op::insert, a0 + static_cast<std::size_t>(x), b0 + static_cast<std::size_t>(y)});
    } else {
      --x;
      rev.push_back({Op::remove, a0 + static_cast<std::size_t>(x), b0 + static_cast<std::size_t>(y)});
    }
  }
  out.insert(out.end(), rev.rbegin(), rev.rend());
}

// Within each run of changes, removals first: the order `diff -u` prints.
// The indices are then recounted: an insertion's a_index (and a removal's
// b_index) is where it stands in the other text.
void removals_first(std::vector<LineEdit>& script) {
  for (std::size_t i = 0; i < script.size();) {
    if (script[i].op == Op::keep) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < script.size() && script[j].op != Op::keep) ++j;
    std::stable_partition(script.begin() + static_cast<std::ptrdiff_t>(i),
                          script.begin() + static_cast<std::ptrdiff_t>(j),
                          [](const LineEdit& e) { return e.op == Op::remove; });
    i = j;
  }
  std::size_t a = 0, b = 0;
  for (LineEdit& e : script) {
    e.a_index = a;
    e.b_index = b;
    if (e.op != Op::insert) ++a;
    if (e.op != Op::remove) ++b;
  }
}

std::string range(std::size_t start, std::size_t count) {
  // diff -u: "l" for one line, "l,n" otherwise; an empty range names the
  // line before it.
  if (count == 1) return std::to_string(start + 1);
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

void add_line(std::string& out, char mark, std::string_view line) {
  out += mark;
  if (!line.empty() && line.back() == '\n') {
    out += line;
  } else {
    out += line;
    out += "\n\\ No newline at end of file\n";
  }
}

}  // namespace

std::string diff_name(std::string_view name) {
  auto plain = [](unsigned char c) { return c > ' ' && c < 0x7f && c != '"' && c != '\\'; };
  if (std::all_of(name.begin(), name.end(), plain)) return std::string(name);
  std::string out = "\"";
  for (unsigned char c : name) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      default:
        if (c == ' ' || plain(c)) {
          out += static_cast<char>(c);
        } else {
          const char octal[] = {'\\', static_cast<char>('0' + (c >> 6)),
                                static_cast<char>('0' + ((c >> 3) & 7)),
                                static_cast<char>('0' + (c & 7)), 0};
          out += octal;
        }
    }
  }
  return out += '"';
}

std::vector<LineEdit> diff_lines(std::span<const std::string_view> a,
                                 std::span<const std::string_view> b) {
  std::vector<LineEdit> script;
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) {
    script.push_back({Op::keep, head, head});
    ++head;
  }
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
    ++tail;
  myers(a, b, head, a.size() - tail, head, b.size() - tail, script);
  for (std::size_t i = tail; i > 0; --i)
    script.push_back({Op::keep, a.size() - i, b.size() - i});
  removals_first(script);
  return script;
}

std::string unified_diff(std::string_view a_name, std::string_view b_name, std::string_view a,
                         std::string_view b, std::size_t context) {
  if (a == b) return {};
  std::vector<std::string_view> la = split_lines(a), lb = split_lines(b);
  std::vector<LineEdit> script = diff_lines(la, lb);
  std::string out = "--- " + diff_name(a_name) + "\n+++ " + diff_name(b_name) + "\n";
  std::size_t i = 0;
  while (i < script.size()) {
    // The next change, and its hunk: context before, then changes whose gaps
    // of kept lines are at most 2 * context, then context after.
    while (i < script.size() && script[i].op == Op::keep) ++i;
    if (i == script.size()) break;
    std::size_t first = i >= context ? i - context : 0;
    std::size_t last = i;  // one past the last change
    for (std::size_t j = i; j < script.size();) {
      if (script[j].op != Op::keep) {
        last = ++j;
        continue;
      }
      std::size_t k = j;
      while (k < script.size() && script[k].op == Op::keep) ++k;
      if (k == script.size() || k - j > 2 * context) break;
      j = k;
    }
    std::size_t end = std::min(script.size(), last + context);
    std::size_t a_start = script[first].a_index, b_start = script[first].b_index;
    std::size_t a_count = 0, b_count = 0;
    for (std::size_t j = first; j < end; ++j) {
      if (script[j].op != Op::insert) ++a_count;
      if (script[j].op != Op::remove) ++b_count;
    }
    out += "@@ -" + range(a_start, a_count) + " +" + range(b_start, b_count) + " @@\n";
    for (std::size_t j = first; j < end; ++j) {
      const LineEdit& e = script[j];
      if (e.op == Op::keep) add_line(out, ' ', la[e.a_index]);
      else if (e.op == Op::remove) add_line(out, '-', la[e.a_index]);
      else add_line(out, '+', lb[e.b_index]);
    }
    i = end;
  }
  return out;
}

}  // namespace trunk::text
