// The admin block of the config file (admin.token_file, admin.protect_reads). Kept beside the
// admin tests because these keys exist for the admin listener.
#include <gtest/gtest.h>

#include <string>

#include "proxy/config/config_loader.h"

namespace meshlb::config {
namespace {

std::string withAdmin(std::string_view admin) {
  return std::string(R"({"admin": )") + std::string(admin) +
         R"(, "listeners": [{"name": "main", "address": "127.0.0.1:8080",
                             "routes": [{"cluster": "web"}]}],
             "clusters": [{"name": "web", "hosts": [{"address": "10.0.0.1:80"}]}]})";
}

TEST(AdminConfigTest, ReadsTokenFileAndProtectReads) {
  LoadResult result = loadConfigFromString(
      withAdmin(R"({"address": "127.0.0.1:9000", "token_file": "/etc/meshlb/admin.token",
                    "protect_reads": true})"));
  ASSERT_TRUE(result.errors.empty()) << result.errors[0].toString();
  EXPECT_EQ(result.config->admin.token_file, "/etc/meshlb/admin.token");
  EXPECT_TRUE(result.config->admin.protect_reads);
}

TEST(AdminConfigTest, DefaultsToNoTokenFileAndOpenReads) {
  LoadResult result = loadConfigFromString(withAdmin(R"({"address": "127.0.0.1:9000"})"));
  ASSERT_TRUE(result.errors.empty()) << result.errors[0].toString();
  EXPECT_EQ(result.config->admin.token_file, "");
  EXPECT_FALSE(result.config->admin.protect_reads);
}

TEST(AdminConfigTest, RejectsWrongTypes) {
  LoadResult result =
      loadConfigFromString(withAdmin(R"({"token_file": 3, "protect_reads": "yes"})"));
  ASSERT_EQ(result.errors.size(), 2u);
  EXPECT_EQ(result.errors[0].path, "admin.token_file");
  EXPECT_EQ(result.errors[1].path, "admin.protect_reads");
}

}  // namespace
}  // namespace meshlb::config
