// Label sets and Alertmanager's fingerprint (the alert id).

#include "alerting/model/labels.h"

#include <gtest/gtest.h>

namespace meshlb::alerting {
namespace {

TEST(AlertLabels, MakeLabelSetSortsAndTheLastValueWins) {
  const LabelSet labels = makeLabelSet({{"b", "1"}, {"a", "2"}, {"b", "3"}});
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0], Label("a", "2"));
  EXPECT_EQ(labels[1], Label("b", "3"));
}

TEST(AlertLabels, FindLabel) {
  const LabelSet labels = makeLabelSet({{"host", "h"}, {"cluster", "c"}});
  ASSERT_NE(findLabel(labels, "host"), nullptr);
  EXPECT_EQ(*findLabel(labels, "host"), "h");
  EXPECT_EQ(findLabel(labels, "hos"), nullptr);
  EXPECT_EQ(findLabel(labels, "zzz"), nullptr);
  EXPECT_EQ(findLabel({}, "host"), nullptr);
}

TEST(AlertLabels, ValidLabelNames) {
  EXPECT_TRUE(validLabelName("a"));
  EXPECT_TRUE(validLabelName("_x9"));
  EXPECT_TRUE(validLabelName("Team_2"));
  EXPECT_FALSE(validLabelName(""));
  EXPECT_FALSE(validLabelName("9a"));
  EXPECT_FALSE(validLabelName("a-b"));
  EXPECT_FALSE(validLabelName("a:b"));
  EXPECT_FALSE(validLabelName("ä"));
}

// Known answers from a real Alertmanager 0.25.
TEST(AlertLabels, FingerprintMatchesAlertmanager) {
  EXPECT_EQ(fingerprint(makeLabelSet({{"alertname", "BackendDown"},
                                      {"cluster", "app"},
                                      {"host", "127.0.0.1:9002"},
                                      {"severity", "critical"}})),
            "36b06c7f023d27d1");
  EXPECT_EQ(fingerprint(makeLabelSet({{"alertname", "X"}})), "d2aeefc389ca7746");
}

TEST(AlertLabels, FingerprintSeparatesNamesFromValues) {
  EXPECT_NE(fingerprint({{"a", "bc"}}), fingerprint({{"ab", "c"}}));
  EXPECT_EQ(fingerprint({}).size(), 16u);
}

}  // namespace
}  // namespace meshlb::alerting
