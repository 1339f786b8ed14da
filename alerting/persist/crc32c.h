#pragma once

#include <cstdint>
#include <string_view>

namespace meshlb::alerting {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of the state directory's
// snapshot and journal records. Pure; any thread. `crc` is a previous result, so a checksum can
// be computed over pieces: crc32c(b, crc32c(a)) == crc32c(a + b). crc32c("123456789") is
// 0xE3069283.
uint32_t crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace meshlb::alerting
