// Line diffs: the shortest edit script between two texts (Myers, "An
// O(ND) Difference Algorithm", 1986) and its unified-diff rendering, as
// `diff -u` writes it. trunkctl --dry-run shows a site change this way.
//
// Lines are compared with their line ending, so a missing final newline is
// a difference (shown as "\ No newline at end of file"). The texts are
// rendered as given: callers mask secrets before diffing. Time grows with
// the number of differing lines (D) times the lines between the first and
// the last difference, memory with D squared; site edits touch a few lines.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::text {

// The lines of `text`, each with its '\n' (the last may have none). An
// empty text has no lines. The views point into `text`.
std::vector<std::string_view> split_lines(std::string_view text);

enum class Op { keep, remove, insert };

// One step of an edit script: keep a[a_index] (== b[b_index]), remove
// a[a_index], or insert b[b_index].
struct LineEdit {
  Op op;
  std::size_t a_index;
  std::size_t b_index;
  friend bool operator==(const LineEdit&, const LineEdit&) = default;
};

// A shortest edit script turning `a` into `b`: every line of both, in
// order, each kept, removed or inserted. Removals come before insertions
// where a run of lines is replaced.
std::vector<LineEdit> diff_lines(std::span<const std::string_view> a,
                                 std::span<const std::string_view> b);

// A file name as a diff header writes it: as it is, or, when it holds a
// space, a double quote, a backslash, a control character or a byte above
// 0x7e, in double quotes with C escapes (\" \\ \t \n, octal for the
// others), as git writes such names. `patch -p1` and `git apply` both read
// that form back; a bare name with a space is cut at the space.
std::string diff_name(std::string_view name);

// `a` and `b` as a unified diff: "--- a_name", "+++ b_name" (through
// diff_name), then hunks with `context` lines around each change; hunks
// whose context would touch are merged. Empty when the texts are equal.
std::string unified_diff(std::string_view a_name, std::string_view b_name, std::string_view a,
                         std::string_view b, std::size_t context = 3);

}  // namespace trunk::text
