// libFuzzer entry point for the HTTP/1.1 request decoder as HttpSession uses it: Http1Decoder
// with Kind::kRequest and the listeners' default config::HttpLimits, fed a byte stream cut into
// 1..8 reads at fuzzer-chosen points (pipelined requests, chunked bodies, partial reads). The
// input layout and the driver are in http_codec_harness.h. Besides the sanitizers, it asserts
// the decoder's contract: heads only with a valid version, exactly one Host on HTTP/1.1, token
// header names and the size limits; body pointers inside the bytes of the current call and
// never more body than Content-Length or than was fed; kMessageComplete/kStopped/kNeedMore
// consistent with the callbacks of that call and no callback after the message ended; error
// status 400 or 431 with a reason; progress on every call; and the same messages whether the
// stream came in one read or in several.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/http_codec_harness.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  meshlb::log::setLevel(meshlb::log::Level::kOff);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return meshlb::fuzz::fuzzCodec(meshlb::http::Http1Decoder::Kind::kRequest, data, size);
}
