#include "capture/offline/offline_reader.h"

#include <algorithm>
#include <array>
#include <optional>
#include <span>

#include "capture/flow/flow_observer.h"
#include "capture/flow/flow_table.h"
#include "capture/source/mapped_pcap_file.h"
#include "capture/source/pcap_source.h"

namespace meshlb::capture {
namespace {

// Hands every flow's final report to the callback.
class EndCollector final : public FlowObserver {
 public:
  explicit EndCollector(const FlowEndCallback& callback) : callback_(callback) {}
  uint32_t onFlowStart(const FlowRecord&) override { return 0; }
  void onRttSample(const FlowRecord&, RttKind, int64_t) override {}
  void onFlowReport(const FlowRecord& flow, const ReportCounters&,
                    std::optional<FlowEndReason> end) override {
    if (end) {
      ++flows;
      callback_(flow, *end);
    }
  }
  uint64_t flows = 0;

 private:
  const FlowEndCallback& callback_;
};

// A file's record time in nanoseconds. A hostile pcapng can carry any 64-bit time; it is clamped
// to [0, 2^62) so that the time arithmetic downstream can never overflow.
int64_t fileTimestampNs(int64_t seconds, int64_t nanos) {
  constexpr int64_t kMaxSeconds = (int64_t{1} << 62) / 1'000'000'000;
  if (seconds < 0) {
    return 0;
  }
  if (seconds >= kMaxSeconds) {
    return kMaxSeconds * 1'000'000'000;
  }
  return seconds * 1'000'000'000 + std::clamp<int64_t>(nanos, 0, 999'999'999);
}

}  // namespace

Result<OfflineStats> readCaptureFile(const std::string& path, const FlowTableOptions& options,
                                     const FlowEndCallback& on_flow_end) {
  OfflineStats stats;
  EndCollector collector(on_flow_end);
  FlowTable table(options, &collector);
  // Packets are decoded into a small batch and handed to the table together, which lets it
  // prefetch the flows of the next packets while it works on this one.
  constexpr size_t kBatch = 32;
  std::array<DecodedPacket, kBatch> batch;
  size_t batched = 0;
  // Packet time of the last expiry pass; none before the first packet.
  std::optional<int64_t> last_advance;
  auto flush = [&] {
    table.ingestBatch(std::span<const DecodedPacket>(batch.data(), batched));
    batched = 0;
  };
  auto ingest = [&](const uint8_t* data, uint32_t captured, uint32_t wire, int64_t timestamp) {
    ++stats.packets;
    DecodeStatus status =
        decodePacket(stats.link_type, data, captured, wire, timestamp, batch[batched]);
    if (status != DecodeStatus::kOk) {
      ++stats.decode_errors[static_cast<size_t>(status)];
      return;
    }
    ++stats.decoded;
    if (++batched == kBatch) {
      flush();
    }
    // Expiry in packet time, a few times per second of it.
    if (!last_advance || timestamp - *last_advance >= 100'000'000) {
      flush();
      last_advance = timestamp;
      table.advance(timestamp);
    }
  };

  // Classic pcap files are walked in place from a memory mapping; anything else (pcapng) goes
  // through libpcap.
  if (Result<MappedPcapFile> mapped = MappedPcapFile::open(path)) {
    stats.link_type = mapped->linkType();
    PcapRecord record;
    while (mapped->next(record)) {
      ingest(record.data, record.captured, record.wire_length, record.timestamp_ns);
    }
    if (mapped->damaged()) {
      // A truncated last record is common (a capture cut short): keep what was read.
      ++stats.decode_errors[static_cast<size_t>(DecodeStatus::kTruncatedLinkHeader)];
    }
  } else {
    Result<PcapSource> source = PcapSource::openFile(path);
    if (!source) {
      return Error{source.error().message};
    }
    stats.link_type = source->linkType();
    pcap_pkthdr* header = nullptr;
    const u_char* bytes = nullptr;
    int rc = 0;
    while ((rc = pcap_next_ex(source->handle(), &header, &bytes)) == 1) {
      // The file was opened with nanosecond precision: tv_usec holds nanoseconds.
      ingest(bytes, header->caplen, header->len,
             fileTimestampNs(header->ts.tv_sec, header->ts.tv_usec));
    }
    if (rc == PCAP_ERROR) {
      ++stats.decode_errors[static_cast<size_t>(DecodeStatus::kTruncatedLinkHeader)];
    }
  }
  flush();
  table.flushAll();
  stats.flows = collector.flows;
  return stats;
}

}  // namespace meshlb::capture
