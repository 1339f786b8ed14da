#pragma once

#include <string>

namespace meshlb::alerting {

// One problem in a rule, silence or config section: the JSON path of the field
// ("condition.of[1].op") and why it is wrong. The config loader prefixes its own path.
struct FieldError {
  std::string path;
  std::string reason;
};

}  // namespace meshlb::alerting
