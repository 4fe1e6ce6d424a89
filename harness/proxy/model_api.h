// The model APIs the proxy understands, as baton events: which API a request is for, its body
// as a ModelRequest (canonical: key order, whitespace and number spelling do not matter), and
// a response (whole, or the frames of an SSE stream) as a ModelResponse.
//
// Understood: OpenAI Chat Completions, Responses, Embeddings, Models, Anthropic Messages, and
// Google's Gemini API generateContent / streamGenerateContent (also as Vertex AI serves it).
// Anything else is an opaque exchange, recorded and replayed by its bytes.
#ifndef BATON_HARNESS_PROXY_MODEL_API_H_
#define BATON_HARNESS_PROXY_MODEL_API_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "recorder/event.h"
#include "replayer/trace.h"

namespace baton::proxy {

enum class ModelApi {
  kOpenAiChat,
  kOpenAiResponses,
  kOpenAiEmbeddings,
  kOpenAiModels,
  kAnthropicMessages,
  kGeminiGenerateContent,  // POST .../models/M:generateContent or :streamGenerateContent.
  kOpaque,
};
std::string_view ModelApiName(ModelApi api);  // "openai.chat", ..., "http"
// By the path (its query string ignored) and method.
ModelApi ClassifyRequest(std::string_view method, std::string_view path);
// The deployment an Azure OpenAI path names (".../openai/deployments/NAME/chat/completions",
// or ".../deployments/NAME/..." under a base URL that ends before it, as the SDKs' Azure
// clients build it), which is the model of a request whose body names none; "" otherwise.
std::string AzureDeploymentOf(std::string_view path);
// The vendor a request goes to (its upstream, and the shape of the errors the proxy answers
// with): Anthropic for its Messages path or when it carries Anthropic's headers, Google for
// the Gemini API or when it carries Google's API key header (x-goog-api-key), OpenAI (and
// compatible APIs) otherwise.
enum class Vendor { kOpenAi, kAnthropic, kGoogle };
struct VendorHeaders {
  bool anthropic = false;  // anthropic-version or x-api-key
  bool google = false;     // x-goog-api-key
};
Vendor VendorOf(ModelApi api, VendorHeaders headers);

// The request fields that are transport, not meaning: left out of replay matching by
// default (baton proxy --help lists them).
const std::vector<std::string>& TransportOnlyParameters();
// TransportOnlyParameters as Normalizers::ignored_fields paths.
std::vector<std::string> TransportOnlyIgnoredFields();

struct ParsedRequest {
  ModelRequest request;
  std::string system_prompt;  // Instructions / system message: who is asking.
  // Tool results the request carries: (tool_call_id, content), for tool-call events.
  std::vector<std::pair<std::string, std::string>> tool_results;
};

// Where a message's members other than role, content, name and tool_call_id go.
enum class MessageExtras {
  kSeparate,      // ChatMessage::extra (what the proxy records).
  kAfterContent,  // After the content, following a newline: how recordings made before
                  // ChatMessage::extra existed hold them, so that they still match.
  kPortable,      // Tool calls in the portable form, tool results as tool messages, and
                  // nothing spans do not carry: how a session imported from spans holds
                  // them (harness/portable_tool_calls.h), so that a replay of it matches.
};

// A known API's JSON body as a ModelRequest. Corruption (naming the position) when the body
// is not JSON; a body that is JSON but not the API's shape is still stored, by its keys.
Result<ParsedRequest> ParseRequest(ModelApi api, std::string_view method, std::string_view path,
                                   std::string_view body,
                                   MessageExtras extras = MessageExtras::kSeparate);
// How the requests of `recording` hold their messages' extra members: kPortable for a
// session imported from spans; kAfterContent when no message of it has `extra` (a recording
// from before the field; for one without extra members the two agree).
MessageExtras MessageExtrasOf(const Trace& recording);
// An opaque exchange as a request: parameters "method" and "path", one "http" message.
ParsedRequest OpaqueRequest(std::string_view method, std::string_view path, std::string_view body);

// JSON text with object keys sorted, no whitespace, numbers in one spelling.
Result<std::string> CanonicalJson(std::string_view json);

// One Server-Sent Event's text: its "event:" name and its data lines joined.
struct SseEvent {
  std::string event;
  std::string data;
};
// Splits complete events ("...\n\n") off the front of `buffer`; what is left is incomplete.
std::vector<std::string> TakeSseFrames(std::string& buffer);
SseEvent ParseSseFrame(std::string_view frame);

// The response of a known API, from its whole body or from its stream's frames.
ModelResponse ParseResponseBody(ModelApi api, std::string_view body);
ModelResponse ParseResponseStream(ModelApi api, const std::vector<std::string>& frames);

// The id the API gave a response ("chatcmpl-...", "resp_...", "msg_...", Gemini's
// responseId), from its whole
// body or from its stream's first frames; "" when it has none.
std::string ResponseId(std::string_view body, const std::vector<std::string>& frames);

// A response body stored without the answer it repeats: the body holds the model's text,
// which the event already keeps as its response content. When the text appears in the body
// exactly as baton's JSON writer escapes it, it is replaced by a marker (bytes that cannot
// occur in JSON), and FillBody puts it back byte for byte. Otherwise the body is kept whole.
std::string TemplateBody(const std::string& body, const std::string& content);
std::string FillBody(const std::string& templated, const std::string& content);

// A response in the shape of `api` built from a model call that carries no HTTP exchange
// (recorded on the runtime, or imported from spans): the body of a plain answer, or the
// frames of a streamed one ("data: ...\n\n" events, as the vendor sends them). What the
// source did not record (ids, timestamps) is filled with fixed values.
std::string SynthesizedResponseBody(ModelApi api, const std::string& model, const std::string& id,
                                    const ModelResponse& response);
std::vector<std::string> SynthesizedResponseFrames(ModelApi api, const std::string& model,
                                                   const std::string& id,
                                                   const ModelResponse& response);

}  // namespace baton::proxy

#endif  // BATON_HARNESS_PROXY_MODEL_API_H_
