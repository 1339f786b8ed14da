#include "proxy/http/message_encoder.h"

#include <gtest/gtest.h>
#include <llhttp.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshlb::http {
namespace {

using Headers = std::vector<std::pair<std::string_view, std::string_view>>;

// Builds a head the way the decoder does, piece by piece.
MessageHead makeRequest(llhttp_method_t method, std::string_view url, const Headers& headers,
                        uint8_t minor = 1) {
  MessageHead head;
  head.method = method;
  head.version_minor = minor;
  head.appendUrl(url.data(), url.size());
  for (const auto& [name, value] : headers) {
    head.appendName(name.data(), name.size());
    head.appendValue(value.data(), value.size());
  }
  head.finishHeader();
  return head;
}

MessageHead makeResponse(int status, std::string_view reason, const Headers& headers) {
  MessageHead head;
  head.status = status;
  if (!reason.empty()) {
    head.appendUrl(reason.data(), reason.size());
  }
  for (const auto& [name, value] : headers) {
    head.appendName(name.data(), name.size());
    head.appendValue(value.data(), value.size());
  }
  head.finishHeader();
  return head;
}

ForwardingInfo forwarding() {
  ForwardingInfo info;
  info.client_ip = "10.0.0.7";
  info.proto = "http";
  info.request_id = "req-1";
  info.default_host = "10.0.1.1:8080";
  return info;
}

std::string upstream(const MessageHead& head, const HeadInfo& info = {},
                     const ForwardingInfo& fwd = forwarding()) {
  std::string out;
  encodeUpstreamRequest(head, info, fwd, out);
  return out;
}

std::string downstream(const MessageHead& head, BodyFraming framing, bool keep_alive,
                       bool client_is_http10 = false) {
  std::string out;
  encodeDownstreamResponse(head, framing, keep_alive, client_is_http10, out);
  return out;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

size_t occurrences(std::string_view text, std::string_view part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

// ---- isHopByHop -----------------------------------------------------------------------------

TEST(IsHopByHopTest, FixedHopByHopNames) {
  MessageHead head = makeRequest(HTTP_GET, "/", {});
  for (std::string_view name :
       {"Connection", "proxy-connection", "Keep-Alive", "TE", "Transfer-Encoding", "UPGRADE"}) {
    EXPECT_TRUE(isHopByHop(name, head)) << name;
  }
  for (std::string_view name : {"Host", "Content-Length", "Trailer-X", "X-Upgrade", "Accept"}) {
    EXPECT_FALSE(isHopByHop(name, head)) << name;
  }
}

TEST(IsHopByHopTest, NamesListedInConnection) {
  MessageHead head = makeRequest(
      HTTP_GET, "/", {{"Connection", "keep-alive, X-Secret ,x-other"}, {"connection", "X-Third"}});
  EXPECT_TRUE(isHopByHop("X-Secret", head));
  EXPECT_TRUE(isHopByHop("x-secret", head));
  EXPECT_TRUE(isHopByHop("X-OTHER", head));
  EXPECT_TRUE(isHopByHop("x-third", head));
  EXPECT_FALSE(isHopByHop("X-Secre", head));
  EXPECT_FALSE(isHopByHop("Accept", head));
}

// ---- encodeUpstreamRequest ------------------------------------------------------------------

TEST(EncodeUpstreamRequestTest, PlainGetExactBytes) {
  MessageHead head = makeRequest(HTTP_GET, "/a?b=c", {{"Host", "example.com"}, {"Accept", "*/*"}});
  EXPECT_EQ(upstream(head),
            "GET /a?b=c HTTP/1.1\r\n"
            "Host: example.com\r\n"
            "Accept: */*\r\n"
            "X-Forwarded-For: 10.0.0.7\r\n"
            "X-Forwarded-Proto: http\r\n"
            "X-Request-Id: req-1\r\n"
            "\r\n");
}

TEST(EncodeUpstreamRequestTest, AppendsClientToExistingXForwardedFor) {
  MessageHead head =
      makeRequest(HTTP_GET, "/", {{"Host", "h"}, {"X-Forwarded-For", "1.1.1.1, 2.2.2.2"}});
  std::string out = upstream(head);
  EXPECT_TRUE(contains(out, "X-Forwarded-For: 1.1.1.1, 2.2.2.2, 10.0.0.7\r\n")) << out;
  EXPECT_EQ(occurrences(out, "X-Forwarded-For"), 1u) << out;
}

TEST(EncodeUpstreamRequestTest, SeveralXForwardedForFieldsKeepTheirOrder) {
  MessageHead head =
      makeRequest(HTTP_GET, "/",
                  {{"Host", "h"}, {"x-forwarded-for", "1.1.1.1"}, {"X-Forwarded-For", "2.2.2.2"}});
  std::string out = upstream(head);
  size_t first = out.find("X-Forwarded-For: 1.1.1.1\r\n");
  size_t last = out.find("X-Forwarded-For: 2.2.2.2, 10.0.0.7\r\n");
  ASSERT_NE(first, std::string::npos) << out;
  ASSERT_NE(last, std::string::npos) << out;
  EXPECT_LT(first, last);
  EXPECT_EQ(occurrences(out, "X-Forwarded-For"), 2u) << out;
}

TEST(EncodeUpstreamRequestTest, XForwardedProtoIsOverwritten) {
  MessageHead head = makeRequest(HTTP_GET, "/", {{"Host", "h"}, {"X-Forwarded-Proto", "https"}});
  ForwardingInfo fwd = forwarding();
  fwd.proto = "http";
  std::string out = upstream(head, {}, fwd);
  EXPECT_TRUE(contains(out, "X-Forwarded-Proto: http\r\n")) << out;
  EXPECT_FALSE(contains(out, "https")) << out;
  EXPECT_EQ(occurrences(out, "X-Forwarded-Proto"), 1u);
}

TEST(EncodeUpstreamRequestTest, ExistingRequestIdIsKept) {
  MessageHead head = makeRequest(HTTP_GET, "/", {{"Host", "h"}, {"X-Request-Id", "client-id"}});
  std::string out = upstream(head);
  EXPECT_TRUE(contains(out, "X-Request-Id: client-id\r\n")) << out;
  EXPECT_FALSE(contains(out, "req-1")) << out;
  EXPECT_EQ(occurrences(out, "X-Request-Id"), 1u);
}

TEST(EncodeUpstreamRequestTest, EmptyRequestIdIsReplaced) {
  MessageHead head = makeRequest(HTTP_GET, "/", {{"Host", "h"}, {"X-Request-Id", ""}});
  std::string out = upstream(head);
  EXPECT_TRUE(contains(out, "X-Request-Id: req-1\r\n")) << out;
  EXPECT_EQ(occurrences(out, "X-Request-Id"), 1u) << out;
}

TEST(EncodeUpstreamRequestTest, RemovesHopByHopAndConnectionNamedHeaders) {
  MessageHead head = makeRequest(HTTP_GET, "/",
                                 {{"Host", "h"},
                                  {"Connection", "keep-alive, X-Secret"},
                                  {"Keep-Alive", "timeout=5"},
                                  {"Proxy-Connection", "keep-alive"},
                                  {"TE", "trailers"},
                                  {"Upgrade", "websocket"},
                                  {"X-Secret", "s3cr3t"},
                                  {"X-Public", "p"}});
  std::string out = upstream(head);
  EXPECT_EQ(out,
            "GET / HTTP/1.1\r\n"
            "Host: h\r\n"
            "X-Public: p\r\n"
            "X-Forwarded-For: 10.0.0.7\r\n"
            "X-Forwarded-Proto: http\r\n"
            "X-Request-Id: req-1\r\n"
            "\r\n");
}

TEST(EncodeUpstreamRequestTest, DropsExpect100Continue) {
  MessageHead head = makeRequest(
      HTTP_POST, "/", {{"Host", "h"}, {"Expect", "100-continue"}, {"Content-Length", "3"}});
  HeadInfo info;
  info.expect_continue = true;
  info.has_body_framing = true;
  info.content_length = 3;
  std::string out = upstream(head, info);
  EXPECT_FALSE(contains(out, "Expect")) << out;
  EXPECT_FALSE(contains(out, "100-continue")) << out;
  EXPECT_TRUE(contains(out, "Content-Length: 3\r\n")) << out;
}

TEST(EncodeUpstreamRequestTest, KeepsOtherExpectations) {
  MessageHead head = makeRequest(HTTP_GET, "/", {{"Host", "h"}, {"Expect", "something-else"}});
  std::string out = upstream(head);
  EXPECT_TRUE(contains(out, "Expect: something-else\r\n")) << out;
}

TEST(EncodeUpstreamRequestTest, ChunkedIsReAdded) {
  MessageHead head =
      makeRequest(HTTP_POST, "/up", {{"Host", "h"}, {"Transfer-Encoding", "chunked"}});
  HeadInfo info;
  info.chunked = true;
  info.has_body_framing = true;
  std::string out = upstream(head, info);
  EXPECT_EQ(out,
            "POST /up HTTP/1.1\r\n"
            "Host: h\r\n"
            "Transfer-Encoding: chunked\r\n"
            "X-Forwarded-For: 10.0.0.7\r\n"
            "X-Forwarded-Proto: http\r\n"
            "X-Request-Id: req-1\r\n"
            "\r\n");
}

TEST(EncodeUpstreamRequestTest, UpgradeKeepsUpgradeAndConnection) {
  MessageHead head = makeRequest(HTTP_GET, "/ws",
                                 {{"Host", "h"},
                                  {"Connection", "Upgrade"},
                                  {"Upgrade", "websocket"},
                                  {"Sec-WebSocket-Key", "k"}});
  HeadInfo info;
  info.upgrade = true;
  std::string out = upstream(head, info);
  EXPECT_TRUE(contains(out, "Upgrade: websocket\r\n")) << out;
  EXPECT_TRUE(contains(out, "Connection: upgrade\r\n")) << out;
  EXPECT_TRUE(contains(out, "Sec-WebSocket-Key: k\r\n")) << out;
  EXPECT_EQ(occurrences(out, "Upgrade:"), 1u) << out;
  EXPECT_EQ(occurrences(out, "Connection:"), 1u) << out;
}

TEST(EncodeUpstreamRequestTest, Http10RequestIsSentAsHttp11WithDefaultHost) {
  MessageHead head = makeRequest(HTTP_GET, "/old", {{"Accept", "*/*"}}, /*minor=*/0);
  std::string out = upstream(head);
  EXPECT_TRUE(out.starts_with("GET /old HTTP/1.1\r\n")) << out;
  EXPECT_TRUE(contains(out, "Host: 10.0.1.1:8080\r\n")) << out;
}

TEST(EncodeUpstreamRequestTest, ClientHostIsNotReplaced) {
  MessageHead head = makeRequest(HTTP_GET, "/", {{"host", "client.example"}});
  std::string out = upstream(head);
  EXPECT_TRUE(contains(out, "host: client.example\r\n")) << out;
  EXPECT_FALSE(contains(out, "10.0.1.1:8080")) << out;
}

TEST(EncodeUpstreamRequestTest, MethodIsKept) {
  MessageHead head = makeRequest(HTTP_DELETE, "/item/1", {{"Host", "h"}});
  EXPECT_TRUE(upstream(head).starts_with("DELETE /item/1 HTTP/1.1\r\n"));
}

TEST(EncodeUpstreamRequestTest, AppendsToOutput) {
  MessageHead head = makeRequest(HTTP_GET, "/", {{"Host", "h"}});
  std::string out = "prefix";
  encodeUpstreamRequest(head, {}, forwarding(), out);
  EXPECT_TRUE(out.starts_with("prefixGET / HTTP/1.1\r\n"));
  EXPECT_TRUE(out.ends_with("\r\n\r\n"));
}

// A client can name Content-Length in Connection. Dropping the field while still forwarding
// the body bytes would let the body be read by the upstream as a second request (smuggling):
// a request with a Content-Length body must reach the upstream with its Content-Length.
TEST(EncodeUpstreamRequestTest, ContentLengthSurvivesBeingNamedInConnection) {
  MessageHead head = makeRequest(
      HTTP_POST, "/", {{"Host", "h"}, {"Content-Length", "5"}, {"Connection", "Content-Length"}});
  HeadInfo info;
  info.has_body_framing = true;
  info.content_length = 5;
  std::string out = upstream(head, info);
  EXPECT_TRUE(contains(out, "Content-Length: 5\r\n")) << out;
}

// ---- encodeDownstreamResponse ---------------------------------------------------------------

TEST(EncodeDownstreamResponseTest, ContentLengthKeepAliveHttp11) {
  MessageHead head =
      makeResponse(200, "OK", {{"Content-Length", "2"}, {"Content-Type", "text/plain"}});
  EXPECT_EQ(downstream(head, BodyFraming::kContentLength, true),
            "HTTP/1.1 200 OK\r\n"
            "Content-Length: 2\r\n"
            "Content-Type: text/plain\r\n"
            "\r\n");
}

TEST(EncodeDownstreamResponseTest, NotKeepAliveAddsConnectionClose) {
  MessageHead head = makeResponse(200, "OK", {{"Content-Length", "2"}});
  EXPECT_EQ(downstream(head, BodyFraming::kContentLength, false),
            "HTTP/1.1 200 OK\r\n"
            "Content-Length: 2\r\n"
            "Connection: close\r\n"
            "\r\n");
}

TEST(EncodeDownstreamResponseTest, Http10ClientKeepAlive) {
  MessageHead head = makeResponse(200, "OK", {{"Content-Length", "2"}});
  EXPECT_EQ(downstream(head, BodyFraming::kContentLength, true, true),
            "HTTP/1.0 200 OK\r\n"
            "Content-Length: 2\r\n"
            "Connection: keep-alive\r\n"
            "\r\n");
}

TEST(EncodeDownstreamResponseTest, Http10ClientUntilClose) {
  MessageHead head = makeResponse(200, "OK", {{"Transfer-Encoding", "chunked"}});
  EXPECT_EQ(downstream(head, BodyFraming::kUntilClose, false, true),
            "HTTP/1.0 200 OK\r\n"
            "Connection: close\r\n"
            "\r\n");
}

TEST(EncodeDownstreamResponseTest, ChunkedFramingReplacesUpstreamFraming) {
  MessageHead head = makeResponse(200, "OK",
                                  {{"Transfer-Encoding", "gzip, chunked"},
                                   {"Connection", "keep-alive, X-Hop"},
                                   {"Keep-Alive", "timeout=5"},
                                   {"X-Hop", "1"},
                                   {"X-End", "2"}});
  EXPECT_EQ(downstream(head, BodyFraming::kChunked, true),
            "HTTP/1.1 200 OK\r\n"
            "X-End: 2\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n");
}

TEST(EncodeDownstreamResponseTest, NoBodyFraming) {
  MessageHead head = makeResponse(204, "No Content", {{"X-A", "b"}});
  EXPECT_EQ(downstream(head, BodyFraming::kNone, true),
            "HTTP/1.1 204 No Content\r\n"
            "X-A: b\r\n"
            "\r\n");
}

TEST(EncodeDownstreamResponseTest, EmptyReasonUsesStandardPhrase) {
  MessageHead head = makeResponse(404, "", {{"Content-Length", "0"}});
  std::string out = downstream(head, BodyFraming::kContentLength, true);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 404 Not Found\r\n")) << out;
}

TEST(EncodeDownstreamResponseTest, UpstreamReasonIsKept) {
  MessageHead head = makeResponse(200, "Fine Thanks", {{"Content-Length", "0"}});
  EXPECT_TRUE(downstream(head, BodyFraming::kContentLength, true)
                  .starts_with("HTTP/1.1 200 Fine Thanks\r\n"));
}

TEST(EncodeDownstreamResponseTest, SwitchingProtocolsKeepsUpgrade) {
  MessageHead head = makeResponse(
      101, "Switching Protocols",
      {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}, {"Sec-WebSocket-Accept", "x"}});
  // keep_alive=false must not add "Connection: close" to a 101.
  EXPECT_EQ(downstream(head, BodyFraming::kNone, false),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Sec-WebSocket-Accept: x\r\n"
            "Upgrade: websocket\r\n"
            "Connection: upgrade\r\n"
            "\r\n");
}

// An upstream can name Content-Length in Connection. When meshlb forwards the body as the
// upstream framed it (kContentLength), the client must still receive the Content-Length, or a
// keep-alive client cannot tell where the body ends.
TEST(EncodeDownstreamResponseTest, ContentLengthSurvivesBeingNamedInConnection) {
  MessageHead head =
      makeResponse(200, "OK", {{"Content-Length", "2"}, {"Connection", "Content-Length"}});
  std::string out = downstream(head, BodyFraming::kContentLength, true);
  EXPECT_TRUE(contains(out, "Content-Length: 2\r\n")) << out;
}

// ---- encodeLocalReply, reasonPhrase, chunks -------------------------------------------------

TEST(EncodeLocalReplyTest, ExactBytes) {
  std::string out;
  encodeLocalReply(502, "upstream connect failed", out);
  EXPECT_EQ(out,
            "HTTP/1.1 502 Bad Gateway\r\n"
            "Content-Type: text/plain\r\n"
            "Content-Length: 24\r\n"
            "Connection: close\r\n"
            "\r\n"
            "upstream connect failed\n");
}

TEST(EncodeLocalReplyTest, ContentLengthMatchesBody) {
  std::string out;
  encodeLocalReply(431, "", out);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n")) << out;
  EXPECT_TRUE(out.ends_with("Content-Length: 1\r\nConnection: close\r\n\r\n\n")) << out;
}

TEST(ReasonPhraseTest, KnownAndUnknown) {
  EXPECT_EQ(reasonPhrase(200), "OK");
  EXPECT_EQ(reasonPhrase(400), "Bad Request");
  EXPECT_EQ(reasonPhrase(404), "Not Found");
  EXPECT_EQ(reasonPhrase(503), "Service Unavailable");
  EXPECT_EQ(reasonPhrase(504), "Gateway Timeout");
  EXPECT_EQ(reasonPhrase(299), "Unknown");
}

TEST(ChunkSizeLineTest, IsTheLengthInHexAndCrlf) {
  EXPECT_EQ(ChunkSizeLine(0).view(), "0\r\n");
  EXPECT_EQ(ChunkSizeLine(10).view(), "a\r\n");
  EXPECT_EQ(ChunkSizeLine(255).view(), "ff\r\n");
  EXPECT_EQ(ChunkSizeLine(65536).view(), "10000\r\n");
  EXPECT_EQ(ChunkSizeLine(SIZE_MAX).view(), "ffffffffffffffff\r\n");
  EXPECT_EQ(kLastChunk, "0\r\n\r\n");
  EXPECT_EQ(kChunkTrailer, "\r\n");
}

}  // namespace
}  // namespace meshlb::http

namespace meshlb::http {
namespace {

TEST(SplitRequestTargetTest, OriginFormIsKeptAsThePath) {
  RequestTarget target = splitRequestTarget("/a/b?c=1");
  EXPECT_TRUE(target.valid);
  EXPECT_EQ(target.authority, "");
  EXPECT_EQ(target.path, "/a/b?c=1");
}

TEST(SplitRequestTargetTest, AbsoluteFormGivesAuthorityAndOriginFormPath) {
  RequestTarget target = splitRequestTarget("HTTP://Api.Example.com:8080/v1/x?y=2");
  EXPECT_TRUE(target.valid);
  EXPECT_EQ(target.authority, "Api.Example.com:8080");
  EXPECT_EQ(target.path, "/v1/x?y=2");
  EXPECT_EQ(splitRequestTarget("https://a.example").path, "/");
  EXPECT_EQ(splitRequestTarget("http://a.example?q").path, "?q");
}

TEST(SplitRequestTargetTest, UserinfoOrEmptyHostIsInvalid) {
  EXPECT_FALSE(splitRequestTarget("http://user:pw@a.example/").valid);
  EXPECT_FALSE(splitRequestTarget("http:///path").valid);
}

}  // namespace
}  // namespace meshlb::http
