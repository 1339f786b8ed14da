// Cost of FlowTable::ingest() and ingestBatch() per packet on a realistic mix: 10,000
// concurrent short TCP connections (handshake, a request, a response of a few segments, FINs;
// one connection in 97 retransmits a response segment), and on steady traffic of established
// flows only (the hot path: a packet of an existing flow). Packets of different flows are
// interleaved one by one, the worst case for caches. The capture pipeline's budget is 5 Mpps
// on one core, of which libpcap's reading takes ~67 ns per packet; ingest() must stay well
// under 60 ns.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "capture/flow/flow_table.h"

namespace meshlb::capture {
namespace {

constexpr int64_t kPacketGapNs = 200;  // 5 Mpps of packet time
constexpr int64_t kStartNs = 1'700'000'000'000'000'000;

// Counts what a real observer would consume, through the virtual calls.
class CountingObserver : public FlowObserver {
 public:
  uint32_t onFlowStart(const FlowRecord& flow) override {
    ++starts;
    return flow.responderPort();
  }
  void onRttSample(const FlowRecord&, RttKind, int64_t rtt_ns) override { rtt_sum += rtt_ns; }
  void onFlowReport(const FlowRecord&, const ReportCounters& delta,
                    std::optional<FlowEndReason>) override {
    packets += delta.packets;
  }
  uint64_t starts = 0;
  uint64_t packets = 0;
  int64_t rtt_sum = 0;
};

IpAddress ipv4(uint32_t value) {
  IpAddress address;
  address.family = 4;
  for (int i = 0; i < 4; ++i) {
    address.bytes[i] = static_cast<uint8_t>(value >> (24 - 8 * i));
  }
  return address;
}

DecodedPacket segment(uint32_t client, uint16_t port, bool from_client, uint8_t flags, uint32_t seq,
                      uint32_t ack, uint32_t length) {
  DecodedPacket p;
  const IpAddress client_address = ipv4(0x0A000000u + client);
  const IpAddress server_address = ipv4(0xC0A80001u + client % 16);
  p.source = from_client ? client_address : server_address;
  p.destination = from_client ? server_address : client_address;
  p.source_port = from_client ? port : 443;
  p.destination_port = from_client ? 443 : port;
  p.protocol = 6;
  p.tcp_flags = flags;
  p.seq = seq;
  p.ack = ack;
  p.window = 502;
  p.payload_length = length;
  p.ip_length = 40 + length;
  p.wire_length = p.ip_length + 14;
  return p;
}

// One short connection, in order: 12 packets, plus a retransmitted response segment for about
// 1% of connections (client ISN 1000, server ISN 5000, as relative offsets).
void appendConnection(std::vector<DecodedPacket>& out, uint32_t client, uint16_t port,
                      bool retransmit) {
  const uint32_t c = 1000;
  const uint32_t s = 5000;
  out.push_back(segment(client, port, true, kSyn, c, 0, 0));
  out.push_back(segment(client, port, false, kSyn | kAck, s, c + 1, 0));
  out.push_back(segment(client, port, true, kAck, c + 1, s + 1, 0));
  out.push_back(segment(client, port, true, kAck | kPsh, c + 1, s + 1, 300));
  out.push_back(segment(client, port, false, kAck, s + 1, c + 301, 1448));
  out.push_back(segment(client, port, false, kAck, s + 1449, c + 301, 1448));
  if (retransmit) {
    out.push_back(segment(client, port, false, kAck, s + 1449, c + 301, 1448));
  }
  out.push_back(segment(client, port, true, kAck, c + 301, s + 2897, 0));
  out.push_back(segment(client, port, false, kAck | kPsh, s + 2897, c + 301, 1000));
  out.push_back(segment(client, port, true, kAck, c + 301, s + 3897, 0));
  out.push_back(segment(client, port, true, kFin | kAck, c + 301, s + 3897, 0));
  out.push_back(segment(client, port, false, kFin | kAck, s + 3897, c + 302, 0));
  out.push_back(segment(client, port, true, kAck, c + 302, s + 3898, 0));
}

// `concurrent` connections in flight at any time, interleaved round-robin packet by packet;
// each finished connection is replaced by a new one on a fresh port.
std::vector<DecodedPacket> realisticMix(uint32_t concurrent, size_t packets) {
  std::vector<std::vector<DecodedPacket>> slots(concurrent);
  std::vector<size_t> next(concurrent, 0);
  std::vector<DecodedPacket> out;
  out.reserve(packets);
  uint32_t connections = 0;
  for (size_t i = 0; out.size() < packets; i = (i + 1) % concurrent) {
    if (next[i] == slots[i].size()) {
      slots[i].clear();
      next[i] = 0;
      ++connections;
      appendConnection(slots[i], connections / 50000,
                       static_cast<uint16_t>(1024 + connections % 50000), connections % 97 == 0);
    }
    DecodedPacket p = slots[i][next[i]++];
    p.timestamp_ns = kStartNs + static_cast<int64_t>(out.size()) * kPacketGapNs;
    out.push_back(p);
  }
  return out;
}

// Runs `packets` through the table, `batch` at a time (1: ingest() per packet, else
// ingestBatch()), calling advance() every 65,536 packets (~13 ms of packet time, more often
// than the capture loop must).
void feed(FlowTable& table, const std::vector<DecodedPacket>& packets, size_t batch) {
  constexpr size_t kAdvanceEvery = 65536;
  for (size_t start = 0; start < packets.size(); start += kAdvanceEvery) {
    const size_t end = std::min(packets.size(), start + kAdvanceEvery);
    if (batch == 1) {
      for (size_t i = start; i < end; ++i) {
        table.ingest(packets[i]);
      }
    } else {
      for (size_t i = start; i < end; i += batch) {
        table.ingestBatch(std::span(packets).subspan(i, std::min(batch, end - i)));
      }
    }
    table.advance(packets[end - 1].timestamp_ns);
  }
}

FlowTableOptions benchOptions() {
  FlowTableOptions options;
  options.max_flows = 1'000'000;
  options.idle_timeout_ns = 60'000'000'000;
  options.report_interval_ns = 1'000'000'000;
  options.close_linger_ns = 2'000'000'000;
  return options;
}

// Args: concurrent connections, batch size. Steady state: one table, warmed by a first pass;
// each timed pass replays the mix 1 s of packet time later, so every connection's SYN finds
// its previous incarnation lingering and ends it (port reuse) while starting a new flow: as
// many flows end (final report) as start (onFlowStart), as on a busy link.
void BM_FlowTableRealisticMix(benchmark::State& state) {
  std::vector<DecodedPacket> packets =
      realisticMix(static_cast<uint32_t>(state.range(0)), 1'000'000);
  const size_t batch = static_cast<size_t>(state.range(1));
  CountingObserver observer;
  FlowTable table(benchOptions(), &observer);
  feed(table, packets, batch);
  for (auto _ : state) {
    state.PauseTiming();
    for (DecodedPacket& p : packets) {
      p.timestamp_ns += 1'000'000'000;
    }
    state.ResumeTiming();
    feed(table, packets, batch);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * packets.size()));
  state.counters["flows"] = static_cast<double>(table.created()) / (state.iterations() + 1);
  benchmark::DoNotOptimize(observer.packets);
}
BENCHMARK(BM_FlowTableRealisticMix)
    ->ArgsProduct({{10'000}, {1, 32}})
    ->Unit(benchmark::kMillisecond);

// Args: established flows, batch size. Each flow gets data and ACKs in turn; no flow starts
// or ends while timed.
void BM_FlowTableExistingFlows(benchmark::State& state) {
  const uint32_t flows = static_cast<uint32_t>(state.range(0));
  std::vector<DecodedPacket> warmup;
  std::vector<DecodedPacket> steady;
  for (uint32_t f = 0; f < flows; ++f) {
    const uint16_t port = static_cast<uint16_t>(1024 + f % 50000);
    warmup.push_back(segment(f / 50000, port, true, kSyn, 1000, 0, 0));
    warmup.push_back(segment(f / 50000, port, false, kSyn | kAck, 5000, 1001, 0));
    warmup.push_back(segment(f / 50000, port, true, kAck, 1001, 5001, 0));
  }
  for (uint32_t round = 0; round < 16; ++round) {
    for (uint32_t f = 0; f < flows; ++f) {
      const uint16_t port = static_cast<uint16_t>(1024 + f % 50000);
      const bool data = round % 2 == 0;
      const uint32_t offset = (round / 2) * 1000;
      steady.push_back(data ? segment(f / 50000, port, false, kAck, 5001 + offset, 1001, 1000)
                            : segment(f / 50000, port, true, kAck, 1001, 6001 + offset, 0));
    }
  }
  CountingObserver observer;
  FlowTable table(benchOptions(), &observer);
  int64_t now = kStartNs;
  for (DecodedPacket& p : warmup) {
    p.timestamp_ns = now += kPacketGapNs;
    table.ingest(p);
  }
  for (auto _ : state) {
    state.PauseTiming();
    for (DecodedPacket& p : steady) {
      p.timestamp_ns = now += kPacketGapNs;
    }
    state.ResumeTiming();
    feed(table, steady, static_cast<size_t>(state.range(1)));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * steady.size()));
  benchmark::DoNotOptimize(observer.packets);
}
BENCHMARK(BM_FlowTableExistingFlows)->ArgsProduct({{10'000, 100'000, 1'000'000}, {1, 32}});

}  // namespace
}  // namespace meshlb::capture
