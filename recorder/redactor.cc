#include "recorder/redactor.h"

#include <unistd.h>
#include <xxhash.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>
#include <utility>

#include "base/ascii.h"

extern char** environ;

namespace baton {
namespace {

// Built-in credential shapes: a literal prefix followed by at least `min_tail` token
// characters. A hand-written scan, because std::regex over every prompt would cost far
// more than the rest of the writer thread.
enum class PrefixCase { kExact, kAnyCase };
enum class TailShape { kAny, kLooksEncoded };  // kLooksEncoded: not a plain lowercase word.
struct KeyShape {
  std::string_view prefix;
  size_t min_tail;
  PrefixCase prefix_case;
  TailShape tail;
};
constexpr std::array<KeyShape, 11> kKeyShapes = {{
    {"sk-", 16, PrefixCase::kExact, TailShape::kAny},  // OpenAI, Anthropic (sk-ant-), ...
    {"bearer ", 8, PrefixCase::kAnyCase, TailShape::kLooksEncoded},  // Authorization values.
    {"basic ", 8, PrefixCase::kAnyCase, TailShape::kLooksEncoded},
    {"AKIA", 16, PrefixCase::kExact, TailShape::kAny},  // AWS access key ids.
    {"AIza", 30, PrefixCase::kExact, TailShape::kAny},  // Google API keys.
    {"ghp_", 30, PrefixCase::kExact, TailShape::kAny},  // GitHub tokens.
    {"github_pat_", 30, PrefixCase::kExact, TailShape::kAny},
    {"xoxb-", 10, PrefixCase::kExact, TailShape::kAny},  // Slack tokens.
    {"xoxp-", 10, PrefixCase::kExact, TailShape::kAny},
    {"hf_", 30, PrefixCase::kExact, TailShape::kAny},          // Hugging Face tokens.
    {"AccountKey=", 20, PrefixCase::kExact, TailShape::kAny},  // Azure connection strings.
}};

// Header names that always carry a credential, whatever NameLooksSecret says.
constexpr std::array<std::string_view, 4> kCredentialHeaders = {
    "openai-organization", "openai-project", "x-goog-api-key", "api-key"};

// ASCII classification, inline: the locale-aware <cctype> calls dominated the writer's
// profile when run on every byte of every text.
constexpr bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool IsAsciiAlpha(char c) { return IsAsciiLower(c) || IsAsciiUpper(c); }

// The classes of a byte that the scan asks about, one table lookup each: it runs over every
// byte of every text the writer thread encodes.
enum CharClass : uint8_t {
  kAlpha = 1,  // A-Z a-z: where a shape or a name can start.
  kIdent = 2,  // Letters, digits, '_' and '-': a name's characters, and a word's.
  kToken = 4,  // kIdent and . + / = ~: a key's characters.
  kHexDigit = 8,
};
struct CharClasses {
  std::array<uint8_t, 256> of{};
  constexpr CharClasses() {
    for (int c = 0; c < 256; ++c) {
      const bool alpha = IsAsciiAlpha(static_cast<char>(c));
      const bool digit = c >= '0' && c <= '9';
      const bool ident = alpha || digit || c == '_' || c == '-';
      of[c] = static_cast<uint8_t>(
          (alpha ? kAlpha : 0) | (ident ? kIdent : 0) |
          (ident || c == '.' || c == '+' || c == '/' || c == '=' || c == '~' ? kToken : 0) |
          (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ? kHexDigit : 0));
    }
  }
  bool Is(char c, CharClass k) const { return (of[static_cast<unsigned char>(c)] & k) != 0; }
};
constexpr CharClasses kClasses;

// The key shapes that can start with each byte (a bit per kKeyShapes entry): a word
// checks only those whose first letter it has, in either case for kAnyCase.
struct ShapesByFirstByte {
  std::array<uint16_t, 256> shapes{};
  constexpr ShapesByFirstByte() {
    static_assert(kKeyShapes.size() <= 16);
    for (size_t k = 0; k < kKeyShapes.size(); ++k) {
      const char c = kKeyShapes[k].prefix[0];
      const uint16_t bit = static_cast<uint16_t>(1u << k);
      shapes[static_cast<unsigned char>(c)] |= bit;
      if (kKeyShapes[k].prefix_case == PrefixCase::kAnyCase && IsAsciiAlpha(c)) {
        shapes[static_cast<unsigned char>(AsciiLower(c))] |= bit;
        shapes[static_cast<unsigned char>(AsciiLower(c) - 32)] |= bit;
      }
    }
  }
};
constexpr ShapesByFirstByte kShapesByFirstByte;

bool IsTokenChar(char c) { return kClasses.Is(c, kToken); }

bool IsHex(char c) { return kClasses.Is(c, kHexDigit); }

// A secret starts at a word boundary ("key=sk-..." counts, "task-sk-..." does not). An
// escape right before it is a boundary too: "\nsk-..." in JSON, "%3Dsk-..." in a URL,
// "\u0022sk-..." in escaped JSON.
bool StartsWord(std::string_view text, size_t i) {
  if (i == 0) return true;
  char p = text[i - 1];
  if (!kClasses.Is(p, kIdent)) return true;
  if (i >= 2 && text[i - 2] == '\\' && (p == 'n' || p == 't' || p == 'r' || p == 'b' || p == 'f'))
    return true;
  if (i >= 3 && text[i - 3] == '%' && IsHex(text[i - 2]) && IsHex(p)) return true;
  if (i >= 6 && text[i - 6] == '\\' && text[i - 5] == 'u' && IsHex(text[i - 4]) &&
      IsHex(text[i - 3]) && IsHex(text[i - 2]) && IsHex(p))
    return true;
  return false;
}

// Where the scan looks next: the positions where a word may start, and where a run of
// name characters ends, as bit masks over 64-byte blocks of the text, made 16 bytes at a
// time where SSE2 is (every x86-64) and a byte at a time elsewhere. The scan asks a few
// times per word; classifying every byte in a loop had been most of its cost.
class WordScanner {
 public:
  explicit WordScanner(std::string_view text) : text_(text) {}

  // The next position at or after `from` where StartsWord may hold for a letter: a letter
  // after a byte that is no name character, or after what could end an escape ('\\' two
  // before, '%' three before, '\\' six before). A superset: the caller confirms with
  // StartsWord. text.size() when there is none.
  size_t NextWordStartCandidate(size_t from) { return Next(from, &Masks::starts); }
  // The end of the run of name characters (kIdent) from `from`.
  size_t NameCharsEnd(size_t from) { return Next(from, &Masks::not_name); }

 private:
  struct Masks {
    uint64_t starts = 0;    // Bit k: a word may start at block + k.
    uint64_t not_name = 0;  // Bit k: block + k holds no name character.
  };

  // Inline while `from` is in the block loaded (a word or two on), out of line when the
  // scan moves on to another block.
  size_t Next(size_t from, uint64_t Masks::*which) {
    if ((from & ~size_t{63}) == block_) {
      if (const uint64_t bits = (masks_.*which) & (~uint64_t{0} << (from - block_)); bits != 0)
        return std::min(text_.size(), block_ + std::countr_zero(bits));
    }
    return NextInLaterBlocks(from, which);
  }

  [[gnu::noinline]] size_t NextInLaterBlocks(size_t from, uint64_t Masks::*which) {
    for (size_t block = from & ~size_t{63}; block < text_.size(); block += 64) {
      if (block != block_) Load(block);
      uint64_t bits = masks_.*which;
      if (from > block) bits &= ~uint64_t{0} << (from - block);
      if (bits != 0) return std::min(text_.size(), block + std::countr_zero(bits));
    }
    return text_.size();
  }

  void Load(size_t block) {
    block_ = block;
    masks_ = Masks{};
    const size_t n = text_.size();
#if defined(__SSE2__)
    // The blocks need six bytes before them (StartsWord looks that far back) and 64 in
    // them: the first and the last block are copied out with zero bytes around them, which
    // classify as the text's ends do (no letter, no name character, no escape).
    const char* d = text_.data() + block;
    char edge[80];
    if (block < 8 || block + 64 > n) {
      std::memset(edge, 0, sizeof edge);
      const size_t before = std::min<size_t>(block, 8);
      std::memcpy(edge + 8 - before, d - before, before + std::min<size_t>(64, n - block));
      d = edge + 8;
    }
    const __m128i backslash = _mm_set1_epi8('\\'), percent = _mm_set1_epi8('%');
    uint64_t all_starts = 0, all_not_name = 0;
    for (int part = 0; part < 4; ++part, d += 16) {
      const __m128i after_boundary =
          _mm_or_si128(_mm_andnot_si128(NameChars(Load16(d - 1)), _mm_set1_epi8(-1)),
                       _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(Load16(d - 2), backslash),
                                                 _mm_cmpeq_epi8(Load16(d - 3), percent)),
                                    _mm_cmpeq_epi8(Load16(d - 6), backslash)));
      const __m128i here = Load16(d);
      const uint64_t starts =
          static_cast<uint16_t>(_mm_movemask_epi8(_mm_and_si128(Letters(here), after_boundary)));
      const uint64_t names = static_cast<uint16_t>(_mm_movemask_epi8(NameChars(here)));
      all_starts |= starts << (16 * part);
      all_not_name |= (~names & 0xffffu) << (16 * part);
    }
    masks_ = Masks{all_starts, all_not_name};
#else
    for (size_t k = 0; k < 64; ++k) {
      const size_t j = block + k;
      if (j >= n) {
        masks_.not_name |= uint64_t{1} << k;  // The text's end ends a run.
        continue;
      }
      if (!kClasses.Is(text_[j], kIdent)) masks_.not_name |= uint64_t{1} << k;
      if (kClasses.Is(text_[j], kAlpha) &&
          (j == 0 || !kClasses.Is(text_[j - 1], kIdent) || (j >= 2 && text_[j - 2] == '\\') ||
           (j >= 3 && text_[j - 3] == '%') || (j >= 6 && text_[j - 6] == '\\')))
        masks_.starts |= uint64_t{1} << k;
    }
#endif
  }

#if defined(__SSE2__)
  // 0xff for the bytes of `v` in [lo, lo + count): the range moved to the bottom of the
  // signed bytes, then one compare.
  static __m128i InRange(__m128i v, char lo, int count) {
    const __m128i moved = _mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(0x80 - lo)));
    return _mm_cmplt_epi8(moved, _mm_set1_epi8(static_cast<char>(-128 + count)));
  }
  static __m128i Letters(__m128i v) {
    return InRange(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 26);
  }
  static __m128i NameChars(__m128i v) {  // kIdent.
    return _mm_or_si128(
        _mm_or_si128(Letters(v), InRange(v, '0', 10)),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')), _mm_cmpeq_epi8(v, _mm_set1_epi8('-'))));
  }
  static __m128i Load16(const char* at) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
  }
#endif

  std::string_view text_;
  size_t block_ = SIZE_MAX;  // The block masks_ describes.
  Masks masks_;
};

// A plain lowercase word ("bearer bonds", "basic understanding") is prose, not a token.
bool LooksEncoded(std::string_view tail) {
  bool lower = false, upper = false, other = false;
  for (char c : tail) {
    if (IsAsciiLower(c))
      lower = true;
    else if (IsAsciiUpper(c))
      upper = true;
    else
      other = true;  // Digits, '+', '/', '=', '-', ...
  }
  return other || (lower && upper);
}

// The words of a name: split at '-', '_', '.', ' ' and lower-to-upper case changes
// ("X-My-Service-Api-Key", "OPENAI_API_KEY", "apiKey"). Only the last two words decide, so
// they are found from the end, in place: this runs on every header and span attribute name
// the writer thread encodes, and a vector of lowered copies per name was a tenth of its time.
struct LastNameWords {
  std::string_view last, before_last;  // Empty when the name has fewer words.
};

bool IsNameSeparator(char c) { return c == '-' || c == '_' || c == '.' || c == ' '; }

LastNameWords LastWordsOf(std::string_view name) {
  LastNameWords out;
  size_t end = name.size();
  for (std::string_view* word : {&out.last, &out.before_last}) {
    while (end > 0 && IsNameSeparator(name[end - 1])) --end;
    if (end == 0) break;
    size_t begin = end - 1;
    // A word starts after a separator, or at an upper-case letter that follows a lower-case
    // one ("apiKey" is "api", "Key").
    while (begin > 0 && !IsNameSeparator(name[begin - 1]) &&
           !(IsAsciiUpper(name[begin]) && IsAsciiLower(name[begin - 1])))
      --begin;
    *word = name.substr(begin, end - begin);
    end = begin;
  }
  return out;
}

// Past an opening or closing quote at `i`: ", ' or an escaped \".
size_t SkipQuote(std::string_view text, size_t i) {
  if (i < text.size() && (text[i] == '"' || text[i] == '\'')) return i + 1;
  if (i + 1 < text.size() && text[i] == '\\' && text[i + 1] == '"') return i + 2;
  return i;
}

size_t SkipSpaces(std::string_view text, size_t i) {
  while (i < text.size() && text[i] == ' ') ++i;
  return i;
}

// Where a name ending at `name_end` is assigned (its ':' or '=', after an optional quote
// and spaces), or npos: checked before the name's words are looked at.
size_t AssignmentAfter(std::string_view text, size_t name_end) {
  size_t i = SkipSpaces(text, SkipQuote(text, name_end));
  return i < text.size() && (text[i] == ':' || text[i] == '=') ? i : std::string_view::npos;
}

// The value assigned at `assignment` ("api_key": "...", password=..., \"token\": \"...\"),
// as a span; {0, 0} when too short to be a credential.
std::pair<size_t, size_t> ValueAt(std::string_view text, size_t assignment) {
  size_t i = SkipSpaces(text, assignment + 1);
  bool quoted = i < text.size() && (text[i] == '"' || text[i] == '\'' || text[i] == '\\');
  i = SkipQuote(text, i);
  size_t begin = i;
  auto scan = [&] {
    while (i < text.size()) {
      char c = text[i];
      if (quoted ? (c == '"' || c == '\'' || c == '\\')
                 : (c == '&' || c == ' ' || c == ',' || c == ';' || c == '}' || c == '\n' ||
                    c == '"' || c == '\\'))
        break;
      ++i;
    }
  };
  scan();
  // "Authorization: Bearer X": the scheme and its credential are one value.
  std::string scheme = AsciiLower(text.substr(begin, i - begin));
  if (!quoted && i < text.size() && text[i] == ' ' &&
      (scheme == "bearer" || scheme == "basic" || scheme == "token" || scheme == "digest")) {
    ++i;
    scan();
  }
  if (i - begin < 4) return {0, 0};  // Too short to be a credential ("", "none", ...).
  return {begin, i};
}

// NameLooksSecret's words, as string_views made at compile time (from a braced list of
// literals each call measured its lengths, a tenth of the scan's time over prose).
constexpr std::string_view kSecretLastWords[] = {"token",  "password",      "passwd",
                                                 "secret", "credential",    "credentials",
                                                 "cookie", "authorization", "apikey"};
constexpr std::string_view kKeyQualifiers[] = {"api",          "access",  "secret", "private",
                                               "subscription", "signing", "master", "auth",
                                               "account",      "client"};

}  // namespace

bool NameLooksSecret(std::string_view name) {
  const LastNameWords w = LastWordsOf(name);
  for (std::string_view word : kSecretLastWords)
    if (EqualsIgnoringCase(w.last, word)) return true;
  if (EqualsIgnoringCase(w.last, "key") && !w.before_last.empty()) {
    for (std::string_view q : kKeyQualifiers)
      if (EqualsIgnoringCase(w.before_last, q)) return true;
  }
  return false;
}

std::string DefaultRedactionKey() {
  if (const char* key = std::getenv("BATON_REDACTION_KEY"); key != nullptr && *key != '\0')
    return key;
  std::string identity;
  for (const char* path : {"/etc/machine-id", "/var/lib/dbus/machine-id"}) {
    std::ifstream in(path);
    if (in && std::getline(in, identity) && !identity.empty()) break;
    identity.clear();
  }
  if (identity.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) identity = host;
  }
  return "baton-default-key/" + identity + "/" + std::to_string(::getuid());
}

namespace {

// The values of secret-looking environment variables, of at least `min_bytes`.
std::vector<std::string> EnvironmentSecrets(size_t min_bytes) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view value = entry.substr(eq + 1);
    if (value.size() >= min_bytes && NameLooksSecret(entry.substr(0, eq))) out.emplace_back(value);
  }
  return out;
}

}  // namespace

RedactionOptions ResolvedRedactionOptions(RedactionOptions options) {
  if (options.key.empty()) options.key = DefaultRedactionKey();
  if (options.environment == SecretsFromEnvironment::kRead) {
    // Create keeps those long enough, as it keeps every known secret.
    for (std::string& v : EnvironmentSecrets(0)) options.known_secrets.push_back(std::move(v));
    options.environment = SecretsFromEnvironment::kIgnore;
  }
  return options;
}

Result<Redactor> Redactor::Create(const RedactionOptions& options) {
  Redactor r;
  const std::string key = options.key.empty() ? DefaultRedactionKey() : options.key;
  r.seed_ = XXH3_64bits(key.data(), key.size());
  for (auto h : kCredentialHeaders) r.header_names_.emplace_back(h);
  for (const auto& h : options.header_names) r.header_names_.push_back(AsciiLower(h));
  for (const auto& v : options.known_secrets)
    if (v.size() >= kMinKnownSecretBytes) r.known_secrets_.push_back(v);
  if (options.environment == SecretsFromEnvironment::kRead)
    for (std::string& v : EnvironmentSecrets(kMinKnownSecretBytes))
      r.known_secrets_.push_back(std::move(v));
  // Longest first, so a secret containing another is replaced whole.
  std::sort(r.known_secrets_.begin(), r.known_secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  r.known_secrets_.erase(std::unique(r.known_secrets_.begin(), r.known_secrets_.end()),
                         r.known_secrets_.end());
  for (const auto& p : options.patterns) {
    try {
      r.patterns_.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      return Status::InvalidArgument("redaction pattern \"" + p +
                                     "\" does not compile: " + e.what());
    }
  }
  return r;
}

std::string Redactor::Pseudonym(std::string_view secret) const {
  XXH128_hash_t h = XXH3_128bits_withSeed(secret.data(), secret.size(), seed_);
  char buf[48];
  std::snprintf(buf, sizeof buf, "<redacted:%016llx>", static_cast<unsigned long long>(h.high64));
  return buf;
}

bool Redactor::IsCredentialHeader(const std::string& name) const {
  if (NameLooksSecret(name)) return true;
  return std::any_of(header_names_.begin(), header_names_.end(),
                     [&](const std::string& lower) { return EqualsIgnoringCase(name, lower); });
}

bool Redactor::RedactHeader(const std::string& name, const std::string& value,
                            std::string& out) const {
  if (IsCredentialHeader(name) && !value.empty()) {
    out = Pseudonym(value);
    return true;
  }
  return RedactText(value, out);
}

std::vector<Redactor::Span> Redactor::FindSecrets(std::string_view text) const {
  std::vector<Span> spans;
  // 1. Values of secret-looking environment variables (and known_secrets), anywhere.
  for (const std::string& secret : known_secrets_) {
    for (size_t at = text.find(secret); at != std::string_view::npos;
         at = text.find(secret, at + secret.size()))
      spans.push_back({at, at + secret.size()});
  }
  // 2. Key shapes, and 3. values named like secrets ("api_key": "...", password=...).
  WordScanner scan(text);
  for (size_t i = scan.NextWordStartCandidate(0); i < text.size();
       i = scan.NextWordStartCandidate(i + 1)) {
    const char c = text[i];
    // Every shape and every name starts with a letter at a word boundary.
    if (!StartsWord(text, i)) continue;
    bool matched = false;
    for (uint16_t candidates = kShapesByFirstByte.shapes[static_cast<unsigned char>(c)];
         candidates != 0; candidates &= candidates - 1) {
      const KeyShape& shape = kKeyShapes[std::countr_zero(candidates)];
      std::string_view head = text.substr(i, shape.prefix.size());
      // The second letter first: most words that start like a shape differ there.
      if (head.size() < shape.prefix.size() || AsciiLower(head[1]) != AsciiLower(shape.prefix[1]) ||
          (shape.prefix_case == PrefixCase::kExact ? head != shape.prefix
                                                   : !EqualsIgnoringCase(head, shape.prefix)))
        continue;
      size_t end = i + shape.prefix.size();
      while (end < text.size() && IsTokenChar(text[end])) ++end;
      std::string_view tail = text.substr(i + shape.prefix.size(), end - i - shape.prefix.size());
      if (tail.size() < shape.min_tail) continue;
      if (shape.tail == TailShape::kLooksEncoded && !LooksEncoded(tail)) continue;
      spans.push_back({i, end});
      i = end - 1;
      matched = true;
      break;
    }
    if (matched) continue;
    const size_t name_end = scan.NameCharsEnd(i);
    const size_t assignment =
        name_end - i >= 3 ? AssignmentAfter(text, name_end) : std::string_view::npos;
    if (assignment != std::string_view::npos && NameLooksSecret(text.substr(i, name_end - i))) {
      auto [begin, end] = ValueAt(text, assignment);
      if (end > begin) {
        spans.push_back({begin, end});
        i = end - 1;
        continue;
      }
    }
  }
  // 4. The user's patterns, on the original text.
  for (const std::regex& re : patterns_) {
    std::string owned(text);
    for (auto it = std::sregex_iterator(owned.begin(), owned.end(), re);
         it != std::sregex_iterator(); ++it) {
      if (it->length(0) == 0) continue;
      size_t at = static_cast<size_t>(it->position(0));
      spans.push_back({at, at + static_cast<size_t>(it->length(0))});
    }
  }
  // Sorted and merged: overlapping findings become one secret.
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<Span> merged;
  for (const Span& s : spans) {
    if (!merged.empty() && s.begin < merged.back().end)
      merged.back().end = std::max(merged.back().end, s.end);
    else
      merged.push_back(s);
  }
  return merged;
}

bool Redactor::RedactText(const std::string& text, std::string& out) const {
  std::vector<Span> spans;
  try {
    spans = FindSecrets(text);
  } catch (const std::exception&) {
    // A user pattern's engine gave up on this text (complexity, memory). It runs on the
    // writer thread, where an exception would end the process; the safe answer is to
    // keep none of it.
    pattern_failures_->fetch_add(1, std::memory_order_relaxed);
    out = Pseudonym(text);
    return true;
  }
  if (spans.empty()) return false;
  std::string result;
  size_t copied = 0;
  for (const Span& s : spans) {
    result.append(text, copied, s.begin - copied);
    result += Pseudonym(std::string_view(text).substr(s.begin, s.end - s.begin));
    copied = s.end;
  }
  result.append(text, copied, std::string::npos);
  out = std::move(result);
  return true;
}

bool Redactor::RedactPieces(const std::vector<std::string>& pieces,
                            std::vector<std::string>& out) const {
  std::string joined;
  for (const std::string& p : pieces) joined += p;
  std::vector<Span> spans;
  try {
    spans = FindSecrets(joined);
  } catch (const std::exception&) {
    pattern_failures_->fetch_add(1, std::memory_order_relaxed);
    out.assign(pieces.size(), std::string());
    if (!out.empty()) out[0] = Pseudonym(joined);
    return true;
  }
  if (spans.empty()) return false;
  // A secret goes, as its pseudonym, to the piece where it starts; the pieces it runs
  // into lose their part of it. Joined again, the pieces equal the redacted whole.
  out.clear();
  out.reserve(pieces.size());
  size_t piece_begin = 0;
  size_t next_span = 0;
  for (const std::string& piece : pieces) {
    size_t piece_end = piece_begin + piece.size();
    std::string redacted;
    size_t at = piece_begin;
    while (at < piece_end) {
      while (next_span < spans.size() && spans[next_span].end <= at) ++next_span;
      if (next_span == spans.size() || spans[next_span].begin >= piece_end) {
        redacted.append(joined, at, piece_end - at);
        break;
      }
      const Span& s = spans[next_span];
      if (s.begin > at) {
        redacted.append(joined, at, s.begin - at);
        at = s.begin;
      }
      if (s.begin >= piece_begin)  // Starts here: the pseudonym goes here.
        redacted += Pseudonym(std::string_view(joined).substr(s.begin, s.end - s.begin));
      at = std::min(s.end, piece_end);
    }
    out.push_back(std::move(redacted));
    piece_begin = piece_end;
  }
  return true;
}

}  // namespace baton
