#include "recorder/redactor.h"

#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string_view>

namespace baton {
namespace {

// Built-in credential shapes: a literal prefix followed by at least `min_tail` token
// characters. A hand-written scan, because std::regex over every prompt would cost far
// more than the rest of the writer thread.
struct KeyShape {
  std::string_view prefix;
  size_t min_tail;
};
constexpr std::array<KeyShape, 9> kKeyShapes = {{
    {"sk-", 16},     // OpenAI, Anthropic (sk-ant-...), many OpenAI-compatible APIs.
    {"Bearer ", 8},  // Authorization values pasted into text.
    {"AKIA", 16},    // AWS access key ids.
    {"AIza", 30},    // Google API keys.
    {"ghp_", 30},    // GitHub tokens.
    {"github_pat_", 30},
    {"xoxb-", 10},  // Slack tokens.
    {"xoxp-", 10},
    {"hf_", 30},  // Hugging Face tokens.
}};

constexpr std::array<std::string_view, 8> kCredentialHeaders = {
    "authorization", "proxy-authorization", "x-api-key",      "api-key",
    "cookie",        "set-cookie",          "x-goog-api-key", "openai-organization"};

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '+' || c == '/' || c == '=' || c == '~';
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

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

Result<Redactor> Redactor::Create(const RedactionOptions& options) {
  Redactor r;
  const std::string key = options.key.empty() ? DefaultRedactionKey() : options.key;
  r.seed_ = XXH3_64bits(key.data(), key.size());
  for (auto h : kCredentialHeaders) r.header_names_.emplace_back(h);
  for (const auto& h : options.header_names) r.header_names_.push_back(Lower(h));
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
  std::string lower = Lower(name);
  return std::find(header_names_.begin(), header_names_.end(), lower) != header_names_.end();
}

bool Redactor::RedactHeader(const std::string& name, const std::string& value,
                            std::string& out) const {
  if (IsCredentialHeader(name)) {
    out = Pseudonym(value);
    return true;
  }
  return RedactText(value, out);
}

bool Redactor::RedactText(const std::string& text, std::string& out) const {
  std::string result;
  size_t copied = 0;  // text[0, copied) is already in result.
  bool changed = false;
  for (size_t i = 0; i < text.size(); ++i) {
    // Only the first letters of the shapes can start a secret: a cheap filter first.
    char c = text[i];
    if (c != 's' && c != 'B' && c != 'A' && c != 'g' && c != 'x' && c != 'h') continue;
    // Secrets start at a word boundary ("key=sk-..." counts, "task-..." does not).
    if (i > 0 && (std::isalnum(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '_' ||
                  text[i - 1] == '-'))
      continue;
    for (const KeyShape& shape : kKeyShapes) {
      if (text.compare(i, shape.prefix.size(), shape.prefix) != 0) continue;
      size_t end = i + shape.prefix.size();
      while (end < text.size() && IsTokenChar(text[end])) ++end;
      if (end - i - shape.prefix.size() < shape.min_tail) continue;
      result.append(text, copied, i - copied);
      result += Pseudonym(std::string_view(text).substr(i, end - i));
      copied = end;
      i = end - 1;
      changed = true;
      break;
    }
  }
  if (patterns_.empty() && !changed) return false;
  if (changed) {
    result.append(text, copied, std::string::npos);
  } else {
    result = text;
  }
  try {
    for (const std::regex& re : patterns_) {
      std::string next;
      auto begin = std::sregex_iterator(result.begin(), result.end(), re);
      size_t last = 0;
      for (auto it = begin; it != std::sregex_iterator(); ++it) {
        if (it->length(0) == 0) continue;
        next.append(result, last, it->position(0) - last);
        next += Pseudonym(it->str(0));
        last = it->position(0) + it->length(0);
        changed = true;
      }
      if (last > 0) {
        next.append(result, last, std::string::npos);
        result = std::move(next);
      }
    }
  } catch (const std::exception&) {
    // The engine gave up on this text (complexity, memory). It runs on the writer thread,
    // where an exception would end the process; the safe answer is to keep none of it.
    pattern_failures_->fetch_add(1, std::memory_order_relaxed);
    out = Pseudonym(text);
    return true;
  }
  if (!changed) return false;
  out = std::move(result);
  return true;
}

}  // namespace baton
