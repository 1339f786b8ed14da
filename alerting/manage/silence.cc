#include "alerting/manage/silence.h"

#include <cstdio>
#include <random>

#include "alerting/model/field_reader.h"

namespace meshlb::alerting {
namespace {

constexpr int64_t kMaxUnixMs = 253'402'300'799'999;  // 9999-12-31, far beyond any silence

void parseMatchers(FieldReader& reader, Silence& silence) {
  const nlohmann::json* matchers = reader.take("matchers");
  if (matchers == nullptr) {
    reader.error("matchers", "is required");
    return;
  }
  if (!matchers->is_array() || matchers->empty() || matchers->size() > kMaxSilenceMatchers) {
    reader.error("matchers", "expected an array of 1 to 16 matchers");
    return;
  }
  bool all_match_empty = true;
  for (size_t i = 0; i < matchers->size(); ++i) {
    std::optional<Matcher> matcher =
        parseMatcher((*matchers)[i], indexPath(reader.pathOf("matchers"), i), reader.errors());
    if (matcher.has_value()) {
      all_match_empty = all_match_empty && matcher->matchesEmpty();
      silence.matchers.push_back(std::move(*matcher));
    }
  }
  if (silence.matchers.size() == matchers->size() && all_match_empty) {
    reader.error("matchers", "matches every alert");
  }
}

void parseTimes(FieldReader& reader, int64_t now_ms, Silence& silence) {
  silence.starts_unix_ms = now_ms;
  const bool start_valid = reader.take("starts_unix_ms") == nullptr ||
                           reader.int64("starts_unix_ms", silence.starts_unix_ms, 0, kMaxUnixMs);
  const bool has_end = reader.take("ends_unix_ms") != nullptr;
  const bool has_duration = reader.take("duration_s") != nullptr;
  if (has_end && has_duration) {
    reader.error("ends_unix_ms", "give either ends_unix_ms or duration_s, not both");
    return;
  }
  if (!has_end && !has_duration) {
    reader.error("ends_unix_ms", "ends_unix_ms or duration_s is required");
    return;
  }
  const char* key = has_end ? "ends_unix_ms" : "duration_s";
  if (has_end) {
    if (!reader.int64("ends_unix_ms", silence.ends_unix_ms, 0, kMaxUnixMs)) {
      return;
    }
  } else {
    int64_t duration_s = 0;
    if (!reader.int64("duration_s", duration_s, 1, kMaxSilenceDurationS)) {
      return;
    }
    silence.ends_unix_ms = silence.starts_unix_ms + duration_s * 1000;
  }
  if (!start_valid) {
    return;
  }
  if (silence.ends_unix_ms <= silence.starts_unix_ms) {
    reader.error(key, "the silence must end after it starts");
  } else if (silence.ends_unix_ms <= now_ms) {
    reader.error(key, "the silence would already have ended");
  }
}

void parseText(FieldReader& reader, Silence& silence) {
  if (reader.string("created_by", silence.created_by, true) &&
      (silence.created_by.empty() || silence.created_by.size() > kMaxSilenceCreatorLength)) {
    reader.error("created_by", "must be 1 to 128 characters");
  }
  if (reader.string("comment", silence.comment) &&
      silence.comment.size() > kMaxSilenceCommentLength) {
    reader.error("comment", "must be at most 1024 characters");
  }
}

}  // namespace

SilenceState silenceState(const Silence& silence, int64_t now_ms) {
  if (now_ms < silence.starts_unix_ms) {
    return SilenceState::kPending;
  }
  return now_ms < silence.ends_unix_ms ? SilenceState::kActive : SilenceState::kExpired;
}

std::string_view silenceStateName(SilenceState state) {
  switch (state) {
    case SilenceState::kPending:
      return "pending";
    case SilenceState::kActive:
      return "active";
    case SilenceState::kExpired:
      return "expired";
  }
  return "expired";
}

std::optional<Silence> parseSilence(const nlohmann::json& body, int64_t now_ms,
                                    std::vector<FieldError>& errors) {
  const size_t errors_before = errors.size();
  FieldReader reader(body, "", errors);
  if (!reader.valid()) {
    return std::nullopt;
  }
  Silence silence;
  if (reader.string("id", silence.id) && silence.id.empty()) {
    reader.error("id", "must not be empty");
  }
  parseMatchers(reader, silence);
  parseTimes(reader, now_ms, silence);
  parseText(reader, silence);
  silence.updated_unix_ms = now_ms;
  reader.finish();
  if (errors.size() != errors_before) {
    return std::nullopt;
  }
  return silence;
}

nlohmann::json silenceToJson(const Silence& silence) {
  nlohmann::json matchers = nlohmann::json::array();
  for (const Matcher& matcher : silence.matchers) {
    matchers.push_back(matcherToJson(matcher));
  }
  return nlohmann::json{{"id", silence.id},
                        {"matchers", std::move(matchers)},
                        {"starts_unix_ms", silence.starts_unix_ms},
                        {"ends_unix_ms", silence.ends_unix_ms},
                        {"updated_unix_ms", silence.updated_unix_ms},
                        {"created_by", silence.created_by},
                        {"comment", silence.comment}};
}

std::optional<Silence> silenceFromJson(const nlohmann::json& node) {
  for (const char* key : {"id", "matchers", "starts_unix_ms", "ends_unix_ms", "updated_unix_ms",
                          "created_by", "comment"}) {
    if (!node.is_object() || !node.contains(key)) {
      return std::nullopt;
    }
  }
  std::vector<FieldError> errors;
  FieldReader reader(node, "", errors);
  Silence silence;
  reader.string("id", silence.id);
  reader.int64("starts_unix_ms", silence.starts_unix_ms, INT64_MIN, INT64_MAX);
  reader.int64("ends_unix_ms", silence.ends_unix_ms, INT64_MIN, INT64_MAX);
  reader.int64("updated_unix_ms", silence.updated_unix_ms, INT64_MIN, INT64_MAX);
  reader.string("created_by", silence.created_by);
  reader.string("comment", silence.comment);
  if (const nlohmann::json* matchers = reader.take("matchers");
      matchers != nullptr && matchers->is_array()) {
    for (size_t i = 0; i < matchers->size(); ++i) {
      std::optional<Matcher> matcher = parseMatcher((*matchers)[i], "matchers", errors);
      if (matcher.has_value()) {
        silence.matchers.push_back(std::move(*matcher));
      }
    }
  } else {
    errors.push_back({"matchers", "expected an array"});
  }
  reader.finish();
  if (!errors.empty()) {
    return std::nullopt;
  }
  return silence;
}

bool silences(const Silence& silence, const LabelSet& labels, int64_t now_ms) {
  return silenceState(silence, now_ms) == SilenceState::kActive &&
         matchesAll(silence.matchers, labels);
}

std::string newSilenceId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  const uint64_t high = random();
  const uint64_t low = random();
  // Version 4 in the high nibble of byte 6; variant 10xx in the high bits of byte 8.
  const uint64_t versioned = (high & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  const uint64_t variant = (low & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char text[37];
  std::snprintf(text, sizeof(text), "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(versioned >> 32),
                static_cast<unsigned long long>((versioned >> 16) & 0xffff),
                static_cast<unsigned long long>(versioned & 0xffff),
                static_cast<unsigned long long>(variant >> 48),
                static_cast<unsigned long long>(variant & 0xffffffffffffULL));
  return std::string(text, 36);
}

}  // namespace meshlb::alerting
