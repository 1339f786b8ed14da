// Offline ingestion rate of the whole capture pipeline on one core: libpcap reads a capture
// file, every frame is decoded, and every packet goes through the flow table with its TCP
// analysis. The file is generated on first use: 5,000,000 Ethernet/IPv4/TCP frames (headers
// only, as a snaplen of 54 would keep them) of 500,000 HTTP-like connections, 10,000 open at any
// moment, interleaved the way a busy proxy's traffic is. It stays in /tmp for later runs.
//
//   build/bench/meshlb_bench --benchmark_filter=CaptureIngest
#include <benchmark/benchmark.h>
#include <pcap/pcap.h>
#include <sys/stat.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "capture/offline/offline_reader.h"

namespace {

constexpr const char* kPath = "/tmp/meshlb-bench-capture-5M.pcap";
constexpr uint64_t kPackets = 5'000'000;
constexpr uint32_t kConcurrent = 10'000;

// One connection's packets: client (c) to server (s) and back.
struct Step {
  bool from_client;
  uint8_t flags;
  uint32_t payload;
};
constexpr std::array<Step, 10> kConversation = {{
    {true, 0x02, 0},      // SYN
    {false, 0x12, 0},     // SYN-ACK
    {true, 0x10, 0},      // ACK
    {true, 0x18, 200},    // request
    {false, 0x10, 1448},  // response
    {false, 0x18, 1448},  // response
    {true, 0x10, 0},      // ACK
    {true, 0x11, 0},      // FIN
    {false, 0x11, 0},     // FIN
    {true, 0x10, 0},      // ACK
}};

struct Connection {
  uint32_t client_ip;
  uint16_t client_port;
  uint32_t client_seq;
  uint32_t server_seq;
  size_t step;
};

void put16(uint8_t* at, uint16_t value) {
  at[0] = static_cast<uint8_t>(value >> 8);
  at[1] = static_cast<uint8_t>(value);
}
void put32(uint8_t* at, uint32_t value) {
  put16(at, static_cast<uint16_t>(value >> 16));
  put16(at + 2, static_cast<uint16_t>(value));
}

bool generate() {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t* dumper = pcap_dump_open(dead, kPath);
  if (dumper == nullptr) {
    pcap_close(dead);
    return false;
  }
  constexpr uint32_t kServerIp = 0x0a000001;  // 10.0.0.1:80
  std::vector<Connection> open(kConcurrent);
  uint32_t next_client = 0;
  auto fresh = [&](Connection& connection) {
    uint32_t n = next_client++;
    connection = {0x0a010000 + (n % 60000), static_cast<uint16_t>(1024 + (n / 60000) % 60000),
                  n * 7919u, n * 104729u, 0};
  };
  for (Connection& connection : open) {
    fresh(connection);
  }
  uint8_t frame[54] = {0};
  put16(frame + 12, 0x0800);
  frame[14] = 0x45;
  frame[22] = 64;
  frame[23] = 6;
  frame[46] = 0x50;  // data offset 5
  pcap_pkthdr header{};
  int64_t time_ns = 1'700'000'000'000'000'000;
  for (uint64_t i = 0; i < kPackets; ++i) {
    Connection& connection = open[i % kConcurrent];
    const Step& step = kConversation[connection.step];
    uint32_t source = step.from_client ? connection.client_ip : kServerIp;
    uint32_t destination = step.from_client ? kServerIp : connection.client_ip;
    uint16_t sport = step.from_client ? connection.client_port : 80;
    uint16_t dport = step.from_client ? 80 : connection.client_port;
    uint32_t& seq = step.from_client ? connection.client_seq : connection.server_seq;
    uint32_t ack = step.from_client ? connection.server_seq : connection.client_seq;
    put16(frame + 16, static_cast<uint16_t>(40 + step.payload));
    put32(frame + 26, source);
    put32(frame + 30, destination);
    put16(frame + 34, sport);
    put16(frame + 36, dport);
    put32(frame + 38, seq);
    put32(frame + 42, (step.flags & 0x10) != 0 ? ack : 0);
    frame[47] = step.flags;
    put16(frame + 48, 65535);
    seq += step.payload + ((step.flags & 0x03) != 0 ? 1 : 0);
    time_ns += 200;  // 5 million packets per second of capture time
    header.ts.tv_sec = time_ns / 1'000'000'000;
    header.ts.tv_usec = (time_ns % 1'000'000'000) / 1000;
    header.caplen = sizeof(frame);
    header.len = static_cast<bpf_u_int32>(sizeof(frame) + step.payload);
    pcap_dump(reinterpret_cast<u_char*>(dumper), &header, frame);
    if (++connection.step == kConversation.size()) {
      fresh(connection);
    }
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
  return true;
}

void BM_CaptureIngest(benchmark::State& state) {
  struct stat info {};
  if (stat(kPath, &info) != 0 && !generate()) {
    state.SkipWithError("cannot write the capture file");
    return;
  }
  uint64_t packets = 0;
  uint64_t flows = 0;
  for (auto _ : state) {
    meshlb::capture::FlowTableOptions options;
    options.max_flows = 1u << 16;
    auto stats = meshlb::capture::readCaptureFile(
        kPath, options, [&](const meshlb::capture::FlowRecord&, meshlb::capture::FlowEndReason) {});
    if (!stats) {
      state.SkipWithError(stats.error().message.c_str());
      return;
    }
    packets += stats->packets;
    flows = stats->flows;
  }
  state.SetItemsProcessed(static_cast<int64_t>(packets));
  state.counters["packets_per_second"] =
      benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
  state.counters["flows"] = static_cast<double>(flows);
}
BENCHMARK(BM_CaptureIngest)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// libpcap alone over the same file: the floor under the pipeline's cost.
void BM_CaptureReadOnly(benchmark::State& state) {
  struct stat info {};
  if (stat(kPath, &info) != 0 && !generate()) {
    state.SkipWithError("cannot write the capture file");
    return;
  }
  uint64_t packets = 0;
  for (auto _ : state) {
    char error[PCAP_ERRBUF_SIZE];
    pcap_t* handle = pcap_open_offline(kPath, error);
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (pcap_next_ex(handle, &header, &data) == 1) {
      ++packets;
      benchmark::DoNotOptimize(data);
    }
    pcap_close(handle);
  }
  state.counters["packets_per_second"] =
      benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CaptureReadOnly)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
