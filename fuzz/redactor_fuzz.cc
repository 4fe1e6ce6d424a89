// libFuzzer target: the redactor runs over every text a client or model sends. On any
// bytes it must not crash, and redacting a text cut into pieces (streamed chunks) must give
// pieces that join to the redaction of the whole. Spaces put before a text change nothing
// else: the scan works on 64-byte blocks of the text, and this moves every block edge.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "recorder/redactor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const baton::Redactor redactor = [] {
    baton::RedactionOptions o;
    o.environment = baton::SecretsFromEnvironment::kIgnore;
    o.known_secrets = {"3f9a7c1e5b2d4086af1e9c7b3d5a2f48"};
    o.key = "fuzz";
    return std::move(baton::Redactor::Create(o)).value();
  }();
  if (size < 2) return 0;
  std::string text(reinterpret_cast<const char*>(data + 2), size - 2);
  std::string whole;
  bool changed = redactor.RedactText(text, whole);
  size_t a = data[0] % (text.size() + 1);
  size_t b = a + data[1] % (text.size() - a + 1);
  std::vector<std::string> pieces = {text.substr(0, a), text.substr(a, b - a), text.substr(b)};
  std::vector<std::string> out;
  bool pieces_changed = redactor.RedactPieces(pieces, out);
  if (pieces_changed != changed) std::abort();
  if (changed && out[0] + out[1] + out[2] != whole) std::abort();
  const std::string spaces(1 + (data[0] ^ data[1]) % 63, ' ');
  std::string shifted;
  bool shifted_changed = redactor.RedactText(spaces + text, shifted);
  if (shifted_changed != changed) std::abort();
  if (changed && shifted != spaces + whole) std::abort();
  return 0;
}
