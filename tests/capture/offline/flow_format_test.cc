#include "capture/offline/flow_format.h"

#include <gtest/gtest.h>

namespace meshlb::capture {
namespace {

TEST(FlowFormatTest, Rfc3339KeepsNanoseconds) {
  EXPECT_EQ(rfc3339Nanoseconds(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(rfc3339Nanoseconds(1'795'404'516'123'456'789), "2026-11-23T03:28:36.123456789Z");
}

TEST(FlowFormatTest, JsonHasTheDocumentedFieldsAndNullForWhatWasNotSeen) {
  FlowRecord flow;
  IpAddress loopback;
  loopback.family = 6;
  loopback.bytes[15] = 1;  // ::1
  flow.setEndpoints(loopback, 40000, loopback, 80, 6);
  flow.counters.initiator.packets = 3;
  flow.counters.initiator.ip_bytes = 180;
  flow.counters.responder.packets = 2;
  flow.counters.responder.ip_bytes = 1200;
  flow.counters.responder.retransmits = 1;
  flow.handshake_rtt_ns = 52'000;
  flow.first_seen_ns = 1'000'000'000;
  flow.last_seen_ns = 2'500'000'000;
  nlohmann::json json = flowToJson(flow, FlowEndReason::kFin);
  EXPECT_EQ(json["proto"], "tcp");
  EXPECT_EQ(json["src"], "::1");
  EXPECT_EQ(json["sport"], 40000);
  EXPECT_EQ(json["dst"], "::1");
  EXPECT_EQ(json["dport"], 80);
  EXPECT_EQ(json["packets_fwd"], 3);
  EXPECT_EQ(json["packets_rev"], 2);
  EXPECT_EQ(json["bytes_fwd"], 180);
  EXPECT_EQ(json["bytes_rev"], 1200);
  EXPECT_EQ(json["retransmits"], 1);
  EXPECT_DOUBLE_EQ(json["handshake_rtt_us"].get<double>(), 52.0);
  EXPECT_TRUE(json["syn_to_synack_us"].is_null());
  EXPECT_TRUE(json["data_rtt_mean_us"].is_null());
  EXPECT_EQ(json["first_seen"], "1970-01-01T00:00:01.000000000Z");
  EXPECT_EQ(json["last_seen_ns"], 2'500'000'000);
  EXPECT_EQ(json["end"], "fin");
  std::string text = flowToText(flow, FlowEndReason::kFin);
  EXPECT_NE(text.find("[::1]:40000 -> [::1]:80"), std::string::npos) << text;
  EXPECT_NE(text.find("0.052 ms"), std::string::npos) << text;
}

}  // namespace
}  // namespace meshlb::capture
