#include "alerting/notify/attempt_outcome.h"

namespace meshlb::alerting {

AttemptOutcome classifyAttempt(const HttpResponse& response) {
  const int status = response.status;
  if (status >= 200 && status < 300) {
    return AttemptOutcome::kDelivered;
  }
  if (status == 0 || status >= 500 || status == 408 || status == 429) {
    return AttemptOutcome::kRetry;
  }
  return AttemptOutcome::kRejected;
}

std::string describeAttempt(const HttpResponse& response) {
  if (response.status == 0) {
    return response.error.empty() ? std::string("no response") : response.error;
  }
  std::string text = "HTTP " + std::to_string(response.status);
  std::string snippet;
  for (char c : response.body) {
    if (snippet.size() >= 200) {
      snippet += "...";
      break;
    }
    snippet.push_back(c >= 0x20 && c < 0x7F ? c : ' ');
  }
  while (!snippet.empty() && snippet.back() == ' ') {
    snippet.pop_back();
  }
  if (!snippet.empty()) {
    text.append(": ").append(snippet);
  }
  return text;
}

std::string userAgent() {
#ifdef MESHLB_VERSION
  return std::string("meshlb/") + MESHLB_VERSION;
#else
  return "meshlb/dev";
#endif
}

}  // namespace meshlb::alerting
