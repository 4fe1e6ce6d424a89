// Redaction of secrets before anything reaches the file.
//
// Credentials are replaced by a keyed pseudonym, "<redacted:HEX>", so that the same
// secret maps to the same pseudonym within a session (and across sessions sharing a
// key): replay can still match requests. The pseudonym is XXH3-128 seeded from the key;
// it hides the value from readers of the file, it is not a cryptographic MAC.
#ifndef BATON_RECORDER_REDACTOR_H_
#define BATON_RECORDER_REDACTOR_H_

#include <cstdint>
#include <regex>
#include <string>
#include <vector>

#include "recorder/status.h"

namespace baton {

struct RedactionOptions {
  // Extra ECMAScript regular expressions; every match is pseudonymized.
  std::vector<std::string> patterns;
  // Extra header names (case-insensitive) whose whole value is a credential.
  std::vector<std::string> header_names;
  // Key of the pseudonyms. Empty: a random key per Recorder.
  std::string key;
};

class Redactor {
 public:
  // Fails when a pattern does not compile.
  static Result<Redactor> Create(const RedactionOptions& options, uint64_t random_seed);

  // Returns true and fills `out` when `text` held a secret; false leaves `out` untouched.
  bool RedactText(const std::string& text, std::string& out) const;
  // A credential header's value becomes one pseudonym; other headers are scanned as text.
  bool RedactHeader(const std::string& name, const std::string& value, std::string& out) const;

  std::string Pseudonym(std::string_view secret) const;

 private:
  Redactor() = default;
  bool IsCredentialHeader(const std::string& name) const;

  uint64_t seed_ = 0;
  std::vector<std::string> header_names_;  // Lower case.
  std::vector<std::regex> patterns_;
};

}  // namespace baton

#endif  // BATON_RECORDER_REDACTOR_H_
