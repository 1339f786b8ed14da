#include "proxy/router/router.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meshlb {
namespace {

using config::RouteConfig;

RouteConfig route(std::string host, std::string path_prefix, std::string cluster) {
  RouteConfig r;
  r.host = std::move(host);
  r.path_prefix = std::move(path_prefix);
  r.cluster = std::move(cluster);
  return r;
}

// The cluster name of the matching route, or "(none)".
std::string matchCluster(const Router& router, std::string_view host, std::string_view path) {
  const RouteConfig* matched = router.match(host, path);
  return matched == nullptr ? "(none)" : matched->cluster;
}

TEST(RouterTest, NoRoutesMatchesNothing) {
  std::vector<RouteConfig> routes;
  Router router(routes);
  EXPECT_EQ(router.match("example.com", "/"), nullptr);
}

TEST(RouterTest, ReturnsPointerIntoTheGivenRoutes) {
  std::vector<RouteConfig> routes = {route("*", "/", "a")};
  Router router(routes);
  EXPECT_EQ(router.match("x", "/"), &routes[0]);
}

TEST(RouterTest, ExactBeatsSuffixBeatsWildcardWhateverTheOrder) {
  std::vector<RouteConfig> routes = {
      route("*", "/", "any"),
      route("*.example.com", "/", "suffix"),
      route("api.example.com", "/", "exact"),
  };
  Router router(routes);
  EXPECT_EQ(matchCluster(router, "api.example.com", "/x"), "exact");
  EXPECT_EQ(matchCluster(router, "www.example.com", "/x"), "suffix");
  EXPECT_EQ(matchCluster(router, "other.org", "/x"), "any");
}

TEST(RouterTest, LongestSuffixFirst) {
  std::vector<RouteConfig> routes = {
      route("*.com", "/", "com"),
      route("*.example.com", "/", "example"),
      route("*.eu.example.com", "/", "eu"),
  };
  Router router(routes);
  EXPECT_EQ(matchCluster(router, "a.eu.example.com", "/"), "eu");
  EXPECT_EQ(matchCluster(router, "a.us.example.com", "/"), "example");
  EXPECT_EQ(matchCluster(router, "eu.example.com", "/"), "example");
  EXPECT_EQ(matchCluster(router, "other.com", "/"), "com");
}

TEST(RouterTest, SuffixDoesNotMatchTheBareDomain) {
  std::vector<RouteConfig> routes = {route("*.example.com", "/", "suffix")};
  Router router(routes);
  EXPECT_EQ(router.match("example.com", "/"), nullptr);
  EXPECT_EQ(router.match(".example.com", "/"), nullptr);
  EXPECT_EQ(router.match("badexample.com", "/"), nullptr);
  EXPECT_EQ(matchCluster(router, "a.example.com", "/"), "suffix");
  EXPECT_EQ(matchCluster(router, "a.b.example.com", "/"), "suffix");
}

TEST(RouterTest, SuffixBareDomainFallsThroughToWildcard) {
  std::vector<RouteConfig> routes = {route("*.example.com", "/", "suffix"), route("*", "/", "any")};
  Router router(routes);
  EXPECT_EQ(matchCluster(router, "example.com", "/"), "any");
}

TEST(RouterTest, PortIsStripped) {
  std::vector<RouteConfig> routes = {route("api.example.com", "/", "exact"),
                                     route("*.example.com", "/", "suffix")};
  Router router(routes);
  EXPECT_EQ(matchCluster(router, "api.example.com:8080", "/"), "exact");
  EXPECT_EQ(matchCluster(router, "www.example.com:443", "/"), "suffix");
  EXPECT_EQ(matchCluster(router, "api.example.com:", "/"), "exact");
}

TEST(RouterTest, Ipv6HostPortIsStripped) {
  std::vector<RouteConfig> routes = {route("[::1]", "/", "v6")};
  Router router(routes);
  EXPECT_EQ(matchCluster(router, "[::1]:8080", "/"), "v6");
  EXPECT_EQ(matchCluster(router, "[::1]", "/"), "v6");
  EXPECT_EQ(router.match("[::2]:8080", "/"), nullptr);
}

TEST(RouterTest, HostIsCaseInsensitive) {
  std::vector<RouteConfig> routes = {route("api.example.com", "/", "exact"),
                                     route("*.example.org", "/", "suffix")};
  Router router(routes);
  EXPECT_EQ(matchCluster(router, "API.Example.COM", "/"), "exact");
  EXPECT_EQ(matchCluster(router, "WWW.EXAMPLE.ORG:80", "/"), "suffix");
}

TEST(RouterTest, PathPrefixSelectsRouteWithinALevel) {
  std::vector<RouteConfig> routes = {
      route("example.com", "/api/", "api"),
      route("example.com", "/static", "static"),
  };
  Router router(routes);
  EXPECT_EQ(matchCluster(router, "example.com", "/api/users"), "api");
  EXPECT_EQ(matchCluster(router, "example.com", "/static/a.css"), "static");
  EXPECT_EQ(matchCluster(router, "example.com", "/staticfile"), "static");
  EXPECT_EQ(router.match("example.com", "/api"), nullptr);
  EXPECT_EQ(router.match("example.com", "/"), nullptr);
}

TEST(RouterTest, PathPrefixIsCaseSensitive) {
  std::vector<RouteConfig> routes = {route("*", "/api", "api")};
  Router router(routes);
  EXPECT_EQ(router.match("x", "/API"), nullptr);
}

TEST(RouterTest, FirstRouteInOrderWinsAtTheSameLevel) {
  std::vector<RouteConfig> routes = {
      route("*", "/", "root-first"),
      route("*", "/api", "api-second"),
  };
  Router router(routes);
  // Config order, not longest prefix: "/" is first and matches everything.
  EXPECT_EQ(matchCluster(router, "x", "/api/v1"), "root-first");
}

TEST(RouterTest, FirstExactRouteInOrderWins) {
  std::vector<RouteConfig> routes = {
      route("a.com", "/api", "api"),
      route("a.com", "/", "root"),
      route("a.com", "/api", "api-later"),
  };
  Router router(routes);
  EXPECT_EQ(matchCluster(router, "a.com", "/api/x"), "api");
  EXPECT_EQ(matchCluster(router, "a.com", "/other"), "root");
}

TEST(RouterTest, EqualLengthSuffixesKeepConfigOrder) {
  std::vector<RouteConfig> routes = {
      route("*.aaa.com", "/", "first"),
      route("*.bbb.com", "/", "second"),
      route("*.aaa.com", "/", "third"),
  };
  Router router(routes);
  EXPECT_EQ(matchCluster(router, "x.aaa.com", "/"), "first");
  EXPECT_EQ(matchCluster(router, "x.bbb.com", "/"), "second");
}

TEST(RouterTest, ExactWithNonMatchingPathFallsBackToLessSpecificLevel) {
  std::vector<RouteConfig> routes = {
      route("api.example.com", "/v2", "exact-v2"),
      route("*.example.com", "/v1", "suffix-v1"),
      route("*", "/", "any"),
  };
  Router router(routes);
  EXPECT_EQ(matchCluster(router, "api.example.com", "/v2/x"), "exact-v2");
  EXPECT_EQ(matchCluster(router, "api.example.com", "/v1/x"), "suffix-v1");
  EXPECT_EQ(matchCluster(router, "api.example.com", "/v3"), "any");
}

TEST(RouterTest, NoMatchReturnsNull) {
  std::vector<RouteConfig> routes = {route("a.com", "/", "a"), route("*.b.com", "/", "b")};
  Router router(routes);
  EXPECT_EQ(router.match("c.com", "/"), nullptr);
  EXPECT_EQ(router.match("", "/"), nullptr);
  EXPECT_EQ(router.match("a.comm", "/"), nullptr);
  EXPECT_EQ(router.match("aa.com", "/"), nullptr);
}

TEST(RouterTest, ExactDoesNotMatchSubdomain) {
  std::vector<RouteConfig> routes = {route("example.com", "/", "exact")};
  Router router(routes);
  EXPECT_EQ(router.match("www.example.com", "/"), nullptr);
}

}  // namespace
}  // namespace meshlb
