// Editing a site's TOML text in place: the smallest change that sets a
// trunk's key, adds or removes a [[trunk]] or a [[trunk.tenant]], and
// leaves every other byte of the file, comments included, as it was.
//
// The editor reads a file's layout itself (table headers, key/value
// statements with the byte span of each value, comment and blank lines);
// it does not re-serialize TOML, so formatting and comments survive. A
// trunk is named by its ordinal among the file's [[trunk]] headers (the
// loader's `Trunk::where` gives the header's line; trunk_ordinal maps it).
//
// Comment attachment, the rule every removal and insertion follows:
//   - comment lines directly above a table header (no blank line between)
//     belong to that table, and go with it when it is removed;
//   - comment lines directly below a table's last key belong to the table,
//     unless they run straight into the next header;
//   - blank lines after a table go with it; a table that no blank line
//     follows (it ends the file, or a comment or header comes right after
//     it) takes the blank lines before it instead;
//   - a new table goes after the last table's comments and the blank lines
//     after them, one blank line from what is above it.
// So adding a table and removing it again gives the original bytes back,
// except that a file without a final newline gets one when a line is added
// at its end (and keeps it).
// New lines end as the file's do: in CRLF when its first line does.
//
// The functions never validate the site (the caller loads and checks the
// result) and never print: a layout they cannot edit safely (an inline
// table `limits = {...}`, a key written twice) is an error string, which
// names keys and files but never a value.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::site::edit {

// One statement of a TOML file: a table header or a key/value pair.
struct Statement {
  enum class Kind { header, keyval } kind = Kind::keyval;
  std::string name;           // header "trunk.tenant"; key "limits.total" (unquoted, dotted)
  bool array = false;         // header written [[...]]
  std::size_t line = 0;       // first line, from 0
  std::size_t last_line = 0;  // last line (a value may span lines)
  std::size_t value_begin = 0, value_end = 0;  // keyval: the value's bytes
};

// A file's statements and what each line is.
struct Layout {
  enum class Line { blank, comment, code };
  std::vector<std::size_t> line_starts;  // byte offset of each line
  std::vector<Line> lines;
  std::vector<Statement> statements;
  bool ok = true;  // false: the text is not TOML the editor understands
  std::string error;
};

// Reads the layout of `text`. Never throws.
Layout scan(std::string_view text);

// `s` as a TOML basic string, quoted and escaped.
std::string toml_string(std::string_view s);
// The value of a one-line TOML string literal ("..." or '...'); nullopt for
// anything else (a number, a multi-line string).
std::optional<std::string> string_value(std::string_view toml);

// The ordinal of the [[trunk]] whose header is on `line` (from 1, as the
// loader counts), among the [[trunk]] headers of `text`.
std::optional<std::size_t> trunk_ordinal(std::string_view text, std::size_t line);
// How many [[trunk]] headers `text` has.
std::size_t count_trunks(std::string_view text);

// The edits. Each changes `text` in place and returns true, or returns
// false with `error` set and `text` unchanged. `trunk` is an ordinal.

// Sets `key` ("port", "limits.total", "auth.username") of the trunk to the
// TOML value `value`: replaces the value where the key is written, else adds
// `key = value` after the table's last key, creating [trunk.limits] (etc.)
// before the trunk's first [[trunk.tenant]] (or at its end) when absent.
bool set_key(std::string& text, std::size_t trunk, std::string_view key,
             std::string_view value, std::string& error);
// Removes the trunk's [[trunk]] table with its sub-tables and comments.
bool remove_trunk(std::string& text, std::size_t trunk, std::string& error);
// Adds `block` (a [[trunk]] table, ending in a newline) after the file's
// last [[trunk]] and its sub-tables, or at the end of a file without one,
// one blank line from what is above it.
void append_trunk(std::string& text, std::string_view block);
// Adds a [[trunk.tenant]] table at the end of the trunk's tables.
bool add_assignment(std::string& text, std::size_t trunk, std::string_view tenant,
                    const std::optional<std::string>& did_pool, std::string& error);
// Sets did_pool of the trunk's [[trunk.tenant]] for `tenant`.
bool set_assignment_pool(std::string& text, std::size_t trunk, std::string_view tenant,
                         std::string_view did_pool, std::string& error);
// Removes the trunk's [[trunk.tenant]] table for `tenant`.
bool remove_assignment(std::string& text, std::size_t trunk, std::string_view tenant,
                       std::string& error);

}  // namespace trunk::site::edit
