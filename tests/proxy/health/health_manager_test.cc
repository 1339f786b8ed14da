#include "proxy/health/health_manager.h"

#include <gtest/gtest.h>

#include "proxy/config/config_loader.h"

namespace meshlb::health {
namespace {

std::shared_ptr<const config::Config> load(const std::string& hosts) {
  config::LoadResult loaded = config::loadConfigFromString(
      R"({"listeners": [{"name": "web", "address": "127.0.0.1:18080",
                         "routes": [{"cluster": "app"}]}],
          "clusters": [{"name": "app", "hosts": [)" +
      hosts + "]}]}");
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors[0].toString();
  return loaded.config;
}

// Operator changes through the admin API, on a private loop (no checks configured, so nothing
// runs on it but the manager's own handles).
class HealthManagerOperatorTest : public ::testing::Test {
 protected:
  void SetUp() override { uv_loop_init(&loop_); }
  void TearDown() override {
    manager_->stop();
    uv_run(&loop_, UV_RUN_NOWAIT);
    manager_.reset();
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  void start(std::shared_ptr<const config::Config> config) {
    manager_ = std::make_unique<HealthManager>(
        &loop_, std::move(config), [this](HealthSnapshotPtr snapshot) { published_ = snapshot; });
    manager_->start();
  }

  uv_loop_t loop_{};
  std::unique_ptr<HealthManager> manager_;
  HealthSnapshotPtr published_;
};

TEST_F(HealthManagerOperatorTest, DrainAndWeightArePublishedAtOnce) {
  start(load(R"({"address": "127.0.0.1:1"}, {"address": "127.0.0.1:2", "weight": 4})"));
  ASSERT_NE(published_, nullptr);
  EXPECT_EQ(published_->weights[0], (std::vector<uint32_t>{1, 4}));

  manager_->setOperatorDrain(0, 1, true);
  EXPECT_EQ(published_->clusters[0][1], kDraining);
  EXPECT_EQ(hostStateName(manager_->host(0, 1).flags), "draining");
  manager_->setOperatorWeight(0, 0, 7);
  EXPECT_EQ(published_->weights[0], (std::vector<uint32_t>{7, 4}));
  EXPECT_EQ(manager_->host(0, 0).weight, 7u);
  manager_->setOperatorDrain(0, 1, false);
  EXPECT_EQ(published_->clusters[0][1], 0);
}

TEST_F(HealthManagerOperatorTest, OperatorChangesOutliveAReloadThatKeepsTheHost) {
  start(load(R"({"address": "127.0.0.1:1"}, {"address": "127.0.0.1:2"})"));
  manager_->setOperatorDrain(0, 1, true);
  manager_->setOperatorWeight(0, 0, 5);
  // Host 2 moves to index 0; host 1 leaves and comes back later.
  manager_->reconfigure(load(R"({"address": "127.0.0.1:2"}, {"address": "127.0.0.1:3"})"), 2);
  EXPECT_EQ(published_->generation, 2u);
  EXPECT_EQ(published_->clusters[0], (std::vector<uint8_t>{kDraining, 0}));
  EXPECT_EQ(published_->weights[0], (std::vector<uint32_t>{1, 1}));
  manager_->reconfigure(load(R"({"address": "127.0.0.1:1"})"), 3);
  EXPECT_EQ(published_->weights[0], (std::vector<uint32_t>{5}));
}

TEST_F(HealthManagerOperatorTest, AnnotateFillsHealthIntoAMatchingSnapshot) {
  start(load(R"({"address": "127.0.0.1:1", "weight": 3})"));
  manager_->setOperatorDrain(0, 0, true);
  stats::StatsSnapshot snapshot;
  snapshot.config_generation = 1;
  snapshot.clusters.resize(1);
  snapshot.clusters[0].hosts.resize(1);
  manager_->annotate(snapshot);
  EXPECT_EQ(snapshot.clusters[0].hosts[0].health_flags, kDraining);
  EXPECT_EQ(snapshot.clusters[0].hosts[0].weight, 3u);

  stats::StatsSnapshot other_generation;
  other_generation.config_generation = 2;
  other_generation.clusters.resize(1);
  other_generation.clusters[0].hosts.resize(1);
  manager_->annotate(other_generation);
  EXPECT_EQ(other_generation.clusters[0].hosts[0].health_flags, 0);
}

}  // namespace
}  // namespace meshlb::health
