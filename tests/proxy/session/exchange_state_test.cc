#include "proxy/session/exchange_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meshlb {
namespace {

using Status = http::Http1Decoder::Result::Status;

struct CountingCallbacks : http::DecoderCallbacks {
  http::HeadAction onHead(http::MessageHead& head, const http::HeadInfo&) override {
    urls.emplace_back(head.url());
    return http::HeadAction::kContinue;
  }
  void onBody(const char*, size_t) override {}
  void onMessageComplete() override { ++completions; }
  std::vector<std::string> urls;
  int completions = 0;
};

// A state given back is lent again (no new allocation) with a restarted decoder that talks to
// its new owner and a fresh progress, and its buffers went back to the string pool in between.
TEST(ExchangeStatePoolTest, AGivenBackStateIsLentAgainCleanToTheNextOwner) {
  StringPool strings(8, 4096);
  ExchangeStatePool pool(4, strings);
  CountingCallbacks first;
  std::unique_ptr<ExchangeState> state = pool.lend(first, config::HttpLimits{});
  const ExchangeState* address = state.get();
  const std::string cut = "GET /first/with/a/path/longer/than/inline HTTP/1.1\r\nHo";
  ASSERT_EQ(state->decoder.decode(cut.data(), cut.size()).status, Status::kNeedMore);
  state->replay.assign(200, 'r');
  state->scratch.assign(300, 's');
  state->progress.status = 502;
  state->progress.attempts = 3;
  state->progress.request_complete = true;
  state->progress.upstream_eof = true;
  pool.recycle(std::move(state));
  EXPECT_EQ(pool.kept(), 1u);
  EXPECT_EQ(strings.kept(), 2u);  // replay and scratch; the cut head waits for the next lend

  CountingCallbacks second;
  state = pool.lend(second, config::HttpLimits{});
  EXPECT_EQ(state.get(), address);
  EXPECT_EQ(pool.kept(), 0u);
  EXPECT_EQ(strings.kept(), 3u);  // restart() gave the cut head's buffer back
  EXPECT_TRUE(state->replay.empty());
  EXPECT_TRUE(state->scratch.empty());
  EXPECT_FALSE(state->decoder.inMessage());
  EXPECT_EQ(state->progress.status, 0);
  EXPECT_EQ(state->progress.attempts, 0u);
  EXPECT_FALSE(state->progress.request_complete);
  EXPECT_FALSE(state->progress.upstream_eof);
  const std::string request = "GET /second HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(state->decoder.decode(request.data(), request.size()).status, Status::kMessageComplete);
  EXPECT_TRUE(first.urls.empty());
  ASSERT_EQ(second.urls.size(), 1u);
  EXPECT_EQ(second.urls[0], "/second");
  pool.recycle(std::move(state));
  pool.recycle(nullptr);  // a connection that never had a request
  EXPECT_EQ(pool.kept(), 1u);
}

// The pool keeps at most max_kept states: a burst of concurrent exchanges does not stay
// allocated once it is over.
TEST(ExchangeStatePoolTest, KeepsAtMostMaxKept) {
  StringPool strings(8, 4096);
  ExchangeStatePool pool(2, strings);
  CountingCallbacks owner;
  std::vector<std::unique_ptr<ExchangeState>> lent;
  for (int i = 0; i < 5; ++i) {
    lent.push_back(pool.lend(owner, config::HttpLimits{}));
  }
  for (auto& state : lent) {
    pool.recycle(std::move(state));
  }
  EXPECT_EQ(pool.kept(), 2u);
}

}  // namespace
}  // namespace meshlb
