// Judging a reload of several trunkd (libtrunk/control/reload_outcome.hpp):
// reading each reply, the exit code of the set, and the findings' text.
#include "control/reload_outcome.hpp"

#include <doctest/doctest.h>

using namespace trunk::control;

namespace {

const std::string kA = "aaaaaaaaaaaaaaaa" + std::string(48, '1');
const std::string kB = "bbbbbbbbbbbbbbbb" + std::string(48, '2');

InstanceReload served(std::string control, ReloadState state, std::string digest) {
  return {std::move(control), state, std::move(digest), "/t", {}};
}

}  // namespace

TEST_CASE("reload outcome: replies read into states") {
  auto ok = read_reload_reply(
      "a.sock", R"j({"ok":true,"message":"reloaded /t (site digest x)","site_digest":")j" + kA +
                    R"(","tables":"/t"})");
  CHECK(ok.state == ReloadState::ok);
  CHECK(ok.site_digest == kA);
  CHECK(ok.tables == "/t");
  CHECK(ok.error.empty());
  auto refused = read_reload_reply(
      "b.sock", R"({"ok":false,"message":"reload refused, still serving the previous tables: )"
                R"(bad magic","site_digest":")" + kB + R"("})");
  CHECK(refused.state == ReloadState::refused);
  CHECK(refused.site_digest == kB);
  CHECK(refused.error == "reload refused, still serving the previous tables: bad magic");
  auto error = read_reload_reply("c.sock", R"({"ok":false,"error":"unknown cmd"})");
  CHECK(error.state == ReloadState::refused);
  CHECK(error.error == "unknown cmd");
  auto garbage = read_reload_reply("d.sock", "SIP/2.0 200 OK");
  CHECK(garbage.state == ReloadState::unreachable);
  CHECK(garbage.error ==
        "the answer from d.sock is no trunkd reload reply (at byte 0: expected a JSON value)");
  CHECK(read_reload_reply("e.sock", R"({"message":"ok"})").state == ReloadState::unreachable);
}

TEST_CASE("reload outcome: --expect-digest takes 8 to 64 hex digits") {
  std::string error;
  CHECK(digest_prefix("AAAAaaaa", error) == "aaaaaaaa");
  CHECK(digest_prefix(kA, error) == kA);
  CHECK(digest_prefix("aaaaaaa", error).empty());
  CHECK(error == "--expect-digest takes 8 to 64 hex digits (a site digest or its start), "
                 "not \"aaaaaaa\"");
  CHECK(digest_prefix("aaaaaaag", error).empty());
  CHECK(digest_prefix(kA + "0", error).empty());
}

TEST_CASE("reload outcome: every instance reloaded to one digest is clean") {
  std::vector<InstanceReload> all{served("a", ReloadState::ok, kA),
                                  served("b", ReloadState::ok, kA)};
  auto out = judge_reload(all, "");
  CHECK(out.exit_code == 0);
  CHECK(out.findings.empty());
  CHECK(judge_reload(all, "aaaaaaaa").exit_code == 0);
}

TEST_CASE("reload outcome: instances that disagree are a finding") {
  std::vector<InstanceReload> all{served("c", ReloadState::ok, kB),
                                  served("a", ReloadState::ok, kA),
                                  served("b", ReloadState::ok, kA)};
  auto out = judge_reload(all, "");
  CHECK(out.exit_code == 1);
  REQUIRE(out.findings.size() == 1);
  CHECK(out.findings[0] ==
        ReloadFinding{"instances-disagree",
                      "instances disagree: aaaaaaaaaaaaaaaa on a, b; bbbbbbbbbbbbbbbb on c"});
}

TEST_CASE("reload outcome: an instance serving another digest than expected") {
  std::vector<InstanceReload> all{served("a", ReloadState::ok, kA),
                                  served("b", ReloadState::ok, kA)};
  auto out = judge_reload(all, "bbbbbbbb");
  CHECK(out.exit_code == 1);
  REQUIRE(out.findings.size() == 2);
  CHECK(out.findings[0] ==
        ReloadFinding{"digest-mismatch", "a serves site digest aaaaaaaaaaaaaaaa, not bbbbbbbb"});
}

TEST_CASE("reload outcome: refused or unreachable is a finding; none answering exits 2") {
  std::vector<InstanceReload> all{served("a", ReloadState::ok, kA),
                                  served("b", ReloadState::unreachable, "")};
  CHECK(judge_reload(all, "").exit_code == 1);
  CHECK(judge_reload(all, "").findings.empty());  // the state says it
  all[1] = served("b", ReloadState::refused, kA);
  CHECK(judge_reload(all, "").exit_code == 1);
  all = {served("a", ReloadState::unreachable, ""), served("b", ReloadState::unreachable, "")};
  CHECK(judge_reload(all, "").exit_code == 2);
}

TEST_CASE("reload outcome: an instance that names no digest is a finding") {
  std::vector<InstanceReload> all{served("a", ReloadState::ok, kA),
                                  served("b", ReloadState::ok, "")};
  auto out = judge_reload(all, "");
  CHECK(out.exit_code == 1);
  REQUIRE(out.findings.size() == 1);
  CHECK(out.findings[0] ==
        ReloadFinding{"no-digest", "b did not say which site digest it serves"});
}
