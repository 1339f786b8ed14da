#pragma once

#include <llhttp.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/upstream/request_head.h"

namespace meshlb::upstream {

class Worker;

// One accepted TCP connection: HTTP/1.1 server side, or a raw echo after an upgrade.
//
// Owned by its Worker's thread. Created in the accept callback, it deletes itself once its libuv
// handles are closed (after closeNow() or a graceful shutdown).
//
// Requests are handled strictly one at a time, which keeps pipelined answers in order: llhttp is
// paused at the end of every request; if the answer is immediate, parsing resumes at once; if it
// is delayed or streamed, the unparsed rest of the input is kept in pending_ and reading stops
// until the answer is complete. Request bodies are counted and discarded while parsing, never
// buffered.
class Connection {
 public:
  explicit Connection(Worker& worker);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Accepts the pending connection of server and starts reading. On failure the connection
  // closes (and later deletes) itself and false is returned.
  bool start(uv_stream_t* server);
  // Closes at once, dropping unsent output. Safe to call repeatedly.
  void closeNow();

 private:
  friend class Worker;  // links the intrusive list of live connections

  enum class Mode { kHttp, kEcho };
  // What the connection is waiting for before it may parse the next request.
  enum class Busy { kIdle, kDelayed, kStreaming };

  // The current request as far as parsed. Reset when a new message begins.
  struct RequestState {
    uint8_t method = 0;  // llhttp_method_t
    uint8_t httpMajor = 1;
    uint8_t httpMinor = 1;
    bool control = false;  // path under /_upstream/: never delayed, failed or counted
    bool hasBody = false;  // Content-Length or chunked
    bool upgrade = false;  // Upgrade or CONNECT: the connection turns into an echo
    bool keepAlive = true;
    uint64_t bodyBytes = 0;
    // Per-request controls; after dispatch() they hold the effective values (faults merged in).
    int64_t delayMs = -1;  // -1: not given
    int status = 0;        // 0: not given
    int8_t close = -1;     // -1: not given, else 0 / 1
    int8_t reset = -1;
    // X-Upstream-Close-After: 1 - answer, then close (Connection: close), so a proxy must open
    // a new connection for its next request.
    bool closeAfterAnswer = false;
    // X-Upstream-Jitter-Ms: N - a uniform 0..N ms added to the delay (the request's or the
    // fault's).
    int64_t jitterMs = 0;
    const char* invalidControl = nullptr;  // a control header had a bad value: answer 400
  };

  // One uv_write with its own copy of text plus optional pointers to static data (the filler
  // chunk), which is sent after text without copying. Pooled per connection.
  struct WriteRequest {
    uv_write_t req;
    Connection* owner = nullptr;
    std::string text;
    std::string_view body;
    std::string_view trailer;
  };

  static const llhttp_settings_t& parserSettings();
  static Connection* from(llhttp_t* parser) { return static_cast<Connection*>(parser->data); }
  static int onMessageBegin(llhttp_t* parser);
  static int onUrl(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderField(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderFieldComplete(llhttp_t* parser);
  static int onHeaderValue(llhttp_t* parser, const char* at, size_t length);
  static int onHeadersComplete(llhttp_t* parser);
  static int onBody(llhttp_t* parser, const char* at, size_t length);
  static int onMessageComplete(llhttp_t* parser);

  static void onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buffer);
  static void onRead(uv_stream_t* stream, ssize_t count, const uv_buf_t* buffer);
  static void onWrite(uv_write_t* req, int status);
  static void onTimer(uv_timer_t* timer);
  static void onShutdown(uv_shutdown_t* req, int status);
  static void onClose(uv_handle_t* handle);

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }

  // Input: parse (or echo) bytes; what cannot be handled now goes to pending_.
  void processInput(const char* data, size_t length);
  // After a delayed or streamed answer completes: handle pending_, then read again.
  void resumeInput();
  // Starts or stops reading according to the state (busy, back-pressure, closing).
  void updateReading();
  void interpretHead();

  // Answering: dispatch() runs once per complete request, respond() when its delay is over.
  void dispatch();
  void respond();
  void respondDefault();
  void respondText(int status, std::string_view contentType, std::string_view body,
                   int64_t receivedBytes = -1);
  void respondEcho();
  void respondUpgrade();
  // Returns true when the whole body was handed to libuv; false while it streams.
  bool respondBytes();
  bool pumpStream();
  void respondControl();
  void badRequest(const char* reason);
  // After an answer: close when the request did not keep the connection alive.
  void finishResponse();

  // Output: out() is the text of the write being filled; flush() submits it.
  std::string& out();
  void flush();
  void submit(WriteRequest* write);
  WriteRequest* acquireWrite();
  void releaseWrite(WriteRequest* write);

  void closeAfterWrites();
  void resetNow();

  Worker& worker_;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  uv_shutdown_t shutdownReq_{};
  int openHandles_ = 0;
  llhttp_t parser_{};

  Mode mode_ = Mode::kHttp;
  Busy busy_ = Busy::kIdle;
  bool reading_ = false;
  bool peerEof_ = false;
  bool shuttingDown_ = false;
  bool closing_ = false;

  RequestHead head_;
  RequestState request_;
  std::string pending_;  // input received but not parsed yet (while busy)
  std::string scratch_;  // pending_ being processed, so that new pending input cannot alias it
  std::string body_;     // reusable buffer for generated bodies

  uint64_t streamRemaining_ = 0;
  bool streamChunked_ = false;

  std::vector<std::unique_ptr<WriteRequest>> writePool_;
  std::vector<WriteRequest*> freeWrites_;
  WriteRequest* filling_ = nullptr;
  int writesInFlight_ = 0;

  Connection* prev_ = nullptr;
  Connection* next_ = nullptr;
};

}  // namespace meshlb::upstream
