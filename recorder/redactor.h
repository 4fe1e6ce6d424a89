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
#include <string_view>
#include <vector>

#include "base/status.h"

namespace baton {

// What is detected, in every text field of an event (contents, chunks, headers, tool
// arguments and results, metadata, environment reads, request parameters):
//   - key shapes at a word boundary (an escape such as \n, \u0022 or %3D before one is a
//     boundary): sk-..., AKIA..., AIza..., ghp_..., github_pat_..., xoxb-/xoxp-...,
//     hf_..., AccountKey=...; "Bearer X" and "Basic X" in any case, when X looks encoded
//     (not a plain lowercase word);
//   - the value after a secret-looking name in JSON, escaped JSON, query strings and
//     forms: "api_key": "...", \"token\": \"...\", password=..., client_secret=...;
//     a name looks secret (NameLooksSecret) when its last word is token, password,
//     passwd, secret, credential(s), cookie, authorization or apikey, or it ends in key
//     qualified by api, access, secret, private, subscription, signing, master, auth,
//     account or client;
//   - the whole value of a header, parameter, metadata entry or environment read whose
//     name looks secret, and of the headers in kCredentialHeaders;
//   - the values of this process's environment variables whose names look secret
//     (OPENAI_API_KEY, AZURE_OPENAI_API_KEY, ...), wherever they appear, whatever their
//     shape (an Azure key is 32 hex digits);
//   - the user's patterns.
// A secret split across streamed chunks is found in their concatenation (RedactPieces).
enum class SecretsFromEnvironment {
  kRead,    // Values of secret-looking environment variables are secrets (the default).
  kIgnore,  // Only shapes, names, known_secrets and patterns (tests, tools).
};

struct RedactionOptions {
  // Extra ECMAScript regular expressions; every match is pseudonymized.
  std::vector<std::string> patterns;
  // Extra header names (case-insensitive) whose whole value is a credential.
  std::vector<std::string> header_names;
  // Exact values that are secrets wherever they appear (at least 8 bytes).
  std::vector<std::string> known_secrets;
  SecretsFromEnvironment environment = SecretsFromEnvironment::kRead;
  // Key of the pseudonyms. Empty: DefaultRedactionKey().
  std::string key;
};

// True when a header, parameter, variable or JSON key of this name holds a credential:
// see the list above ("X-My-Service-Api-Key", "OPENAI_API_KEY", "access_token", "apiKey").
bool NameLooksSecret(std::string_view name);

class Redactor {
 public:
  // Fails when a pattern does not compile.
  static Result<Redactor> Create(const RedactionOptions& options);

  // Returns true and fills `out` when `text` held a secret; false leaves `out` untouched.
  bool RedactText(const std::string& text, std::string& out) const;
  // A credential header's value becomes one pseudonym; other headers are scanned as text.
  bool RedactHeader(const std::string& name, const std::string& value, std::string& out) const;

  // Redacts a text delivered in pieces (streamed chunks): a secret split across pieces is
  // found in their concatenation; its pseudonym goes to the piece where it starts. Returns
  // false and leaves `out` untouched when there is nothing to redact.
  bool RedactPieces(const std::vector<std::string>& pieces, std::vector<std::string>& out) const;

  std::string Pseudonym(std::string_view secret) const;

  // Texts that a user pattern could not be run on (the regex engine gave up); each was
  // replaced whole by its pseudonym rather than risk writing a secret.
  uint64_t pattern_failures() const { return pattern_failures_->load(); }

 private:
  Redactor() = default;
  bool IsCredentialHeader(const std::string& name) const;
  struct Span {
    size_t begin = 0, end = 0;
  };
  // Where the secrets of `text` are, sorted and disjoint. May throw from a user pattern.
  std::vector<Span> FindSecrets(std::string_view text) const;

  static constexpr size_t kMinKnownSecretBytes = 8;

  uint64_t seed_ = 0;
  std::vector<std::string> header_names_;  // Lower case.
  std::vector<std::regex> patterns_;
  std::vector<std::string> known_secrets_;  // Longest first.
  // Shared by copies; counts only (relaxed).
  std::shared_ptr<std::atomic<uint64_t>> pattern_failures_ =
      std::make_shared<std::atomic<uint64_t>>(0);
};

// The key used when RedactionOptions::key is empty: $BATON_REDACTION_KEY when set, else
// one derived from this machine's identity (/etc/machine-id, else the host name) and the
// user id. So a recording and its replay on the same machine redact the same secret to the
// same pseudonym; to replay on another machine, set the same BATON_REDACTION_KEY on both.
std::string DefaultRedactionKey();

// `options` with what Redactor::Create would look up filled in now: the key (when empty, the
// default key) and the secrets of the environment (then no longer read). A Redactor created
// from the result redacts as one created from `options` would; a program that creates many
// (a receiver writes a session per trace) looks them up once.
RedactionOptions ResolvedRedactionOptions(RedactionOptions options);

}  // namespace baton

#endif  // BATON_RECORDER_REDACTOR_H_
