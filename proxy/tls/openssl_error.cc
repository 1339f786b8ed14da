#include "proxy/tls/openssl_error.h"

#include <openssl/err.h>

#include <cstring>

namespace meshlb::tls {

std::string takeOpenSslErrors() {
  std::string text;
  const char* data = nullptr;
  int flags = 0;
  for (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags); code != 0;
       code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    std::string entry;
    if (ERR_SYSTEM_ERROR(code)) {
      entry = std::strerror(ERR_GET_REASON(code));  // errno, e.g. of a failed fopen
    } else if (const char* reason = ERR_reason_error_string(code); reason != nullptr) {
      // Callers up the stack add a generic "system lib" after the real system error.
      if (ERR_GET_REASON(code) == ERR_R_SYS_LIB && !text.empty()) {
        continue;
      }
      entry = reason;
    } else {
      char buffer[256];
      ERR_error_string_n(code, buffer, sizeof(buffer));
      entry = buffer;
    }
    // Extra detail, such as the fopen call that failed.
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && data[0] != '\0') {
      entry += " (";
      entry += data;
      entry += ")";
    }
    if (text.find(entry) != std::string::npos) {
      continue;  // the same reason pushed again by an outer layer
    }
    if (!text.empty()) {
      text += "; ";
    }
    text += entry;
  }
  return text;
}

}  // namespace meshlb::tls
