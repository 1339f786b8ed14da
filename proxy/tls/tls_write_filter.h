#pragma once

#include <string>

#include "common/stream_writer.h"
#include "proxy/tls/tls_connection.h"

namespace meshlb::tls {

// Puts a TlsConnection between a StreamWriter and its socket: every write is encrypted, and a
// half-close sends close_notify first. Owned with the TlsConnection by one connection
// (worker-local).
class TlsWriteFilter final : public WriteFilter {
 public:
  explicit TlsWriteFilter(TlsConnection& tls) : tls_(tls) {}

  bool encode(std::initializer_list<std::string_view> pieces, std::string& out) override {
    if (!tls_.send(pieces)) {
      return false;
    }
    take(out);
    return true;
  }

  void finish(std::string& out) override {
    tls_.shutdown();
    take(out);
  }

 private:
  // Hands over the ciphertext; a swap when `out` is empty (the writer's usual case), so records
  // are not copied.
  void take(std::string& out) {
    std::string& produced = tls_.pendingOutput();
    if (out.empty()) {
      out.swap(produced);
    } else {
      out.append(produced);
    }
    produced.clear();
  }

  TlsConnection& tls_;
};

}  // namespace meshlb::tls
