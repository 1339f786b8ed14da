#include "admin/events/sse_frame.h"

namespace meshlb::admin {

std::string sseEvent(std::string_view name, std::string_view data) {
  std::string frame;
  frame.reserve(data.size() + name.size() + 16);
  frame.append("event: ").append(name).append("\n");
  size_t start = 0;
  while (true) {
    size_t end = data.find('\n', start);
    std::string_view line = data.substr(start, end == std::string_view::npos ? end : end - start);
    // A CR would also end the line for the client; JSON text never carries a raw one.
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    frame.append("data: ").append(line).append("\n");
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  }
  frame.append("\n");
  return frame;
}

std::string sseRetry(unsigned milliseconds) {
  return std::string("retry: ").append(std::to_string(milliseconds)).append("\n\n");
}

}  // namespace meshlb::admin
