// Diagnostics as GitHub Actions workflow commands, so that a site check run
// in a workflow annotates the file and line of each finding in the pull
// request (`--format github`).
//
// One line per diagnostic:
//     ::error file=F,line=L,col=C,title=CODE::message
// `error`, `warning` or `notice` from the severity; the position properties
// only as far as the diagnostic knows them (no endLine/endColumn: GitHub
// does not say whether its end column is inclusive, and an annotation's
// start is what a reviewer needs). The message carries the related
// place and the hints on further lines (%0A), as the text form shows them.
// Escaping is GitHub's (actions/toolkit, command.ts): in the message % CR LF
// become %25 %0D %0A; in a property : and , become %3A %2C as well, so no
// input (a file name, a message quoting the site) can end a property or the
// command early or start a second command. Messages never carry secrets
// (diagnostic.hpp), so nothing here redacts.
#pragma once

#include <string>
#include <string_view>

#include "diag/diagnostic.hpp"

namespace trunk::diag {

// The workflow command for `d`, with its newline.
std::string render_github(const Diagnostic& d);
// Every diagnostic of `sink`, in its order.
std::string render_github(const Sink& sink);

// GitHub's escaping of a command's message and of a property's value.
std::string escape_github_message(std::string_view s);
std::string escape_github_property(std::string_view s);

}  // namespace trunk::diag
