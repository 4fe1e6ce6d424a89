// Redaction of secrets before anything reaches the file.
//
// Credentials are replaced by a keyed pseudonym, "<redacted:HEX>", so that the same
// secret maps to the same pseudonym in every session that shares the key: a replay passes
// the live requests through the same redaction before matching them, and they match. The pseudonym
// is XXH3-128 seeded from the key; it hides the value from readers of the file, it is not a
// cryptographic MAC.
#ifndef BATON_RECORDER_REDACTOR_H_
#define BATON_RECORDER_REDACTOR_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "base/status.h"

namespace baton {

struct RedactionOptions {
  // Extra ECMAScript regular expressions; every match is pseudonymized.
  std::vector<std::string> patterns;
  // Extra header names (case-insensitive) whose whole value is a credential.
  std::vector<std::string> header_names;
  // Key of the pseudonyms. Empty: DefaultRedactionKey().
  std::string key;
};

class Redactor {
 public:
  // Fails when a pattern does not compile.
  static Result<Redactor> Create(const RedactionOptions& options);

  // Returns true and fills `out` when `text` held a secret; false leaves `out` untouched.
  bool RedactText(const std::string& text, std::string& out) const;
  // A credential header's value becomes one pseudonym; other headers are scanned as text.
  bool RedactHeader(const std::string& name, const std::string& value, std::string& out) const;

  std::string Pseudonym(std::string_view secret) const;

  // Texts that a user pattern could not be run on (the regex engine gave up); each was
  // replaced whole by its pseudonym rather than risk writing a secret.
  uint64_t pattern_failures() const { return pattern_failures_->load(); }

 private:
  Redactor() = default;
  bool IsCredentialHeader(const std::string& name) const;

  uint64_t seed_ = 0;
  std::vector<std::string> header_names_;  // Lower case.
  std::vector<std::regex> patterns_;
  // Shared by copies; counts only (relaxed).
  std::shared_ptr<std::atomic<uint64_t>> pattern_failures_ =
      std::make_shared<std::atomic<uint64_t>>(0);
};

// The key used when RedactionOptions::key is empty: $BATON_REDACTION_KEY when set, else
// one derived from this machine's identity (/etc/machine-id, else the host name) and the
// user id. So a recording and its replay on the same machine redact the same secret to the
// same pseudonym; to replay on another machine, set the same BATON_REDACTION_KEY on both.
std::string DefaultRedactionKey();

}  // namespace baton

#endif  // BATON_RECORDER_REDACTOR_H_
