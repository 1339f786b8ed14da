#include "common/stream_writer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>

namespace meshlb {
namespace {

class RecordingWriterCallbacks : public StreamWriterCallbacks {
 public:
  void onWriterDrained() override { ++drained; }
  void onWriteError(int status) override { errors.push_back(status); }
  int drained = 0;
  std::vector<int> errors;
};

// A listening TCP socket on 127.0.0.1 at a free port (written to `address`), or -1. With
// `receive_buffer` > 0, accepted sockets start with that SO_RCVBUF.
int listenOnLoopback(sockaddr_in& address, int receive_buffer = 0) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) {
    return -1;
  }
  address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if ((receive_buffer > 0 &&
       setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer)) != 0) ||
      bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      listen(listener, 1) != 0) {
    close(listener);
    return -1;
  }
  return listener;
}

// What the writer writes to. A TCP socket takes the writer's own send()/sendmsg() path; a
// pipe goes through uv_try_write.
enum class Transport { kUnixPipe, kTcp };

// A libuv stream over one end of a connected pair (a socketpair, or a TCP connection over
// 127.0.0.1); the test reads the other end directly.
class StreamWriterTest : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override {
    std::signal(SIGPIPE, SIG_IGN);  // a write to a closed peer must fail, not kill the test
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    if (GetParam() == Transport::kUnixPipe) {
      ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
      ASSERT_EQ(uv_pipe_init(&loop_, &pipe_, 0), 0);
      ASSERT_EQ(uv_pipe_open(&pipe_, fds_[0]), 0);
      handle_ = reinterpret_cast<uv_handle_t*>(&pipe_);
    } else {
      connectTcpPair();
      ASSERT_EQ(uv_tcp_init(&loop_, &tcp_), 0);
      ASSERT_EQ(uv_tcp_open(&tcp_, fds_[0]), 0);
      handle_ = reinterpret_cast<uv_handle_t*>(&tcp_);
    }
  }

  void TearDown() override {
    if (handle_ != nullptr) {
      uv_close(handle_, nullptr);
    }
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
    if (fds_[1] >= 0) {
      close(fds_[1]);
    }
  }

  // fds_[0] connected to fds_[1] over 127.0.0.1. The receiving side's buffer is made small
  // (before listen(), so the accepted socket starts with it) so that the backpressure tests
  // fill the path with a few hundred KiB, as they do with a socketpair.
  void connectTcpPair() {
    sockaddr_in address;
    int listener = listenOnLoopback(address, 4096);
    ASSERT_GE(listener, 0);
    fds_[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fds_[0], 0);
    ASSERT_EQ(connect(fds_[0], reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    fds_[1] = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    close(listener);
    ASSERT_GE(fds_[1], 0);
  }

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(handle_); }

  // Reads the peer end until `at_least` bytes came (for up to 5 s: TCP over loopback may be
  // delivered by ksoftirqd a little later when the machine is busy), then what else is there.
  std::string readAvailable(size_t at_least = 0) {
    std::string data;
    char buffer[65536];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      ssize_t n = recv(fds_[1], buffer, sizeof(buffer), MSG_DONTWAIT);
      if (n > 0) {
        data.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (data.size() >= at_least || std::chrono::steady_clock::now() > deadline) {
        return data;
      }
      pollfd readable{fds_[1], POLLIN, 0};
      poll(&readable, 1, 100);
    }
  }

  // Reads the peer end until EOF on another thread while the loop runs.
  std::string runLoopAndReadAll() {
    std::string data;
    std::thread reader([&] {
      char buffer[65536];
      for (;;) {
        ssize_t n = read(fds_[1], buffer, sizeof(buffer));
        if (n <= 0) {
          break;
        }
        data.append(buffer, static_cast<size_t>(n));
      }
    });
    uv_run(&loop_, UV_RUN_DEFAULT);
    reader.join();
    return data;
  }

  uv_loop_t loop_{};
  uv_pipe_t pipe_{};
  uv_tcp_t tcp_{};
  uv_handle_t* handle_ = nullptr;
  int fds_[2] = {-1, -1};
  RecordingWriterCallbacks callbacks_;
};

TEST_P(StreamWriterTest, DirectWriteWhenAttached) {
  StreamWriter writer(callbacks_);
  writer.attach(stream());
  writer.write("hello");
  EXPECT_TRUE(writer.flushed());
  EXPECT_EQ(readAvailable(5), "hello");
  EXPECT_TRUE(callbacks_.errors.empty());
  writer.detach();
}

TEST_P(StreamWriterTest, EmptyWriteIsNothing) {
  StreamWriter writer(callbacks_);
  writer.write("");
  writer.write({"", ""});
  EXPECT_TRUE(writer.flushed());
  EXPECT_EQ(writer.buffered(), 0u);
}

TEST_P(StreamWriterTest, WritesBeforeAttachAreBufferedThenSent) {
  StreamWriter writer(callbacks_);
  writer.write("GET / HTTP/1.1\r\n");
  writer.write({"Host: a\r\n", "", "\r\n"});
  EXPECT_EQ(writer.buffered(), 27u);
  EXPECT_FALSE(writer.flushed());
  writer.attach(stream());
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_TRUE(writer.flushed());
  EXPECT_EQ(readAvailable(27), "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_GE(callbacks_.drained, 1);
  writer.detach();
}

TEST_P(StreamWriterTest, PiecesAreWrittenInOrder) {
  StreamWriter writer(callbacks_);
  writer.attach(stream());
  writer.write({"5\r\n", "hello", "\r\n"});
  writer.write({"0\r\n\r\n"});
  EXPECT_EQ(readAvailable(15), "5\r\nhello\r\n0\r\n\r\n");
  writer.detach();
}

TEST_P(StreamWriterTest, ManyPiecesAreAllWritten) {
  StreamWriter writer(callbacks_);
  writer.attach(stream());
  writer.write({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"});
  EXPECT_EQ(readAvailable(10), "abcdefghij");
  writer.detach();
}

TEST_P(StreamWriterTest, BackpressureAboveHighWatermarkThenDrains) {
  int size = 4096;
  ASSERT_EQ(setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)), 0);
  StreamWriter writer(callbacks_);
  writer.attach(stream());
  std::string expected;
  for (int i = 0; i < 64; ++i) {
    std::string block(16 * 1024, static_cast<char>('a' + i % 26));
    expected += block;
    writer.write(block);
  }
  EXPECT_TRUE(writer.aboveHighWatermark());
  EXPECT_EQ(callbacks_.drained, 0);
  writer.shutdownWhenFlushed();
  EXPECT_TRUE(writer.shutdownRequested());
  std::string received = runLoopAndReadAll();  // ends at EOF: the shutdown came after the data
  EXPECT_EQ(received.size(), expected.size());
  EXPECT_TRUE(received == expected);
  EXPECT_TRUE(writer.flushed());
  EXPECT_FALSE(writer.aboveHighWatermark());
  EXPECT_GE(callbacks_.drained, 1);
  EXPECT_TRUE(callbacks_.errors.empty());
  writer.detach();
}

// The state of an asynchronous write is lent while bytes wait and given back once they are
// written: a writer must go async again after draining, and another writer on the same thread
// must get a clean state (here most likely the same one, from the thread's pool).
TEST_P(StreamWriterTest, GoesAsyncAgainAfterDrainingAndStatesAreNotShared) {
  int size = 4096;
  ASSERT_EQ(setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)), 0);
  const std::string first(300 * 1024, 'x');
  const std::string second(200 * 1024, 'y');
  const std::string third(100 * 1024, 'z');
  const size_t total = 2 * first.size() + second.size() + third.size();
  std::string received;
  std::thread reader([&] {
    char buffer[65536];
    while (received.size() < total) {
      ssize_t n = read(fds_[1], buffer, sizeof(buffer));
      if (n <= 0) {
        break;
      }
      received.append(buffer, static_cast<size_t>(n));
    }
  });
  {
    StreamWriter writer(callbacks_);
    writer.attach(stream());
    writer.write(first);
    EXPECT_FALSE(writer.flushed());
    uv_run(&loop_, UV_RUN_DEFAULT);  // returns once the uv_write is done
    EXPECT_TRUE(writer.flushed());
    writer.write({second, "", first});
    EXPECT_FALSE(writer.flushed());
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_TRUE(writer.flushed());
    writer.detach();
  }
  StreamWriter other(callbacks_);
  EXPECT_TRUE(other.flushed());
  EXPECT_EQ(other.buffered(), 0u);
  other.attach(stream());
  other.write(third);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_TRUE(other.flushed());
  other.detach();
  reader.join();
  ASSERT_EQ(received.size(), total);
  EXPECT_TRUE(received == first + second + first + third);
  EXPECT_GE(callbacks_.drained, 3);
  EXPECT_TRUE(callbacks_.errors.empty());
}

TEST_P(StreamWriterTest, WritesAfterShutdownAreDropped) {
  StreamWriter writer(callbacks_);
  writer.attach(stream());
  writer.write("last");
  writer.shutdownWhenFlushed();
  writer.write("dropped");
  EXPECT_EQ(runLoopAndReadAll(), "last");
  writer.detach();
}

TEST_P(StreamWriterTest, WriteToClosedPeerReportsError) {
  close(fds_[1]);
  fds_[1] = -1;
  StreamWriter writer(callbacks_);
  writer.attach(stream());
  // A socketpair fails the first write. A TCP socket takes the first bytes into its buffer and
  // learns of the close from the peer's reset, so it fails a later write.
  for (int attempt = 0; attempt < 200 && callbacks_.errors.empty(); ++attempt) {
    writer.write("nobody listens");
    uv_run(&loop_, UV_RUN_DEFAULT);
    if (callbacks_.errors.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ASSERT_EQ(callbacks_.errors.size(), 1u);
  if (GetParam() == Transport::kUnixPipe) {
    EXPECT_EQ(callbacks_.errors[0], UV_EPIPE);
  } else {
    EXPECT_TRUE(callbacks_.errors[0] == UV_EPIPE || callbacks_.errors[0] == UV_ECONNRESET)
        << uv_err_name(callbacks_.errors[0]);
  }
  writer.write("more");  // after a failure: ignored, no second report
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(callbacks_.errors.size(), 1u);
  writer.detach();
}

// A write to a socket that cannot send any more fails with EPIPE. On a TCP socket the writer's
// send() asks for no SIGPIPE; uv_try_write's write() on a pipe raises it (meshlb ignores the
// signal process-wide). Counted here with a handler, so this fails if TCP writes went
// through write() again.
std::atomic<int> sigpipes_seen{0};

TEST_P(StreamWriterTest, WriteAfterOwnShutdownFailsWithoutSigpipeOnTcp) {
  struct sigaction counting {};
  counting.sa_handler = [](int) { sigpipes_seen.fetch_add(1); };
  struct sigaction previous {};
  ASSERT_EQ(sigaction(SIGPIPE, &counting, &previous), 0);
  sigpipes_seen = 0;
  ASSERT_EQ(shutdown(fds_[0], SHUT_WR), 0);
  StreamWriter writer(callbacks_);
  writer.attach(stream());
  writer.write("after the FIN");
  uv_run(&loop_, UV_RUN_DEFAULT);
  sigaction(SIGPIPE, &previous, nullptr);
  ASSERT_EQ(callbacks_.errors.size(), 1u);
  EXPECT_EQ(callbacks_.errors[0], UV_EPIPE);
  EXPECT_EQ(sigpipes_seen.load(), GetParam() == Transport::kTcp ? 0 : 1);
  writer.detach();
}

TEST_P(StreamWriterTest, ResetDropsBufferedBytes) {
  StreamWriter writer(callbacks_);
  writer.write("buffered before attach");
  EXPECT_FALSE(writer.flushed());
  writer.reset();
  EXPECT_TRUE(writer.flushed());
  writer.attach(stream());
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(readAvailable(), "");
  writer.detach();
}

// A writer attached to a TCP socket whose connect is still under way. Whether the kernel takes
// the bytes at once (on loopback the handshake is often over when connect() returns) or
// answers EAGAIN and they wait for uv_write, they reach the peer whole and in order.
TEST(StreamWriterTcpTest, WritesWhileConnectingGoOutOnceConnected) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  sockaddr_in address;
  int listener = listenOnLoopback(address);
  ASSERT_GE(listener, 0);

  uv_tcp_t tcp;
  ASSERT_EQ(uv_tcp_init(&loop, &tcp), 0);
  uv_connect_t connect_request;
  int connect_status = 1;
  connect_request.data = &connect_status;
  ASSERT_EQ(uv_tcp_connect(&connect_request, &tcp, reinterpret_cast<sockaddr*>(&address),
                           [](uv_connect_t* request, int status) {
                             *static_cast<int*>(request->data) = status;
                           }),
            0);
  RecordingWriterCallbacks callbacks;
  StreamWriter writer(callbacks);
  writer.attach(reinterpret_cast<uv_stream_t*>(&tcp));
  writer.write("first ");
  writer.write({"second ", "third"});
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(connect_status, 0);
  EXPECT_TRUE(writer.flushed());
  EXPECT_TRUE(callbacks.errors.empty());

  int peer = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(peer, 0);
  std::string received;
  char buffer[64];
  while (received.size() < 18) {
    ssize_t n = recv(peer, buffer, sizeof(buffer), 0);
    ASSERT_GT(n, 0);
    received.append(buffer, static_cast<size_t>(n));
  }
  EXPECT_EQ(received, "first second third");
  writer.detach();
  close(peer);
  close(listener);
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

INSTANTIATE_TEST_SUITE_P(Transports, StreamWriterTest,
                         ::testing::Values(Transport::kUnixPipe, Transport::kTcp),
                         [](const ::testing::TestParamInfo<Transport>& info) {
                           return info.param == Transport::kTcp ? "Tcp" : "UnixPipe";
                         });

}  // namespace
}  // namespace meshlb
