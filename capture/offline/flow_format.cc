#include "capture/offline/flow_format.h"

#include <time.h>

#include <cstdio>

namespace meshlb::capture {
namespace {

nlohmann::json micros(int64_t ns) {
  if (ns < 0) {
    return nullptr;
  }
  return static_cast<double>(ns) / 1000.0;
}

}  // namespace

std::string rfc3339Nanoseconds(int64_t unix_ns) {
  time_t seconds = static_cast<time_t>(unix_ns / 1'000'000'000);
  long nanos = static_cast<long>(unix_ns % 1'000'000'000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char text[48];
  snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", utc.tm_year + 1900,
           utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, nanos);
  return text;
}

nlohmann::json flowToJson(const FlowRecord& flow, FlowEndReason end) {
  const DirectionCounters& fwd = flow.counters.initiator;
  const DirectionCounters& rev = flow.counters.responder;
  nlohmann::json out = {
      {"proto", flow.isTcp() ? "tcp" : "udp"},
      {"src", flow.initiatorAddress().toString()},
      {"sport", flow.initiatorPort()},
      {"dst", flow.responderAddress().toString()},
      {"dport", flow.responderPort()},
      {"packets_fwd", fwd.packets},
      {"packets_rev", rev.packets},
      {"bytes_fwd", fwd.ip_bytes},
      {"bytes_rev", rev.ip_bytes},
      {"wire_bytes_fwd", fwd.wire_bytes},
      {"wire_bytes_rev", rev.wire_bytes},
      {"retransmits", flow.counters.retransmits()},
      {"fast_retransmits", uint64_t{fwd.fast_retransmits} + rev.fast_retransmits},
      {"spurious_retransmits", uint64_t{fwd.spurious_retransmits} + rev.spurious_retransmits},
      {"out_of_order", uint64_t{fwd.out_of_order} + rev.out_of_order},
      {"duplicate_acks", uint64_t{fwd.duplicate_acks} + rev.duplicate_acks},
      {"zero_windows", flow.counters.zeroWindows()},
      {"resets", flow.counters.resets()},
      {"handshake_rtt_us", micros(flow.handshake_rtt_ns)},
      {"syn_to_synack_us", micros(flow.syn_to_synack_ns)},
      {"synack_to_ack_us", micros(flow.synack_to_ack_ns)},
      {"data_rtt_samples", flow.dataRttSamples()},
      {"data_rtt_min_us", micros(flow.data_rtt.min_ns)},
      {"data_rtt_mean_us", micros(flow.dataRttMeanNs())},
      {"data_rtt_max_us", micros(flow.data_rtt.max_ns)},
      {"state", toString(flow.state)},
      {"end", toString(end)},
      {"first_seen", rfc3339Nanoseconds(flow.first_seen_ns)},
      {"last_seen", rfc3339Nanoseconds(flow.last_seen_ns)},
      {"first_seen_ns", flow.first_seen_ns},
      {"last_seen_ns", flow.last_seen_ns}};
  return out;
}

std::string flowToText(const FlowRecord& flow, FlowEndReason end) {
  const DirectionCounters& fwd = flow.counters.initiator;
  const DirectionCounters& rev = flow.counters.responder;
  char rtt[32] = "-";
  if (flow.handshake_rtt_ns >= 0) {
    snprintf(rtt, sizeof(rtt), "%.3f ms", static_cast<double>(flow.handshake_rtt_ns) / 1e6);
  }
  char line[512];
  snprintf(
      line, sizeof(line),
      "%s %s -> %s  packets %llu/%llu  bytes %llu/%llu  retransmits %llu  handshake %s  "
      "%s (%s)",
      flow.isTcp() ? "tcp" : "udp", flow.initiatorAddress().withPort(flow.initiatorPort()).c_str(),
      flow.responderAddress().withPort(flow.responderPort()).c_str(),
      static_cast<unsigned long long>(fwd.packets), static_cast<unsigned long long>(rev.packets),
      static_cast<unsigned long long>(fwd.ip_bytes), static_cast<unsigned long long>(rev.ip_bytes),
      static_cast<unsigned long long>(flow.counters.retransmits()), rtt,
      std::string(toString(flow.state)).c_str(), std::string(toString(end)).c_str());
  return line;
}

}  // namespace meshlb::capture
