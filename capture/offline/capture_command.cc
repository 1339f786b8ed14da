#include "capture/offline/capture_command.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "capture/offline/flow_format.h"
#include "capture/offline/offline_reader.h"

namespace meshlb::capture {
namespace {

constexpr const char* kUsage =
    "usage: meshlb capture --read FILE [--json]\n"
    "  --read FILE  a pcap or pcapng file (Ethernet, Linux cooked, loopback or raw IP)\n"
    "  --json       one JSON object per flow and line (default: text)\n";

}  // namespace

int runCaptureCommand(int argc, char** argv) {
  std::string path;
  bool json = false;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--read" && i + 1 < argc) {
      path = argv[++i];
    } else if (arg == "--json") {
      json = true;
    } else if (arg == "--help" || arg == "-h") {
      fputs(kUsage, stdout);
      return 0;
    } else {
      fprintf(stderr, "meshlb capture: unknown argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  if (path.empty()) {
    fprintf(stderr, "meshlb capture: --read FILE is required\n%s", kUsage);
    return 2;
  }
  struct Ended {
    FlowRecord flow;
    FlowEndReason end;
  };
  std::vector<Ended> flows;
  FlowTableOptions options;
  options.max_flows = 1u << 20;
  options.report_interval_ns = 0;  // only final reports: one record per flow
  Result<OfflineStats> stats =
      readCaptureFile(path, options, [&](const FlowRecord& flow, FlowEndReason end) {
        flows.push_back({flow, end});
      });
  if (!stats) {
    fprintf(stderr, "meshlb capture: %s\n", stats.error().message.c_str());
    return 1;
  }
  std::sort(flows.begin(), flows.end(), [](const Ended& a, const Ended& b) {
    return a.flow.first_seen_ns != b.flow.first_seen_ns
               ? a.flow.first_seen_ns < b.flow.first_seen_ns
               : a.flow.id < b.flow.id;
  });
  for (const Ended& ended : flows) {
    std::string line =
        json ? flowToJson(ended.flow, ended.end).dump() : flowToText(ended.flow, ended.end);
    fputs(line.c_str(), stdout);
    fputc('\n', stdout);
  }
  uint64_t errors = 0;
  std::string reasons;
  for (size_t i = 0; i < stats->decode_errors.size(); ++i) {
    if (stats->decode_errors[i] == 0) {
      continue;
    }
    errors += stats->decode_errors[i];
    reasons.append(reasons.empty() ? " (" : ", ");
    reasons.append(decodeStatusName(static_cast<DecodeStatus>(i)));
    reasons.append(": ");
    reasons.append(std::to_string(stats->decode_errors[i]));
  }
  if (!reasons.empty()) {
    reasons.push_back(')');
  }
  fprintf(stderr, "%s: %llu packets, %llu decoded, %llu skipped%s, %llu flows\n", path.c_str(),
          static_cast<unsigned long long>(stats->packets),
          static_cast<unsigned long long>(stats->decoded), static_cast<unsigned long long>(errors),
          reasons.c_str(), static_cast<unsigned long long>(stats->flows));
  return 0;
}

}  // namespace meshlb::capture
