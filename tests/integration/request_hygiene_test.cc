// Request hygiene (RFC 9112 §6.3, §11.2; RFC 9110 §7.2): every request that two parsers could
// read two ways is answered 400 (431 when over a size limit), the connection is closed, and the
// backend receives nothing.
#include <gtest/gtest.h>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

struct HygieneCase {
  const char* name;
  std::string bytes;
  int status;
};

void PrintTo(const HygieneCase& c, std::ostream* os) {
  *os << c.name;
}

std::string manyHeaders(int count) {
  std::string headers;
  for (int i = 0; i < count; ++i) {
    headers += "X-H" + std::to_string(i) + ": v\r\n";
  }
  return headers;
}

const HygieneCase kCases[] = {
    {"ContentLengthAndTransferEncoding",
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
     "0\r\n\r\n",
     400},
    {"DifferingContentLengths",
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
    {"RepeatedContentLength",
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na", 400},
    {"ContentLengthList", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1,1\r\n\r\na", 400},
    {"ContentLengthSigned", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\na", 400},
    {"ContentLengthNotNumber", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400},
    {"TransferEncodingNotChunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
     400},
    {"TransferEncodingChunkedNotLast",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400},
    {"TransferEncodingInHttp10",
     "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
    {"InvalidChunkSize",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nx\r\n0\r\n\r\n", 400},
    {"ChunkSizeOverflow",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
     "fffffffffffffffffff\r\nx\r\n0\r\n\r\n",
     400},
    {"BareLfInRequestLine", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400},
    {"BareLfEndingHead", "GET / HTTP/1.1\r\nHost: a\r\n\n", 400},
    {"BareLfBetweenHeaders", "GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", 400},
    {"BareCrInHeader", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400},
    {"BareLfAfterChunkData",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\n0\r\n\r\n", 400},
    {"WhitespaceBeforeColon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
    {"TabBeforeColon", "GET / HTTP/1.1\r\nHost: a\r\nX\t: b\r\n\r\n", 400},
    {"ObsFold", "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", 400},
    {"NulInHeaderValue", std::string("GET / HTTP/1.1\r\nHost: a\r\nX: b") + '\0' + "c\r\n\r\n",
     400},
    {"ControlCharInHeaderValue", "GET / HTTP/1.1\r\nHost: a\r\nX: b\x01c\r\n\r\n", 400},
    {"DelInHeaderValue",
     "GET / HTTP/1.1\r\nHost: a\r\nX: b\x7f"
     "c\r\n\r\n",
     400},
    {"MissingHost", "GET / HTTP/1.1\r\nX: y\r\n\r\n", 400},
    {"RepeatedHost", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
    {"RepeatedHostHttp10", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400},
    {"UnknownVersion2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 400},
    {"UnknownVersion12", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 400},
    {"GarbageVersion", "GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400},
    {"RequestLineTooLong", "GET /" + std::string(8200, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 431},
    {"HeadersTooLarge",
     "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(66 * 1024, 'b') + "\r\n\r\n", 431},
    {"TooManyHeaders", "GET / HTTP/1.1\r\nHost: a\r\n" + manyHeaders(101) + "\r\n", 431},
};

class RequestHygieneTest : public ::testing::TestWithParam<HygieneCase> {
 protected:
  static void SetUpTestSuite() {
    upstream_ = new TestUpstream("hygiene-backend");
    nlohmann::json config = {
        {"workers", 1},
        {"listeners",
         {{{"name", "web"}, {"protocol", "http"}, {"routes", {{{"cluster", "app"}}}}}}},
        {"clusters", {clusterOf("app", {upstream_})}}};
    meshlb_ = new Meshlb(config);
  }
  static void TearDownTestSuite() {
    delete meshlb_;
    delete upstream_;
  }
  static TestUpstream* upstream_;
  static Meshlb* meshlb_;
};

TestUpstream* RequestHygieneTest::upstream_ = nullptr;
Meshlb* RequestHygieneTest::meshlb_ = nullptr;

TEST_P(RequestHygieneTest, IsRejectedAndNeverForwarded) {
  ASSERT_TRUE(meshlb_->ready()) << meshlb_->stderrLog();
  nlohmann::json before = upstream_->stats();

  RawClient client(meshlb_->listenerPort(0));
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.send(GetParam().bytes));
  auto response = client.readResponse();
  ASSERT_TRUE(response.has_value()) << "no answer";
  EXPECT_EQ(response->status, GetParam().status);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(client.waitClosed()) << "meshlb kept the connection open";

  nlohmann::json after = upstream_->stats();
  EXPECT_EQ(after["requests"], before["requests"]) << "the backend received a request";
  // +1: the second stats query is itself a connection.
  EXPECT_EQ(after["connections"].get<uint64_t>(), before["connections"].get<uint64_t>() + 1)
      << "meshlb opened a connection to the backend";
}

INSTANTIATE_TEST_SUITE_P(Cases, RequestHygieneTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(RequestHygieneSanity, ValidRequestsStillPass) {
  TestUpstream upstream("sane-backend");
  Meshlb meshlb({{"workers", 1},
                 {"listeners", {{{"name", "web"}, {"routes", {{{"cluster", "app"}}}}}}},
                 {"clusters", {clusterOf("app", {&upstream})}}});
  ASSERT_TRUE(meshlb.ready()) << meshlb.stderrLog();
  RawClient client(meshlb.listenerPort(0));
  // Chunk extensions, an empty line before the request line and HTTP/1.0 without Host are fine.
  client.send(
      "\r\nPOST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;ext=1\r\nabc\r\n0\r\n\r\n");
  auto first = client.readResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->header("x-upstream-received-bytes"), "3");
  client.send("GET / HTTP/1.0\r\n\r\n");
  auto second = client.readResponse();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(upstream.requests(), 2u);
}

}  // namespace
}  // namespace meshlb::testing
