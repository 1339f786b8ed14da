#pragma once

#include <optional>
#include <string_view>

namespace meshlb::admin {

// One file of the dashboard page, compiled into the binary so the page works with no files
// beside the binary and no network (uPlot comes from the npm registry at build time, pinned by
// admin/dashboard/package-lock.json).
struct DashboardAsset {
  std::string_view content_type;
  std::string_view body;
};

// The file served at /dashboard/<name> ("index.html" for /); nullopt for an unknown name.
// Static data; any thread.
std::optional<DashboardAsset> dashboardAsset(std::string_view name);

}  // namespace meshlb::admin
