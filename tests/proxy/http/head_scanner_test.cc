#include "proxy/http/head_scanner.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace meshlb::http {
namespace {

HeadScanner::Outcome scanAll(HeadScanner& scanner, std::string_view text) {
  return scanner.scan(text.data(), text.size());
}

// Feeds `text` one byte at a time; returns the first failing outcome, or ok.
HeadScanner::Outcome scanByteByByte(HeadScanner& scanner, std::string_view text) {
  for (char c : text) {
    HeadScanner::Outcome outcome = scanner.scan(&c, 1);
    if (!outcome.ok) {
      return outcome;
    }
  }
  return {};
}

TEST(HeadScannerTest, CrlfHeadIsOkAndComplete) {
  HeadScanner scanner;
  HeadScanner::Outcome outcome = scanAll(scanner, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_TRUE(outcome.ok);
  EXPECT_TRUE(outcome.reason.empty());
  EXPECT_TRUE(scanner.headComplete());
}

TEST(HeadScannerTest, IncompleteHeadIsOkButNotComplete) {
  HeadScanner scanner;
  EXPECT_TRUE(scanAll(scanner, "GET / HTTP/1.1\r\nHost: a\r\n").ok);
  EXPECT_FALSE(scanner.headComplete());
  EXPECT_TRUE(scanAll(scanner, "\r\n").ok);
  EXPECT_TRUE(scanner.headComplete());
}

TEST(HeadScannerTest, StartLineAloneEndsHead) {
  HeadScanner scanner;
  EXPECT_TRUE(scanAll(scanner, "GET / HTTP/1.0\r\n\r\n").ok);
  EXPECT_TRUE(scanner.headComplete());
}

TEST(HeadScannerTest, RejectsBareLfInHeader) {
  HeadScanner scanner;
  HeadScanner::Outcome outcome = scanAll(scanner, "GET / HTTP/1.1\r\nHost: a\n\r\n");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.reason, "bare LF in message head");
}

TEST(HeadScannerTest, RejectsBareLfAfterStartLine) {
  HeadScanner scanner;
  HeadScanner::Outcome outcome = scanAll(scanner, "GET / HTTP/1.1\nHost: a\r\n\r\n");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.reason, "bare LF in message head");
}

TEST(HeadScannerTest, RejectsBareLfAsTerminator) {
  HeadScanner scanner;
  HeadScanner::Outcome outcome = scanAll(scanner, "GET / HTTP/1.1\r\nHost: a\r\n\n");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.reason, "bare LF in message head");
  EXPECT_FALSE(scanner.headComplete());
}

TEST(HeadScannerTest, RejectsBareCr) {
  HeadScanner scanner;
  HeadScanner::Outcome outcome = scanAll(scanner, "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.reason, "bare CR in message head");
}

TEST(HeadScannerTest, RejectsDoubleCr) {
  HeadScanner scanner;
  HeadScanner::Outcome outcome = scanAll(scanner, "GET / HTTP/1.1\r\r\n\r\n");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.reason, "bare CR in message head");
}

TEST(HeadScannerTest, RejectsObsFoldWithSpace) {
  HeadScanner scanner;
  HeadScanner::Outcome outcome =
      scanAll(scanner, "GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.reason, "obsolete line folding in header");
}

TEST(HeadScannerTest, RejectsObsFoldWithTab) {
  HeadScanner scanner;
  HeadScanner::Outcome outcome = scanAll(scanner, "GET / HTTP/1.1\r\nX-A: one\r\n\ttwo\r\n\r\n");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.reason, "obsolete line folding in header");
}

TEST(HeadScannerTest, WhitespaceInsideALineIsFine) {
  HeadScanner scanner;
  EXPECT_TRUE(scanAll(scanner, "GET / HTTP/1.1\r\nX-A:  a \t b\t\r\n\r\n").ok);
  EXPECT_TRUE(scanner.headComplete());
}

TEST(HeadScannerTest, LeadingEmptyLinesAreAllowed) {
  HeadScanner scanner;
  EXPECT_TRUE(scanAll(scanner, "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").ok);
  EXPECT_TRUE(scanner.headComplete());
}

TEST(HeadScannerTest, LeadingEmptyLineDoesNotEndTheHead) {
  HeadScanner scanner;
  EXPECT_TRUE(scanAll(scanner, "\r\n").ok);
  EXPECT_FALSE(scanner.headComplete());
  EXPECT_TRUE(scanAll(scanner, "GET / HTTP/1.1\r\n").ok);
  EXPECT_FALSE(scanner.headComplete());
}

TEST(HeadScannerTest, LeadingBareLfIsRejected) {
  HeadScanner scanner;
  EXPECT_FALSE(scanAll(scanner, "\nGET / HTTP/1.1\r\n\r\n").ok);
}

TEST(HeadScannerTest, SplitAcrossCallsByteByByte) {
  HeadScanner scanner;
  EXPECT_TRUE(scanByteByByte(scanner, "GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n").ok);
  EXPECT_TRUE(scanner.headComplete());
}

TEST(HeadScannerTest, BareCrDetectedAcrossCalls) {
  HeadScanner scanner;
  EXPECT_TRUE(scanAll(scanner, "GET / HTTP/1.1\r\nHost: a\r").ok);
  HeadScanner::Outcome outcome = scanAll(scanner, "X: b\r\n\r\n");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.reason, "bare CR in message head");
}

TEST(HeadScannerTest, CrlfSplitBetweenCallsIsOk) {
  HeadScanner scanner;
  EXPECT_TRUE(scanAll(scanner, "GET / HTTP/1.1\r").ok);
  EXPECT_TRUE(scanAll(scanner, "\nHost: a\r").ok);
  EXPECT_TRUE(scanAll(scanner, "\n\r").ok);
  EXPECT_FALSE(scanner.headComplete());
  EXPECT_TRUE(scanAll(scanner, "\n").ok);
  EXPECT_TRUE(scanner.headComplete());
}

TEST(HeadScannerTest, ObsFoldDetectedAcrossCalls) {
  HeadScanner scanner;
  EXPECT_TRUE(scanAll(scanner, "GET / HTTP/1.1\r\nX-A: one\r\n").ok);
  HeadScanner::Outcome outcome = scanAll(scanner, " two\r\n\r\n");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.reason, "obsolete line folding in header");
}

TEST(HeadScannerTest, BytesAfterHeadAreIgnored) {
  HeadScanner scanner;
  // The body has bare LFs, bare CRs and leading spaces: none of it is head.
  EXPECT_TRUE(scanAll(scanner, "POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\na\nb\rc\n d").ok);
  EXPECT_TRUE(scanner.headComplete());
  EXPECT_TRUE(scanAll(scanner, "\n\r\n\r ").ok);
  EXPECT_TRUE(scanner.headComplete());
}

TEST(HeadScannerTest, ResetStartsANewHead) {
  HeadScanner scanner;
  EXPECT_TRUE(scanAll(scanner, "GET / HTTP/1.1\r\n\r\n").ok);
  EXPECT_TRUE(scanner.headComplete());
  scanner.reset();
  EXPECT_FALSE(scanner.headComplete());
  HeadScanner::Outcome outcome = scanAll(scanner, "GET / HTTP/1.1\nHost: a\r\n\r\n");
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.reason, "bare LF in message head");
}

TEST(HeadScannerTest, ResetClearsPendingCr) {
  HeadScanner scanner;
  EXPECT_TRUE(scanAll(scanner, "GET / HTTP/1.1\r").ok);
  scanner.reset();
  EXPECT_TRUE(scanAll(scanner, "GET / HTTP/1.1\r\n\r\n").ok);
  EXPECT_TRUE(scanner.headComplete());
}

}  // namespace
}  // namespace meshlb::http
