// What a reload of several trunkd instances came to (issue #16).
//
// Production runs M trunkd behind N Kamailio; a new tables file is rolled
// out by reloading every trunkd, and the rollout is done only when every
// instance took it and all serve one site digest. This file owns that rule:
// reading each instance's answer to {"cmd":"reload"} (trunkd(8)), and
// judging the set: who refused, who could not be asked, whether they
// disagree or serve another digest than the one expected. Talking to the
// sockets and printing are trunkctl's (tools/trunkctl/daemon.cpp).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace trunk::control {

enum class ReloadState {
  ok,           // trunkd took the new tables
  refused,      // trunkd refused them and still serves the previous ones
  unreachable,  // no answer, or none trunkd would give
};
std::string_view state_name(ReloadState s);  // "ok", "refused", "unreachable"

// One instance's part in the reload.
struct InstanceReload {
  std::string control;  // its control socket's path
  ReloadState state = ReloadState::unreachable;
  std::string site_digest;  // in full (64 hex digits) as served after; empty when unknown
  std::string tables;       // the tables file it serves; empty when unknown
  std::string error;        // why it refused, or why it could not be asked
};

// The instance at `control` as its reload reply line `reply` tells it.
// A reply that is no JSON object, or has no "ok", makes it unreachable with
// `error` saying so; a reply without a digest leaves site_digest empty.
InstanceReload read_reload_reply(std::string control, std::string_view reply);

// Checks `--expect-digest`: 8 to 64 hex digits, either case. Returns the
// prefix in lower case (trunkd writes digests so), or empty with `error`.
std::string digest_prefix(std::string_view text, std::string& error);

struct ReloadFinding {
  std::string code;  // "instances-disagree", "digest-mismatch", "no-digest"
  std::string message;
  bool operator==(const ReloadFinding&) const = default;
};

struct ReloadOutcome {
  std::vector<ReloadFinding> findings;  // about the set, beyond each instance's state
  // 0: every instance reloaded and all serve one digest (the expected one,
  // when given); 1: anything else while one instance at least answered;
  // 2: none answered.
  int exit_code = 0;
};

// Judges the reload of `instances`. `expect` is digest_prefix()'s result or
// empty: then instances serving different digests are a finding, since a
// reload everywhere should end with one. Digests are named by their first
// 16 hex digits in messages.
ReloadOutcome judge_reload(std::span<const InstanceReload> instances, std::string_view expect);

}  // namespace trunk::control
