#include "alerting/notify/attempt_outcome.h"

#include <gtest/gtest.h>

namespace meshlb::alerting {
namespace {

HttpResponse withStatus(int status, std::string body = "") {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

TEST(AlertAttemptOutcome, Classes) {
  EXPECT_EQ(classifyAttempt(withStatus(200)), AttemptOutcome::kDelivered);
  EXPECT_EQ(classifyAttempt(withStatus(204)), AttemptOutcome::kDelivered);
  EXPECT_EQ(classifyAttempt(withStatus(0)), AttemptOutcome::kRetry);
  EXPECT_EQ(classifyAttempt(withStatus(500)), AttemptOutcome::kRetry);
  EXPECT_EQ(classifyAttempt(withStatus(503)), AttemptOutcome::kRetry);
  EXPECT_EQ(classifyAttempt(withStatus(408)), AttemptOutcome::kRetry);
  EXPECT_EQ(classifyAttempt(withStatus(429)), AttemptOutcome::kRetry);
  EXPECT_EQ(classifyAttempt(withStatus(400)), AttemptOutcome::kRejected);
  EXPECT_EQ(classifyAttempt(withStatus(404)), AttemptOutcome::kRejected);
  EXPECT_EQ(classifyAttempt(withStatus(301)), AttemptOutcome::kRejected);
}

TEST(AlertAttemptOutcome, Descriptions) {
  HttpResponse refused;
  refused.error = "connect: connection refused";
  EXPECT_EQ(describeAttempt(refused), "connect: connection refused");
  EXPECT_EQ(describeAttempt(withStatus(400, "bad\nalert  \n")), "HTTP 400: bad alert");
  EXPECT_EQ(describeAttempt(withStatus(503)), "HTTP 503");
  EXPECT_EQ(describeAttempt(withStatus(500, std::string(1'000, 'x'))).size(),
            std::string("HTTP 500: ").size() + 200 + 3);
  EXPECT_EQ(userAgent().rfind("meshlb/", 0), 0u);
}

}  // namespace
}  // namespace meshlb::alerting
