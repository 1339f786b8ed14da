#pragma once

#include <string>

namespace meshlb::tls {

// Drains the calling thread's OpenSSL error queue into one line for logs, e.g.
// "certificate verify failed; tlsv1 alert unknown ca", or "" when it is empty. Draining matters
// as much as the text: the queue is per thread, and an entry left behind would be blamed on the
// next connection the thread serves.
std::string takeOpenSslErrors();

}  // namespace meshlb::tls
