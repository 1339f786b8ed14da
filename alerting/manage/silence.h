#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/model/field_error.h"
#include "alerting/model/labels.h"
#include "alerting/model/matcher.h"

namespace meshlb::alerting {

inline constexpr size_t kMaxSilenceMatchers = 16;
inline constexpr int64_t kMaxSilenceDurationS = 31'536'000;  // a year
inline constexpr size_t kMaxSilenceCreatorLength = 128;
inline constexpr size_t kMaxSilenceCommentLength = 1024;

// A silence as Alertmanager has them: alerts whose labels match every matcher are not sent
// while it is active. A plain value; the management snapshot (main thread) owns the live set
// and shares it read-only.
struct Silence {
  std::string id;
  std::vector<Matcher> matchers;
  int64_t starts_unix_ms = 0, ends_unix_ms = 0, updated_unix_ms = 0;
  std::string created_by, comment;
};

// Pending before starts, active in [starts, ends), expired from ends on.
enum class SilenceState : uint8_t { kPending, kActive, kExpired };
SilenceState silenceState(const Silence& silence, int64_t now_ms);
std::string_view silenceStateName(SilenceState state);  // "pending", "active", "expired"

// Validates an API body: {"matchers": [...] (1..16), "starts_unix_ms"? (default now), exactly
// one of "ends_unix_ms" / "duration_s" (1..31536000), "created_by" (1-128 chars), "comment"
// (<= 1024), "id"? (kept as given; absent: left empty for the caller to assign with
// newSilenceId())}. Rejected: matchers that all match the empty label set ("matches every
// alert"), an end not after the start or already past, both or neither end given, unknown keys.
// updated_unix_ms is set to now_ms. Every problem goes to `errors`; nullopt when there was one.
std::optional<Silence> parseSilence(const nlohmann::json& body, int64_t now_ms,
                                    std::vector<FieldError>& errors);
// The full record, id included, state not (it depends on the time it is read).
nlohmann::json silenceToJson(const Silence& silence);
// The inverse of silenceToJson, for persistence: nullopt for anything it did not write.
std::optional<Silence> silenceFromJson(const nlohmann::json& node);
// True when the silence is active at now_ms and every matcher holds on `labels`.
bool silences(const Silence& silence, const LabelSet& labels, int64_t now_ms);
// A random (version 4) UUID in its 36-character text form. Any thread.
std::string newSilenceId();

}  // namespace meshlb::alerting
