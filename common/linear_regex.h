#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshlb {

namespace linear_regex_internal {

// One instruction of the Thompson NFA program. Every instruction except kJump and kSplit goes on
// to the next one (pc + 1), so only those two carry targets.
enum class Op : uint8_t { kByte, kSplit, kJump, kAssert, kMatch };
enum class Assertion : uint8_t {
  kBeginText,
  kEndText,
  kBeginLine,
  kEndLine,
  kWordBoundary,
  kNotWordBoundary
};

struct Inst {
  Op op = Op::kMatch;
  Assertion assertion = Assertion::kBeginText;  // kAssert only
  uint32_t x = 0;                               // kJump, kSplit
  uint32_t y = 0;                               // kSplit
  std::array<uint64_t, 4> bytes{};              // kByte: the accepted bytes, a 256-bit set

  bool accepts(uint8_t byte) const { return (bytes[byte >> 6] >> (byte & 63)) & 1U; }
};

}  // namespace linear_regex_internal

// A regular expression in RE2 syntax (Go's regexp/syntax with its default Perl flags, as
// Alertmanager compiles label matchers), matched against the WHOLE subject in time
// O(program size * subject length) with memory O(program size): there is no backtracking and
// no recursion that depends on the subject, so hostile patterns such as `(a*)*b` and long
// subjects are safe. Compiling recurses only as deep as the pattern nests groups (at most 100).
//
// Matching is byte-wise. A non-ASCII character in the pattern matches its UTF-8 byte sequence,
// so literals behave as in RE2 on UTF-8 subjects, but `.`, `\D`, `\W`, `\S`, negated classes and
// `[[:^alpha:]]` consume ONE byte, not one character (`.{2}` accepts "é", which is two bytes).
// Character classes may hold only ASCII characters; `\pL` and other Unicode classes are refused.
// Flags (?i) (?m) (?s) (?U) work as in RE2, with case folding limited to ASCII letters.
//
// Thread ownership: immutable once compiled; any thread may call fullMatch() concurrently.
class LinearRegex {
 public:
  // Compiles `pattern`. On error returns nullopt and, when `error` is not null, sets it to a
  // short reason worded like Go's regexp errors (e.g. "missing closing )"). Never throws; an
  // allocation failure is reported as "out of memory".
  static std::optional<LinearRegex> compile(std::string_view pattern, std::string* error);
  // The same, for a search: fullMatch() is then true when the pattern matches anywhere in the
  // subject (as the pattern wrapped in (?s:.*)(?:...)(?s:.*), checked alone first so that a
  // stray parenthesis cannot escape the wrapping).
  static std::optional<LinearRegex> compileSearch(std::string_view pattern, std::string* error);

  // True when the whole of `subject` matches, as if the pattern were ^(?:pattern)$.
  // Never throws (allocation failure reports false).
  bool fullMatch(std::string_view subject) const;

  // Number of NFA instructions; bounded by kMaxProgramSize. For diagnostics and tests.
  size_t programSize() const { return program_.size(); }

  static constexpr size_t kMaxProgramSize = 20000;
  static constexpr int kMaxNesting = 100;
  static constexpr int kMaxRepeat = 1000;

 private:
  explicit LinearRegex(std::vector<linear_regex_internal::Inst> program)
      : program_(std::move(program)) {}

  std::vector<linear_regex_internal::Inst> program_;
};

}  // namespace meshlb
