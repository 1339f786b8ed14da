// `meshlb capture --read FILE --json` against tshark on the committed fixtures (tests/data/,
// made by scripts/make-capture-fixtures.sh from meshlb's own traffic): the same flows, the same
// frames and bytes each way as tshark's conversation table, the same retransmissions as the
// display filter tcp.analysis.retransmission (within 5 %), and the same initial RTT as
// tcp.analysis.initial_rtt (within 0.1 ms).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <regex>
#include <sstream>

#include "support/instances.h"

namespace meshlb::testing {
namespace {

std::string run(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return output;
  }
  char chunk[65536];
  while (size_t n = fread(chunk, 1, sizeof(chunk), pipe)) {
    output.append(chunk, n);
  }
  pclose(pipe);
  return output;
}

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, separator)) {
    fields.push_back(field);
  }
  if (!line.empty() && line.back() == separator) {
    fields.emplace_back();
  }
  return fields;
}

std::string endpoint(const std::string& ip, const std::string& port) {
  return ip.find(':') != std::string::npos ? "[" + ip + "]:" + port : ip + ":" + port;
}

// One TCP conversation, with A the endpoint that sorts first.
struct Conversation {
  uint64_t frames_ab = 0, frames_ba = 0;
  uint64_t bytes_ab = 0, bytes_ba = 0;  // frame bytes
  uint64_t retransmits = 0;
  double initial_rtt_ms = -1;
};
using Key = std::pair<std::string, std::string>;  // (A, B), A < B

Key keyOf(const std::string& x, const std::string& y) {
  return x < y ? Key{x, y} : Key{y, x};
}

// Per-frame fields from tshark, summed per conversation.
std::map<Key, Conversation> tsharkConversations(const std::string& file) {
  std::string out = run("tshark -r " + file +
                        " -T fields -E separator=, -e ip.src -e ipv6.src -e tcp.srcport -e ip.dst"
                        " -e ipv6.dst -e tcp.dstport -e frame.len -e tcp.analysis.retransmission"
                        " -e tcp.analysis.initial_rtt -Y tcp 2>/dev/null");
  std::map<Key, Conversation> conversations;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> f = split(line, ',');
    if (f.size() < 9) {
      continue;
    }
    std::string src = endpoint(f[0].empty() ? f[1] : f[0], f[2]);
    std::string dst = endpoint(f[3].empty() ? f[4] : f[3], f[5]);
    Key key = keyOf(src, dst);
    Conversation& c = conversations[key];
    bool ab = src == key.first;
    (ab ? c.frames_ab : c.frames_ba) += 1;
    (ab ? c.bytes_ab : c.bytes_ba) += std::stoull(f[6]);
    c.retransmits += f[7].empty() ? 0 : 1;
    if (c.initial_rtt_ms < 0 && !f[8].empty()) {
      c.initial_rtt_ms = std::stod(f[8]) * 1000.0;
    }
  }
  return conversations;
}

// tshark's own conversation table: frames exactly; bytes exactly when printed in bytes.
struct ConvRow {
  uint64_t frames_ab = 0, frames_ba = 0;
  std::string bytes_ab, bytes_ba;  // "491 bytes" or "301 kB"
};
std::map<Key, ConvRow> tsharkConvTable(const std::string& file) {
  std::string out = run("tshark -r " + file + " -q -z conv,tcp 2>/dev/null");
  std::regex row(R"(^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+ \S+)\s+(\d+)\s+(\d+ \S+)\s)");
  std::map<Key, ConvRow> rows;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, row)) {
      continue;
    }
    // Columns: A, B, "<-" (B to A) frames and bytes, "->" (A to B) frames and bytes.
    // tshark writes IPv6 endpoints without brackets ("::1:443"): the port is after the last ':'.
    auto normalize = [](const std::string& text) {
      size_t colon = text.rfind(':');
      return endpoint(text.substr(0, colon), text.substr(colon + 1));
    };
    std::string a = normalize(m[1]), b = normalize(m[2]);
    Key key = keyOf(a, b);
    bool a_first = key.first == a;
    ConvRow r;
    uint64_t to_a = std::stoull(m[3]), from_a = std::stoull(m[5]);
    r.frames_ab = a_first ? from_a : to_a;
    r.frames_ba = a_first ? to_a : from_a;
    r.bytes_ab = a_first ? m[6].str() : m[4].str();
    r.bytes_ba = a_first ? m[4].str() : m[6].str();
    rows[key] = r;
  }
  return rows;
}

class CaptureFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CaptureFixtureTest, FlowsMatchTshark) {
  ASSERT_EQ(access("/usr/bin/tshark", X_OK), 0) << "tshark is missing (scripts/install-deps.sh)";
  std::string file = std::string(MESHLB_SOURCE_DIR) + "/tests/data/" + GetParam();
  ASSERT_EQ(access(file.c_str(), R_OK), 0) << file;
  std::string json = run(std::string(MESHLB_BINARY) + " capture --read " + file + " --json");
  std::map<Key, nlohmann::json> ours;
  std::istringstream lines(json);
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json flow = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(flow.is_object()) << line;
    if (flow["proto"] != "tcp") {
      continue;
    }
    std::string src = endpoint(flow["src"], std::to_string(flow["sport"].get<int>()));
    std::string dst = endpoint(flow["dst"], std::to_string(flow["dport"].get<int>()));
    Key key = keyOf(src, dst);
    ASSERT_EQ(ours.count(key), 0u) << "two flows for " << key.first << " " << key.second;
    flow["initiator_is_a"] = src == key.first;
    ours[key] = flow;
  }
  std::map<Key, Conversation> theirs = tsharkConversations(file);
  std::map<Key, ConvRow> table = tsharkConvTable(file);
  ASSERT_FALSE(theirs.empty());
  EXPECT_EQ(ours.size(), theirs.size());
  EXPECT_EQ(table.size(), theirs.size());

  uint64_t our_retransmits = 0, their_retransmits = 0;
  double worst_rtt_error_ms = 0;
  for (const auto& [key, conversation] : theirs) {
    SCOPED_TRACE(key.first + " <-> " + key.second);
    auto found = ours.find(key);
    ASSERT_NE(found, ours.end()) << "meshlb has no such flow";
    const nlohmann::json& flow = found->second;
    bool ab = flow["initiator_is_a"];
    uint64_t frames_ab = flow[ab ? "packets_fwd" : "packets_rev"];
    uint64_t frames_ba = flow[ab ? "packets_rev" : "packets_fwd"];
    uint64_t bytes_ab = flow[ab ? "wire_bytes_fwd" : "wire_bytes_rev"];
    uint64_t bytes_ba = flow[ab ? "wire_bytes_rev" : "wire_bytes_fwd"];
    EXPECT_EQ(frames_ab, conversation.frames_ab);
    EXPECT_EQ(frames_ba, conversation.frames_ba);
    EXPECT_EQ(bytes_ab, conversation.bytes_ab);
    EXPECT_EQ(bytes_ba, conversation.bytes_ba);
    const ConvRow& row = table[key];
    EXPECT_EQ(frames_ab, row.frames_ab);
    EXPECT_EQ(frames_ba, row.frames_ba);
    if (row.bytes_ab.ends_with(" bytes")) {
      EXPECT_EQ(std::to_string(bytes_ab) + " bytes", row.bytes_ab);
    }
    if (row.bytes_ba.ends_with(" bytes")) {
      EXPECT_EQ(std::to_string(bytes_ba) + " bytes", row.bytes_ba);
    }
    uint64_t retransmits = flow["retransmits"];
    our_retransmits += retransmits;
    their_retransmits += conversation.retransmits;
    EXPECT_LE(
        std::abs(static_cast<double>(retransmits) - static_cast<double>(conversation.retransmits)),
        std::ceil(0.05 * static_cast<double>(conversation.retransmits)))
        << "meshlb " << retransmits << ", tshark " << conversation.retransmits;
    if (conversation.initial_rtt_ms >= 0) {
      ASSERT_FALSE(flow["handshake_rtt_us"].is_null());
      double ours_ms = flow["handshake_rtt_us"].get<double>() / 1000.0;
      worst_rtt_error_ms =
          std::max(worst_rtt_error_ms, std::abs(ours_ms - conversation.initial_rtt_ms));
      EXPECT_NEAR(ours_ms, conversation.initial_rtt_ms, 0.1);
    } else {
      EXPECT_TRUE(flow["handshake_rtt_us"].is_null()) << flow.dump();
    }
  }
  std::cout << GetParam() << ": " << theirs.size() << " flows, retransmissions meshlb "
            << our_retransmits << " / tshark " << their_retransmits
            << ", largest initial-RTT difference " << worst_rtt_error_ms << " ms\n";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CaptureFixtureTest,
                         ::testing::Values("loopback_http.pcap", "loopback_ipv6.pcapng",
                                           "any_sll2.pcap", "lossy_veth.pcap"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           return name;
                         });

TEST(CaptureFixtureTest, LossyFixtureHasRetransmissions) {
  // The fixture is only a test of loss handling if it has loss in it.
  std::string file = std::string(MESHLB_SOURCE_DIR) + "/tests/data/lossy_veth.pcap";
  std::string json = run(std::string(MESHLB_BINARY) + " capture --read " + file + " --json");
  uint64_t retransmits = 0;
  std::istringstream lines(json);
  for (std::string line; std::getline(lines, line);) {
    retransmits += nlohmann::json::parse(line)["retransmits"].get<uint64_t>();
  }
  EXPECT_GT(retransmits, 20u);
}

TEST(CaptureCommandTest, BadInputIsAClearErrorNotACrash) {
  std::string missing =
      run(std::string(MESHLB_BINARY) + " capture --read /nonexistent.pcap 2>&1; echo exit=$?");
  EXPECT_NE(missing.find("/nonexistent.pcap"), std::string::npos) << missing;
  EXPECT_NE(missing.find("exit=1"), std::string::npos) << missing;
  std::string junk = tempPath("junk.pcap");
  run("head -c 4096 /dev/urandom > " + junk);
  std::string result =
      run(std::string(MESHLB_BINARY) + " capture --read " + junk + " 2>&1; echo exit=$?");
  EXPECT_NE(result.find("exit=1"), std::string::npos) << result;
  // A valid file cut in the middle of a record: what was read is reported.
  std::string cut = tempPath("cut.pcap");
  run("head -c 3000 " + std::string(MESHLB_SOURCE_DIR) + "/tests/data/loopback_http.pcap > " + cut);
  std::string partial =
      run(std::string(MESHLB_BINARY) + " capture --read " + cut + " --json 2>&1; echo exit=$?");
  EXPECT_NE(partial.find("exit=0"), std::string::npos) << partial;
  EXPECT_NE(partial.find("\"proto\":\"tcp\""), std::string::npos) << partial;
  std::string usage = run(std::string(MESHLB_BINARY) + " capture 2>&1; echo exit=$?");
  EXPECT_NE(usage.find("exit=2"), std::string::npos) << usage;
}

}  // namespace
}  // namespace meshlb::testing
