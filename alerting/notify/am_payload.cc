#include "alerting/notify/am_payload.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "alerting/notify/label_json.h"

namespace meshlb::alerting {
namespace {

// Days since 1970-01-01 → civil date (Howard Hinnant's days_from_civil, inverted): exact for
// every int64 day count we can meet, unlike gmtime with a 32-bit time_t.
void civilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int64_t>(yoe) + era * 400 + (*month <= 2 ? 1 : 0);
}

int64_t floorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace

std::string rfc3339(int64_t unix_ms) {
  const int64_t seconds = floorDiv(unix_ms, 1000);
  const int64_t millis = unix_ms - seconds * 1000;
  const int64_t days = floorDiv(seconds, 86400);
  const int64_t in_day = seconds - days * 86400;
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  civilFromDays(days, &year, &month, &day);
  char text[80];  // room for any int64 year, which -Wformat-truncation checks
  std::snprintf(text, sizeof(text), "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(year), month, day, static_cast<long long>(in_day / 3600),
                static_cast<long long>(in_day / 60 % 60), static_cast<long long>(in_day % 60),
                static_cast<long long>(millis));
  return text;
}

std::string alertmanagerBody(const std::vector<OutgoingAlert>& alerts) {
  nlohmann::ordered_json body = nlohmann::ordered_json::array();
  for (const OutgoingAlert& alert : alerts) {
    nlohmann::ordered_json item = {{"labels", labelsToJson(alert.labels)},
                                   {"annotations", labelsToJson(alert.annotations)}};
    if (alert.starts_unix_ms != 0) {
      item["startsAt"] = rfc3339(alert.starts_unix_ms);
    }
    if (alert.ends_unix_ms != 0) {
      item["endsAt"] = rfc3339(alert.ends_unix_ms);
    }
    if (!alert.generator_url.empty()) {
      item["generatorURL"] = alert.generator_url;
    }
    body.push_back(std::move(item));
  }
  return dumpJson(body);
}

}  // namespace meshlb::alerting
