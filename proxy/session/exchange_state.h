#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/ip_address.h"
#include "common/string_pool.h"
#include "proxy/config/config.h"
#include "proxy/http/http1_decoder.h"
#include "proxy/session/exchange_progress.h"

namespace meshlb {

// What a client connection needs only while a request is under way: the request decoder, the
// exchange's buffers and where the exchange stands. An idle keep-alive connection holds none of it
// (about 600 bytes less per idle connection); the worker's ExchangeStatePool lends it when a
// request's first bytes arrive and takes it back when the exchange ends. Owned by the worker
// thread.
struct ExchangeState {
  ExchangeState(http::DecoderCallbacks& callbacks, const config::HttpLimits& limits,
                StringPool& strings)
      : decoder(http::Http1Decoder::Kind::kRequest, callbacks, limits) {
    decoder.useStringPool(&strings);
  }

  // Gives every buffer's heap memory back to `strings`.
  void recycleBuffers(StringPool& strings) {
    for (std::string* buffer :
         {&scratch, &upstream_prefix, &response_head, &normalized_target, &replay, &overflow}) {
      strings.recycle(*buffer);
    }
    decoder.releaseBuffers();
  }

  http::Http1Decoder decoder;
  ExchangeProgress progress;      // reset at every lend
  std::string scratch;            // heads being encoded
  std::string upstream_prefix;    // request bytes waiting for the upstream to be engaged
  std::string response_head;      // response head waiting for the first body bytes
  std::string normalized_target;  // "/?q" for an absolute-form target without a path
  std::string replay;             // request sent on a reused connection, kept for one retry
  std::string overflow;           // the x-meshlb-overflow header of a 503
  // The client's address as text, written by HttpSession::lendExchange() (X-Forwarded-For,
  // the access log, the source-IP hash).
  char client_ip[IpAddress::kTextSize] = {0};
};

// Free ExchangeStates of one worker. A lend is a vector pop and a decoder restart, not a malloc:
// the pool grows to the worker's peak of concurrent exchanges, and keeps at most `max_kept`.
// Owned by the worker thread; not thread-safe.
class ExchangeStatePool {
 public:
  ExchangeStatePool(size_t max_kept, StringPool& strings)
      : max_kept_(max_kept), strings_(strings) {}
  ExchangeStatePool(const ExchangeStatePool&) = delete;
  ExchangeStatePool& operator=(const ExchangeStatePool&) = delete;

  std::unique_ptr<ExchangeState> lend(http::DecoderCallbacks& callbacks,
                                      const config::HttpLimits& limits) {
    if (free_.empty()) {
      return std::make_unique<ExchangeState>(callbacks, limits, strings_);
    }
    std::unique_ptr<ExchangeState> state = std::move(free_.back());
    free_.pop_back();
    state->decoder.restart(callbacks, limits);
    state->progress = ExchangeProgress{};
    return state;
  }

  // Takes `state` back (it may be null): its buffers go back to the string pool, except the
  // head of a message cut off mid-way, which the next lend's restart() gives back.
  void recycle(std::unique_ptr<ExchangeState> state) {
    if (state == nullptr) {
      return;
    }
    state->recycleBuffers(strings_);
    if (free_.size() < max_kept_) {
      free_.push_back(std::move(state));
    }
  }

  size_t kept() const { return free_.size(); }

 private:
  size_t max_kept_;
  StringPool& strings_;
  std::vector<std::unique_ptr<ExchangeState>> free_;
};

}  // namespace meshlb
