// OpenAiChatClient: a ModelClient for OpenAI-compatible chat-completions APIs over HTTP(S)
// (kj-http, kj-tls). Streaming on or off; streamed chunks keep their arrival offsets.
//
//   auto client = OpenAiChatClient::Create({.base_url = "http://127.0.0.1:8080/v1"});
//
// The API key is read from the environment variable named in the options at each call and
// sent as "Authorization: Bearer ..."; it never enters the ModelRequest, so it is never
// recorded. Failures worth a retry (connection refused, timeouts, HTTP 408/429/5xx) are
// Status::Unavailable, which AgentRuntime::CallModel retries and records as retries.
#ifndef BATON_HARNESS_RUNTIME_OPENAI_CLIENT_H_
#define BATON_HARNESS_RUNTIME_OPENAI_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>

#include "base/clock.h"
#include "harness/runtime/model_client.h"

namespace baton {

enum class Streaming { kOff, kOn };

struct OpenAiClientOptions {
  std::string base_url = "https://api.openai.com/v1";  // ".../chat/completions" is appended.
  std::string api_key_env = "OPENAI_API_KEY";          // Empty: no Authorization header.
  Streaming streaming = Streaming::kOff;
  std::chrono::milliseconds timeout{60'000};  // For the whole call, streaming included.
};

class OpenAiChatClient final : public ModelClient {
 public:
  // Fails on a base URL that is not http:// or https://.
  static Result<std::unique_ptr<OpenAiChatClient>> Create(OpenAiClientOptions options);
  ~OpenAiChatClient() override;

  // Runs its own KJ event loop on the calling thread for the length of the call, so any
  // agent thread may call it (a thread that already runs a KJ loop may not).
  Result<ModelResponse> Complete(const ModelRequest& request) override;

  // The request body this client sends for `request` (exposed for tests and the proxy).
  std::string RequestBody(const ModelRequest& request) const;

 private:
  explicit OpenAiChatClient(OpenAiClientOptions options);
  OpenAiClientOptions options_;
  std::unique_ptr<Clock> clock_;  // For the arrival offsets of streamed chunks.
};

// Parses a non-streamed chat-completions response body. Corruption naming the problem.
Result<ModelResponse> ParseChatCompletion(const std::string& body);

}  // namespace baton

#endif  // BATON_HARNESS_RUNTIME_OPENAI_CLIENT_H_
