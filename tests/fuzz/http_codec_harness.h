// Shared driver of http_request_codec_fuzz and http_response_codec_fuzz: feeds an HTTP/1.x byte
// stream to an Http1Decoder the way the proxy does (HttpSession for requests, UpstreamConnection
// for responses) and checks the decoder's contract (proxy/http/http1_decoder.h) on every call.
//
// Input layout:
//   byte 0     control: bits 0-2 = number of cut points k (0..7); bit 3 = the response answers
//              a HEAD request (its body is skipped, as UpstreamConnection does); bits 4-5 = n,
//              onHead answers kStop for the n-th head (0: never), like a session that answers
//              a request locally.
//   2k bytes   the cut points, little-endian uint16 each, taken modulo (payload size + 1): the
//              payload arrives in up to k + 1 reads split there.
//   the rest   the payload, the bytes on the wire.
//
// Each read is copied into a heap buffer of exactly its size that is freed when decode()
// returns, so ASan catches a read past it and any pointer the decoder keeps into an old read.
// The same payload is also decoded in one read, and the two runs must agree (messages, heads,
// body bytes, where each message ended, error or not): how TCP segments a stream must not
// change what the proxy sees.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "proxy/config/config.h"
#include "proxy/http/http1_decoder.h"
#include "proxy/http/message_head.h"

namespace meshlb::fuzz {

inline void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "http codec invariant violated: %s\n", what);
    std::abort();
  }
}

struct CodecInput {
  bool answers_head = false;
  unsigned stop_at_head = 0;
  std::vector<size_t> cuts;  // sorted, each within [0, payload size]
  std::string_view payload;
};

inline CodecInput parseCodecInput(const uint8_t* data, size_t size) {
  CodecInput input;
  if (size == 0) {
    return input;
  }
  const uint8_t control = data[0];
  size_t cut_count = control & 7u;
  input.answers_head = (control & 8u) != 0;
  input.stop_at_head = (control >> 4) & 3u;
  size_t offset = 1;
  cut_count = std::min(cut_count, (size - offset) / 2);
  std::vector<uint16_t> raw;
  for (size_t i = 0; i < cut_count; ++i) {
    raw.push_back(static_cast<uint16_t>(data[offset] | (data[offset + 1] << 8)));
    offset += 2;
  }
  input.payload = std::string_view(reinterpret_cast<const char*>(data) + offset, size - offset);
  for (uint16_t cut : raw) {
    input.cuts.push_back(cut % (input.payload.size() + 1));
  }
  std::sort(input.cuts.begin(), input.cuts.end());
  return input;
}

// Records what the decoder hands over and checks each callback against the contract.
class CodecRecorder : public http::DecoderCallbacks {
 public:
  CodecRecorder(http::Http1Decoder::Kind kind, const CodecInput& input,
                const config::HttpLimits& limits)
      : kind_(kind), input_(input), limits_(limits) {}

  void attach(const http::Http1Decoder* decoder) { decoder_ = decoder; }

  // Around each decode() call: the bytes it may point into.
  void beginCall(const char* begin, size_t length) {
    call_begin_ = begin;
    call_end_ = begin + length;
    completes_in_call_ = 0;
    stopped_in_call_ = false;
    callback_after_end_ = false;
  }
  void endCall() { call_begin_ = call_end_ = nullptr; }

  http::HeadAction onHead(http::MessageHead& head, const http::HeadInfo& info) override {
    noteCallback();
    check(!in_message_, "onHead while the previous message has not ended");
    check(decoder_->headDone() && decoder_->inMessage(), "onHead: decoder state");
    check(head.headerCount() <= limits_.max_headers, "more header fields than max_headers");
    check(head.storedBytes() <= limits_.max_header_bytes, "head larger than max_header_bytes");
    for (size_t i = 0; i < head.headerCount(); ++i) {
      check(http::isToken(head.name(i)), "a header field name that is not a token");
    }
    check(!info.chunked || info.has_body_framing, "chunked without body framing");
    check(info.has_body_framing || info.content_length == 0, "a length without body framing");
    if (kind_ == http::Http1Decoder::Kind::kRequest) {
      check(!head.url().empty(), "a request without a target");
      check(head.version_major == 1 && head.version_minor <= 1, "request version not 1.0/1.1");
      const size_t hosts = head.count("host");
      check(hosts <= 1, "repeated Host accepted");
      check(head.version_minor == 0 || hosts == 1, "HTTP/1.1 request without Host accepted");
      check(head.version_minor == 1 || !head.find("transfer-encoding"),
            "Transfer-Encoding in an HTTP/1.0 request accepted");
    } else {
      check(head.version_major == 1, "response version not 1.x");
      check(head.status >= 0 && head.status <= 999, "response status out of range");
    }

    ++heads_;
    in_message_ = true;
    status_ = head.status;
    info_ = info;
    body_.clear();
    // Copies everything: the views die with the next message.
    log_ += "head " + std::to_string(head.method) + " " + std::to_string(head.status) + " " +
            std::to_string(head.version_major) + "." + std::to_string(head.version_minor) + " [" +
            std::string(head.url()) + "]";
    for (size_t i = 0; i < head.headerCount(); ++i) {
      log_ += " {" + std::string(head.name(i)) + ":" + std::string(head.value(i)) + "}";
    }
    log_ += " ka=" + std::to_string(info.keep_alive) + " ch=" + std::to_string(info.chunked) +
            " fr=" + std::to_string(info.has_body_framing) +
            " cl=" + std::to_string(info.content_length) + " up=" + std::to_string(info.upgrade) +
            " ex=" + std::to_string(info.expect_continue) + "\n";

    if (heads_ == input_.stop_at_head) {
      action_ = http::HeadAction::kStop;
      stopped_in_call_ = true;
    } else if (kind_ == http::Http1Decoder::Kind::kResponse && input_.answers_head &&
               head.status >= 200) {
      action_ = http::HeadAction::kSkipBody;  // as UpstreamConnection::onHead
    } else {
      action_ = http::HeadAction::kContinue;
    }
    return action_;
  }

  void onBody(const char* data, size_t length) override {
    noteCallback();
    check(in_message_, "onBody outside a message");
    check(action_ == http::HeadAction::kContinue, "onBody after kSkipBody or kStop");
    check(call_begin_ != nullptr && data >= call_begin_ && data <= call_end_ &&
              length <= size_t(call_end_ - data),
          "onBody points outside the bytes given to this decode() call");
    body_.append(data, length);  // reads every byte: ASan checks them
    body_total_ += length;
    check(body_total_ <= input_.payload.size(), "more body bytes than were fed");
    if (info_.has_body_framing && !info_.chunked) {
      check(body_.size() <= info_.content_length, "more body than Content-Length");
    }
  }

  void onMessageComplete() override {
    noteCallback();
    check(in_message_, "onMessageComplete without a head");
    check(!decoder_->inMessage(), "inMessage() still true in onMessageComplete");
    check(action_ != http::HeadAction::kStop, "a message completed after kStop");
    ++completes_in_call_;
    const bool bodyless_status =
        kind_ == http::Http1Decoder::Kind::kResponse &&
        ((status_ >= 100 && status_ < 200) || status_ == 204 || status_ == 304);
    if (action_ == http::HeadAction::kSkipBody || bodyless_status) {
      check(body_.empty(), "a body on a message that has none");
    } else if (info_.has_body_framing && !info_.chunked && !info_.upgrade) {
      check(body_.size() == info_.content_length, "body length differs from Content-Length");
    }
    in_message_ = false;
    last_upgrade_ = info_.upgrade;
    last_status_ = status_;
    log_ += "body " + std::to_string(body_.size()) + " [" + body_ + "] complete\n";
    body_.clear();
  }

  // The end of a run: what was decoded of an unfinished message.
  void finish(const char* how) {
    if (in_message_) {
      log_ += "partial body " + std::to_string(body_.size()) + " [" + body_ + "]\n";
    }
    log_ += how;
    log_ += "\n";
  }

  void note(const std::string& line) { log_ += line + "\n"; }
  const std::string& log() const { return log_; }
  int completesInCall() const { return completes_in_call_; }
  bool stoppedInCall() const { return stopped_in_call_; }
  bool callbackAfterEnd() const { return callback_after_end_; }
  bool lastUpgrade() const { return last_upgrade_; }
  int lastStatus() const { return last_status_; }

 private:
  void noteCallback() {
    // Nothing follows the completion or the refused head within a call: decode() returns.
    if (completes_in_call_ > 0 || stopped_in_call_) {
      callback_after_end_ = true;
    }
    check(!callback_after_end_, "a callback after the message ended or was stopped");
  }

  http::Http1Decoder::Kind kind_;
  const CodecInput& input_;
  const config::HttpLimits& limits_;
  const http::Http1Decoder* decoder_ = nullptr;
  const char* call_begin_ = nullptr;
  const char* call_end_ = nullptr;
  int completes_in_call_ = 0;
  bool stopped_in_call_ = false;
  bool callback_after_end_ = false;
  bool in_message_ = false;
  unsigned heads_ = 0;
  int status_ = 0;
  http::HeadInfo info_;
  http::HeadAction action_ = http::HeadAction::kContinue;
  std::string body_;
  size_t body_total_ = 0;
  bool last_upgrade_ = false;
  int last_status_ = 0;
  std::string log_;
};

struct CodecRun {
  std::string log;
  bool error = false;
};

// Decodes input.payload arriving in reads that end at `cuts` (and at its end).
inline CodecRun runCodec(http::Http1Decoder::Kind kind, const CodecInput& input,
                         const std::vector<size_t>& cuts) {
  using Status = http::Http1Decoder::Result::Status;
  const bool response = kind == http::Http1Decoder::Kind::kResponse;
  const config::HttpLimits limits;  // the proxy's defaults (listeners' and upstreams')
  CodecRecorder recorder(kind, input, limits);
  http::Http1Decoder decoder(kind, recorder, limits);
  recorder.attach(&decoder);

  std::vector<size_t> read_ends = cuts;
  read_ends.push_back(input.payload.size());
  size_t position = 0;
  size_t calls = 0;
  bool done = false;
  bool error = false;
  for (size_t end : read_ends) {
    // Like HttpSession::parse and UpstreamConnection: what is left of a read after a message
    // is fed again, from where the previous message ended.
    while (!done && position < end) {
      const size_t length = end - position;
      std::unique_ptr<char[]> buffer(new char[length]);
      std::memcpy(buffer.get(), input.payload.data() + position, length);
      recorder.beginCall(buffer.get(), length);
      const http::Http1Decoder::Result result = decoder.decode(buffer.get(), length);
      recorder.endCall();
      buffer.reset();
      check(++calls <= 2 * input.payload.size() + read_ends.size(), "decode() makes no progress");
      check(result.consumed <= length, "consumed more than given");
      switch (result.status) {
        case Status::kNeedMore:
          check(result.consumed == length, "kNeedMore without consuming everything");
          check(recorder.completesInCall() == 0 && !recorder.stoppedInCall(),
                "kNeedMore after a message ended or was stopped");
          position += length;
          break;
        case Status::kMessageComplete:
          check(recorder.completesInCall() == 1, "kMessageComplete without exactly one message");
          check(!decoder.inMessage(), "inMessage() after kMessageComplete");
          position += result.consumed;
          recorder.note("ended at " + std::to_string(position));
          if (recorder.lastUpgrade()) {
            recorder.finish("upgraded");  // the rest belongs to the tunnel
            done = true;
          } else if (response && (recorder.lastStatus() >= 200 || recorder.lastStatus() == 101)) {
            // UpstreamConnection: bytes after the final response break framing; it closes.
            recorder.finish("final response");
            done = true;
          }
          break;
        case Status::kStopped:
          check(recorder.stoppedInCall() && recorder.completesInCall() == 0,
                "kStopped without kStop from onHead");
          recorder.finish("stopped");
          done = true;
          break;
        case Status::kError: {
          check(recorder.completesInCall() == 0 && !recorder.stoppedInCall(),
                "kError after a message ended or was stopped in the same call");
          const int status = decoder.errorStatus();
          check(response ? status == 502 : (status == 400 || status == 431),
                "errorStatus not 400/431 (requests) or 502 (responses)");
          check(!decoder.errorReason().empty(), "kError without a reason");
          recorder.finish(
              ("error " + std::to_string(status) + " " + std::string(decoder.errorReason()))
                  .c_str());
          error = true;
          done = true;
          break;
        }
      }
    }
  }
  if (!done) {
    if (response) {
      // UpstreamConnection::handleEof: the upstream closed; a close-delimited body ends here.
      recorder.beginCall(nullptr, 0);
      const bool in_message = decoder.inMessage();
      const bool ended = decoder.finishOnEof();
      check(ended == (recorder.completesInCall() == 1), "finishOnEof() and onMessageComplete");
      check(!ended || in_message, "finishOnEof() ended a message outside one");
      recorder.endCall();
      recorder.finish(ended ? "ended by eof" : "eof");
    } else {
      recorder.finish("eof");
    }
  }
  return {recorder.log(), error};
}

inline int fuzzCodec(http::Http1Decoder::Kind kind, const uint8_t* data, size_t size) {
  const CodecInput input = parseCodecInput(data, size);
  if (input.payload.empty()) {
    return 0;
  }
  const CodecRun split = runCodec(kind, input, input.cuts);
  if (std::getenv("MESHLB_FUZZ_VERBOSE") != nullptr) {  // to read what a seed or a crash does
    std::fprintf(stderr, "%s", split.log.c_str());
  }
  if (input.cuts.empty()) {
    return 0;
  }
  const CodecRun whole = runCodec(kind, input, {});
  if (split.error != whole.error || (!split.error && split.log != whole.log)) {
    std::fprintf(stderr, "--- in one read:\n%s--- split:\n%s", whole.log.c_str(),
                 split.log.c_str());
  }
  check(split.error == whole.error, "an error depends on how the input was split");
  if (!split.error) {
    check(split.log == whole.log, "the messages depend on how the input was split");
  }
  return 0;
}

}  // namespace meshlb::fuzz
