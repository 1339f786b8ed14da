#pragma once

namespace meshlb::capture {

// `meshlb capture --read FILE [--json]`: prints the flows of a pcap or pcapng file, one per
// line (text, or one JSON object per line), ordered by first packet, then a summary on stderr.
// Returns the process exit code: 0, 1 for an unreadable file, 2 for a bad command line.
int runCaptureCommand(int argc, char** argv);

}  // namespace meshlb::capture
