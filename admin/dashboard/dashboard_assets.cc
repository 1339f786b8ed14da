#include "admin/dashboard/dashboard_assets.h"

#include <cstddef>

namespace meshlb::admin {
namespace {

struct EmbeddedAsset {
  const char* name;
  const char* content_type;
  const unsigned char* data;
  size_t size;
};

#include "admin/dashboard/dashboard_assets.inc"

}  // namespace

std::optional<DashboardAsset> dashboardAsset(std::string_view name) {
  for (const EmbeddedAsset& asset : kEmbeddedAssets) {
    if (name == asset.name) {
      return DashboardAsset{asset.content_type,
                            {reinterpret_cast<const char*>(asset.data), asset.size}};
    }
  }
  return std::nullopt;
}

}  // namespace meshlb::admin
