#include "admin/admin_token.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

namespace meshlb::admin {
namespace {

// Saves $MESHLB_ADMIN_TOKEN, clears it for the test, and restores it after.
class AdminTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* value = getenv(AdminToken::kEnvironmentVariable)) {
      saved_ = value;
    }
    unsetenv(AdminToken::kEnvironmentVariable);
  }
  void TearDown() override {
    if (saved_) {
      setenv(AdminToken::kEnvironmentVariable, saved_->c_str(), 1);
    } else {
      unsetenv(AdminToken::kEnvironmentVariable);
    }
    for (const std::string& path : files_) {
      unlink(path.c_str());
    }
  }

  std::string writeFile(const std::string& content) {
    std::string path = ::testing::TempDir() + "meshlb-admin-token-" + std::to_string(getpid()) +
                       "-" + std::to_string(files_.size());
    std::ofstream(path, std::ios::binary) << content;
    files_.push_back(path);
    return path;
  }

  static AdminToken tokenOf(std::string_view text) {
    Result<AdminToken> token = AdminToken::fromText(text, "test");
    EXPECT_TRUE(token.ok()) << (token.ok() ? "" : token.error().message);
    return token.ok() ? token.value() : AdminToken();
  }

 private:
  std::optional<std::string> saved_;
  std::vector<std::string> files_;
};

TEST_F(AdminTokenTest, LoadsFromFileAndTrimsTheTrailingNewline) {
  Result<AdminToken> token = AdminToken::load(writeFile("s3cret-token\n"));
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_TRUE(token->configured());
  EXPECT_TRUE(token->accepts("Bearer s3cret-token"));
  EXPECT_FALSE(token->accepts("Bearer s3cret-token\n"));
  EXPECT_NE(token->source().find("admin.token_file"), std::string::npos);
}

TEST_F(AdminTokenTest, TrimsCrLfAndSpaces) {
  Result<AdminToken> token = AdminToken::load(writeFile("  abc \r\n"));
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_TRUE(token->accepts("Bearer abc"));
}

TEST_F(AdminTokenTest, FileWinsOverTheEnvironment) {
  setenv(AdminToken::kEnvironmentVariable, "from-env", 1);
  Result<AdminToken> token = AdminToken::load(writeFile("from-file"));
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_TRUE(token->accepts("Bearer from-file"));
  EXPECT_FALSE(token->accepts("Bearer from-env"));
}

TEST_F(AdminTokenTest, FallsBackToTheEnvironment) {
  setenv(AdminToken::kEnvironmentVariable, "from-env\n", 1);
  Result<AdminToken> token = AdminToken::load("");
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_TRUE(token->configured());
  EXPECT_TRUE(token->accepts("Bearer from-env"));
  EXPECT_NE(token->source().find("MESHLB_ADMIN_TOKEN"), std::string::npos);
}

TEST_F(AdminTokenTest, NoFileAndNoEnvironmentMeansNoToken) {
  Result<AdminToken> token = AdminToken::load("");
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_FALSE(token->configured());
  EXPECT_FALSE(token->accepts("Bearer "));
  EXPECT_FALSE(token->accepts(""));
}

TEST_F(AdminTokenTest, EmptyEnvironmentVariableIsAnError) {
  setenv(AdminToken::kEnvironmentVariable, " \n", 1);
  Result<AdminToken> token = AdminToken::load("");
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().message.find("empty"), std::string::npos) << token.error().message;
}

TEST_F(AdminTokenTest, EmptyMissingOrOversizedFileIsAnError) {
  for (const std::string& path :
       {writeFile(""), writeFile("\n"), std::string("/nonexistent/meshlb/token"),
        writeFile(std::string(5000, 'x'))}) {
    Result<AdminToken> token = AdminToken::load(path);
    ASSERT_FALSE(token.ok()) << path;
    EXPECT_NE(token.error().message.find(path), std::string::npos) << token.error().message;
  }
  Result<AdminToken> directory = AdminToken::load("/");
  EXPECT_FALSE(directory.ok());
}

TEST_F(AdminTokenTest, ControlCharactersAreAnError) {
  EXPECT_FALSE(AdminToken::load(writeFile("two\nlines\n")).ok());
  EXPECT_FALSE(AdminToken::fromText(std::string("nul\0byte", 8), "test").ok());
}

TEST_F(AdminTokenTest, RefusesWrongTokens) {
  AdminToken token = tokenOf("correct-horse");
  EXPECT_TRUE(token.accepts("Bearer correct-horse"));
  EXPECT_FALSE(token.accepts("Bearer wrong-horse!"));    // same length
  EXPECT_FALSE(token.accepts("Bearer correct-hors"));    // a prefix
  EXPECT_FALSE(token.accepts("Bearer correct-horsee"));  // longer
  EXPECT_FALSE(token.accepts("Bearer x"));
  EXPECT_FALSE(token.accepts("Bearer " + std::string(10000, 'c')));
  EXPECT_FALSE(token.accepts("Bearer "));
  EXPECT_FALSE(token.accepts(""));
}

TEST_F(AdminTokenTest, RefusesOtherSchemes) {
  AdminToken token = tokenOf("correct-horse");
  EXPECT_FALSE(token.accepts("correct-horse"));
  EXPECT_FALSE(token.accepts("Basic correct-horse"));
  EXPECT_FALSE(token.accepts("Token correct-horse"));
  EXPECT_FALSE(token.accepts("Bearercorrect-horse"));
  EXPECT_FALSE(token.accepts("Bearer: correct-horse"));
  // The scheme is case-insensitive (RFC 9110 §11.1) and may be followed by several spaces.
  EXPECT_TRUE(token.accepts("bearer correct-horse"));
  EXPECT_TRUE(token.accepts("BEARER   correct-horse"));
}

TEST_F(AdminTokenTest, PolicyWithoutTokenOpensEverything) {
  AdminAuthPolicy policy;
  policy.protect_reads = true;
  EXPECT_FALSE(policy.requiresToken("POST", "/reload"));
  EXPECT_FALSE(policy.requiresToken("GET", "/stats"));
  EXPECT_NE(policy.describe().find("open"), std::string::npos);
}

TEST_F(AdminTokenTest, PolicyProtectsWritesAndOptionallyReads) {
  AdminAuthPolicy policy{tokenOf("t"), false};
  EXPECT_TRUE(policy.requiresToken("POST", "/drain"));
  EXPECT_TRUE(policy.requiresToken("PUT", "/x"));
  EXPECT_TRUE(policy.requiresToken("DELETE", "/ready"));
  EXPECT_FALSE(policy.requiresToken("GET", "/stats"));
  EXPECT_FALSE(policy.requiresToken("HEAD", "/stats"));

  policy.protect_reads = true;
  EXPECT_TRUE(policy.requiresToken("GET", "/stats"));
  EXPECT_TRUE(policy.requiresToken("HEAD", "/"));
  EXPECT_TRUE(policy.requiresToken("GET", "/ready/x"));
  EXPECT_FALSE(policy.requiresToken("GET", "/ready"));
  EXPECT_TRUE(policy.requiresToken("POST", "/ready"));
}

}  // namespace
}  // namespace meshlb::admin
