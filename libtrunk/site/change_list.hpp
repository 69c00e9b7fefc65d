// Reading a list of site changes, as `trunkctl apply` takes it: JSON lines,
// one change per line, with the field names of the commands' arguments
// and flags (trunkctl(1), APPLYING CHANGES IN A BATCH):
//
//   {"op":"add","trunk":"NAME","template":"generic","set":{"host":"192.0.2.10"}}
//   {"op":"set","trunk":"NAME","set":{"port":5080,"associated_ips":["192.0.2.1"]}}
//   {"op":"remove","trunk":"NAME"}
//   {"op":"assign","trunk":"NAME","tenant":"acme","did-pool":"1000-1999"}
//   {"op":"unassign","trunk":"NAME","tenant":"acme"}
//
// This file owns the format only: that each line is valid UTF-8 holding one
// JSON object, the ops, which field each op takes and its JSON type. What a
// change means to the site is plan_changes' (site/change.hpp). Blank lines
// are skipped. Every problem is a diagnostic at the line (and, where it can
// be told, the column) of the input; a value is never quoted, so a password
// set by a change does not reach a message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostic.hpp"
#include "site/change.hpp"

namespace trunk::site {

// One change of the list, with where it was written.
struct ListedChange {
  ChangeRequest request;     // `templates` is left for the caller (template_search)
  std::string templates_dir;  // "templates": the --templates flag of add
  std::uint32_t line = 0;     // from 1
};

// Reads `text`, the list named `name` in diagnostics, into `out`. Returns
// false, with errors in `sink` (codes change-utf8, change-json, change-op,
// change-field; one per bad line, every bad line reported), when any line
// is not a change; `out` then holds the good ones only. Never throws.
bool read_change_list(std::string_view text, const std::string& name,
                      std::vector<ListedChange>& out, diag::Sink& sink);

}  // namespace trunk::site
