#include "harness/proxy/model_api.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>

#include "base/json_writer.h"
#include "harness/canonical_json.h"
#include "harness/portable_tool_calls.h"

namespace baton::proxy {
namespace {

using simdjson::dom::element;

// Canonical JSON: key order, whitespace and number spelling do not make two requests differ.
std::string Canonical(element e) { return CanonicalJsonOf(e); }

std::string StringOr(element obj, const char* key, std::string fallback = "") {
  auto v = obj[key];
  if (v.error() != simdjson::SUCCESS) return fallback;
  if (v.value().is_string()) return std::string(std::string_view(v.value().get_string()));
  if (v.value().is_null()) return fallback;
  return Canonical(v.value());
}

bool Has(element obj, const char* key) {
  return obj.is_object() && obj[key].error() == simdjson::SUCCESS;
}

uint64_t UintOr(element obj, const char* key) {
  auto v = obj[key];
  if (v.error() != simdjson::SUCCESS) return 0;
  if (v.value().is_uint64()) return uint64_t(v.value().get_uint64());
  if (v.value().is_int64())
    return static_cast<uint64_t>(std::max<int64_t>(0, v.value().get_int64()));
  if (v.value().is_double())
    return static_cast<uint64_t>(std::max(0.0, double(v.value().get_double())));
  return 0;
}

// A message's content: its text when it is text (or a list of text parts), else canonical
// JSON, so that images, tool calls and other parts still take part in matching.
std::string ContentText(element content) {
  if (content.is_string()) return std::string(std::string_view(content.get_string()));
  if (content.is_array()) {
    std::string text;
    bool all_text = true;
    for (auto part : content.get_array()) {
      if (!part.is_object()) {
        all_text = false;
        break;
      }
      std::string type = StringOr(part, "type");
      if ((type == "text" || type == "input_text" || type == "output_text") && Has(part, "text")) {
        text += StringOr(part, "text");
      } else {
        all_text = false;
        break;
      }
    }
    if (all_text) return text;
  }
  if (content.is_null()) return "";
  return Canonical(content);
}

// A chat message: role, content, name, tool_call_id; any other member (tool_calls, audio,
// refusal...) is kept as canonical JSON in `extra` (or, for a recording made before that
// field, after the text), so nothing escapes matching.
ChatMessage MessageOf(element m, ParsedRequest& out, MessageExtras extras) {
  ChatMessage msg;
  if (!m.is_object()) {
    msg.role = "item";
    msg.content = Canonical(m);
    return msg;
  }
  msg.role = StringOr(m, "role", StringOr(m, "type"));
  msg.name = StringOr(m, "name");
  msg.tool_call_id = StringOr(m, "tool_call_id", StringOr(m, "call_id"));
  std::string text;
  if (Has(m, "content")) text = ContentText(m["content"].value());
  std::map<std::string, std::string> extra;
  for (auto f : m.get_object()) {
    std::string_view k = f.key;
    if (k == "role" || k == "content" || k == "name" || k == "tool_call_id") continue;
    if (k == "call_id" || (k == "type" && msg.role == StringOr(m, "type"))) continue;
    extra.emplace(std::string(k), Canonical(f.value));
  }
  if (!extra.empty()) {
    JsonWriter w;
    w.BeginObject();
    for (const auto& [k, v] : extra) w.Key(k).Raw(v);
    w.EndObject();
    if (extras == MessageExtras::kSeparate) {
      msg.extra = w.Take();
    } else {
      text += (text.empty() ? "" : "\n") + w.Take();
    }
  }
  // Anthropic carries tool results as content blocks of a user message.
  if (m["content"].error() == simdjson::SUCCESS && m["content"].value().is_array()) {
    for (auto part : m["content"].value().get_array())
      if (part.is_object() && StringOr(part, "type") == "tool_result")
        out.tool_results.emplace_back(
            StringOr(part, "tool_use_id"),
            Has(part, "content") ? ContentText(part["content"].value()) : "");
  }
  if (msg.role == "tool" || msg.role == "function_call_output")
    out.tool_results.emplace_back(msg.tool_call_id,
                                  msg.role == "tool" ? text : StringOr(m, "output"));
  msg.content = std::move(text);
  return msg;
}

// A message as a session imported from spans holds it (harness/portable_tool_calls.h): its
// text, its tool calls in the portable form, and each tool result a message of role tool,
// whether the API sends them as Chat Completions' tool_calls and tool messages, Anthropic's
// tool_use and tool_result blocks, or Responses' function_call and function_call_output
// items. What spans do not carry (images, thinking blocks, refusal and annotations echoed
// back) is left out, so that it cannot fail a match that the spans could not have made.
void AppendPortableMessages(element m, ParsedRequest& out, simdjson::dom::parser& parser) {
  MessageList& messages = out.request.messages;
  if (!m.is_object()) {
    messages.push_back({"item", Canonical(m), "", ""});
    return;
  }
  auto add_result = [&](std::string id, std::string text) {
    out.tool_results.emplace_back(id, text);
    messages.push_back({"tool", std::move(text), "", std::move(id)});
  };
  const std::string type = StringOr(m, "type");
  if (type == "function_call_output") {
    element output;
    add_result(StringOr(m, "call_id"),
               m["output"].get(output) == simdjson::SUCCESS ? ContentText(output) : "");
    return;
  }
  std::vector<ToolCallRequest> calls;
  std::string role = StringOr(m, "role", type);
  if (type == "function_call") {
    role = "assistant";
    calls.push_back(
        {StringOr(m, "call_id", StringOr(m, "id")), StringOr(m, "name"), StringOr(m, "arguments")});
  }
  std::string text;
  bool has_results = false;  // Content blocks that are tool results.
  bool has_other = false;    // And blocks that are not.
  if (element content; m["content"].get(content) == simdjson::SUCCESS) {
    if (!content.is_array()) {
      text = ContentText(content);
    } else {
      for (auto part : content.get_array()) {
        const std::string kind = StringOr(part, "type");
        if (kind == "tool_use") {
          element input;
          calls.push_back({StringOr(part, "id"), StringOr(part, "name"),
                           part["input"].get(input) == simdjson::SUCCESS ? Canonical(input) : ""});
        } else if (kind == "tool_result") {
          element result;
          add_result(StringOr(part, "tool_use_id"),
                     part["content"].get(result) == simdjson::SUCCESS ? ContentText(result) : "");
          has_results = true;
          continue;
        } else if (kind == "text" || kind == "input_text" || kind == "output_text") {
          text += StringOr(part, "text");
        } else if (part.is_string()) {
          text += std::string_view(part.get_string());
        }
        has_other = true;
      }
    }
  }
  if (element list; m["tool_calls"].get(list) == simdjson::SUCCESS && list.is_array())
    for (auto c : list.get_array()) {
      element fn;
      const element named = c["function"].get(fn) == simdjson::SUCCESS ? fn : c;
      calls.push_back({StringOr(c, "id"), StringOr(named, "name"), StringOr(named, "arguments")});
    }
  if (has_results && !has_other && calls.empty()) return;  // Only tool_result blocks.
  // A function_call item's name is its function's, not an author's.
  ChatMessage msg{role, std::move(text), type == "function_call" ? "" : StringOr(m, "name"),
                  StringOr(m, "tool_call_id")};
  msg.extra = PortableToolCallsExtra(calls, parser);
  if (msg.role == "tool") out.tool_results.emplace_back(msg.tool_call_id, msg.content.text);
  messages.push_back(std::move(msg));
}

ToolSpec ToolOf(element t) {
  ToolSpec spec;
  element fn = t;
  if (Has(t, "function") && t["function"].value().is_object()) fn = t["function"].value();
  spec.name = StringOr(fn, "name", StringOr(t, "type"));
  spec.description = StringOr(fn, "description");
  if (Has(fn, "parameters")) {
    spec.parameters_json = Canonical(fn["parameters"].value());
  } else if (Has(fn, "input_schema")) {
    spec.parameters_json = Canonical(fn["input_schema"].value());
  } else {
    spec.parameters_json = Canonical(t);
  }
  return spec;
}

// --- Gemini ------------------------------------------------------------------------
// The REST API takes its members in lowerCamelCase or in snake_case (the proto JSON
// mapping); the SDKs send the former.
bool GeminiMember(element obj, std::string_view camel, std::string_view snake, element& out) {
  if (!obj.is_object()) return false;
  return obj[camel].get(out) == simdjson::SUCCESS || obj[snake].get(out) == simdjson::SUCCESS;
}

// The model named by a Gemini path: ".../models/M:generateContent", as Google AI and Vertex
// AI (".../publishers/google/models/M:...") spell it.
std::string GeminiModelOf(std::string_view path) {
  path = path.substr(0, path.find('?'));
  const size_t at = path.rfind("/models/");
  if (at == std::string_view::npos) return "";
  std::string_view model = path.substr(at + 8);
  return std::string(model.substr(0, model.find(':')));
}

// A tool call's id: Gemini's functionCall carries one only in newer API versions; without
// it, its result (functionResponse) names the function, so the name joins them. Parallel
// calls of one function without ids ("weather" for two cities) are told apart by order, as
// Gemini pairs them: the answer's k-th call of a function and the k-th response to it in the
// next request are "name#k" (k >= 2; the first is "name"). `seen` counts the calls of each
// function without an id in one answer, or the responses in one request's content.
std::string GeminiCallId(element call, std::map<std::string, int, std::less<>>& seen) {
  std::string id = StringOr(call, "id");
  if (!id.empty()) return id;
  std::string name = StringOr(call, "name");
  const int k = ++seen[name];
  return k == 1 ? name : name + "#" + std::to_string(k);
}

// Whether `id` is one GeminiCallId made for a call of `name` that had none.
bool IsGeminiIdOfName(std::string_view id, std::string_view name) {
  if (!id.starts_with(name)) return false;
  std::string_view rest = id.substr(name.size());
  if (rest.empty()) return true;
  if (rest.size() < 2 || rest[0] != '#') return false;
  for (char c : rest.substr(1))
    if (c < '0' || c > '9') return false;
  return true;
}

// A Content's parts: the text of its text parts; the function calls and responses; and
// every part that is not text or a response (a function call, inline data, a thought), in
// order.
struct GeminiParts {
  std::string text;
  std::vector<element> function_calls;
  std::vector<element> function_responses;
  std::vector<element> others;
};
GeminiParts PartsOf(element content) {
  GeminiParts out;
  element parts;
  if (!GeminiMember(content, "parts", "parts", parts) || !parts.is_array()) return out;
  for (auto part : parts.get_array()) {
    element inner;
    const bool thought = Has(part, "thought") && part["thought"].value().is_bool() &&
                         bool(part["thought"].value().get_bool());
    if (GeminiMember(part, "functionResponse", "function_response", inner)) {
      out.function_responses.push_back(inner);
      continue;
    }
    if (!thought && Has(part, "text") && part["text"].value().is_string()) {
      out.text += std::string_view(part["text"].value().get_string());
      continue;
    }
    if (GeminiMember(part, "functionCall", "function_call", inner))
      out.function_calls.push_back(inner);
    out.others.push_back(part);
  }
  return out;
}

// A generateContent body: contents (role "model" is the assistant; function responses are
// tool results), systemInstruction, tools (functionDeclarations, and built-in tools by
// their key); everything else (generationConfig, safetySettings, toolConfig...) is a
// parameter. The model and whether it streams are in the path.
void ReadGeminiRequest(std::string_view path, element doc, ParsedRequest& out,
                       MessageExtras extras) {
  ModelRequest& r = out.request;
  r.model = GeminiModelOf(path);
  r.stream = path.substr(0, path.find('?')).ends_with(":streamGenerateContent");
  if (element system; GeminiMember(doc, "systemInstruction", "system_instruction", system)) {
    out.system_prompt = system.is_string() ? std::string(std::string_view(system.get_string()))
                                           : PartsOf(system).text;
    r.messages.push_back({"system", out.system_prompt, "", ""});
  }
  element contents;
  if (GeminiMember(doc, "contents", "contents", contents)) {
    auto add = [&](element c) {
      std::string role = StringOr(c, "role", "user");
      if (role == "model") role = "assistant";
      GeminiParts parts = PartsOf(c);
      const bool portable_content =
          extras == MessageExtras::kPortable && !parts.function_calls.empty();
      if (!parts.text.empty() || portable_content ||
          (extras != MessageExtras::kPortable && !parts.others.empty()) ||
          parts.function_responses.empty()) {
        ChatMessage msg{role, parts.text, "", ""};
        if (extras == MessageExtras::kPortable) {
          // The function calls alone, named as the answer that made them named them.
          std::vector<ToolCallRequest> calls;
          std::map<std::string, int, std::less<>> calls_seen;
          for (element fc : parts.function_calls) {
            element args;
            calls.push_back({GeminiCallId(fc, calls_seen), StringOr(fc, "name"),
                             GeminiMember(fc, "args", "args", args) ? Canonical(args) : ""});
          }
          simdjson::dom::parser arguments_parser;  // The body's parser holds `c`.
          msg.extra = PortableToolCallsExtra(calls, arguments_parser);
        } else if (!parts.others.empty()) {
          std::string extra = "{\"parts\":[";
          for (size_t i = 0; i < parts.others.size(); ++i)
            extra += (i ? "," : "") + Canonical(parts.others[i]);
          extra += "]}";
          if (extras == MessageExtras::kSeparate) {
            msg.extra = std::move(extra);
          } else {
            msg.content = parts.text + (parts.text.empty() ? "" : "\n") + extra;
          }
        }
        r.messages.push_back(std::move(msg));
      }
      std::map<std::string, int, std::less<>> responses_seen;
      for (element fr : parts.function_responses) {
        element result;
        std::string text =
            GeminiMember(fr, "response", "response", result) ? Canonical(result) : "";
        ChatMessage tool{"tool", text, StringOr(fr, "name"), GeminiCallId(fr, responses_seen)};
        out.tool_results.emplace_back(tool.tool_call_id, text);
        r.messages.push_back(std::move(tool));
      }
    };
    if (contents.is_array()) {
      for (auto c : contents.get_array()) add(c);
    } else {
      add(contents);
    }
  }
  if (element tools; GeminiMember(doc, "tools", "tools", tools) && tools.is_array()) {
    for (auto t : tools.get_array()) {
      if (!t.is_object()) continue;
      for (auto f : t.get_object()) {
        std::string_view k = f.key;
        if ((k == "functionDeclarations" || k == "function_declarations") && f.value.is_array()) {
          for (auto fn : f.value.get_array()) {
            ToolSpec spec;
            spec.name = StringOr(fn, "name");
            spec.description = StringOr(fn, "description");
            element schema;
            if (GeminiMember(fn, "parameters", "parameters", schema) ||
                GeminiMember(fn, "parametersJsonSchema", "parameters_json_schema", schema))
              spec.parameters_json = Canonical(schema);
            r.tools.push_back(std::move(spec));
          }
        } else {  // googleSearch, codeExecution, retrieval...
          r.tools.push_back({std::string(k), "", Canonical(f.value)});
        }
      }
    }
  }
  for (auto f : doc.get_object()) {
    std::string_view k = f.key;
    if (k == "contents" || k == "systemInstruction" || k == "system_instruction" || k == "tools")
      continue;
    r.parameters.push_back({std::string(k), Canonical(f.value)});
  }
}

}  // namespace

std::string_view ModelApiName(ModelApi api) {
  switch (api) {
    case ModelApi::kOpenAiChat:
      return "openai.chat";
    case ModelApi::kOpenAiResponses:
      return "openai.responses";
    case ModelApi::kOpenAiEmbeddings:
      return "openai.embeddings";
    case ModelApi::kOpenAiModels:
      return "openai.models";
    case ModelApi::kAnthropicMessages:
      return "anthropic.messages";
    case ModelApi::kGeminiGenerateContent:
      return "gemini.generate_content";
    case ModelApi::kOpaque:
      return "http";
  }
  return "http";
}

ModelApi ClassifyRequest(std::string_view method, std::string_view path) {
  std::string_view p = path.substr(0, path.find('?'));
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  if (method == "POST") {
    if (p.ends_with("/chat/completions")) return ModelApi::kOpenAiChat;
    if (p.ends_with("/responses")) return ModelApi::kOpenAiResponses;
    if (p.ends_with("/embeddings")) return ModelApi::kOpenAiEmbeddings;
    if (p.ends_with("/messages")) return ModelApi::kAnthropicMessages;
    if (p.ends_with(":generateContent") || p.ends_with(":streamGenerateContent"))
      return ModelApi::kGeminiGenerateContent;
  }
  if (method == "GET" && (p.ends_with("/models") || p.find("/models/") != std::string_view::npos))
    return ModelApi::kOpenAiModels;
  return ModelApi::kOpaque;
}

std::string AzureDeploymentOf(std::string_view path) {
  path = path.substr(0, path.find('?'));
  constexpr std::string_view kDeployments = "/deployments/";
  const size_t at = path.find(kDeployments);
  if (at == std::string_view::npos) return "";
  std::string_view name = path.substr(at + kDeployments.size());
  return std::string(name.substr(0, name.find('/')));
}

Vendor VendorOf(ModelApi api, VendorHeaders headers) {
  if (api == ModelApi::kAnthropicMessages) return Vendor::kAnthropic;
  if (api == ModelApi::kGeminiGenerateContent) return Vendor::kGoogle;
  if (headers.anthropic) return Vendor::kAnthropic;
  if (headers.google) return Vendor::kGoogle;
  return Vendor::kOpenAi;
}

const std::vector<std::string>& TransportOnlyParameters() {
  static const std::vector<std::string> kFields = {"stream_options",
                                                   "user",
                                                   "metadata",
                                                   "store",
                                                   "prompt_cache_key",
                                                   "service_tier",
                                                   "safety_identifier",
                                                   "parallel_tool_calls_hint",
                                                   "include",
                                                   "background",
                                                   "truncation_strategy_hint"};
  return kFields;
}

std::vector<std::string> TransportOnlyIgnoredFields() {
  std::vector<std::string> out = {"request.headers"};
  for (const std::string& f : TransportOnlyParameters()) out.push_back("request.parameters." + f);
  return out;
}

Result<std::string> CanonicalJson(std::string_view json) {
  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc); err != simdjson::SUCCESS)
    return Status::Corruption(std::string("not valid JSON: ") + simdjson::error_message(err));
  return Canonical(doc);
}

ParsedRequest OpaqueRequest(std::string_view method, std::string_view path, std::string_view body) {
  ParsedRequest out;
  out.request.parameters = {{"method", std::string(method)}, {"path", std::string(path)}};
  out.request.messages.push_back({"http", std::string(body), "", ""});
  return out;
}

namespace {
// OpenAI's and Anthropic's bodies: model, stream, the system prompt, messages or input,
// tools; everything else is a parameter.
void ReadChatLikeRequest(element doc, ParsedRequest& out, MessageExtras extras) {
  ModelRequest& r = out.request;
  r.model = StringOr(doc, "model");
  if (Has(doc, "stream") && doc["stream"].value().is_bool())
    r.stream = bool(doc["stream"].value().get_bool());
  // The system prompt: Chat's first system/developer message, Responses' instructions,
  // Anthropic's system.
  if (Has(doc, "instructions")) {
    out.system_prompt = StringOr(doc, "instructions");
    r.messages.push_back({"system", out.system_prompt, "", ""});
  }
  if (Has(doc, "system")) {
    out.system_prompt = ContentText(doc["system"].value());
    r.messages.push_back({"system", out.system_prompt, "", ""});
  }
  for (const char* list : {"messages", "input"}) {
    if (!Has(doc, list)) continue;
    element items = doc[list].value();
    if (items.is_string()) {
      r.messages.push_back({"user", std::string(std::string_view(items.get_string())), "", ""});
      continue;
    }
    if (!items.is_array()) {
      r.messages.push_back({list, Canonical(items), "", ""});
      continue;
    }
    // Tool arguments are made canonical with a parser of their own: the body's holds `m`.
    std::unique_ptr<simdjson::dom::parser> arguments_parser;
    for (auto m : items.get_array()) {
      if (extras == MessageExtras::kPortable) {
        if (!arguments_parser) arguments_parser = std::make_unique<simdjson::dom::parser>();
        AppendPortableMessages(m, out, *arguments_parser);
        const size_t n = r.messages.size();
        if (out.system_prompt.empty() && n > 0 &&
            (r.messages[n - 1].role == "system" || r.messages[n - 1].role == "developer"))
          out.system_prompt = r.messages[n - 1].content.text;
        continue;
      }
      ChatMessage msg = MessageOf(m, out, extras);
      if (out.system_prompt.empty() && (msg.role == "system" || msg.role == "developer"))
        out.system_prompt = msg.content.text;
      r.messages.push_back(std::move(msg));
    }
  }
  if (Has(doc, "tools") && doc["tools"].value().is_array())
    for (auto t : doc["tools"].value().get_array()) r.tools.push_back(ToolOf(t));
  for (auto f : doc.get_object()) {
    std::string_view k = f.key;
    if (k == "model" || k == "stream" || k == "messages" || k == "input" || k == "instructions" ||
        k == "system" || k == "tools")
      continue;
    r.parameters.push_back({std::string(k), Canonical(f.value)});
  }
}
}  // namespace

Result<ParsedRequest> ParseRequest(ModelApi api, std::string_view method, std::string_view path,
                                   std::string_view body, MessageExtras extras) {
  if (api == ModelApi::kOpaque) return OpaqueRequest(method, path, body);
  ParsedRequest out;
  if (body.empty()) {  // GET /models and the like.
    out.request.parameters = {{"path", std::string(path)}};
    return out;
  }
  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc); err != simdjson::SUCCESS)
    return Status::Corruption(std::string("the request body is not valid JSON: ") +
                              simdjson::error_message(err));
  if (!doc.is_object()) return Status::Corruption("the request body is not a JSON object");
  if (api == ModelApi::kGeminiGenerateContent) {
    ReadGeminiRequest(path, doc, out, extras);
  } else {
    ReadChatLikeRequest(doc, out, extras);
    // Azure OpenAI names the model by its deployment, in the path; the body has none.
    if (out.request.model.empty()) out.request.model = AzureDeploymentOf(path);
  }
  std::sort(out.request.parameters.begin(), out.request.parameters.end(),
            [](const KeyValue& a, const KeyValue& b) { return a.key < b.key; });
  return out;
}

std::vector<std::string> TakeSseFrames(std::string& buffer) {
  std::vector<std::string> frames;
  size_t start = 0;
  while (true) {
    size_t lf = buffer.find("\n\n", start);
    size_t crlf = buffer.find("\r\n\r\n", start);
    size_t end = std::min(lf == std::string::npos ? lf : lf + 2,
                          crlf == std::string::npos ? crlf : crlf + 4);
    if (end == std::string::npos) break;
    frames.push_back(buffer.substr(start, end - start));
    start = end;
  }
  buffer.erase(0, start);
  return frames;
}

SseEvent ParseSseFrame(std::string_view frame) {
  SseEvent e;
  size_t pos = 0;
  while (pos < frame.size()) {
    size_t nl = frame.find('\n', pos);
    std::string_view line = frame.substr(pos, nl == std::string_view::npos ? frame.npos : nl - pos);
    pos = nl == std::string_view::npos ? frame.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto value = [&](std::string_view field) {
      std::string_view v = line.substr(field.size());
      if (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      return v;
    };
    if (line.rfind("data:", 0) == 0) {
      if (!e.data.empty()) e.data += '\n';
      e.data += value("data:");
    } else if (line.rfind("event:", 0) == 0) {
      e.event = value("event:");
    }
  }
  return e;
}

namespace {

void ReadChatChoice(element choice, ModelResponse& out, bool delta) {
  element msg = choice;
  const char* key = delta ? "delta" : "message";
  if (Has(choice, key)) msg = choice[key].value();
  if (Has(msg, "content") && msg["content"].value().is_string())
    out.content.text += std::string_view(msg["content"].value().get_string());
  if (Has(msg, "tool_calls") && msg["tool_calls"].value().is_array()) {
    for (auto tc : msg["tool_calls"].value().get_array()) {
      size_t index = delta ? UintOr(tc, "index") : out.tool_calls.size();
      if (out.tool_calls.size() <= index) out.tool_calls.resize(index + 1);
      ToolCallRequest& call = out.tool_calls[index];
      if (Has(tc, "id")) call.id = StringOr(tc, "id");
      if (Has(tc, "function")) {
        element fn = tc["function"].value();
        if (Has(fn, "name") && !StringOr(fn, "name").empty()) call.name = StringOr(fn, "name");
        call.arguments_json.text += StringOr(fn, "arguments");
      }
    }
  }
  if (Has(choice, "finish_reason") && choice["finish_reason"].value().is_string())
    out.finish_reason = StringOr(choice, "finish_reason");
}

void ReadUsage(element obj, ModelResponse& out) {
  if (!Has(obj, "usage") || !obj["usage"].value().is_object()) return;
  element u = obj["usage"].value();
  uint64_t in = UintOr(u, "prompt_tokens") + UintOr(u, "input_tokens");
  uint64_t outp = UintOr(u, "completion_tokens") + UintOr(u, "output_tokens");
  if (in > 0) out.usage.prompt_tokens = in;
  if (outp > 0) out.usage.completion_tokens = outp;
  out.usage.total_tokens = UintOr(u, "total_tokens");
  if (out.usage.total_tokens == 0)
    out.usage.total_tokens = out.usage.prompt_tokens + out.usage.completion_tokens;
}

// A Responses API response object (whole, or inside response.completed).
void ReadResponsesObject(element resp, ModelResponse& out) {
  if (Has(resp, "output") && resp["output"].value().is_array()) {
    for (auto item : resp["output"].value().get_array()) {
      std::string type = StringOr(item, "type");
      if (type == "message" && Has(item, "content")) {
        out.content.text += ContentText(item["content"].value());
      } else if (type == "function_call") {
        out.tool_calls.push_back(
            {StringOr(item, "call_id"), StringOr(item, "name"), StringOr(item, "arguments")});
      }
    }
  }
  out.finish_reason = StringOr(resp, "status");
  ReadUsage(resp, out);
}

void ReadAnthropicMessage(element msg, ModelResponse& out) {
  if (Has(msg, "content") && msg["content"].value().is_array()) {
    for (auto block : msg["content"].value().get_array()) {
      std::string type = StringOr(block, "type");
      if (type == "text") out.content.text += StringOr(block, "text");
      if (type == "tool_use")
        out.tool_calls.push_back({StringOr(block, "id"), StringOr(block, "name"),
                                  Has(block, "input") ? Canonical(block["input"].value()) : ""});
    }
  }
  if (Has(msg, "stop_reason")) out.finish_reason = StringOr(msg, "stop_reason");
  ReadUsage(msg, out);
}

// A GenerateContentResponse, whole or one chunk of a stream: its first candidate's text
// (thoughts left out: reasoning, not the answer) and function calls are added to `out`;
// its finish reason and usage, when it has them, replace what came before (a stream
// repeats its usage so far in later chunks).
void ReadGeminiResponse(element doc, ModelResponse& out,
                        std::map<std::string, int, std::less<>>& calls_seen) {
  element candidates;
  if (GeminiMember(doc, "candidates", "candidates", candidates) && candidates.is_array()) {
    for (auto c : candidates.get_array()) {
      element content;
      if (GeminiMember(c, "content", "content", content)) {
        GeminiParts parts = PartsOf(content);
        out.content.text += parts.text;
        for (element call : parts.function_calls) {
          element args;
          out.tool_calls.push_back(
              {GeminiCallId(call, calls_seen), StringOr(call, "name"),
               GeminiMember(call, "args", "args", args) ? Canonical(args) : "{}"});
        }
      }
      element finish;
      if (GeminiMember(c, "finishReason", "finish_reason", finish) && finish.is_string())
        out.finish_reason = std::string(std::string_view(finish.get_string()));
      break;  // The first candidate is the answer the agent uses.
    }
  }
  if (element feedback; GeminiMember(doc, "promptFeedback", "prompt_feedback", feedback))
    if (element reason; GeminiMember(feedback, "blockReason", "block_reason", reason))
      out.finish_reason =
          "blocked: " + (reason.is_string() ? std::string(std::string_view(reason.get_string()))
                                            : Canonical(reason));
  if (element usage; GeminiMember(doc, "usageMetadata", "usage_metadata", usage)) {
    auto count = [&](const char* camel, const char* snake) {
      return UintOr(usage, Has(usage, camel) ? camel : snake);
    };
    out.usage.prompt_tokens = count("promptTokenCount", "prompt_token_count");
    // Thinking tokens are billed as output.
    out.usage.completion_tokens = count("candidatesTokenCount", "candidates_token_count") +
                                  count("thoughtsTokenCount", "thoughts_token_count");
    out.usage.total_tokens = count("totalTokenCount", "total_token_count");
    if (out.usage.total_tokens == 0)
      out.usage.total_tokens = out.usage.prompt_tokens + out.usage.completion_tokens;
  }
  if (Has(doc, "error")) out.finish_reason = "error";
}

}  // namespace

ModelResponse ParseResponseBody(ModelApi api, std::string_view body) {
  ModelResponse out;
  simdjson::dom::parser parser;
  element doc;
  const bool json = parser.parse(body.data(), body.size()).get(doc) == simdjson::SUCCESS;
  if (json && api == ModelApi::kGeminiGenerateContent && doc.is_array()) {
    // streamGenerateContent without alt=sse: the chunks as one JSON array.
    std::map<std::string, int, std::less<>> calls_seen;
    for (auto chunk : doc.get_array()) ReadGeminiResponse(chunk, out, calls_seen);
    return out;
  }
  if (!json || !doc.is_object()) {
    out.content = std::string(body);  // Not JSON: the text itself is the answer.
    return out;
  }
  switch (api) {
    case ModelApi::kOpenAiChat:
      if (Has(doc, "choices") && doc["choices"].value().is_array())
        for (auto c : doc["choices"].value().get_array()) {
          ReadChatChoice(c, out, /*delta=*/false);
          break;  // The first choice is the answer the agent uses.
        }
      ReadUsage(doc, out);
      break;
    case ModelApi::kOpenAiResponses:
      ReadResponsesObject(doc, out);
      break;
    case ModelApi::kAnthropicMessages:
      ReadAnthropicMessage(doc, out);
      break;
    case ModelApi::kGeminiGenerateContent: {
      std::map<std::string, int, std::less<>> calls_seen;
      ReadGeminiResponse(doc, out, calls_seen);
      break;
    }
    default:
      ReadUsage(doc, out);
      break;
  }
  if (Has(doc, "error")) out.finish_reason = "error";
  return out;
}

ModelResponse ParseResponseStream(ModelApi api, const std::vector<std::string>& frames) {
  ModelResponse out;
  simdjson::dom::parser parser;
  std::map<uint64_t, size_t> anthropic_tool_at;               // content block index -> tool call
  std::map<std::string, int, std::less<>> gemini_calls_seen;  // In every chunk of the answer.
  for (const std::string& frame : frames) {
    SseEvent e = ParseSseFrame(frame);
    if (e.data.empty() || e.data == "[DONE]") continue;
    element doc;
    if (parser.parse(e.data).get(doc) != simdjson::SUCCESS || !doc.is_object()) continue;
    std::string type = e.event.empty() ? StringOr(doc, "type") : e.event;
    if (api == ModelApi::kGeminiGenerateContent) {
      ReadGeminiResponse(doc, out, gemini_calls_seen);
    } else if (api == ModelApi::kOpenAiChat) {
      if (Has(doc, "choices") && doc["choices"].value().is_array())
        for (auto c : doc["choices"].value().get_array()) {
          if (UintOr(c, "index") == 0) ReadChatChoice(c, out, /*delta=*/true);
        }
      ReadUsage(doc, out);
    } else if (api == ModelApi::kOpenAiResponses) {
      if ((type == "response.completed" || type == "response.incomplete" ||
           type == "response.failed") &&
          Has(doc, "response")) {
        ModelResponse whole;
        ReadResponsesObject(doc["response"].value(), whole);
        out = std::move(whole);
      } else if (type == "response.output_text.delta") {
        out.content.text += StringOr(doc, "delta");
      }
    } else if (api == ModelApi::kAnthropicMessages) {
      if (type == "message_start" && Has(doc, "message")) {
        ReadUsage(doc["message"].value(), out);
      } else if (type == "content_block_start" && Has(doc, "content_block")) {
        element block = doc["content_block"].value();
        if (StringOr(block, "type") == "tool_use") {
          anthropic_tool_at[UintOr(doc, "index")] = out.tool_calls.size();
          out.tool_calls.push_back({StringOr(block, "id"), StringOr(block, "name"), ""});
        }
      } else if (type == "content_block_delta" && Has(doc, "delta")) {
        element d = doc["delta"].value();
        std::string dtype = StringOr(d, "type");
        if (dtype == "text_delta") out.content.text += StringOr(d, "text");
        if (dtype == "input_json_delta") {
          auto it = anthropic_tool_at.find(UintOr(doc, "index"));
          if (it != anthropic_tool_at.end())
            out.tool_calls[it->second].arguments_json.text += StringOr(d, "partial_json");
        }
      } else if (type == "message_delta") {
        if (Has(doc, "delta")) out.finish_reason = StringOr(doc["delta"].value(), "stop_reason");
        if (Has(doc, "usage")) {
          uint64_t o = UintOr(doc["usage"].value(), "output_tokens");
          if (o > 0) out.usage.completion_tokens = o;
          out.usage.total_tokens = out.usage.prompt_tokens + out.usage.completion_tokens;
        }
      } else if (type == "error") {
        out.finish_reason = "error";
      }
    }
  }
  return out;
}

namespace {
// \x01 may not appear raw in JSON text, inside strings or out: no body holds it by chance.
constexpr std::string_view kContentMarker = "\x01content\x01";

std::string Escaped(const std::string& text) {
  JsonWriter w;
  w.String(text);
  std::string quoted = w.Take();
  return quoted.substr(1, quoted.size() - 2);
}
}  // namespace

MessageExtras MessageExtrasOf(const Trace& recording) {
  if (recording.source() == "otlp") return MessageExtras::kPortable;
  // Each agent's calls share their history: only the messages a call added are looked at,
  // so a long session is read once, not once per turn.
  std::unordered_map<std::string, const MessageList*> previous;
  for (const Event& e : recording.events()) {
    const ModelCall* call = e.As<ModelCall>();
    if (call == nullptr) continue;
    const MessageList& messages = call->request.messages;
    const MessageList*& before = previous[e.agent];
    const size_t shared = before != nullptr ? MessageList::SharedPrefix(*before, messages) : 0;
    for (size_t i = shared; i < messages.size(); ++i)
      if (!messages[i].extra.empty()) return MessageExtras::kSeparate;
    before = &messages;
  }
  return MessageExtras::kAfterContent;
}

std::string ResponseId(std::string_view body, const std::vector<std::string>& frames) {
  simdjson::dom::parser parser;
  // Chat chunks carry it at the top; Responses' response.created in `response`; Anthropic's
  // message_start in `message`.
  auto id_of = [&](std::string_view json) -> std::string {
    element doc;
    if (json.empty() || parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS ||
        !doc.is_object())
      return "";
    if (std::string id = StringOr(doc, "id"); !id.empty()) return id;
    if (std::string id = StringOr(doc, "responseId"); !id.empty()) return id;
    for (const char* wrapper : {"response", "message"})
      if (element inner; doc[wrapper].get(inner) == simdjson::SUCCESS && inner.is_object())
        if (std::string id = StringOr(inner, "id"); !id.empty()) return id;
    return "";
  };
  if (frames.empty()) return id_of(body);
  for (size_t i = 0; i < frames.size() && i < 3; ++i)
    if (std::string id = id_of(ParseSseFrame(frames[i]).data); !id.empty()) return id;
  return "";
}

std::string TemplateBody(const std::string& body, const std::string& content) {
  if (content.size() < 64 || body.find(kContentMarker) != std::string::npos) return body;
  const std::string escaped = Escaped(content);
  size_t at = body.find(escaped);
  if (at == std::string::npos || body.find(escaped, at + 1) != std::string::npos) return body;
  return body.substr(0, at) + std::string(kContentMarker) + body.substr(at + escaped.size());
}

std::string FillBody(const std::string& templated, const std::string& content) {
  size_t at = templated.find(kContentMarker);
  if (at == std::string::npos) return templated;
  return templated.substr(0, at) + Escaped(content) + templated.substr(at + kContentMarker.size());
}

namespace {

// Tool arguments as JSON: recorded text that is not JSON becomes a JSON string.
void WriteArguments(JsonWriter& w, const std::string& args, bool as_object) {
  simdjson::dom::parser parser;
  element doc;
  const bool valid =
      !args.empty() && parser.parse(args.data(), args.size()).get(doc) == simdjson::SUCCESS;
  if (as_object) {
    if (valid && doc.is_object()) {
      w.Raw(Canonical(doc));
    } else {
      w.BeginObject().EndObject();
    }
  } else {
    w.String(args.empty() ? "{}" : args);
  }
}

std::string ChatFinishReason(const ModelResponse& r) {
  if (r.finish_reason == "tool_call" || (r.finish_reason.empty() && !r.tool_calls.empty()))
    return "tool_calls";
  return r.finish_reason.empty() ? "stop" : r.finish_reason;
}

std::string AnthropicStopReason(const ModelResponse& r) {
  if (!r.tool_calls.empty()) return "tool_use";
  if (r.finish_reason == "length" || r.finish_reason == "max_tokens") return "max_tokens";
  return "end_turn";
}

std::string Frame(const std::string& event, const std::string& data) {
  return (event.empty() ? "" : "event: " + event + "\n") + "data: " + data + "\n\n";
}

void WriteResponsesObject(JsonWriter& w, const std::string& model, const std::string& id,
                          const ModelResponse& r) {
  w.BeginObject().Key("id").String("resp_" + id).Key("object").String("response");
  w.Key("created_at").Int(0).Key("status").String("completed").Key("model").String(model);
  w.Key("output").BeginArray();
  if (!r.content.text.empty() || r.tool_calls.empty()) {
    w.BeginObject().Key("type").String("message").Key("id").String("msg_" + id);
    w.Key("status").String("completed").Key("role").String("assistant");
    w.Key("content").BeginArray().BeginObject().Key("type").String("output_text");
    w.Key("text").String(r.content.text).Key("annotations").BeginArray().EndArray();
    w.EndObject().EndArray().EndObject();
  }
  for (const ToolCallRequest& t : r.tool_calls) {
    w.BeginObject().Key("type").String("function_call").Key("id").String("fc_" + t.id);
    w.Key("call_id").String(t.id).Key("name").String(t.name).Key("arguments");
    WriteArguments(w, t.arguments_json.text, false);
    w.Key("status").String("completed").EndObject();
  }
  w.EndArray();
  w.Key("usage").BeginObject().Key("input_tokens").Uint(r.usage.prompt_tokens);
  w.Key("output_tokens").Uint(r.usage.completion_tokens);
  w.Key("total_tokens").Uint(r.usage.total_tokens).EndObject();
  w.EndObject();
}

// Gemini's finish reasons are its own (STOP, MAX_TOKENS, SAFETY...): kept when the
// recording has one, else the nearest.
std::string GeminiFinishReason(const ModelResponse& r) {
  const std::string& f = r.finish_reason;
  if (!f.empty() &&
      std::all_of(f.begin(), f.end(), [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; }))
    return f;
  if (f == "length" || f == "max_tokens") return "MAX_TOKENS";
  return "STOP";
}

// A GenerateContentResponse. A function call whose id is its name had none (GeminiCallId)
// and is written without one.
void WriteGeminiResponse(JsonWriter& w, const std::string& model, const std::string& id,
                         const ModelResponse& r) {
  w.BeginObject().Key("candidates").BeginArray().BeginObject().Key("content").BeginObject();
  w.Key("role").String("model").Key("parts").BeginArray();
  if (!r.content.text.empty() || r.tool_calls.empty())
    w.BeginObject().Key("text").String(r.content.text).EndObject();
  for (const ToolCallRequest& t : r.tool_calls) {
    w.BeginObject().Key("functionCall").BeginObject();
    if (!IsGeminiIdOfName(t.id, t.name)) w.Key("id").String(t.id);
    w.Key("name").String(t.name).Key("args");
    WriteArguments(w, t.arguments_json.text, true);
    w.EndObject().EndObject();
  }
  w.EndArray().EndObject().Key("finishReason").String(GeminiFinishReason(r));
  w.Key("index").Int(0).EndObject().EndArray();
  w.Key("usageMetadata").BeginObject().Key("promptTokenCount").Uint(r.usage.prompt_tokens);
  w.Key("candidatesTokenCount").Uint(r.usage.completion_tokens);
  w.Key("totalTokenCount").Uint(r.usage.total_tokens).EndObject();
  w.Key("modelVersion").String(model).Key("responseId").String(id).EndObject();
}

}  // namespace

std::string SynthesizedResponseBody(ModelApi api, const std::string& model, const std::string& id,
                                    const ModelResponse& r) {
  JsonWriter w;
  switch (api) {
    case ModelApi::kOpenAiResponses:
      WriteResponsesObject(w, model, id, r);
      break;
    case ModelApi::kGeminiGenerateContent:
      WriteGeminiResponse(w, model, id, r);
      break;
    case ModelApi::kAnthropicMessages:
      w.BeginObject().Key("id").String("msg_" + id).Key("type").String("message");
      w.Key("role").String("assistant").Key("model").String(model).Key("content").BeginArray();
      if (!r.content.text.empty() || r.tool_calls.empty())
        w.BeginObject().Key("type").String("text").Key("text").String(r.content.text).EndObject();
      for (const ToolCallRequest& t : r.tool_calls) {
        w.BeginObject().Key("type").String("tool_use").Key("id").String(t.id);
        w.Key("name").String(t.name).Key("input");
        WriteArguments(w, t.arguments_json.text, true);
        w.EndObject();
      }
      w.EndArray().Key("stop_reason").String(AnthropicStopReason(r)).Key("stop_sequence").Null();
      w.Key("usage").BeginObject().Key("input_tokens").Uint(r.usage.prompt_tokens);
      w.Key("output_tokens").Uint(r.usage.completion_tokens).EndObject().EndObject();
      break;
    default:
      w.BeginObject().Key("id").String("chatcmpl-" + id).Key("object").String("chat.completion");
      w.Key("created").Int(0).Key("model").String(model).Key("choices").BeginArray();
      w.BeginObject().Key("index").Int(0).Key("message").BeginObject();
      w.Key("role").String("assistant").Key("content");
      if (r.content.text.empty() && !r.tool_calls.empty()) {
        w.Null();
      } else {
        w.String(r.content.text);
      }
      if (!r.tool_calls.empty()) {
        w.Key("tool_calls").BeginArray();
        for (const ToolCallRequest& t : r.tool_calls) {
          w.BeginObject().Key("id").String(t.id).Key("type").String("function");
          w.Key("function").BeginObject().Key("name").String(t.name).Key("arguments");
          WriteArguments(w, t.arguments_json.text, false);
          w.EndObject().EndObject();
        }
        w.EndArray();
      }
      w.EndObject().Key("finish_reason").String(ChatFinishReason(r)).EndObject().EndArray();
      w.Key("usage").BeginObject().Key("prompt_tokens").Uint(r.usage.prompt_tokens);
      w.Key("completion_tokens").Uint(r.usage.completion_tokens);
      w.Key("total_tokens").Uint(r.usage.total_tokens).EndObject().EndObject();
      break;
  }
  return w.Take();
}

std::vector<std::string> SynthesizedResponseFrames(ModelApi api, const std::string& model,
                                                   const std::string& id, const ModelResponse& r) {
  std::vector<std::string> frames;
  if (api == ModelApi::kGeminiGenerateContent) {
    // One chunk holding the whole answer: each of Gemini's chunks is a whole
    // GenerateContentResponse, so one is a stream too.
    JsonWriter w;
    WriteGeminiResponse(w, model, id, r);
    frames.push_back(Frame("", w.Take()));
    return frames;
  }
  if (api == ModelApi::kAnthropicMessages) {
    JsonWriter start;
    start.BeginObject().Key("type").String("message_start").Key("message").BeginObject();
    start.Key("id")
        .String("msg_" + id)
        .Key("type")
        .String("message")
        .Key("role")
        .String("assistant");
    start.Key("model").String(model).Key("content").BeginArray().EndArray();
    start.Key("stop_reason").Null().Key("stop_sequence").Null();
    start.Key("usage").BeginObject().Key("input_tokens").Uint(r.usage.prompt_tokens);
    start.Key("output_tokens").Uint(0).EndObject().EndObject().EndObject();
    frames.push_back(Frame("message_start", start.Take()));
    int index = 0;
    if (!r.content.text.empty() || r.tool_calls.empty()) {
      JsonWriter b, d, e;
      b.BeginObject().Key("type").String("content_block_start").Key("index").Int(index);
      b.Key("content_block").BeginObject().Key("type").String("text").Key("text").String("");
      b.EndObject().EndObject();
      d.BeginObject().Key("type").String("content_block_delta").Key("index").Int(index);
      d.Key("delta")
          .BeginObject()
          .Key("type")
          .String("text_delta")
          .Key("text")
          .String(r.content.text);
      d.EndObject().EndObject();
      e.BeginObject().Key("type").String("content_block_stop").Key("index").Int(index).EndObject();
      frames.push_back(Frame("content_block_start", b.Take()));
      frames.push_back(Frame("content_block_delta", d.Take()));
      frames.push_back(Frame("content_block_stop", e.Take()));
      ++index;
    }
    for (const ToolCallRequest& t : r.tool_calls) {
      JsonWriter b, d, e;
      b.BeginObject().Key("type").String("content_block_start").Key("index").Int(index);
      b.Key("content_block").BeginObject().Key("type").String("tool_use").Key("id").String(t.id);
      b.Key("name").String(t.name).Key("input").BeginObject().EndObject().EndObject().EndObject();
      d.BeginObject().Key("type").String("content_block_delta").Key("index").Int(index);
      d.Key("delta").BeginObject().Key("type").String("input_json_delta").Key("partial_json");
      d.String(t.arguments_json.text.empty() ? "{}" : t.arguments_json.text)
          .EndObject()
          .EndObject();
      e.BeginObject().Key("type").String("content_block_stop").Key("index").Int(index).EndObject();
      frames.push_back(Frame("content_block_start", b.Take()));
      frames.push_back(Frame("content_block_delta", d.Take()));
      frames.push_back(Frame("content_block_stop", e.Take()));
      ++index;
    }
    JsonWriter delta;
    delta.BeginObject().Key("type").String("message_delta").Key("delta").BeginObject();
    delta.Key("stop_reason").String(AnthropicStopReason(r)).Key("stop_sequence").Null().EndObject();
    delta.Key("usage").BeginObject().Key("output_tokens").Uint(r.usage.completion_tokens);
    delta.EndObject().EndObject();
    frames.push_back(Frame("message_delta", delta.Take()));
    frames.push_back(Frame("message_stop", R"({"type":"message_stop"})"));
    return frames;
  }
  if (api == ModelApi::kOpenAiResponses) {
    JsonWriter created, text_delta, done;
    created.BeginObject().Key("type").String("response.created").Key("response");
    ModelResponse empty;
    WriteResponsesObject(created, model, id, empty);
    created.EndObject();
    frames.push_back(Frame("response.created", created.Take()));
    if (!r.content.text.empty()) {
      text_delta.BeginObject().Key("type").String("response.output_text.delta");
      text_delta.Key("item_id").String("msg_" + id).Key("output_index").Int(0);
      text_delta.Key("content_index").Int(0).Key("delta").String(r.content.text).EndObject();
      frames.push_back(Frame("response.output_text.delta", text_delta.Take()));
    }
    done.BeginObject().Key("type").String("response.completed").Key("response");
    WriteResponsesObject(done, model, id, r);
    done.EndObject();
    frames.push_back(Frame("response.completed", done.Take()));
    return frames;
  }
  // Chat Completions: the role and text, each tool call, the finish, the usage, [DONE].
  auto chunk = [&](const std::function<void(JsonWriter&)>& delta, const std::string& finish) {
    JsonWriter w;
    w.BeginObject()
        .Key("id")
        .String("chatcmpl-" + id)
        .Key("object")
        .String("chat.completion.chunk");
    w.Key("created").Int(0).Key("model").String(model).Key("choices").BeginArray();
    w.BeginObject().Key("index").Int(0).Key("delta").BeginObject();
    delta(w);
    w.EndObject().Key("finish_reason");
    if (finish.empty()) {
      w.Null();
    } else {
      w.String(finish);
    }
    w.EndObject().EndArray().EndObject();
    return Frame("", w.Take());
  };
  frames.push_back(chunk(
      [&](JsonWriter& w) {
        w.Key("role").String("assistant").Key("content").String(r.content.text);
      },
      ""));
  for (size_t i = 0; i < r.tool_calls.size(); ++i) {
    const ToolCallRequest& t = r.tool_calls[i];
    frames.push_back(chunk(
        [&](JsonWriter& w) {
          w.Key("tool_calls").BeginArray().BeginObject().Key("index").Int(static_cast<int64_t>(i));
          w.Key("id").String(t.id).Key("type").String("function").Key("function").BeginObject();
          w.Key("name").String(t.name).Key("arguments");
          WriteArguments(w, t.arguments_json.text, false);
          w.EndObject().EndObject().EndArray();
        },
        ""));
  }
  frames.push_back(chunk([](JsonWriter&) {}, ChatFinishReason(r)));
  JsonWriter usage;
  usage.BeginObject()
      .Key("id")
      .String("chatcmpl-" + id)
      .Key("object")
      .String("chat.completion.chunk");
  usage.Key("created").Int(0).Key("model").String(model).Key("choices").BeginArray().EndArray();
  usage.Key("usage").BeginObject().Key("prompt_tokens").Uint(r.usage.prompt_tokens);
  usage.Key("completion_tokens").Uint(r.usage.completion_tokens);
  usage.Key("total_tokens").Uint(r.usage.total_tokens).EndObject().EndObject();
  frames.push_back(Frame("", usage.Take()));
  frames.push_back("data: [DONE]\n\n");
  return frames;
}

}  // namespace baton::proxy
