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

}  // namespace baton

#endif  // BATON_BASE_ASCII_H_
