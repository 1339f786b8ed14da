#include "proxy/http/http1_decoder.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshlb::http {
namespace {

using Status = Http1Decoder::Result::Status;

// One message as the callbacks saw it.
struct Recorded {
  std::string method;
  std::string url;
  int status = 0;
  int version_major = 0;
  int version_minor = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  HeadInfo info;
  std::string body;
  bool complete = false;
};

class RecordingCallbacks : public DecoderCallbacks {
 public:
  HeadAction onHead(MessageHead& head, const HeadInfo& info) override {
    Recorded message;
    message.method = std::string(head.methodName());
    message.url = std::string(head.url());
    message.status = head.status;
    message.version_major = head.version_major;
    message.version_minor = head.version_minor;
    for (size_t i = 0; i < head.headerCount(); ++i) {
      message.headers.emplace_back(head.name(i), head.value(i));
    }
    message.info = info;
    messages.push_back(std::move(message));
    return action;
  }
  void onBody(const char* data, size_t length) override {
    ASSERT_FALSE(messages.empty()) << "body before head";
    ASSERT_FALSE(messages.back().complete) << "body after message end";
    messages.back().body.append(data, length);
  }
  void onMessageComplete() override {
    ASSERT_FALSE(messages.empty()) << "message end before head";
    messages.back().complete = true;
    ++completions;
  }

  HeadAction action = HeadAction::kContinue;
  std::vector<Recorded> messages;
  int completions = 0;
};

// Drives a decoder over `input` in chunks of `chunk` bytes (0: all at once), calling decode()
// again with the rest whenever a message completes, as a connection does for pipelined requests.
struct DriveResult {
  Status last = Status::kNeedMore;
  int error_status = 0;
  std::string error_reason;
  size_t consumed = 0;  // total bytes the decoder took
};

DriveResult drive(Http1Decoder& decoder, std::string_view input, size_t chunk = 0) {
  DriveResult run;
  size_t position = 0;
  while (position < input.size()) {
    size_t length = chunk == 0 ? input.size() - position : std::min(chunk, input.size() - position);
    Http1Decoder::Result result = decoder.decode(input.data() + position, length);
    run.last = result.status;
    if (result.status == Status::kError) {
      run.error_status = decoder.errorStatus();
      run.error_reason = std::string(decoder.errorReason());
      return run;
    }
    if (result.status == Status::kStopped) {
      run.consumed += result.consumed;
      return run;
    }
    EXPECT_LE(result.consumed, length);
    if (result.status == Status::kMessageComplete && result.consumed == 0 && length > 0) {
      // The decoder must make progress on every call, or the owner would spin.
      ADD_FAILURE() << "message complete without consuming";
      return run;
    }
    position += result.consumed;
    run.consumed += result.consumed;
  }
  return run;
}

struct DecoderFixture {
  explicit DecoderFixture(Http1Decoder::Kind kind = Http1Decoder::Kind::kRequest,
                          config::HttpLimits limits = {})
      : decoder(kind, callbacks, limits) {}
  RecordingCallbacks callbacks;
  Http1Decoder decoder;
};

// ---------------------------------------------------------------------------------------------
// Requests that must be rejected.

struct RejectCase {
  const char* name;
  std::string request;
  int status;
  std::string reason;          // empty: any reason
  bool head_accepted = false;  // the error is in the body, after a valid head
};

void PrintTo(const RejectCase& c, std::ostream* os) {
  *os << c.name;
}

std::string headerLines(size_t count, size_t value_size) {
  std::string lines;
  for (size_t i = 0; i < count; ++i) {
    lines += "X-H" + std::to_string(i) + ": " + std::string(value_size, 'v') + "\r\n";
  }
  return lines;
}

std::vector<RejectCase> rejectCases() {
  const std::string get = "GET / HTTP/1.1\r\nHost: a\r\n";
  const std::string post = "POST / HTTP/1.1\r\nHost: a\r\n";
  return {
      {"ContentLengthAndChunked",
       post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400,
       ""},
      {"ChunkedAndContentLength",
       post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400,
       ""},
      {"DifferingContentLengths", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
       400, ""},
      {"RepeatedIdenticalContentLength",
       post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400, ""},
      {"ContentLengthList", post + "Content-Length: 1,1\r\n\r\nx", 400, ""},
      {"ContentLengthPlusSign", post + "Content-Length: +1\r\n\r\nx", 400, ""},
      {"ContentLengthNotANumber", post + "Content-Length: abc\r\n\r\n", 400, ""},
      {"ContentLengthNegative", post + "Content-Length: -1\r\n\r\n", 400, ""},
      {"ContentLengthInnerSpace", post + "Content-Length: 1 1\r\n\r\nx", 400, ""},
      {"TransferEncodingGzipOnly", post + "Transfer-Encoding: gzip\r\n\r\n", 400, ""},
      {"TransferEncodingChunkedThenGzip",
       post + "Transfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400, ""},
      {"TransferEncodingInHttp10",
       "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400, ""},
      {"InvalidChunkSize", post + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400,
       "", /*head_accepted=*/true},
      {"BareLfInHeaders", "GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", 400,
       "bare LF in message head"},
      {"BareLfAfterRequestLine", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF in message head"},
      {"BareLfEndingHead", get + "\n", 400, "bare LF in message head"},
      {"BareCr", "GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n", 400, "bare CR in message head"},
      {"SpaceBeforeColon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, ""},
      {"TabBeforeColon", get + "X-A\t: b\r\n\r\n", 400, ""},
      {"ObsFold", get + "X-A: one\r\n two\r\n\r\n", 400, "obsolete line folding in header"},
      {"NulInHeaderValue", get + std::string("X-A: a\0b\r\n\r\n", 12), 400, ""},
      {"SohInHeaderValue",
       get + "X-A: a\x01"
             "b\r\n\r\n",
       400, ""},
      {"UnitSeparatorInHeaderValue",
       get + "X-A: a\x1f"
             "b\r\n\r\n",
       400, ""},
      {"DelInHeaderValue",
       get + "X-A: a\x7f"
             "b\r\n\r\n",
       400, ""},
      {"MissingHostInHttp11", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, ""},
      {"RepeatedHostInHttp11", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, ""},
      {"RepeatedIdenticalHost", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400, ""},
      {"RepeatedHostInHttp10", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400, ""},
      {"Http20", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 400, ""},
      {"Http12", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 400, ""},
      {"Http09Style", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 400, ""},
      {"RequestLineOver8KiB", "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n",
       431, "request line too long"},
      {"HeadersOver64KiB", get + headerLines(70, 1000) + "\r\n", 431, "header section too large"},
      {"OneHugeHeaderValue", get + "X-Big: " + std::string(70 * 1024, 'v') + "\r\n\r\n", 431,
       "header section too large"},
      {"MoreThan100Headers", get + headerLines(100, 1) + "\r\n", 431, "too many header fields"},
      {"InvalidMethod", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, ""},
  };
}

class DecoderRejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(DecoderRejectTest, RejectedWhole) {
  const RejectCase& c = GetParam();
  DecoderFixture f;
  DriveResult run = drive(f.decoder, c.request);
  EXPECT_EQ(run.last, Status::kError);
  EXPECT_EQ(run.error_status, c.status) << run.error_reason;
  if (!c.reason.empty()) {
    EXPECT_EQ(run.error_reason, c.reason);
  }
  EXPECT_FALSE(run.error_reason.empty());
  // Nothing may reach the upstream side: no head was accepted for a bad request.
  EXPECT_EQ(f.callbacks.messages.size(), c.head_accepted ? 1u : 0u);
  EXPECT_EQ(f.callbacks.completions, 0);
}

TEST_P(DecoderRejectTest, RejectedByteByByte) {
  const RejectCase& c = GetParam();
  DecoderFixture f;
  DriveResult run = drive(f.decoder, c.request, 1);
  EXPECT_EQ(run.last, Status::kError);
  EXPECT_EQ(run.error_status, c.status) << run.error_reason;
  if (!c.reason.empty()) {
    EXPECT_EQ(run.error_reason, c.reason);
  }
  EXPECT_EQ(f.callbacks.messages.size(), c.head_accepted ? 1u : 0u);
  EXPECT_EQ(f.callbacks.completions, 0);
}

INSTANTIATE_TEST_SUITE_P(Hygiene, DecoderRejectTest, ::testing::ValuesIn(rejectCases()),
                         [](const ::testing::TestParamInfo<RejectCase>& info) {
                           return std::string(info.param.name);
                         });

// errorReason() must say why a request was refused, also for the rules checked once the head
// is complete (Host, version, header names, Transfer-Encoding in 1.0), not only for the rules
// checked while bytes arrive.
TEST(Http1DecoderTest, HeadValidationFailureKeepsItsReason) {
  const std::pair<std::string, std::string> cases[] = {
      {"GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "missing Host header"},
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "repeated Host header"},
      {"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", "repeated Host header"},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       "Transfer-Encoding in an HTTP/1.0 request"},
      {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", "unsupported HTTP version"},
      {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", "invalid header field name"},
  };
  for (const auto& [request, reason] : cases) {
    DecoderFixture f;
    DriveResult run = drive(f.decoder, request);
    EXPECT_EQ(run.last, Status::kError) << request;
    EXPECT_EQ(run.error_status, 400) << request;
    EXPECT_EQ(run.error_reason, reason) << request;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests that must pass.

TEST(Http1DecoderTest, SimpleGet) {
  DecoderFixture f;
  const std::string request = "GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
  Http1Decoder::Result result = f.decoder.decode(request.data(), request.size());
  EXPECT_EQ(result.status, Status::kMessageComplete);
  EXPECT_EQ(result.consumed, request.size());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  const Recorded& m = f.callbacks.messages[0];
  EXPECT_EQ(m.method, "GET");
  EXPECT_EQ(m.url, "/path?q=1");
  EXPECT_EQ(m.version_major, 1);
  EXPECT_EQ(m.version_minor, 1);
  ASSERT_EQ(m.headers.size(), 2u);
  EXPECT_EQ(m.headers[0], (std::pair<std::string, std::string>{"Host", "example.com"}));
  EXPECT_EQ(m.headers[1], (std::pair<std::string, std::string>{"Accept", "*/*"}));
  EXPECT_TRUE(m.info.keep_alive);
  EXPECT_FALSE(m.info.chunked);
  EXPECT_FALSE(m.info.has_body_framing);
  EXPECT_FALSE(m.info.upgrade);
  EXPECT_FALSE(m.info.expect_continue);
  EXPECT_TRUE(m.complete);
  EXPECT_FALSE(f.decoder.inMessage());
  EXPECT_TRUE(f.decoder.headDone());
}

TEST(Http1DecoderTest, SameResultByteByByte) {
  DecoderFixture f;
  const std::string request =
      "POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\n\r\nhello world";
  DriveResult run = drive(f.decoder, request, 1);
  EXPECT_EQ(run.last, Status::kMessageComplete);
  EXPECT_EQ(run.consumed, request.size());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  const Recorded& m = f.callbacks.messages[0];
  EXPECT_EQ(m.method, "POST");
  EXPECT_EQ(m.url, "/upload");
  ASSERT_EQ(m.headers.size(), 2u);
  EXPECT_EQ(m.headers[0].second, "example.com");
  EXPECT_EQ(m.headers[1].first, "Content-Length");
  EXPECT_EQ(m.headers[1].second, "11");
  EXPECT_EQ(m.body, "hello world");
  EXPECT_TRUE(m.info.has_body_framing);
  EXPECT_EQ(m.info.content_length, 11u);
  EXPECT_TRUE(m.complete);
}

TEST(Http1DecoderTest, HeaderValueWhitespaceIsTrimmed) {
  DecoderFixture f;
  const std::string request = "GET / HTTP/1.1\r\nHost:   a  \r\nX-T:\t b \t\r\n\r\n";
  EXPECT_EQ(drive(f.decoder, request).last, Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  ASSERT_EQ(f.callbacks.messages[0].headers.size(), 2u);
  EXPECT_EQ(f.callbacks.messages[0].headers[0].second, "a");
  EXPECT_EQ(f.callbacks.messages[0].headers[1].second, "b");
}

TEST(Http1DecoderTest, PipelinedRequestsComeOneAtATime) {
  DecoderFixture f;
  const std::string first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string second = "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
  const std::string third = "GET /c HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string all = first + second + third;

  Http1Decoder::Result r1 = f.decoder.decode(all.data(), all.size());
  EXPECT_EQ(r1.status, Status::kMessageComplete);
  EXPECT_EQ(r1.consumed, first.size());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_EQ(f.callbacks.messages[0].url, "/a");
  EXPECT_EQ(f.callbacks.completions, 1);

  std::string_view rest = std::string_view(all).substr(r1.consumed);
  Http1Decoder::Result r2 = f.decoder.decode(rest.data(), rest.size());
  EXPECT_EQ(r2.status, Status::kMessageComplete);
  EXPECT_EQ(r2.consumed, second.size());
  ASSERT_EQ(f.callbacks.messages.size(), 2u);
  EXPECT_EQ(f.callbacks.messages[1].url, "/b");
  EXPECT_EQ(f.callbacks.messages[1].body, "abc");

  rest = rest.substr(r2.consumed);
  Http1Decoder::Result r3 = f.decoder.decode(rest.data(), rest.size());
  EXPECT_EQ(r3.status, Status::kMessageComplete);
  EXPECT_EQ(r3.consumed, third.size());
  ASSERT_EQ(f.callbacks.messages.size(), 3u);
  EXPECT_EQ(f.callbacks.messages[2].url, "/c");
  EXPECT_EQ(f.callbacks.completions, 3);
}

// Between messages the head's buffer goes back to the pool (an idle connection holds none) and
// the next message borrows it again; never while a message is being decoded.
TEST(Http1DecoderTest, HeadBuffersAreBorrowedFromThePoolAndGivenBackBetweenMessages) {
  DecoderFixture f;
  StringPool pool(4, 4096);
  f.decoder.useStringPool(&pool);
  const std::string path(100, 'p');
  const std::string first = "GET /" + path + " HTTP/1.1\r\nHost: x\r\nX-Long: " + path + "\r\n\r\n";
  ASSERT_EQ(f.decoder.decode(first.data(), first.size()).status, Status::kMessageComplete);
  EXPECT_EQ(pool.kept(), 0u);
  f.decoder.releaseBuffers();
  EXPECT_EQ(pool.kept(), 1u);

  const std::string second = "GET /second HTTP/1.1\r\nHost: y\r\nX-Long: " + path + "\r\n\r\n";
  const size_t half = second.size() / 2;
  ASSERT_EQ(f.decoder.decode(second.data(), half).status, Status::kNeedMore);
  EXPECT_EQ(pool.kept(), 0u);  // lent to the message being decoded
  f.decoder.releaseBuffers();  // in a message: nothing is given back
  EXPECT_EQ(pool.kept(), 0u);
  ASSERT_EQ(f.decoder.decode(second.data() + half, second.size() - half).status,
            Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 2u);
  EXPECT_EQ(f.callbacks.messages[0].url, "/" + path);
  EXPECT_EQ(f.callbacks.messages[1].url, "/second");
  ASSERT_EQ(f.callbacks.messages[1].headers.size(), 2u);
  EXPECT_EQ(f.callbacks.messages[1].headers[0].second, "y");
  EXPECT_EQ(f.callbacks.messages[1].headers[1].second, path);
  f.decoder.releaseBuffers();
  EXPECT_EQ(pool.kept(), 1u);
}

// restart() makes a decoder left mid-message (or failed) a fresh one for another owner, with
// the new owner's limits: what a pooled decoder goes through between connections.
TEST(Http1DecoderTest, RestartForgetsAHalfMessageAndAnErrorAndTakesNewLimits) {
  DecoderFixture f;
  StringPool pool(4, 4096);
  f.decoder.useStringPool(&pool);
  const std::string half = "POST /cut HTTP/1.1\r\nHost: x\r\nContent-Le";
  ASSERT_EQ(f.decoder.decode(half.data(), half.size()).status, Status::kNeedMore);
  ASSERT_TRUE(f.decoder.inMessage());

  RecordingCallbacks second_owner;
  config::HttpLimits tight;
  tight.max_request_line_bytes = 32;
  f.decoder.restart(second_owner, tight);
  EXPECT_FALSE(f.decoder.inMessage());
  EXPECT_EQ(pool.kept(), 1u);  // the cut-off head's buffer went back
  const std::string ok = "GET /fresh HTTP/1.1\r\nHost: y\r\n\r\n";
  ASSERT_EQ(f.decoder.decode(ok.data(), ok.size()).status, Status::kMessageComplete);
  ASSERT_EQ(second_owner.messages.size(), 1u);
  EXPECT_EQ(second_owner.messages[0].url, "/fresh");
  EXPECT_TRUE(f.callbacks.messages.empty());  // the first owner hears nothing more

  const std::string long_line = "GET /" + std::string(64, 'l') + " HTTP/1.1\r\nHost: y\r\n\r\n";
  Http1Decoder::Result refused = f.decoder.decode(long_line.data(), long_line.size());
  ASSERT_EQ(refused.status, Status::kError);
  EXPECT_EQ(f.decoder.errorStatus(), 431);

  RecordingCallbacks third_owner;
  f.decoder.restart(third_owner, config::HttpLimits{});
  ASSERT_EQ(f.decoder.decode(long_line.data(), long_line.size()).status, Status::kMessageComplete);
  ASSERT_EQ(third_owner.messages.size(), 1u);
  EXPECT_EQ(third_owner.messages[0].headers[0].second, "y");
}

TEST(Http1DecoderTest, PipelinedRequestsByteByByte) {
  DecoderFixture f;
  const std::string all =
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
      "GET /c HTTP/1.1\r\nHost: x\r\n\r\n";
  DriveResult run = drive(f.decoder, all, 1);
  EXPECT_EQ(run.last, Status::kMessageComplete);
  EXPECT_EQ(run.consumed, all.size());
  ASSERT_EQ(f.callbacks.messages.size(), 3u);
  EXPECT_EQ(f.callbacks.messages[0].url, "/a");
  EXPECT_EQ(f.callbacks.messages[1].url, "/b");
  EXPECT_EQ(f.callbacks.messages[1].body, "abc");
  EXPECT_EQ(f.callbacks.messages[2].url, "/c");
  EXPECT_EQ(f.callbacks.completions, 3);
}

TEST(Http1DecoderTest, SecondPipelinedRequestIsCheckedToo) {
  DecoderFixture f;
  const std::string first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string all = first + "GET /b HTTP/1.1\nHost: x\r\n\r\n";
  DriveResult run = drive(f.decoder, all);
  EXPECT_EQ(run.last, Status::kError);
  EXPECT_EQ(run.error_status, 400);
  EXPECT_EQ(run.error_reason, "bare LF in message head");
  EXPECT_EQ(run.consumed, first.size());
  EXPECT_EQ(f.callbacks.completions, 1);
}

TEST(Http1DecoderTest, SecondPipelinedRequestWithoutHostIsRejected) {
  DecoderFixture f;
  const std::string all =
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /b HTTP/1.1\r\n\r\n";
  DriveResult run = drive(f.decoder, all);
  EXPECT_EQ(run.last, Status::kError);
  EXPECT_EQ(run.error_status, 400);
  EXPECT_EQ(f.callbacks.messages.size(), 1u);
}

TEST(Http1DecoderTest, ChunkedBodyIsDeliveredDechunked) {
  DecoderFixture f;
  const std::string request =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n"
      "1;ext=1\r\n \r\n"
      "A\r\n0123456789\r\n"
      "0\r\n\r\n";
  DriveResult run = drive(f.decoder, request);
  EXPECT_EQ(run.last, Status::kMessageComplete);
  EXPECT_EQ(run.consumed, request.size());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  const Recorded& m = f.callbacks.messages[0];
  EXPECT_TRUE(m.info.chunked);
  EXPECT_TRUE(m.info.has_body_framing);
  EXPECT_EQ(m.body, "hello 0123456789");
  EXPECT_TRUE(m.complete);
}

TEST(Http1DecoderTest, ChunkedBodyByteByByte) {
  DecoderFixture f;
  const std::string request =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  DriveResult run = drive(f.decoder, request, 1);
  EXPECT_EQ(run.last, Status::kMessageComplete);
  EXPECT_EQ(run.consumed, request.size());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_EQ(f.callbacks.messages[0].body, "hello world");
}

TEST(Http1DecoderTest, ChunkedTrailersAreNotAddedToTheHead) {
  DecoderFixture f;
  const std::string request =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n";
  DriveResult run = drive(f.decoder, request);
  EXPECT_EQ(run.last, Status::kMessageComplete);
  EXPECT_EQ(run.consumed, request.size());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_EQ(f.callbacks.messages[0].body, "abc");
  ASSERT_EQ(f.callbacks.messages[0].headers.size(), 2u);
  EXPECT_EQ(f.callbacks.messages[0].headers[1].first, "Transfer-Encoding");
}

TEST(Http1DecoderTest, ChunkedCaseInsensitive) {
  DecoderFixture f;
  const std::string request =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n";
  EXPECT_EQ(drive(f.decoder, request).last, Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_TRUE(f.callbacks.messages[0].info.chunked);
  EXPECT_EQ(f.callbacks.messages[0].body, "x");
}

TEST(Http1DecoderTest, BodySplitAcrossCalls) {
  DecoderFixture f;
  const std::string head = "PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n";
  Http1Decoder::Result r1 = f.decoder.decode(head.data(), head.size());
  EXPECT_EQ(r1.status, Status::kNeedMore);
  EXPECT_EQ(r1.consumed, head.size());
  EXPECT_TRUE(f.decoder.headDone());
  EXPECT_TRUE(f.decoder.inMessage());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_FALSE(f.callbacks.messages[0].complete);
  Http1Decoder::Result r2 = f.decoder.decode("01234", 5);
  EXPECT_EQ(r2.status, Status::kNeedMore);
  EXPECT_EQ(r2.consumed, 5u);
  Http1Decoder::Result r3 = f.decoder.decode("56789", 5);
  EXPECT_EQ(r3.status, Status::kMessageComplete);
  EXPECT_EQ(r3.consumed, 5u);
  EXPECT_EQ(f.callbacks.messages[0].body, "0123456789");
  EXPECT_FALSE(f.decoder.inMessage());
}

TEST(Http1DecoderTest, ContentLengthZero) {
  DecoderFixture f;
  const std::string request = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n";
  Http1Decoder::Result result = f.decoder.decode(request.data(), request.size());
  EXPECT_EQ(result.status, Status::kMessageComplete);
  EXPECT_EQ(result.consumed, request.size());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_TRUE(f.callbacks.messages[0].info.has_body_framing);
  EXPECT_EQ(f.callbacks.messages[0].info.content_length, 0u);
  EXPECT_EQ(f.callbacks.messages[0].body, "");
}

TEST(Http1DecoderTest, EmptyInputNeedsMore) {
  DecoderFixture f;
  Http1Decoder::Result result = f.decoder.decode("", 0);
  EXPECT_EQ(result.status, Status::kNeedMore);
  EXPECT_EQ(result.consumed, 0u);
  EXPECT_FALSE(f.decoder.inMessage());
}

TEST(Http1DecoderTest, PartialHeadNeedsMore) {
  DecoderFixture f;
  const std::string part = "GET / HTTP/1.1\r\nHo";
  Http1Decoder::Result result = f.decoder.decode(part.data(), part.size());
  EXPECT_EQ(result.status, Status::kNeedMore);
  EXPECT_EQ(result.consumed, part.size());
  EXPECT_TRUE(f.decoder.inMessage());
  EXPECT_FALSE(f.decoder.headDone());
  EXPECT_TRUE(f.callbacks.messages.empty());
}

TEST(Http1DecoderTest, Http10WithoutHostIsAccepted) {
  DecoderFixture f;
  const std::string request = "GET / HTTP/1.0\r\n\r\n";
  Http1Decoder::Result result = f.decoder.decode(request.data(), request.size());
  EXPECT_EQ(result.status, Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_EQ(f.callbacks.messages[0].version_minor, 0);
  EXPECT_FALSE(f.callbacks.messages[0].info.keep_alive);
}

TEST(Http1DecoderTest, Http10KeepAliveWhenAsked) {
  DecoderFixture f;
  const std::string request = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  EXPECT_EQ(drive(f.decoder, request).last, Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_TRUE(f.callbacks.messages[0].info.keep_alive);
}

TEST(Http1DecoderTest, Http11ConnectionCloseIsNotKeepAlive) {
  DecoderFixture f;
  const std::string request = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
  EXPECT_EQ(drive(f.decoder, request).last, Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_FALSE(f.callbacks.messages[0].info.keep_alive);
}

TEST(Http1DecoderTest, Http11IsKeepAliveByDefault) {
  DecoderFixture f;
  const std::string request = "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo\r\n\r\n";
  EXPECT_EQ(drive(f.decoder, request).last, Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_TRUE(f.callbacks.messages[0].info.keep_alive);
}

TEST(Http1DecoderTest, ExpectContinue) {
  DecoderFixture f;
  const std::string request =
      "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok";
  EXPECT_EQ(drive(f.decoder, request).last, Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_TRUE(f.callbacks.messages[0].info.expect_continue);
  EXPECT_EQ(f.callbacks.messages[0].body, "ok");
}

TEST(Http1DecoderTest, OtherExpectationIsNotContinue) {
  DecoderFixture f;
  const std::string request = "GET / HTTP/1.1\r\nHost: a\r\nExpect: something\r\n\r\n";
  EXPECT_EQ(drive(f.decoder, request).last, Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_FALSE(f.callbacks.messages[0].info.expect_continue);
}

TEST(Http1DecoderTest, UpgradeRequest) {
  DecoderFixture f;
  const std::string request =
      "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
  Http1Decoder::Result result = f.decoder.decode(request.data(), request.size());
  EXPECT_EQ(result.status, Status::kMessageComplete);
  EXPECT_EQ(result.consumed, request.size());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_TRUE(f.callbacks.messages[0].info.upgrade);
  EXPECT_TRUE(f.callbacks.messages[0].complete);
}

TEST(Http1DecoderTest, UpgradeHeaderWithoutConnectionUpgradeIsNoUpgrade) {
  DecoderFixture f;
  const std::string request = "GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n";
  EXPECT_EQ(drive(f.decoder, request).last, Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_FALSE(f.callbacks.messages[0].info.upgrade);
}

TEST(Http1DecoderTest, LeadingEmptyLineIsAccepted) {
  DecoderFixture f;
  const std::string request = "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
  DriveResult run = drive(f.decoder, request);
  EXPECT_EQ(run.last, Status::kMessageComplete);
  EXPECT_EQ(run.consumed, request.size());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
}

TEST(Http1DecoderTest, HundredHeadersIsTheLimit) {
  DecoderFixture f;
  const std::string request = "GET / HTTP/1.1\r\nHost: a\r\n" + headerLines(99, 1) + "\r\n";
  EXPECT_EQ(drive(f.decoder, request).last, Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_EQ(f.callbacks.messages[0].headers.size(), 100u);
}

TEST(Http1DecoderTest, LongButAllowedRequestLine) {
  DecoderFixture f;
  const std::string url = "/" + std::string(8000, 'a');
  const std::string request = "GET " + url + " HTTP/1.1\r\nHost: a\r\n\r\n";
  EXPECT_EQ(drive(f.decoder, request).last, Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_EQ(f.callbacks.messages[0].url, url);
}

TEST(Http1DecoderTest, LargeButAllowedHeaderSection) {
  DecoderFixture f;
  const std::string request = "GET / HTTP/1.1\r\nHost: a\r\n" + headerLines(60, 1000) + "\r\n";
  EXPECT_EQ(drive(f.decoder, request).last, Status::kMessageComplete);
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
}

TEST(Http1DecoderTest, LimitsComeFromConfig) {
  config::HttpLimits limits;
  limits.max_headers = 2;
  DecoderFixture ok(Http1Decoder::Kind::kRequest, limits);
  EXPECT_EQ(drive(ok.decoder, "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n").last,
            Status::kMessageComplete);
  DecoderFixture over(Http1Decoder::Kind::kRequest, limits);
  DriveResult run = drive(over.decoder, "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nY: 2\r\n\r\n");
  EXPECT_EQ(run.last, Status::kError);
  EXPECT_EQ(run.error_status, 431);
}

TEST(Http1DecoderTest, StopInOnHead) {
  DecoderFixture f;
  f.callbacks.action = HeadAction::kStop;
  const std::string head = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n";
  const std::string request = head + "hello";
  Http1Decoder::Result result = f.decoder.decode(request.data(), request.size());
  EXPECT_EQ(result.status, Status::kStopped);
  EXPECT_LE(result.consumed, request.size());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_EQ(f.callbacks.messages[0].body, "");
  EXPECT_FALSE(f.callbacks.messages[0].complete);
}

// ---------------------------------------------------------------------------------------------
// Responses.

TEST(Http1DecoderResponseTest, ContentLengthResponse) {
  DecoderFixture f(Http1Decoder::Kind::kResponse);
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
  Http1Decoder::Result result = f.decoder.decode(response.data(), response.size());
  EXPECT_EQ(result.status, Status::kMessageComplete);
  EXPECT_EQ(result.consumed, response.size());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_EQ(f.callbacks.messages[0].status, 200);
  EXPECT_EQ(f.callbacks.messages[0].url, "OK");
  EXPECT_EQ(f.callbacks.messages[0].body, "hi");
}

TEST(Http1DecoderResponseTest, CloseDelimitedBodyEndsOnEof) {
  DecoderFixture f(Http1Decoder::Kind::kResponse);
  const std::string response = "HTTP/1.1 200 OK\r\n\r\nstream until close";
  Http1Decoder::Result result = f.decoder.decode(response.data(), response.size());
  EXPECT_EQ(result.status, Status::kNeedMore);
  EXPECT_TRUE(f.decoder.finishOnEof());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_EQ(f.callbacks.messages[0].body, "stream until close");
  EXPECT_TRUE(f.callbacks.messages[0].complete);
}

// Found by http_response_codec_fuzz: a 304 with Content-Length waited for a body that never
// comes, and bytes after a 204 were taken as its body.
TEST(Http1DecoderResponseTest, NotModifiedAndNoContentHaveNoBodyWhateverTheirLength) {
  for (const char* head : {"HTTP/1.1 304 Not Modified\r\nContent-Length: 2\r\n\r\n",
                           "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"}) {
    DecoderFixture f(Http1Decoder::Kind::kResponse);
    const std::string response = std::string(head);
    Http1Decoder::Result result = f.decoder.decode(response.data(), response.size());
    EXPECT_EQ(result.status, Status::kMessageComplete) << head;
    EXPECT_EQ(result.consumed, response.size()) << head;
    ASSERT_EQ(f.callbacks.messages.size(), 1u) << head;
    EXPECT_EQ(f.callbacks.messages[0].body, "") << head;
    EXPECT_TRUE(f.callbacks.messages[0].complete) << head;
  }
}

// Found by the response-codec fuzzer: a 101 with a Content-Length (and without Upgrade headers,
// so llhttp saw no upgrade) had the next protocol's bytes decoded as its body. They stay
// unconsumed, for the tunnel, with or without the Upgrade headers.
TEST(Http1DecoderResponseTest, SwitchingProtocolsEndsAtItsHead) {
  for (const char* head :
       {"HTTP/1.1 101 Switching Protocols\r\nContent-Length: 4\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
        "Content-Length: 4\r\n\r\n"}) {
    DecoderFixture f(Http1Decoder::Kind::kResponse);
    const std::string response = std::string(head) + "wsws";
    Http1Decoder::Result result = f.decoder.decode(response.data(), response.size());
    EXPECT_EQ(result.status, Status::kMessageComplete) << head;
    EXPECT_EQ(result.consumed, response.size() - 4) << head;
    ASSERT_EQ(f.callbacks.messages.size(), 1u) << head;
    EXPECT_EQ(f.callbacks.messages[0].body, "") << head;
  }
}

TEST(Http1DecoderResponseTest, FinishOnEofWithoutMessageIsFalse) {
  DecoderFixture f(Http1Decoder::Kind::kResponse);
  EXPECT_FALSE(f.decoder.finishOnEof());
}

TEST(Http1DecoderResponseTest, MalformedResponseIs502) {
  DecoderFixture f(Http1Decoder::Kind::kResponse);
  DriveResult run = drive(f.decoder, "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n");
  EXPECT_EQ(run.last, Status::kError);
  EXPECT_EQ(run.error_status, 502);
}

TEST(Http1DecoderResponseTest, BareLfInResponseIs502) {
  DecoderFixture f(Http1Decoder::Kind::kResponse);
  DriveResult run = drive(f.decoder, "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(run.last, Status::kError);
  EXPECT_EQ(run.error_status, 502);
  EXPECT_EQ(run.error_reason, "bare LF in message head");
}

TEST(Http1DecoderResponseTest, TooManyHeadersInResponseIs502) {
  DecoderFixture f(Http1Decoder::Kind::kResponse);
  DriveResult run = drive(f.decoder, "HTTP/1.1 200 OK\r\n" + headerLines(101, 1) + "\r\n");
  EXPECT_EQ(run.last, Status::kError);
  EXPECT_EQ(run.error_status, 502);
  EXPECT_EQ(run.error_reason, "too many header fields");
}

TEST(Http1DecoderResponseTest, UnsupportedVersionIs502WithItsReason) {
  DecoderFixture f(Http1Decoder::Kind::kResponse);
  DriveResult run = drive(f.decoder, "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(run.last, Status::kError);
  EXPECT_EQ(run.error_status, 502);
  EXPECT_EQ(run.error_reason, "unsupported HTTP version in response");
  EXPECT_TRUE(f.callbacks.messages.empty());
}

TEST(Http1DecoderResponseTest, SkipBodyForHeadResponse) {
  DecoderFixture f(Http1Decoder::Kind::kResponse);
  f.callbacks.action = HeadAction::kSkipBody;
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
  Http1Decoder::Result result = f.decoder.decode(response.data(), response.size());
  EXPECT_EQ(result.status, Status::kMessageComplete);
  EXPECT_EQ(result.consumed, response.size());
  ASSERT_EQ(f.callbacks.messages.size(), 1u);
  EXPECT_EQ(f.callbacks.messages[0].info.content_length, 100u);
  EXPECT_TRUE(f.callbacks.messages[0].complete);
}

}  // namespace
}  // namespace meshlb::http
