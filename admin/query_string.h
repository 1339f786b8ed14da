#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace meshlb::admin {

// The decoded parameters of a URL query, in the order they appeared; a name may repeat. A plain
// value: built once per request on the admin (main) thread and then only read.
class QueryParams {
 public:
  using Entry = std::pair<std::string, std::string>;  // name, value (both decoded)

  void add(std::string name, std::string value) {
    entries_.emplace_back(std::move(name), std::move(value));
  }
  // The value of the first parameter with exactly this name; "" for a bare "flag".
  std::optional<std::string_view> find(std::string_view name) const;
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

 private:
  std::vector<Entry> entries_;
};

// Decodes %XX escapes (either case of hex digit); with `plus_is_space`, '+' becomes ' ' (form
// encoding, for queries; a path keeps its '+'). nullopt when a '%' is not followed by two hex
// digits: such input is malformed, not something to guess about. The result may hold any byte.
std::optional<std::string> percentDecode(std::string_view text, bool plus_is_space);

// Parses the part of a URL after '?' (without the '?'): "a=1&b=x%20y&flag" gives a="1",
// b="x y", flag="". Empty pieces ("a=1&&b") are skipped; only the first '=' splits name from
// value. An invalid escape anywhere is an error naming the offending parameter.
Result<QueryParams> parseQueryString(std::string_view query);

}  // namespace meshlb::admin
