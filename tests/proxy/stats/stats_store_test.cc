#include "proxy/stats/stats_store.h"

#include <gtest/gtest.h>

#include "proxy/config/config_loader.h"

namespace meshlb::stats {
namespace {

std::shared_ptr<const config::Config> load(const std::string& clusters) {
  config::LoadResult loaded = config::loadConfigFromString(
      R"({"listeners": [{"name": "web", "address": "127.0.0.1:18080",
                         "routes": [{"cluster": "app"}]}],
          "clusters": [)" +
      clusters + "]}");
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors[0].toString();
  return loaded.config;
}

TEST(StatsStoreTest, MergeSumsEveryWorkersBlocks) {
  auto config = load(R"({"name": "app", "hosts": [{"address": "127.0.0.1:1"},
                                                  {"address": "127.0.0.1:2"}]})");
  StatsStore store(2);
  auto blocks = store.resolve(*config);
  ASSERT_EQ(blocks->workers.size(), 2u);
  blocks->workers[0].hosts[0][1]->recordStatus(200);
  blocks->workers[1].hosts[0][1]->recordStatus(200);
  blocks->workers[1].hosts[0][1]->requests_active.add();
  blocks->workers[0].clusters[0]->lb_panic.add();
  blocks->workers[1].listeners[0]->requests.add(3);
  // Every worker has its own block.
  EXPECT_NE(blocks->workers[0].hosts[0][1], blocks->workers[1].hosts[0][1]);

  StatsSnapshot snapshot = StatsStore::merge(*config, *blocks);
  ASSERT_EQ(snapshot.clusters.size(), 1u);
  EXPECT_EQ(snapshot.clusters[0].name, "app");
  ASSERT_EQ(snapshot.clusters[0].hosts.size(), 2u);
  EXPECT_EQ(snapshot.clusters[0].hosts[1].address, "127.0.0.1:2");
  EXPECT_EQ(snapshot.clusters[0].hosts[1].values.responses_by_class[1], 2u);
  EXPECT_EQ(snapshot.clusters[0].hosts[1].values.requests_active, 1u);
  EXPECT_EQ(snapshot.clusters[0].hosts[0].values.responses_by_class[1], 0u);
  EXPECT_EQ(snapshot.clusters[0].values.lb_panic, 1u);
  ASSERT_EQ(snapshot.listeners.size(), 1u);
  EXPECT_EQ(snapshot.listeners[0].name, "web");
  EXPECT_EQ(snapshot.listeners[0].values.requests, 3u);
}

TEST(StatsStoreTest, AReloadKeepsTheBlocksOfWhatStays) {
  StatsStore store(1);
  auto first = load(R"({"name": "app", "hosts": [{"address": "127.0.0.1:1"},
                                                 {"address": "127.0.0.1:2"}]})");
  auto first_blocks = store.resolve(*first);
  first_blocks->workers[0].hosts[0][1]->recordStatus(200);

  // Host 2 moves to index 0, host 3 is new, host 1 left.
  auto second = load(R"({"name": "app", "hosts": [{"address": "127.0.0.1:2"},
                                                  {"address": "127.0.0.1:3"}]})");
  auto second_blocks = store.resolve(*second);
  EXPECT_EQ(second_blocks->workers[0].hosts[0][0], first_blocks->workers[0].hosts[0][1]);
  StatsSnapshot snapshot = StatsStore::merge(*second, *second_blocks);
  EXPECT_EQ(snapshot.clusters[0].hosts[0].values.responses_by_class[1], 1u);
  EXPECT_EQ(snapshot.clusters[0].hosts[1].values.responses_by_class[1], 0u);
  EXPECT_EQ(second_blocks->workers[0].clusters[0], first_blocks->workers[0].clusters[0]);
  EXPECT_EQ(second_blocks->workers[0].listeners[0], first_blocks->workers[0].listeners[0]);

  // A host that comes back continues its counts.
  auto third = load(R"({"name": "app", "hosts": [{"address": "127.0.0.1:1"}]})");
  auto third_blocks = store.resolve(*third);
  EXPECT_EQ(third_blocks->workers[0].hosts[0][0], first_blocks->workers[0].hosts[0][0]);
}

TEST(StatsStoreTest, SameHostNameInAnotherClusterIsAnotherBlock) {
  StatsStore store(1);
  auto config = load(R"({"name": "app", "hosts": [{"address": "127.0.0.1:1"}]},
                        {"name": "other", "hosts": [{"address": "127.0.0.1:1"}]})");
  auto blocks = store.resolve(*config);
  EXPECT_NE(blocks->workers[0].hosts[0][0], blocks->workers[0].hosts[1][0]);
}

}  // namespace
}  // namespace meshlb::stats
