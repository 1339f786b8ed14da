#pragma once

#include <llhttp.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "proxy/config/config.h"
#include "proxy/http/head_scanner.h"
#include "proxy/http/message_head.h"

namespace meshlb::http {

// What the decoder learned about a head's framing, after validating it.
struct HeadInfo {
  bool keep_alive = false;        // llhttp_should_keep_alive: version and Connection header
  bool chunked = false;           // Transfer-Encoding: chunked
  bool has_body_framing = false;  // Content-Length or chunked
  uint64_t content_length = 0;    // when Content-Length was given
  bool upgrade = false;           // request asked for (or response agreed to) a protocol upgrade
  bool expect_continue = false;   // request carries Expect: 100-continue
};

// What the owner of a decoder wants after a head.
enum class HeadAction {
  kContinue,  // parse the body
  kSkipBody,  // the response has no body (answer to HEAD)
  kStop,      // stop parsing: the owner answers locally and closes
};

// Receives a decoded message, piece by piece. Called from inside Http1Decoder::decode().
class DecoderCallbacks {
 public:
  virtual ~DecoderCallbacks() = default;
  virtual HeadAction onHead(MessageHead& head, const HeadInfo& info) = 0;
  virtual void onBody(const char* data, size_t length) = 0;
  virtual void onMessageComplete() = 0;
};

// An HTTP/1.x request or response decoder on llhttp, strict about framing (RFC 9112 §6.3,
// §11.2): it rejects what could be read two ways by two parsers, and enforces size limits.
// It hands over one message at a time: decode() stops after each complete message so the
// owner can answer pipelined requests in order. Worker-local, one per connection.
class Http1Decoder {
 public:
  enum class Kind { kRequest, kResponse };

  struct Result {
    enum class Status {
      kNeedMore,         // everything consumed, message not complete
      kMessageComplete,  // one message ended; `consumed` bytes belong to it
      kStopped,          // the owner asked to stop in onHead
      kError,            // malformed or over a limit; answer `error_status` and close
    } status = Status::kNeedMore;
    size_t consumed = 0;
  };

  Http1Decoder(Kind kind, DecoderCallbacks& callbacks, const config::HttpLimits& limits);
  Http1Decoder(const Http1Decoder&) = delete;
  Http1Decoder& operator=(const Http1Decoder&) = delete;

  // Makes this a new decoder of the same kind, for another owner and limits, whatever state it
  // was left in (even mid-message): lets a worker keep request decoders in a pool and lend one
  // to a connection only while a request is under way. The head's buffer goes back to the
  // string pool; the header-offset vector keeps its capacity.
  void restart(DecoderCallbacks& callbacks, const config::HttpLimits& limits);

  Result decode(const char* data, size_t length);
  // The peer closed: completes a close-delimited response body. True if a message ended.
  bool finishOnEof();

  // After kError: the status to answer (400, 431; 502 for responses) and why.
  int errorStatus() const { return error_status_; }
  std::string_view errorReason() const { return error_reason_; }
  // True while a message has started but not ended (bytes seen since the last message).
  bool inMessage() const { return in_message_; }
  // True once the head of the current message was decoded.
  bool headDone() const { return head_done_; }

  // Heads are stored in buffers borrowed from `pool` (the worker's), which must outlive the
  // decoder; releaseBuffers() gives the last message's back between messages.
  void useStringPool(StringPool* pool) { strings_ = pool; }
  // Between messages (not inMessage()): forgets the last head and returns its buffer to the
  // pool. The head must not be used any more.
  void releaseBuffers() {
    if (strings_ != nullptr && !in_message_) {
      head_.clearAndRecycle(*strings_);
    }
  }

 private:
  static int onMessageBegin(llhttp_t* parser);
  static int onUrl(llhttp_t* parser, const char* at, size_t length);
  static int onStatus(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderField(llhttp_t* parser, const char* at, size_t length);
  static int onHeaderValue(llhttp_t* parser, const char* at, size_t length);
  static int onHeadersComplete(llhttp_t* parser);
  static int onBody(llhttp_t* parser, const char* at, size_t length);
  static int onMessageComplete(llhttp_t* parser);
  // The callbacks above, shared by every decoder (llhttp keeps a pointer to them): a copy per
  // connection would cost 184 bytes of each idle connection.
  static const llhttp_settings_t& sharedSettings();

  int fail(int status, std::string_view reason);
  // Request rules llhttp does not enforce itself. Returns 0 or fail()'s code.
  int validateRequestHead(HeadInfo& info);
  int validateHeaderNames();
  int validateTransferEncoding();

  Kind kind_;
  DecoderCallbacks* callbacks_;  // never null; a pointer so that restart() can change it
  config::HttpLimits limits_;
  llhttp_t parser_{};
  HeadScanner scanner_;
  MessageHead head_;
  StringPool* strings_ = nullptr;
  int error_status_ = 400;  // 502 for responses
  std::string_view error_reason_;
  bool stopped_ = false;
  bool failed_by_check_ = false;  // fail() was called: errorStatus/Reason are ours
  bool in_message_ = false;
  bool head_done_ = false;
};

}  // namespace meshlb::http
