// The OpenAI Agents SDK's own traces, as it posts them to `/v1/traces/ingest` when its
// exporter's endpoint is the proxy: `{"data": [trace, span, ...]}`, each span with `id`,
// `parent_id`, `started_at` and `span_data` of a type: `agent` (name), `response`
// (response_id: a Responses API answer made under it), `generation` (output[0].id: a Chat
// Completions answer), `handoff` (from_agent, to_agent). A batch may hold a span whose
// parent came in an earlier or later batch, so spans are gathered first and read after.
// They name agents exactly, where the proxy infers them (agent_inference.h): the proxy
// uses them to confirm its inference at the end of a recording.
#ifndef BATON_HARNESS_PROXY_SDK_TRACES_H_
#define BATON_HARNESS_PROXY_SDK_TRACES_H_

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"

namespace baton::proxy {

// "Billing Agent" and "billing_agent" are one name: the SDKs derive an agent's handoff tool
// (transfer_to_<name>) by turning what is not a letter or digit into '_' (the Python SDK
// also lower-cases it), so names compare in that form.
std::string SdkAgentKey(std::string_view name);

class SdkTraceIndex {
 public:
  // Spans kept at most; a longer session keeps its first spans (bounded memory).
  static constexpr size_t kMaxSpans = 1u << 20;

  // Adds the spans of one ingest body. A body that is not JSON, or not `{"data": [...]}`,
  // is an error naming what is wrong; items that are not spans, or spans of other types,
  // are passed over.
  Status Add(std::string_view body);

  // The name of the agent span each answer (by response id) was made under.
  std::map<std::string, std::string> AgentOfResponse() const;
  // Handoff spans as (from agent, to agent), in the order they started.
  std::vector<std::pair<std::string, std::string>> Handoffs() const;
  size_t span_count() const { return spans_.size(); }

 private:
  struct Span {
    std::string parent;
    std::string type;
    std::string name;         // agent
    std::string response_id;  // response, generation
    std::string from, to;     // handoff
    std::string started_at;
  };
  std::unordered_map<std::string, Span> spans_;
};

}  // namespace baton::proxy

#endif  // BATON_HARNESS_PROXY_SDK_TRACES_H_
