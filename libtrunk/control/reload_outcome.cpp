// Reading reload replies and judging a reload of several trunkd; see
// reload_outcome.hpp.
#include "control/reload_outcome.hpp"

#include <algorithm>
#include <map>

#include "diag/json_reader.hpp"
#include "text/ascii.hpp"

namespace trunk::control {

std::string_view state_name(ReloadState s) {
  switch (s) {
    case ReloadState::ok: return "ok";
    case ReloadState::refused: return "refused";
    case ReloadState::unreachable: return "unreachable";
  }
  return "unreachable";
}

InstanceReload read_reload_reply(std::string control, std::string_view reply) {
  InstanceReload r;
  r.control = std::move(control);
  diag::JsonValue v;
  std::string error;
  if (!diag::read_json(reply, v, error) || !v.is_object() || !v.find("ok")) {
    r.error = "the answer from " + r.control + " is no trunkd reload reply" +
              (error.empty() ? std::string() : " (" + error + ")");
    return r;
  }
  r.state = v.is_true("ok") ? ReloadState::ok : ReloadState::refused;
  r.site_digest = v.string_or("site_digest");
  r.tables = v.string_or("tables");
  // A refusal's reason is in "message" (a refused reload) or "error" (a
  // request trunkd did not take at all).
  if (r.state == ReloadState::refused)
    r.error = v.string_or("message", v.string_or("error", "refused without a reason"));
  return r;
}

std::string digest_prefix(std::string_view text, std::string& error) {
  const bool hex = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
  if (!hex || text.size() < 8 || text.size() > 64) {
    error = "--expect-digest takes 8 to 64 hex digits (a site digest or its start), not \"" +
            std::string(text) + "\"";
    return {};
  }
  return text::ascii_lower(text);
}

ReloadOutcome judge_reload(std::span<const InstanceReload> instances, std::string_view expect) {
  ReloadOutcome out;
  auto short_digest = [](const std::string& d) { return d.substr(0, 16); };
  bool answered = false, all_ok = true;
  // Digest -> the instances serving it, in a sorted map: the message reads
  // the same on every run.
  std::map<std::string, std::string> serving;
  for (const auto& i : instances) {
    all_ok = all_ok && i.state == ReloadState::ok;
    if (i.state == ReloadState::unreachable) continue;
    answered = true;
    if (i.site_digest.empty()) {
      out.findings.push_back({"no-digest", i.control + " did not say which site digest it serves"});
      continue;
    }
    std::string& names = serving[i.site_digest];
    names += (names.empty() ? "" : ", ") + i.control;
    if (!expect.empty() && !i.site_digest.starts_with(expect))
      out.findings.push_back({"digest-mismatch", i.control + " serves site digest " +
                                                     short_digest(i.site_digest) + ", not " +
                                                     std::string(expect)});
  }
  if (expect.empty() && serving.size() > 1) {
    std::string message = "instances disagree:";
    bool first = true;
    for (const auto& [digest, names] : serving) {
      message += (first ? " " : "; ") + short_digest(digest) + " on " + names;
      first = false;
    }
    out.findings.push_back({"instances-disagree", message});
  }
  out.exit_code = !answered ? 2 : all_ok && out.findings.empty() ? 0 : 1;
  return out;
}

}  // namespace trunk::control
