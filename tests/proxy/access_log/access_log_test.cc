#include "proxy/access_log/access_log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

namespace meshlb {
namespace {

using nlohmann::json;

AccessLogRecord sampleRecord() {
  AccessLogRecord record;
  record.client = "10.0.0.7:51234";
  record.method = "GET";
  record.path = "/api/users?id=3";
  record.status = 200;
  record.bytes = 1234;
  record.upstream = "10.0.1.1:8080";
  record.duration_ns = 1'500'000;  // 1.5 ms
  return record;
}

// Formats `record` and checks that the result is exactly one line ending in '\n'.
std::string formatLine(const AccessLogRecord& record) {
  std::string line;
  formatAccessLogLine(record, line);
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "more than one line: " << line;
  return line;
}

json parseLine(const std::string& line) {
  json parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(parsed.is_discarded()) << "not valid JSON: " << line;
  return parsed;
}

TEST(AccessLogTest, LineHasAllFieldsWithTheRightValues) {
  std::string line = formatLine(sampleRecord());
  json parsed = parseLine(line);
  ASSERT_TRUE(parsed.is_object());
  EXPECT_EQ(parsed.size(), 8u);
  EXPECT_EQ(parsed.at("client"), "10.0.0.7:51234");
  EXPECT_EQ(parsed.at("method"), "GET");
  EXPECT_EQ(parsed.at("path"), "/api/users?id=3");
  EXPECT_EQ(parsed.at("status"), 200);
  EXPECT_EQ(parsed.at("bytes"), 1234);
  EXPECT_EQ(parsed.at("upstream"), "10.0.1.1:8080");
  ASSERT_TRUE(parsed.at("duration_ms").is_number());
  EXPECT_DOUBLE_EQ(parsed.at("duration_ms").get<double>(), 1.5);
  ASSERT_TRUE(parsed.at("time").is_string());
}

TEST(AccessLogTest, TimeIsUtcIso8601WithMilliseconds) {
  json parsed = parseLine(formatLine(sampleRecord()));
  std::string time = parsed.at("time").get<std::string>();
  EXPECT_TRUE(std::regex_match(time, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")))
      << time;
}

TEST(AccessLogTest, FieldOrderIsStable) {
  std::string line = formatLine(sampleRecord());
  size_t last = 0;
  for (const char* key : {"\"time\"", "\"client\"", "\"method\"", "\"path\"", "\"status\"",
                          "\"bytes\"", "\"upstream\"", "\"duration_ms\""}) {
    size_t at = line.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    EXPECT_GE(at, last) << key;
    last = at;
  }
}

TEST(AccessLogTest, AppendsToExistingOutput) {
  std::string out = "previous line\n";
  formatAccessLogLine(sampleRecord(), out);
  formatAccessLogLine(sampleRecord(), out);
  ASSERT_TRUE(out.starts_with("previous line\n{"));
  std::string rest = out.substr(std::string("previous line\n").size());
  size_t newline = rest.find('\n');
  ASSERT_NE(newline, std::string::npos);
  EXPECT_FALSE(json::parse(rest.substr(0, newline), nullptr, false).is_discarded());
  EXPECT_FALSE(json::parse(rest.substr(newline + 1), nullptr, false).is_discarded());
}

TEST(AccessLogTest, EscapesQuotesAndBackslashesInPath) {
  AccessLogRecord record = sampleRecord();
  record.path = R"(/a"b\c)";
  json parsed = parseLine(formatLine(record));
  EXPECT_EQ(parsed.at("path"), R"(/a"b\c)");
}

TEST(AccessLogTest, EscapesControlCharactersInPath) {
  AccessLogRecord record = sampleRecord();
  const std::string path("/x\n\r\t\x01\x1f\x7f", 9);
  record.path = path;
  std::string line = formatLine(record);
  json parsed = parseLine(line);
  EXPECT_EQ(parsed.at("path").get<std::string>(), path);
}

TEST(AccessLogTest, EscapesNulInPath) {
  AccessLogRecord record = sampleRecord();
  const std::string path("/a\0b", 4);
  record.path = path;
  std::string line = formatLine(record);
  EXPECT_EQ(line.find('\0'), std::string::npos);
  EXPECT_EQ(parseLine(line).at("path").get<std::string>(), path);
}

TEST(AccessLogTest, EscapesEveryStringField) {
  AccessLogRecord record;
  record.client = "c\"";
  record.method = "M\n";
  record.path = "/";
  record.upstream = "u\\";
  json parsed = parseLine(formatLine(record));
  EXPECT_EQ(parsed.at("client"), "c\"");
  EXPECT_EQ(parsed.at("method"), "M\n");
  EXPECT_EQ(parsed.at("upstream"), "u\\");
}

TEST(AccessLogTest, KeepsUtf8InPath) {
  AccessLogRecord record = sampleRecord();
  record.path = "/caf\xc3\xa9";
  EXPECT_EQ(parseLine(formatLine(record)).at("path").get<std::string>(), "/caf\xc3\xa9");
}

// A request target may carry bytes that are not UTF-8 (llhttp accepts bytes >= 0x80 in the
// URL). The line must still be valid JSON, or a log pipeline drops it.
TEST(AccessLogTest, NonUtf8BytesInPathStillGiveValidJson) {
  AccessLogRecord record = sampleRecord();
  record.path = "/\xff\xfe";
  std::string line = formatLine(record);
  json parsed = parseLine(line);
  ASSERT_TRUE(parsed.is_object());
  EXPECT_TRUE(parsed.at("path").is_string());
}

TEST(AccessLogTest, EmptyUpstreamAndZeroValues) {
  AccessLogRecord record;
  record.method = "GET";
  record.path = "/";
  record.status = 502;
  json parsed = parseLine(formatLine(record));
  EXPECT_EQ(parsed.at("upstream"), "");
  EXPECT_EQ(parsed.at("client"), "");
  EXPECT_EQ(parsed.at("status"), 502);
  EXPECT_EQ(parsed.at("bytes"), 0);
  EXPECT_DOUBLE_EQ(parsed.at("duration_ms").get<double>(), 0.0);
}

TEST(AccessLogTest, DurationHasMicrosecondPrecision) {
  AccessLogRecord record = sampleRecord();
  record.duration_ns = 12'345'678;
  std::string line = formatLine(record);
  EXPECT_NE(line.find("\"duration_ms\":12.346}"), std::string::npos) << line;
}

TEST(AccessLogTest, LargeByteCount) {
  AccessLogRecord record = sampleRecord();
  record.bytes = 10'000'000'000ULL;
  EXPECT_EQ(parseLine(formatLine(record)).at("bytes").get<uint64_t>(), 10'000'000'000ULL);
}

}  // namespace
}  // namespace meshlb
