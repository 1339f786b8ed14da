// The text/event-stream framing of /events: names, multi-line data, the retry hint.
#include "admin/events/sse_frame.h"

#include <gtest/gtest.h>

namespace meshlb::admin {
namespace {

TEST(SseFrame, OneLineOfData) {
  EXPECT_EQ(sseEvent("tick", "{\"a\":1}"), "event: tick\ndata: {\"a\":1}\n\n");
}

TEST(SseFrame, EveryLineOfDataGetsItsOwnDataField) {
  // A client joins data lines with "\n": pretty-printed JSON arrives unchanged.
  EXPECT_EQ(sseEvent("tick", "{\n  \"a\": 1\n}"),
            "event: tick\ndata: {\ndata:   \"a\": 1\ndata: }\n\n");
}

TEST(SseFrame, CarriageReturnsCannotEndAnEventEarly) {
  EXPECT_EQ(sseEvent("x", "a\r\nb"), "event: x\ndata: a\ndata: b\n\n");
}

TEST(SseFrame, EmptyDataIsOneEmptyDataField) {
  EXPECT_EQ(sseEvent("ping", ""), "event: ping\ndata: \n\n");
}

TEST(SseFrame, RetryHint) {
  EXPECT_EQ(sseRetry(2000), "retry: 2000\n\n");
}

}  // namespace
}  // namespace meshlb::admin
