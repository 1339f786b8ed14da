// FlowTable: periodic and final reports (deltas that sum to the totals) and what a table sized
// for a million flows costs before it is used.

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "capture/flow/flow_table.h"
#include "tests/capture/flow/flow_test_util.h"

namespace meshlb::capture::flowtest {
namespace {

const Endpoint kClient{ip("10.0.0.1"), 45000};
const Endpoint kServer{ip("10.0.0.2"), 80};

FlowTableOptions reportingOptions() {
  FlowTableOptions o;
  o.max_flows = 16;
  o.idle_timeout_ns = 10 * kSec;
  o.report_interval_ns = kSec;
  o.close_linger_ns = 2 * kSec;
  return o;
}

// Feeds a TCP connection that sends a segment every 50 ms for 5.5 s, with a retransmission
// every tenth segment, calling advance() every 100 ms as a capture loop would.
TEST(FlowTableReportTest, PeriodicDeltasSumToTheTotals) {
  RecordingObserver observer;
  FlowTable table(reportingOptions(), &observer);
  std::vector<DecodedPacket> packets;
  TcpScript script(&packets, kClient, kServer, 100, 200);
  script.handshake(2 * kMs);
  uint32_t seq = 1;
  for (int i = 0; i < 110; ++i) {
    script.wait(50 * kMs);
    if (i % 10 == 9) {
      script.client(kAck | kPsh, seq - 100, 1, 100);  // resends the previous segment
    } else {
      script.client(kAck | kPsh, seq, 1, 100);
      seq += 100;
    }
  }
  int64_t next_advance = kStart;
  for (const DecodedPacket& packet : packets) {
    while (next_advance <= packet.timestamp_ns) {
      table.advance(next_advance);
      next_advance += 100 * kMs;
    }
    table.ingest(packet);
  }
  table.advance(script.now() + 20 * kSec);  // idle: ends the flow

  ReportCounters sum;
  size_t periodic = 0;
  int64_t previous_report_time = 0;
  for (const RecordingObserver::Report& report : observer.reports) {
    sum += report.delta;
    if (!report.end.has_value()) {
      ++periodic;
      // Reports come once per interval of the flow's life, at most one advance() late.
      const int64_t age = report.flow.last_seen_ns - report.flow.first_seen_ns;
      EXPECT_GT(report.flow.last_seen_ns, previous_report_time);
      previous_report_time = report.flow.last_seen_ns;
      EXPECT_LE(age, static_cast<int64_t>(periodic) * kSec + 100 * kMs);
      EXPECT_GT(report.delta.packets, 0u);
    }
  }
  EXPECT_EQ(periodic, 5u);
  const std::vector<RecordingObserver::Report> finals = observer.finals();
  ASSERT_EQ(finals.size(), 1u);
  const RecordingObserver::Report& last = finals[0];
  EXPECT_EQ(*last.end, FlowEndReason::kIdle);
  EXPECT_EQ(sum, ReportCounters::of(last.flow.counters));
  EXPECT_EQ(sum.retransmits, 11u);
  EXPECT_EQ(last.flow.counters.initiator.retransmits, 11u);
  EXPECT_EQ(last.flow.counters.packets(), 113u);
}

TEST(FlowTableReportTest, QuietFlowsGetNoPeriodicReports) {
  RecordingObserver observer;
  FlowTable table(reportingOptions(), &observer);
  table.ingest(udpPacket(kClient, kServer, 10, kStart));
  for (int64_t t = kStart; t < kStart + 9 * kSec; t += 100 * kMs) {
    table.advance(t);
  }
  // One report for the first second (it had the packet); none after.
  ASSERT_EQ(observer.reports.size(), 1u);
  EXPECT_EQ(observer.reports[0].delta.packets, 1u);
  table.flushAll();
  ASSERT_EQ(observer.reports.size(), 2u);
  EXPECT_EQ(*observer.reports[1].end, FlowEndReason::kShutdown);
  EXPECT_EQ(observer.reports[1].delta.packets, 0u);
}

TEST(FlowTableReportTest, ALateAdvanceSendsOneReportCoveringTheGap) {
  RecordingObserver observer;
  FlowTable table(reportingOptions(), &observer);
  for (int i = 0; i < 30; ++i) {
    table.ingest(udpPacket(kClient, kServer, 10, kStart + i * 100 * kMs));
  }
  table.advance(kStart + 3 * kSec + 50 * kMs);
  ASSERT_EQ(observer.reports.size(), 1u);
  EXPECT_EQ(observer.reports[0].delta.packets, 30u);
  // The next one is due at the flow's next whole interval, 4 s after it started.
  table.ingest(udpPacket(kClient, kServer, 10, kStart + 3500 * kMs));
  table.advance(kStart + 3999 * kMs);
  EXPECT_EQ(observer.reports.size(), 1u);
  table.advance(kStart + 4 * kSec);
  EXPECT_EQ(observer.reports.size(), 2u);
}

TEST(FlowTableReportTest, ZeroIntervalSendsFinalReportsOnly) {
  RecordingObserver observer;
  FlowTableOptions o = reportingOptions();
  o.report_interval_ns = 0;
  FlowTable table(o, &observer);
  table.ingest(udpPacket(kClient, kServer, 10, kStart));
  table.advance(kStart + 5 * kSec);
  EXPECT_TRUE(observer.reports.empty());
  table.flushAll();
  EXPECT_EQ(observer.reports.size(), 1u);
}

long residentKilobytes() {
  long pages = 0;
  long resident = 0;
  FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) {
    return -1;
  }
  if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) {
    resident = -1;
  }
  std::fclose(statm);
  return resident * 4;
}

// A million-flow table maps about 550 MB (entries of 512 bytes, index, links, report wheel)
// but only what it touches becomes resident: with 1,000 flows, the few (huge) pages their
// entries use plus, at most, the 16 MB hash index they are spread over.
TEST(FlowTableReportTest, AMillionFlowTableCostsOnlyWhatItTouches) {
  const long before = residentKilobytes();
  FlowTableOptions o = reportingOptions();
  o.max_flows = 1'000'000;
  RecordingObserver observer;
  FlowTable table(o, &observer);
  for (uint16_t port = 1; port <= 1000; ++port) {
    table.ingest(udpPacket({ip("10.0.0.1"), port}, kServer, 10, kStart + port));
  }
  const long after = residentKilobytes();
  ASSERT_GE(before, 0);
  EXPECT_LT(after - before, 48 * 1024) << "resident growth in kB";
  EXPECT_EQ(table.active(), 1000u);
  table.flushAll();
  EXPECT_EQ(observer.finals().size(), 1000u);
}

}  // namespace
}  // namespace meshlb::capture::flowtest
