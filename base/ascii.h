// ASCII case folding, for protocol names (HTTP headers, roles, key names): locale-free and
// cheap enough for the writer thread's per-byte scans, unlike <cctype>'s tolower.
#ifndef BATON_BASE_ASCII_H_
#define BATON_BASE_ASCII_H_

#include <string>
#include <string_view>

namespace baton {

constexpr char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// Whether `a`, case folded, is `lower` (already lower case).
constexpr bool EqualsIgnoringCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (AsciiLower(a[i]) != lower[i]) return false;
  return true;
}

}  // namespace baton

#endif  // BATON_BASE_ASCII_H_
