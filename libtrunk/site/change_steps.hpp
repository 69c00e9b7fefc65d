// What the steps of planning site changes share (change.cpp runs the
// steps; change_edit.cpp makes each kind of change on the texts): the
// plan being made and the results a step may end it with. Internal to
// libtrunk/site: tools use change.hpp.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostic.hpp"
#include "site/change.hpp"
#include "site/settings.hpp"

namespace trunk::site::change_steps {

using Kind = ChangeRequest::Kind;

// A name in quotes, as messages show names.
inline std::string q(std::string_view s) { return diag::quoted(s); }

struct Checked {
  Site site;
  diag::SourceText sources;
  diag::Sink sink;
};

// What the steps of plan_changes share: the site before the changes, the
// texts being edited, the trunks as the edits so far left them, and, for
// the change at hand, its request and where its trunk is. `trunk` points
// into `trunks`, so a Plan stays where it is made.
struct Plan {
  const ChangeRequest* current = nullptr;
  const ChangeRequest& req() const { return *current; }
  std::vector<Setting> settings;
  Checked before;
  std::vector<SiteFile> files;
  std::vector<Trunk> trunks;
  const Trunk* trunk = nullptr;
  std::size_t file = 0, ordinal = 0;  // the trunk's file and its ordinal there
  std::string message;
};

// A step that may end the plan early: the result to return when it does.
using Stop = std::optional<ChangeResult>;

// A change that cannot be made as asked (exit 2).
ChangeResult unusable(std::string message, std::vector<std::string> hints = {});
// The site refuses the change: the findings in `c` (exit 1).
ChangeResult findings(Checked& c, std::string message);
ChangeResult edit_failed(const std::string& file, const std::string& error);
std::string join(const std::vector<std::string>& items);

// The rules that use the trunk `name` (for `tenant`, only that tenant's):
// routes, inbound rules, other trunks' failover and expectations, one
// finding each in `sink`; returns how many. `trunks` are the trunks as the
// earlier changes of the batch left them.
std::size_t report_uses(const Site& site, const std::vector<Trunk>& trunks,
                        const std::string& name, const std::string& tenant, diag::Sink& sink);
// The file a new trunk goes into (see change.hpp).
std::size_t file_for_new_trunk(const std::vector<SiteFile>& files,
                               const std::vector<Trunk>& trunks);

// The request's own edit, then its --set settings, on the trunk's file
// (change_edit.cpp).
Stop edit_texts(Plan& p);

}  // namespace trunk::site::change_steps
