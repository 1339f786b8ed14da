#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace meshlb::alerting {

// Replaces `path` with `bytes` so that a reader (or a restart after a crash) sees either the old
// file or the new one, never a mix: writes a temporary file in the same directory, fsyncs it (if
// `sync`), renames it over `path`, then fsyncs the directory (if `sync`) so the rename itself is
// durable. The new file has mode 0600. On failure returns false with `*error` set (if `error` is
// not null) and leaves no temporary file behind. Any thread; concurrent writers of the same path
// each produce a whole file, the last rename wins.
bool writeFileAtomically(const std::string& path, std::string_view bytes, bool sync,
                         std::string* error);

// The whole content of `path`, or nullopt with `*error` set ("<path>: No such file or
// directory", ...). Any thread.
std::optional<std::string> readWholeFile(const std::string& path, std::string* error);

// fsyncs the directory that holds `path` (the part before the last '/', "." if none), making a
// create, rename or unlink in it durable. Any thread.
bool syncParentDirectory(const std::string& path, std::string* error);

}  // namespace meshlb::alerting
