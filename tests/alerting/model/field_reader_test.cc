// FieldReader: typed reads that never throw, ranges, required keys, unknown keys.

#include "alerting/model/field_reader.h"

#include <gtest/gtest.h>

namespace meshlb::alerting {
namespace {

TEST(AlertFieldReader, ReadsTypedValuesAndReportsEveryProblem) {
  const nlohmann::json node = {{"s", "x"},
                               {"u", 5},
                               {"big", 99},
                               {"neg", -1},
                               {"b", "true"},
                               {"d", 1.5},
                               {"huge", 18446744073709551615ULL},
                               {"other", true}};
  std::vector<FieldError> errors;
  FieldReader reader(node, "p", errors);
  std::string s;
  uint32_t u = 0, big = 0, neg = 0;
  int64_t huge = 0;
  bool b = false;
  double d = 0;
  EXPECT_TRUE(reader.string("s", s));
  EXPECT_TRUE(reader.uint("u", u, 1, 10));
  EXPECT_FALSE(reader.uint("big", big, 1, 10));
  EXPECT_FALSE(reader.uint("neg", neg, 0, 10));
  EXPECT_FALSE(reader.boolean("b", b));
  EXPECT_TRUE(reader.number("d", d));
  EXPECT_FALSE(reader.int64("huge", huge, 0, INT64_MAX));
  EXPECT_FALSE(reader.string("missing", s, true));
  reader.finish();
  EXPECT_EQ(s, "x");
  EXPECT_EQ(u, 5u);
  EXPECT_EQ(d, 1.5);
  ASSERT_EQ(errors.size(), 6u);
  EXPECT_EQ(errors[0].path, "p.big");
  EXPECT_EQ(errors[0].reason, "must be between 1 and 10");
  EXPECT_EQ(errors[1].path, "p.neg");
  EXPECT_EQ(errors[2].reason, "expected true or false");
  EXPECT_EQ(errors[3].path, "p.huge");
  EXPECT_EQ(errors[4].path, "p.missing");
  EXPECT_EQ(errors[4].reason, "is required");
  EXPECT_EQ(errors[5].path, "p.other");
  EXPECT_EQ(errors[5].reason, "unknown key");
}

TEST(AlertFieldReader, Paths) {
  EXPECT_EQ(fieldPath("", "name"), "name");
  EXPECT_EQ(fieldPath("a.b", "c"), "a.b.c");
  EXPECT_EQ(indexPath("rules", 3), "rules[3]");
}

}  // namespace
}  // namespace meshlb::alerting
