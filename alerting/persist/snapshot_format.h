#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace meshlb::alerting {

// The snapshot's on-disk format, without any file handling: pure functions, any thread.
//
//   meshlb-alerting-snapshot 1 len=<n> crc32c=<8 lower-case hex>\n<n bytes of JSON>
//
// The length and CRC cover the JSON only; a file that is longer or shorter than the header says
// is rejected, so a truncated or appended-to snapshot is never loaded.

std::string encodeSnapshot(std::string_view json);

// The JSON inside `file`, or nullopt with `*reason` set ("bad header", "length ...", "CRC ...").
// The returned view points into `file`.
std::optional<std::string_view> decodeSnapshot(std::string_view file, std::string* reason);

}  // namespace meshlb::alerting
