#include "common/linear_regex.h"

#include <algorithm>
#include <new>
#include <utility>

namespace meshlb {
namespace {

using linear_regex_internal::Assertion;
using linear_regex_internal::Inst;
using linear_regex_internal::Op;
using ByteSet = std::array<uint64_t, 4>;

void addByte(ByteSet& set, uint32_t byte) {
  set[byte >> 6] |= uint64_t{1} << (byte & 63);
}
bool hasByte(const ByteSet& set, uint32_t byte) {
  return (set[byte >> 6] >> (byte & 63)) & 1U;
}
void addRange(ByteSet& set, uint32_t lo, uint32_t hi) {
  for (uint32_t b = lo; b <= hi; ++b) {
    addByte(set, b);
  }
}
void complement(ByteSet& set) {
  for (uint64_t& word : set) {
    word = ~word;
  }
}
void addAll(ByteSet& set, const ByteSet& other) {
  for (size_t i = 0; i < set.size(); ++i) {
    set[i] |= other[i];
  }
}
// (?i): ASCII letters only; RE2 also folds a few non-ASCII runes (e.g. U+212A KELVIN SIGN).
void foldCase(ByteSet& set) {
  for (uint32_t b = 'a'; b <= 'z'; ++b) {
    if (hasByte(set, b) || hasByte(set, b - 'a' + 'A')) {
      addByte(set, b);
      addByte(set, b - 'a' + 'A');
    }
  }
}

bool isDigit(uint8_t c) {
  return c >= '0' && c <= '9';
}
bool isAlnum(uint8_t c) {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isWordByte(uint8_t c) {
  return isAlnum(c) || c == '_';
}
int hexValue(uint8_t c) {
  if (isDigit(c)) {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// \d \s \w and their negations, ASCII as in RE2.
bool perlClass(uint8_t letter, ByteSet& out) {
  ByteSet set{};
  switch (letter | 0x20) {
    case 'd':
      addRange(set, '0', '9');
      break;
    case 's':
      for (uint8_t c : {'\t', '\n', '\f', '\r', ' '}) {
        addByte(set, c);
      }
      break;
    case 'w':
      addRange(set, '0', '9');
      addRange(set, 'A', 'Z');
      addRange(set, 'a', 'z');
      addByte(set, '_');
      break;
    default:
      return false;
  }
  if (letter >= 'A' && letter <= 'Z') {
    complement(set);
  }
  out = set;
  return true;
}

// [:name:] and [:^name:] as in RE2's POSIX table.
bool posixClass(std::string_view name, ByteSet& out) {
  bool negated = !name.empty() && name[0] == '^';
  if (negated) {
    name.remove_prefix(1);
  }
  ByteSet set{};
  if (name == "alnum") {
    addRange(set, '0', '9'), addRange(set, 'A', 'Z'), addRange(set, 'a', 'z');
  } else if (name == "alpha") {
    addRange(set, 'A', 'Z'), addRange(set, 'a', 'z');
  } else if (name == "ascii") {
    addRange(set, 0, 0x7f);
  } else if (name == "blank") {
    addByte(set, '\t'), addByte(set, ' ');
  } else if (name == "cntrl") {
    addRange(set, 0, 0x1f), addByte(set, 0x7f);
  } else if (name == "digit") {
    addRange(set, '0', '9');
  } else if (name == "graph") {
    addRange(set, '!', '~');
  } else if (name == "lower") {
    addRange(set, 'a', 'z');
  } else if (name == "print") {
    addRange(set, ' ', '~');
  } else if (name == "punct") {
    addRange(set, '!', '/'), addRange(set, ':', '@'), addRange(set, '[', '`');
    addRange(set, '{', '~');
  } else if (name == "space") {
    addRange(set, '\t', '\r'), addByte(set, ' ');
  } else if (name == "upper") {
    addRange(set, 'A', 'Z');
  } else if (name == "word") {
    addRange(set, '0', '9'), addRange(set, 'A', 'Z'), addRange(set, 'a', 'z');
    addByte(set, '_');
  } else if (name == "xdigit") {
    addRange(set, '0', '9'), addRange(set, 'A', 'F'), addRange(set, 'a', 'f');
  } else {
    return false;
  }
  if (negated) {
    complement(set);
  }
  out = set;
  return true;
}

// Abstract syntax tree. Its depth is bounded by the group nesting limit, so the recursive
// walks over it (emitting, destroying) are bounded too.
struct Node {
  enum class Kind : uint8_t { kEmpty, kBytes, kAssert, kConcat, kAlternate, kRepeat };
  Kind kind = Kind::kEmpty;
  ByteSet bytes{};
  Assertion assertion = Assertion::kBeginText;
  int min = 0;
  int max = -1;        // kRepeat; -1 is unbounded
  int64_t weight = 1;  // product of counted repeat bounds nested within; RE2 refuses over 1000
  std::vector<Node> subs;
};

Node bytesNode(const ByteSet& set) {
  Node node;
  node.kind = Node::Kind::kBytes;
  node.bytes = set;
  return node;
}

Node assertNode(Assertion assertion) {
  Node node;
  node.kind = Node::Kind::kAssert;
  node.assertion = assertion;
  return node;
}

// A concatenation or alternation of `subs`, collapsed when there are fewer than two.
Node listNode(Node::Kind kind, std::vector<Node> subs) {
  if (subs.empty()) {
    return Node{};
  }
  if (subs.size() == 1) {
    return std::move(subs[0]);
  }
  Node node;
  node.kind = kind;
  for (const Node& sub : subs) {
    node.weight = std::max(node.weight, sub.weight);
  }
  node.subs = std::move(subs);
  return node;
}

struct Flags {
  bool foldCase = false;    // (?i)
  bool multiLine = false;   // (?m)
  bool dotNewline = false;  // (?s)
};

struct RepeatSpec {
  int64_t min = 0;
  int64_t max = -1;
  size_t end = 0;  // one past the closing }
};

// Recursive descent parser; recursion is bounded by kMaxNesting groups. Errors stop the parse
// at the first problem, worded as Go's regexp/syntax errors.
class Parser {
 public:
  explicit Parser(std::string_view pattern) : p_(pattern) {}

  std::optional<Node> parse() {
    Node root;
    if (!parseAlternation(0, root)) {
      return std::nullopt;
    }
    if (pos_ < p_.size()) {  // only a ')' stops the top level early
      fail("unexpected )");
      return std::nullopt;
    }
    return root;
  }

  const std::string& error() const { return error_; }

 private:
  bool fail(std::string reason) {
    if (error_.empty()) {
      error_ = std::move(reason);
    }
    return false;
  }
  bool atEnd() const { return pos_ >= p_.size(); }
  uint8_t peek(size_t ahead = 0) const { return static_cast<uint8_t>(p_[pos_ + ahead]); }
  bool has(size_t ahead) const { return pos_ + ahead < p_.size(); }
  // Built by append: GCC 12 reports a false -Wrestrict on "`" + std::string(...).
  std::string quoted(size_t from, size_t to) const {
    std::string text;
    text.reserve(to - from + 2);
    text.push_back('`');
    text.append(p_.substr(from, to - from));
    text.push_back('`');
    return text;
  }

  bool parseAlternation(int depth, Node& out) {
    std::vector<Node> alternatives(1);
    if (!parseConcat(depth, alternatives.back())) {
      return false;
    }
    while (!atEnd() && peek() == '|') {
      ++pos_;
      alternatives.emplace_back();
      if (!parseConcat(depth, alternatives.back())) {
        return false;
      }
    }
    out = listNode(Node::Kind::kAlternate, std::move(alternatives));
    return true;
  }

  bool parseConcat(int depth, Node& out) {
    std::vector<Node> items;
    while (!atEnd() && peek() != '|' && peek() != ')') {
      const uint8_t c = peek();
      if (c == '*' || c == '+' || c == '?') {
        return fail("missing argument to repetition operator: " + quoted(pos_, pos_ + 1));
      }
      RepeatSpec spec;
      if (c == '{' && parseRepeatSpec(spec)) {
        return fail("missing argument to repetition operator: " + quoted(pos_, spec.end));
      }
      Node atom;
      bool isAtom = true;
      if (!parseAtom(depth, items, atom, isAtom)) {
        return false;
      }
      if (!isAtom) {
        continue;  // a flags group such as (?i) leaves nothing to repeat
      }
      if (!parseQuantifiers(atom)) {
        return false;
      }
      items.push_back(std::move(atom));
    }
    out = listNode(Node::Kind::kConcat, std::move(items));
    return true;
  }

  // {n} {n,} {n,m} starting at pos_; false when it is not repeat syntax (then `{` is a
  // literal). Counts too large to hold are reported as 1001 so they fail the range check.
  bool parseRepeatSpec(RepeatSpec& spec) const {
    size_t i = pos_ + 1;
    auto number = [&](int64_t& value) {
      const size_t start = i;
      while (i < p_.size() && isDigit(static_cast<uint8_t>(p_[i]))) {
        ++i;
      }
      if (i == start || (i - start >= 2 && p_[start] == '0')) {
        return false;  // RE2 takes no leading zeros
      }
      value = 0;
      for (size_t k = start; k < i && value <= LinearRegex::kMaxRepeat; ++k) {
        value = value * 10 + (p_[k] - '0');
      }
      return true;
    };
    if (!number(spec.min) || i >= p_.size()) {
      return false;
    }
    spec.max = spec.min;
    if (p_[i] == ',') {
      ++i;
      if (i < p_.size() && p_[i] == '}') {
        spec.max = -1;
      } else if (!number(spec.max)) {
        return false;
      }
    }
    if (i >= p_.size() || p_[i] != '}') {
      return false;
    }
    spec.end = i + 1;
    return true;
  }

  // Applies * + ? {n,m} (each optionally lazy) to `atom`. A second operator right after the
  // first is refused, as in Go.
  bool parseQuantifiers(Node& atom) {
    size_t previous = std::string_view::npos;
    while (!atEnd()) {
      const size_t start = pos_;
      int64_t min = 0;
      int64_t max = -1;
      bool counted = false;
      const uint8_t c = peek();
      if (c == '*' || c == '+' || c == '?') {
        min = c == '+' ? 1 : 0;
        max = c == '?' ? 1 : -1;
        ++pos_;
      } else if (RepeatSpec spec; c == '{' && parseRepeatSpec(spec)) {
        if (spec.min > LinearRegex::kMaxRepeat || spec.max > LinearRegex::kMaxRepeat ||
            (spec.max >= 0 && spec.min > spec.max)) {
          return fail("invalid repeat count");
        }
        min = spec.min;
        max = spec.max;
        counted = true;
        pos_ = spec.end;
      } else {
        break;
      }
      if (!atEnd() && peek() == '?') {
        ++pos_;  // lazy: the set of matched strings, so a full-match answer, is the same
      }
      if (previous != std::string_view::npos) {
        return fail("invalid nested repetition operator: " + quoted(previous, pos_));
      }
      previous = start;
      Node repeat;
      repeat.kind = Node::Kind::kRepeat;
      repeat.min = static_cast<int>(min);
      repeat.max = static_cast<int>(max);
      repeat.weight = atom.weight;
      if (counted) {
        const int64_t bound = max < 0 ? min : max;
        repeat.weight = bound == 0 ? 1 : bound * atom.weight;
        if (repeat.weight > LinearRegex::kMaxRepeat) {
          return fail("invalid repeat count");
        }
      }
      repeat.subs.push_back(std::move(atom));
      atom = std::move(repeat);
    }
    return true;
  }

  Node literal(uint8_t byte) const {
    ByteSet set{};
    addByte(set, byte);
    if (flags_.foldCase) {
      foldCase(set);
    }
    return bytesNode(set);
  }

  // A code point as its UTF-8 byte sequence (one node per byte, concatenated).
  Node runeNode(uint32_t rune) const {
    if (rune < 0x80) {
      return literal(static_cast<uint8_t>(rune));
    }
    uint8_t buf[4];
    size_t n = 0;
    if (rune < 0x800) {
      buf[n++] = static_cast<uint8_t>(0xc0 | (rune >> 6));
    } else if (rune < 0x10000) {
      buf[n++] = static_cast<uint8_t>(0xe0 | (rune >> 12));
      buf[n++] = static_cast<uint8_t>(0x80 | ((rune >> 6) & 0x3f));
    } else {
      buf[n++] = static_cast<uint8_t>(0xf0 | (rune >> 18));
      buf[n++] = static_cast<uint8_t>(0x80 | ((rune >> 12) & 0x3f));
      buf[n++] = static_cast<uint8_t>(0x80 | ((rune >> 6) & 0x3f));
    }
    buf[n++] = static_cast<uint8_t>(0x80 | (rune & 0x3f));
    std::vector<Node> bytes;
    for (size_t i = 0; i < n; ++i) {
      bytes.push_back(literal(buf[i]));
    }
    return listNode(Node::Kind::kConcat, std::move(bytes));
  }

  // Length of the UTF-8 sequence starting at pos_, or 0 when it is malformed.
  size_t utf8Length() const {
    const uint8_t lead = peek();
    size_t n = 0;
    if (lead < 0x80) {
      return 1;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      n = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      n = 3;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      n = 4;
    } else {
      return 0;
    }
    for (size_t i = 1; i < n; ++i) {
      if (!has(i) || (peek(i) & 0xc0) != 0x80) {
        return 0;
      }
    }
    return n;
  }

  bool parseAtom(int depth, std::vector<Node>& items, Node& atom, bool& isAtom) {
    const uint8_t c = peek();
    switch (c) {
      case '(':
        return parseGroup(depth, atom, isAtom);
      case '[':
        return parseClass(atom);
      case '\\':
        return parseEscapeAtom(items, atom, isAtom);
      case '.': {
        ++pos_;
        ByteSet set{};
        complement(set);
        if (!flags_.dotNewline) {
          set[0] &= ~(uint64_t{1} << '\n');
        }
        atom = bytesNode(set);
        return true;
      }
      case '^':
        ++pos_;
        atom = assertNode(flags_.multiLine ? Assertion::kBeginLine : Assertion::kBeginText);
        return true;
      case '$':
        ++pos_;
        atom = assertNode(flags_.multiLine ? Assertion::kEndLine : Assertion::kEndText);
        return true;
      default:
        break;
    }
    const size_t n = utf8Length();
    if (n == 0) {
      return fail("invalid UTF-8");
    }
    std::vector<Node> bytes;
    for (size_t i = 0; i < n; ++i) {
      bytes.push_back(literal(peek(i)));
    }
    pos_ += n;
    atom = listNode(Node::Kind::kConcat, std::move(bytes));
    return true;
  }

  // ( ... ), (?: ... ), (?P<name> ... ), (?<name> ... ), (?flags) and (?flags: ... ).
  bool parseGroup(int depth, Node& atom, bool& isAtom) {
    const size_t start = pos_;
    const Flags saved = flags_;
    ++pos_;
    if (!atEnd() && peek() == '?') {
      ++pos_;
      if ((has(1) && peek() == 'P' && peek(1) == '<') || (!atEnd() && peek() == '<')) {
        pos_ += peek() == 'P' ? 2 : 1;
        const size_t close = p_.find('>', pos_);
        bool valid = close != std::string_view::npos && close > pos_;
        for (size_t i = pos_; valid && i < close; ++i) {
          valid = isWordByte(static_cast<uint8_t>(p_[i]));
        }
        if (!valid) {
          return fail("invalid named capture: " +
                      quoted(start, close == std::string_view::npos ? p_.size() : close + 1));
        }
        pos_ = close + 1;
      } else if (!parseFlags(start, isAtom)) {
        return false;
      } else if (!isAtom) {
        return true;  // (?flags) sets flags until the enclosing group closes
      }
    }
    if (depth + 1 > LinearRegex::kMaxNesting) {
      return fail("pattern nests parentheses deeper than " +
                  std::to_string(LinearRegex::kMaxNesting));
    }
    if (!parseAlternation(depth + 1, atom)) {
      return false;
    }
    if (atEnd() || peek() != ')') {
      return fail("missing closing )");
    }
    ++pos_;
    flags_ = saved;
    return true;
  }

  // After "(?": flags i m s U, optionally negated after '-', ended by ')' (isAtom = false) or
  // ':' (a group follows). "(?:" is the flagless case.
  bool parseFlags(size_t start, bool& isAtom) {
    bool negated = false;
    bool sawFlag = false;
    while (!atEnd()) {
      const uint8_t c = peek();
      ++pos_;
      if (c == 'i' || c == 'm' || c == 's' || c == 'U') {
        const bool on = !negated;
        if (c == 'i') {
          flags_.foldCase = on;
        } else if (c == 'm') {
          flags_.multiLine = on;
        } else if (c == 's') {
          flags_.dotNewline = on;
        }  // U swaps greedy and lazy, which cannot change a full-match answer
        sawFlag = true;
      } else if (c == '-' && !negated) {
        negated = true;
        sawFlag = false;
      } else if ((c == ')' || c == ':') && !(negated && !sawFlag)) {
        isAtom = c == ':';
        return true;
      } else {
        break;
      }
    }
    return fail("invalid or unsupported Perl syntax: " + quoted(start, pos_));
  }

  // Escapes that stand for a single code point, shared by atoms and classes. `at` is on the
  // backslash and ends past the escape.
  bool parseEscapeRune(size_t& at, uint32_t& rune) {
    const size_t start = at;
    ++at;
    if (at >= p_.size()) {
      return fail("trailing backslash at end of expression");
    }
    const uint8_t c = static_cast<uint8_t>(p_[at++]);
    auto invalid = [&] { return fail("invalid escape sequence: " + quoted(start, at)); };
    if (c < 0x80 && !isAlnum(c)) {
      rune = c;  // escaped punctuation (and space) is itself
      return true;
    }
    auto octal = [&](size_t i) { return i < p_.size() && p_[i] >= '0' && p_[i] <= '7'; };
    switch (c) {
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
        if (!octal(at)) {
          return invalid();  // a backreference, which RE2 does not have
        }
        [[fallthrough]];
      case '0':
        rune = c - '0';
        for (int k = 0; k < 2 && octal(at); ++k) {
          rune = rune * 8 + (p_[at++] - '0');
        }
        return true;
      case 'x': {
        if (at >= p_.size()) {
          return invalid();
        }
        if (p_[at] == '{') {
          ++at;
          rune = 0;
          size_t digits = 0;
          while (at < p_.size() && hexValue(static_cast<uint8_t>(p_[at])) >= 0) {
            rune = rune * 16 + static_cast<uint32_t>(hexValue(static_cast<uint8_t>(p_[at++])));
            if (rune > 0x10ffff) {
              return invalid();
            }
            ++digits;
          }
          if (digits == 0 || at >= p_.size() || p_[at] != '}') {
            return invalid();
          }
          ++at;
          return true;
        }
        const int hi = hexValue(static_cast<uint8_t>(p_[at++]));
        const int lo = at < p_.size() ? hexValue(static_cast<uint8_t>(p_[at++])) : -1;
        if (hi < 0 || lo < 0) {
          return invalid();
        }
        rune = static_cast<uint32_t>(hi * 16 + lo);
        return true;
      }
      case 'a':
        rune = '\a';
        return true;
      case 'f':
        rune = '\f';
        return true;
      case 'n':
        rune = '\n';
        return true;
      case 'r':
        rune = '\r';
        return true;
      case 't':
        rune = '\t';
        return true;
      case 'v':
        rune = '\v';
        return true;
      default:
        return invalid();
    }
  }

  bool parseEscapeAtom(std::vector<Node>& items, Node& atom, bool& isAtom) {
    if (!has(1)) {
      return fail("trailing backslash at end of expression");
    }
    const uint8_t c = peek(1);
    ByteSet set{};
    switch (c) {
      case 'A':
      case 'z':
      case 'b':
      case 'B':
        pos_ += 2;
        atom = assertNode(c == 'A'   ? Assertion::kBeginText
                          : c == 'z' ? Assertion::kEndText
                          : c == 'b' ? Assertion::kWordBoundary
                                     : Assertion::kNotWordBoundary);
        return true;
      case 'p':
      case 'P':
        return fail("Unicode classes are not supported: " + quoted(pos_, pos_ + 2));
      case 'Q': {
        // \Q...\E is literal text; as in RE2 a following operator applies to its last byte.
        pos_ += 2;
        size_t end = p_.find("\\E", pos_);
        const size_t stop = end == std::string_view::npos ? p_.size() : end;
        if (stop == pos_) {
          isAtom = false;
        }
        for (; pos_ < stop; ++pos_) {
          Node node = literal(peek());
          if (pos_ + 1 == stop) {
            atom = std::move(node);
          } else {
            items.push_back(std::move(node));
          }
        }
        pos_ = end == std::string_view::npos ? p_.size() : end + 2;
        return true;
      }
      default:
        break;
    }
    if (perlClass(c, set)) {
      pos_ += 2;
      if (flags_.foldCase) {
        foldCase(set);
      }
      atom = bytesNode(set);
      return true;
    }
    uint32_t rune = 0;
    if (!parseEscapeRune(pos_, rune)) {
      return false;
    }
    atom = runeNode(rune);
    return true;
  }

  // One class member: a literal byte or an escaped code point.
  bool parseClassChar(uint32_t& rune) {
    if (atEnd()) {
      return fail("missing closing ]");
    }
    if (peek() == '\\') {
      return parseEscapeRune(pos_, rune);
    }
    rune = peek();
    pos_ += rune < 0x80 ? 1 : std::max<size_t>(1, utf8Length());
    return true;
  }

  bool parseClass(Node& atom) {
    ++pos_;
    ByteSet set{};
    bool negated = false;
    if (!atEnd() && peek() == '^') {
      negated = true;
      ++pos_;
    }
    for (bool first = true;; first = false) {
      if (atEnd()) {
        return fail("missing closing ]");
      }
      if (peek() == ']' && !first) {
        ++pos_;
        break;
      }
      if (peek() == '[' && has(1) && peek(1) == ':') {
        const size_t close = p_.find(":]", pos_ + 2);
        if (close != std::string_view::npos) {
          ByteSet posix{};
          if (!posixClass(p_.substr(pos_ + 2, close - pos_ - 2), posix)) {
            return fail("invalid character class range: " + quoted(pos_, close + 2));
          }
          addAll(set, posix);
          pos_ = close + 2;
          continue;
        }
      }
      if (peek() == '\\' && has(1)) {
        ByteSet perl{};
        if (perlClass(peek(1), perl)) {
          addAll(set, perl);
          pos_ += 2;
          continue;
        }
        if (peek(1) == 'p' || peek(1) == 'P') {
          return fail("Unicode classes are not supported: " + quoted(pos_, pos_ + 2));
        }
      }
      const size_t start = pos_;
      uint32_t lo = 0;
      if (!parseClassChar(lo)) {
        return false;
      }
      uint32_t hi = lo;
      if (has(1) && peek() == '-' && peek(1) != ']') {
        ++pos_;
        if (!parseClassChar(hi)) {
          return false;
        }
        if (hi < lo) {
          return fail("invalid character class range: " + quoted(start, pos_));
        }
      }
      if (hi >= 0x80) {
        return fail("non-ASCII characters in classes are not supported: " + quoted(start, pos_));
      }
      addRange(set, lo, hi);
    }
    if (flags_.foldCase) {
      foldCase(set);
    }
    if (negated) {
      complement(set);
    }
    atom = bytesNode(set);
    return true;
  }

  std::string_view p_;
  size_t pos_ = 0;
  Flags flags_;
  std::string error_;
};

// Thompson construction. Counted repeats are expanded into copies; the walk stops adding once
// the program passes the size cap, and compile() then refuses the pattern.
class Emitter {
 public:
  explicit Emitter(std::vector<Inst>& program) : program_(program) {}

  void emit(const Node& node) {
    if (full()) {
      return;
    }
    switch (node.kind) {
      case Node::Kind::kEmpty:
        return;
      case Node::Kind::kBytes: {
        Inst& inst = push(Op::kByte);
        inst.bytes = node.bytes;
        return;
      }
      case Node::Kind::kAssert:
        push(Op::kAssert).assertion = node.assertion;
        return;
      case Node::Kind::kConcat:
        for (const Node& sub : node.subs) {
          emit(sub);
        }
        return;
      case Node::Kind::kAlternate: {
        std::vector<uint32_t> exits;
        for (size_t i = 0; i < node.subs.size(); ++i) {
          if (i + 1 == node.subs.size()) {
            emit(node.subs[i]);
            break;
          }
          const uint32_t split = here();
          push(Op::kSplit).x = split + 1;
          emit(node.subs[i]);
          exits.push_back(here());
          push(Op::kJump);
          program_[split].y = here();
        }
        for (uint32_t exit : exits) {
          program_[exit].x = here();
        }
        return;
      }
      case Node::Kind::kRepeat:
        repeat(node.subs[0], node.min, node.max);
        return;
    }
  }

 private:
  bool full() const { return program_.size() > LinearRegex::kMaxProgramSize; }
  uint32_t here() const { return static_cast<uint32_t>(program_.size()); }
  Inst& push(Op op) {
    program_.emplace_back();
    program_.back().op = op;
    return program_.back();
  }

  void repeat(const Node& sub, int min, int max) {
    if (max < 0) {
      if (min == 0) {
        star(sub);
        return;
      }
      for (int i = 0; i + 1 < min && !full(); ++i) {
        emit(sub);
      }
      plus(sub);
      return;
    }
    for (int i = 0; i < min && !full(); ++i) {
      emit(sub);
    }
    for (int i = min; i < max && !full(); ++i) {
      quest(sub);  // x{0,3} as x?x?x?: the same language as x(x(x)?)?)?, and as small
    }
  }
  void star(const Node& sub) {
    const uint32_t loop = here();
    push(Op::kSplit).x = loop + 1;
    emit(sub);
    push(Op::kJump).x = loop;
    program_[loop].y = here();
  }
  void plus(const Node& sub) {
    const uint32_t body = here();
    emit(sub);
    Inst& split = push(Op::kSplit);
    split.x = body;
    split.y = here();
  }
  void quest(const Node& sub) {
    const uint32_t split = here();
    push(Op::kSplit).x = split + 1;
    emit(sub);
    program_[split].y = here();
  }

  std::vector<Inst>& program_;
};

// A set of program counters with O(1) insert, membership and clear (Briggs & Torczon), in
// insertion order.
class SparseSet {
 public:
  explicit SparseSet(size_t capacity) : sparse_(capacity), dense_(capacity) {}
  bool contains(uint32_t value) const {
    const uint32_t index = sparse_[value];
    return index < size_ && dense_[index] == value;
  }
  void insert(uint32_t value) {
    sparse_[value] = size_;
    dense_[size_++] = value;
  }
  void clear() { size_ = 0; }
  bool empty() const { return size_ == 0; }
  uint32_t size() const { return size_; }
  uint32_t operator[](uint32_t i) const { return dense_[i]; }

 private:
  std::vector<uint32_t> sparse_;
  std::vector<uint32_t> dense_;
  uint32_t size_ = 0;
};

bool assertionHolds(Assertion assertion, std::string_view subject, size_t pos) {
  const bool atStart = pos == 0;
  const bool atEnd = pos == subject.size();
  switch (assertion) {
    case Assertion::kBeginText:
      return atStart;
    case Assertion::kEndText:
      return atEnd;
    case Assertion::kBeginLine:
      return atStart || subject[pos - 1] == '\n';
    case Assertion::kEndLine:
      return atEnd || subject[pos] == '\n';
    case Assertion::kWordBoundary:
    case Assertion::kNotWordBoundary: {
      const bool before = !atStart && isWordByte(static_cast<uint8_t>(subject[pos - 1]));
      const bool after = !atEnd && isWordByte(static_cast<uint8_t>(subject[pos]));
      return (before != after) == (assertion == Assertion::kWordBoundary);
    }
  }
  return false;
}

// Adds `pc` and everything reachable from it without consuming a byte, at subject position
// `pos`. Uses an explicit stack; each pc enters the set at most once per position, so the work
// is O(program size) however the empty-width loops nest.
void addThread(const std::vector<Inst>& program, std::string_view subject, size_t pos, uint32_t pc,
               SparseSet& threads, std::vector<uint32_t>& stack) {
  stack.clear();
  stack.push_back(pc);
  while (!stack.empty()) {
    const uint32_t at = stack.back();
    stack.pop_back();
    if (threads.contains(at)) {
      continue;
    }
    threads.insert(at);
    const Inst& inst = program[at];
    switch (inst.op) {
      case Op::kJump:
        stack.push_back(inst.x);
        break;
      case Op::kSplit:
        stack.push_back(inst.y);
        stack.push_back(inst.x);
        break;
      case Op::kAssert:
        if (assertionHolds(inst.assertion, subject, pos)) {
          stack.push_back(at + 1);
        }
        break;
      case Op::kByte:
      case Op::kMatch:
        break;  // waits for the next byte, or for the end of the subject
    }
  }
}

}  // namespace

std::optional<LinearRegex> LinearRegex::compile(std::string_view pattern, std::string* error) {
  try {
    Parser parser(pattern);
    std::optional<Node> root = parser.parse();
    if (!root) {
      if (error != nullptr) {
        *error = parser.error();
      }
      return std::nullopt;
    }
    std::vector<Inst> program;
    Emitter(program).emit(*root);
    program.emplace_back();  // kMatch
    if (program.size() > kMaxProgramSize) {
      if (error != nullptr) {
        *error = "expression too large";
      }
      return std::nullopt;
    }
    program.shrink_to_fit();
    return LinearRegex(std::move(program));
  } catch (const std::bad_alloc&) {
    if (error != nullptr) {
      *error = "out of memory";
    }
    return std::nullopt;
  }
}

bool LinearRegex::fullMatch(std::string_view subject) const {
  try {
    const size_t n = program_.size();
    SparseSet current(n);
    SparseSet next(n);
    std::vector<uint32_t> stack;
    stack.reserve(2 * n + 1);
    addThread(program_, subject, 0, 0, current, stack);
    for (size_t pos = 0; pos < subject.size(); ++pos) {
      if (current.empty()) {
        return false;
      }
      const uint8_t byte = static_cast<uint8_t>(subject[pos]);
      next.clear();
      for (uint32_t i = 0; i < current.size(); ++i) {
        const Inst& inst = program_[current[i]];
        if (inst.op == Op::kByte && inst.accepts(byte)) {
          addThread(program_, subject, pos + 1, current[i] + 1, next, stack);
        }
      }
      std::swap(current, next);
    }
    for (uint32_t i = 0; i < current.size(); ++i) {
      if (program_[current[i]].op == Op::kMatch) {
        return true;
      }
    }
    return false;
  } catch (const std::bad_alloc&) {
    return false;
  }
}

std::optional<LinearRegex> LinearRegex::compileSearch(std::string_view pattern,
                                                      std::string* error) {
  if (!compile(pattern, error)) {
    return std::nullopt;
  }
  std::string wrapped;
  wrapped.append("(?s:.*)(?:").append(pattern).append(")(?s:.*)");
  return compile(wrapped, error);
}

}  // namespace meshlb
