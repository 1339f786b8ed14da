// PcapSource live on lo (needs root or CAP_NET_RAW, as `make test` has): loopback's outgoing
// copies never reach the socket (PACKET_IGNORE_OUTGOING) and the kernel filter drops them too,
// so each datagram is counted and delivered once, also across a filter change; a bad filter is
// refused in its own words.

#include "capture/source/pcap_source.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

namespace meshlb::capture {
namespace {

// A UDP socket bound to 127.0.0.1 on a port the kernel picks; closed on destruction.
class UdpReceiver {
 public:
  UdpReceiver() : fd_(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~UdpReceiver() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  UdpReceiver(const UdpReceiver&) = delete;
  UdpReceiver& operator=(const UdpReceiver&) = delete;
  int port() const { return port_; }

  // Receives `count` datagrams, each within 5 s; the number received. A datagram the socket
  // got has passed the packet taps (a capture sees a packet before the socket does).
  int receive(int count) {
    timeval timeout{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    char buffer[16];
    int received = 0;
    while (received < count && recv(fd_, buffer, sizeof(buffer), 0) > 0) {
      ++received;
    }
    return received;
  }

 private:
  int fd_;
  int port_ = 0;
};

void sendDatagrams(int port, int count) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(static_cast<uint16_t>(port));
  for (int i = 0; i < count; ++i) {
    ASSERT_EQ(sendto(fd, "ping", 4, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 4);
  }
  close(fd);
}

// Reads what the source has until `want` packets came or 5 s passed, then waits 200 ms more
// for any surplus copy. Returns the number of packets delivered.
int readPackets(PcapSource& source, int want) {
  int delivered = 0;
  auto count = [](u_char* user, const pcap_pkthdr*, const u_char*) {
    ++*reinterpret_cast<int*>(user);
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (delivered < want && std::chrono::steady_clock::now() < deadline) {
    if (pcap_dispatch(source.handle(), -1, count, reinterpret_cast<u_char*>(&delivered)) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  pcap_dispatch(source.handle(), -1, count, reinterpret_cast<u_char*>(&delivered));
  return delivered;
}

// A live source on lo that captures the datagrams sent to its own UDP receiver, in kernel
// batches (meshlb's default). Test thread.
class LoopbackCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(receiver_.port(), 0);
    filter_ = "udp and dst port " + std::to_string(receiver_.port());
    LiveSourceOptions options;
    options.interface = "lo";
    options.filter = filter_;
    options.immediate = false;
    SourceError error;
    Result<PcapSource> source = PcapSource::openLive(options, &error);
    ASSERT_TRUE(source) << error.message << " (the tests need root or CAP_NET_RAW)";
    source_.emplace(std::move(*source));
  }

  // Sends `count` datagrams to the receiver and waits until it has them all.
  void sendAndReceive(int count) {
    sendDatagrams(receiver_.port(), count);
    ASSERT_EQ(receiver_.receive(count), count);
  }
  // Packets the kernel passed to the socket since `before` (libpcap's ps_recv).
  uint64_t receivedSince(uint64_t before) { return source_->counters().received - before; }

  static constexpr int kDatagrams = 25;
  UdpReceiver receiver_;
  std::string filter_;
  std::optional<PcapSource> source_;
};

// With a filter replaced as a reload does: after a change libpcap filters the blocks filled
// before it in user space, which must not lose packets.
TEST_F(LoopbackCaptureTest, PacketsAreCountedAndDeliveredOnce) {
  EXPECT_TRUE(source_->isLoopback());
  EXPECT_TRUE(source_->dropsOutgoingCopies());
  // Until its filter was attached the socket took every packet on lo (other tests' too).
  const uint64_t before = source_->counters().received;

  sendAndReceive(kDatagrams);
  EXPECT_EQ(readPackets(*source_, kDatagrams), kDatagrams);
  // The kernel's count: 2 x kDatagrams when the outgoing copies reach the ring.
  EXPECT_EQ(receivedSince(before), static_cast<uint64_t>(kDatagrams));

  // Captured but not read yet when the filter changes (received by the socket, so past the
  // capture's filter, which briefly rejects everything while pcap_setfilter swaps filters).
  sendAndReceive(kDatagrams);
  ASSERT_TRUE(source_->setFilter(filter_));
  EXPECT_TRUE(source_->dropsOutgoingCopies());
  sendAndReceive(kDatagrams);
  EXPECT_EQ(readPackets(*source_, 2 * kDatagrams), 2 * kDatagrams);
  EXPECT_EQ(receivedSince(before), static_cast<uint64_t>(3 * kDatagrams));
}

// PACKET_IGNORE_OUTGOING on its own: with the kernel filter replaced by one that does not test
// the direction, the socket still receives each datagram once (twice without the option).
TEST_F(LoopbackCaptureTest, OutgoingCopiesNeverReachTheSocket) {
  ASSERT_TRUE(source_->ignoresOutgoing()) << "Linux >= 4.20 has PACKET_IGNORE_OUTGOING";
  bpf_program program{};
  ASSERT_EQ(pcap_compile(source_->handle(), &program, filter_.c_str(), 1, PCAP_NETMASK_UNKNOWN), 0);
  sock_fprog kernel_program{static_cast<unsigned short>(program.bf_len),
                            reinterpret_cast<sock_filter*>(program.bf_insns)};
  const int attached = setsockopt(pcap_fileno(source_->handle()), SOL_SOCKET, SO_ATTACH_FILTER,
                                  &kernel_program, sizeof(kernel_program));
  pcap_freecode(&program);
  ASSERT_EQ(attached, 0);
  const uint64_t before = source_->counters().received;

  sendAndReceive(kDatagrams);
  EXPECT_EQ(readPackets(*source_, kDatagrams), kDatagrams);
  EXPECT_EQ(receivedSince(before), static_cast<uint64_t>(kDatagrams));
}

// The fallback for kernels without PACKET_IGNORE_OUTGOING: with the option turned off, the
// `inbound` kernel filter alone keeps the outgoing copies out of the count.
TEST_F(LoopbackCaptureTest, TheInboundFilterAloneCountsEachPacketOnce) {
  int zero = 0;
  ASSERT_EQ(setsockopt(pcap_fileno(source_->handle()), SOL_PACKET, PACKET_IGNORE_OUTGOING, &zero,
                       sizeof(zero)),
            0);
  ASSERT_TRUE(source_->dropsOutgoingCopies());
  const uint64_t before = source_->counters().received;

  sendAndReceive(kDatagrams);
  EXPECT_EQ(readPackets(*source_, kDatagrams), kDatagrams);
  EXPECT_EQ(receivedSince(before), static_cast<uint64_t>(kDatagrams));
}

TEST(PcapSourceTest, AFilterThatDoesNotCompileIsRefusedWithItsOwnText) {
  LiveSourceOptions options;
  options.interface = "lo";
  options.filter = "tcp and portt 80";
  SourceError error;
  Result<PcapSource> source = PcapSource::openLive(options, &error);
  ASSERT_FALSE(source);
  EXPECT_FALSE(error.permission);
  EXPECT_NE(error.message.find("'tcp and portt 80'"), std::string::npos) << error.message;
  EXPECT_EQ(error.message.find("inbound"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace meshlb::capture
