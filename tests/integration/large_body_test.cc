// Bodies are streamed, not buffered: a 1 GiB upload and a 1 GiB download pass through meshlb
// while its peak resident memory stays under 64 MiB.
#include <gtest/gtest.h>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

constexpr uint64_t kGiB = 1024ull * 1024 * 1024;
// The body streams through fixed buffers: RSS stays flat. ASan's shadow memory and quarantine
// add a constant (the ASan build measured 66.7 MiB with the alerting threads), not a slope; so
// does TSan's (96.2 MiB measured).
#if defined(__SANITIZE_ADDRESS__)
constexpr long kRssLimitKib = 96 * 1024;
#elif defined(__SANITIZE_THREAD__)
constexpr long kRssLimitKib = 128 * 1024;
#else
constexpr long kRssLimitKib = 64 * 1024;
#endif

class LargeBodyTest : public ::testing::Test {
 protected:
  TestUpstream upstream_{"big"};
  Meshlb meshlb_{
      {{"workers", 2},
       {"listeners",
        {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}, {"request_timeout_ms", 0}}}},
       {"clusters", {clusterOf("app", {&upstream_})}}}};
};

TEST_F(LargeBodyTest, OneGibUploadStreamsWithBoundedMemory) {
  ASSERT_TRUE(meshlb_.ready()) << meshlb_.stderrLog();
  RawClient client(meshlb_.listenerPort(0), std::chrono::seconds(60));
  ASSERT_TRUE(client.send(
      "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(kGiB) + "\r\n\r\n"));
  std::string block(1024 * 1024, 'u');
  for (uint64_t sent = 0; sent < kGiB; sent += block.size()) {
    ASSERT_TRUE(client.send(block)) << "send failed after " << sent << " bytes";
  }
  auto response = client.readResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("x-upstream-received-bytes"), std::to_string(kGiB));
  long peak = meshlb_.process().peakRssKib();
  RecordProperty("peak_rss_kib", static_cast<int>(peak));
  std::cout << "meshlb peak RSS after a 1 GiB upload: " << peak << " KiB\n";
  EXPECT_GT(peak, 0);
  EXPECT_LT(peak, kRssLimitKib);
}

TEST_F(LargeBodyTest, OneGibDownloadStreamsWithBoundedMemory) {
  ASSERT_TRUE(meshlb_.ready()) << meshlb_.stderrLog();
  for (const char* framing : {"", "?chunked=1"}) {
    RawClient client(meshlb_.listenerPort(0), std::chrono::seconds(60));
    ASSERT_TRUE(client.send("GET /bytes/" + std::to_string(kGiB) + framing +
                            " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
    // Read the head only, then count the body without keeping it.
    auto head = client.readResponse(/*head_request=*/true);
    ASSERT_TRUE(head.has_value());
    ASSERT_EQ(head->status, 200);
    uint64_t received = 0;
    while (true) {
      std::string piece = client.readBytes(4 * 1024 * 1024);
      if (piece.empty()) {
        break;
      }
      received += piece.size();
    }
    if (*framing == '\0') {
      EXPECT_EQ(received, kGiB);
    } else {
      EXPECT_GT(received, kGiB);  // chunk framing adds a little
      EXPECT_LT(received, kGiB + kGiB / 100);
    }
  }
  long peak = meshlb_.process().peakRssKib();
  RecordProperty("peak_rss_kib", static_cast<int>(peak));
  std::cout << "meshlb peak RSS after 1 GiB downloads: " << peak << " KiB\n";
  EXPECT_LT(peak, kRssLimitKib);
}

}  // namespace
}  // namespace meshlb::testing
