#include "admin/admin_error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace meshlb::admin {
namespace {

TEST(AdminErrorTest, IsJsonWithErrorAndDetail) {
  AdminResponse response = adminError(413, "body_too_large", "the body is larger than 10 bytes");
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_TRUE(response.headers.empty());
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body, (nlohmann::json{{"error", "body_too_large"},
                                  {"detail", "the body is larger than 10 bytes"}}));
}

TEST(AdminErrorTest, EscapesWhatAClientSent) {
  AdminResponse response = adminError(400, "bad_query", "bad \"q\"\n\\ \x01");
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["detail"], "bad \"q\"\n\\ \x01");
  EXPECT_EQ(response.body.find('\n'), response.body.size() - 1) << "one line of JSON";
}

TEST(AdminErrorTest, InvalidUtf8IsReplacedNotThrown) {
  AdminResponse response = adminError(400, "bad_request", "path /\xff\xfe");
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"], "bad_request");
  EXPECT_EQ(body["detail"].get<std::string>().rfind("path /", 0), 0u);
}

}  // namespace
}  // namespace meshlb::admin

namespace meshlb::admin {
namespace {

// Found by admin_request_fuzz: DELETE /silences/%FF echoed the id into the answer and dump()
// threw on the invalid UTF-8, so the client got a 500 instead of the 404.
TEST(JsonAnswerTest, InvalidUtf8IsReplacedNotThrown) {
  nlohmann::json body = {{"error", "silence_not_found"}, {"detail", std::string("no \xFF")}};
  AdminResponse response = jsonAnswer(404, body);
  EXPECT_EQ(response.status, 404);
  EXPECT_NE(response.body.find("no \xEF\xBF\xBD"), std::string::npos) << response.body;
}

}  // namespace
}  // namespace meshlb::admin
