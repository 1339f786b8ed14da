#include <gtest/gtest.h>

#include "alerting/notify/http_post.h"

namespace meshlb::alerting {
namespace {

HttpUrl parseOk(std::string_view text) {
  std::string error;
  std::optional<HttpUrl> url = parseHttpUrl(text, &error);
  EXPECT_TRUE(url.has_value()) << text << ": " << error;
  return url.value_or(HttpUrl{});
}

std::string parseError(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parseHttpUrl(text, &error).has_value()) << text;
  return error;
}

TEST(AlertHttpUrl, HostPortAndPath) {
  HttpUrl url = parseOk("http://127.0.0.1:9093/prefix");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 9093);
  EXPECT_EQ(url.path, "/prefix");
}

TEST(AlertHttpUrl, Defaults) {
  HttpUrl url = parseOk("HTTP://alertmanager.example");
  EXPECT_EQ(url.host, "alertmanager.example");
  EXPECT_EQ(url.port, 80);
  EXPECT_EQ(url.path, "/");
  EXPECT_EQ(parseOk("http://h?x=1#frag").path, "/?x=1");
  EXPECT_EQ(parseOk("http://h/a/b?x=1").path, "/a/b?x=1");
}

TEST(AlertHttpUrl, Ipv6InBrackets) {
  HttpUrl url = parseOk("http://[::1]:8080/hook");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(httpAuthority(url, true), "[::1]:8080");
  EXPECT_EQ(httpAuthority(parseOk("http://[::1]"), true), "[::1]");
  EXPECT_EQ(httpAuthority(parseOk("http://h"), false), "h:80");
}

TEST(AlertHttpUrl, Rejects) {
  EXPECT_NE(parseError("https://h/").find("https"), std::string::npos);
  parseError("ftp://h/");
  parseError("http://");
  parseError("http://:80/");
  parseError("http://h:0/");
  parseError("http://h:65536/");
  parseError("http://h:/");
  parseError("http://h:80x/");
  parseError("http://[::1/");
  parseError("http://[nope]/");
  parseError("http://[::1]x/");
  parseError("http://user:secret@h/");
  parseError("http://h/a b");
  parseError("http://h/a\r\nX: y");
  parseError("http://h h/");
}

}  // namespace
}  // namespace meshlb::alerting
