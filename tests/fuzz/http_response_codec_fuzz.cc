// libFuzzer entry point for the HTTP/1.1 response decoder as UpstreamConnection uses it:
// Http1Decoder with Kind::kResponse and the default config::HttpLimits, fed a byte stream cut
// into 1..8 reads at fuzzer-chosen points; a control bit says the request was HEAD (the final
// response's body is skipped with kSkipBody, as UpstreamConnection does), interim 1xx answers
// are followed by more, decoding stops after the final response or a 101, and a stream that
// ends mid-message is finished with finishOnEof() (close-delimited bodies). The input layout
// and the driver are in http_codec_harness.h. Besides the sanitizers, it asserts the decoder's
// contract: HTTP/1.x heads within the size limits; body pointers inside the bytes of the
// current call, no body for HEAD/1xx/204/304 and exactly Content-Length bytes otherwise;
// results consistent with the callbacks of each call and no callback after the message ended;
// error status 502 with a reason; finishOnEof() true exactly when it completed a message; and
// the same messages whether the stream came in one read or in several.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/http_codec_harness.h"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  meshlb::log::setLevel(meshlb::log::Level::kOff);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return meshlb::fuzz::fuzzCodec(meshlb::http::Http1Decoder::Kind::kResponse, data, size);
}
