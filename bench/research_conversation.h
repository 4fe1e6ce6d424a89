// A 4-agent research team's conversation, played as real OpenAI Chat Completions traffic
// against a fake upstream, for measuring what the proxy records. The content is the
// synthetic prose of `baton synth` at the same sizes (1,200-byte handoffs and answers,
// 2,400-byte tool results, 1,500-byte system prompts), so a proxied session compares with
// the runtime's sessions; the upstream's bodies are shaped as OpenAI's are (pretty-printed
// completions, one SSE chunk per token with ids and usage, request ids in headers).
#ifndef BATON_BENCH_RESEARCH_CONVERSATION_H_
#define BATON_BENCH_RESEARCH_CONVERSATION_H_

#include <functional>
#include <string>

#include "tests/testing/fake_openai_server.h"

namespace baton::bench {

struct ConversationOptions {
  int turns = 200;  // Handoffs; a turn with a tool call makes two model calls.
  uint64_t seed = 1;
};

// Plays the conversation: each request is queued on `upstream`'s answer, then posted to
// `base_url` (e.g. the proxy's "http://127.0.0.1:N/v1"). `after_call` runs after each
// answer is read (the bench flushes the recorder there, as a slow upstream would make it).
// Returns the number of model calls.
int PlayResearchConversation(testing::FakeOpenAiServer& upstream, const std::string& base_url,
                             const ConversationOptions& options,
                             const std::function<void()>& after_call);

}  // namespace baton::bench

#endif  // BATON_BENCH_RESEARCH_CONVERSATION_H_
