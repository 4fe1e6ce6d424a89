// libFuzzer target: the proxy's parsers on untrusted bytes. Every request body a client sends
// and every response or stream frame an upstream sends goes through these; none may crash,
// hang or read out of bounds, whatever the bytes.
//
// Also the Agents SDK's trace posts (sdk_traces.h). The first byte chooses the API; the rest is the
// body (and, split on its blank lines, a stream). Build: scripts/fuzz (clang, -DBATON_FUZZ=ON);
// seeds: fuzz/seeds/proxy_request/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/portable_tool_calls.h"
#include "harness/proxy/agent_inference.h"
#include "harness/proxy/model_api.h"
#include "harness/proxy/sdk_traces.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using baton::proxy::ModelApi;
  const auto api = static_cast<ModelApi>(data[0] % (static_cast<int>(ModelApi::kOpaque) + 1));
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  // Gemini's model and stream are read from the path.
  const char* path = api == ModelApi::kGeminiGenerateContent
                         ? "/v1beta/models/m:streamGenerateContent?alt=sse"
                         : "/v1/x";
  auto parsed = baton::proxy::ParseRequest(api, "POST", path, body);
  // Who asked: the agent named from the request's prompt, and a delegation found in it
  // after the same bytes, read as an answer, asked for tools.
  baton::proxy::AgentInference agents;
  if (parsed.ok()) {
    const std::string first = agents.Attribute("", *parsed, nullptr);
    agents.ObserveResponse(first, baton::proxy::ParseResponseBody(api, body));
    (void)agents.Attribute("", *parsed, nullptr);
  }
  // As read when replaying a session imported from spans (the portable form), whose tool
  // calls are read back as export reads a history's.
  auto portable =
      baton::proxy::ParseRequest(api, "POST", path, body, baton::proxy::MessageExtras::kPortable);
  if (portable.ok()) {
    simdjson::dom::parser parser;
    for (const baton::ChatMessage& m : portable->request.messages)
      (void)baton::ToolCallsOfExtra(m.extra, parser);
  }
  (void)baton::proxy::CanonicalJson(body);
  (void)baton::proxy::ParseResponseBody(api, body);
  std::string buffer(body);
  auto frames = baton::proxy::TakeSseFrames(buffer);
  for (const std::string& f : frames) (void)baton::proxy::ParseSseFrame(f);
  (void)baton::proxy::ParseResponseStream(api, frames);
  (void)baton::proxy::ResponseId(body, frames);
  (void)baton::proxy::ResponseId(body, {});
  // The Agents SDK's trace posts (`{"data": [spans]}`), and what is read from them.
  baton::proxy::SdkTraceIndex traces;
  (void)traces.Add(body);
  (void)traces.AgentOfResponse();
  (void)traces.Handoffs();
  return 0;
}
