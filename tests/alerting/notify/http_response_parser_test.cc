#include "alerting/notify/http_response_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace meshlb::alerting {
namespace {

using State = HttpResponseParser::State;

// Feeds `bytes` one byte at a time, the hardest split for the parser.
State feedBytewise(HttpResponseParser& parser, std::string_view bytes) {
  State state = State::kNeedMore;
  for (char c : bytes) {
    state = parser.feed(std::string_view(&c, 1));
    if (state != State::kNeedMore) {
      break;
    }
  }
  return state;
}

TEST(AlertHttpResponseParser, ContentLength) {
  HttpResponseParser parser;
  EXPECT_EQ(feedBytewise(parser, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
            State::kDone);
  EXPECT_EQ(parser.status(), 200);
  EXPECT_EQ(parser.body(), "hello");
  EXPECT_FALSE(parser.truncated());
}

TEST(AlertHttpResponseParser, ChunkedWithExtensionsAndTrailers) {
  HttpResponseParser parser;
  std::string response =
      "HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: y\r\n\r\n";
  EXPECT_EQ(feedBytewise(parser, response), State::kDone);
  EXPECT_EQ(parser.status(), 503);
  EXPECT_EQ(parser.body(), "hello, world");
}

TEST(AlertHttpResponseParser, BodyToEof) {
  HttpResponseParser parser;
  EXPECT_EQ(parser.feed("HTTP/1.0 202 Accepted\r\n\r\nsome"), State::kNeedMore);
  EXPECT_EQ(parser.feed(" text"), State::kNeedMore);
  EXPECT_EQ(parser.finish(), State::kDone);
  EXPECT_EQ(parser.status(), 202);
  EXPECT_EQ(parser.body(), "some text");
}

TEST(AlertHttpResponseParser, SkipsInterimResponses) {
  HttpResponseParser parser;
  EXPECT_EQ(parser.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"),
            State::kDone);
  EXPECT_EQ(parser.status(), 204);
}

TEST(AlertHttpResponseParser, TruncatesALargeBody) {
  HttpResponseParser parser(10);
  EXPECT_EQ(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789abc"),
            State::kDone);
  EXPECT_EQ(parser.body(), "0123456789");
  EXPECT_TRUE(parser.truncated());
}

TEST(AlertHttpResponseParser, Errors) {
  {
    HttpResponseParser parser;
    EXPECT_EQ(parser.feed("SMTP ready\r\n\r\n"), State::kError);
    EXPECT_EQ(parser.status(), 0);
  }
  {
    HttpResponseParser parser;
    EXPECT_EQ(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"), State::kNeedMore);
    EXPECT_EQ(parser.finish(), State::kError);
    EXPECT_EQ(parser.status(), 200);  // the server did answer
    EXPECT_NE(parser.error(), "");
  }
  {
    HttpResponseParser parser;
    EXPECT_EQ(parser.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
              State::kError);
  }
  {
    HttpResponseParser parser;
    EXPECT_EQ(parser.finish(), State::kError);
    EXPECT_EQ(parser.error(), "connection closed before a response");
  }
}

}  // namespace
}  // namespace meshlb::alerting
