#include "harness/otel/span_import.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/json_writer.h"
#include "base/parallel_for.h"
#include "harness/agent_role.h"
#include "harness/handoff_tool.h"
#include "harness/otel/baton_attributes.h"
#include "harness/portable_tool_calls.h"
#include "recorder/recorder.h"

namespace baton::otel {
namespace {

using simdjson::dom::element;

// --- Reading the GenAI conventions' JSON-valued attributes ---------------------------------

std::string StringOf(element e) {
  if (e.is_string()) return std::string(std::string_view(e.get_string()));
  if (e.is_null()) return "";
  return simdjson::minify(e);
}

std::string Field(element obj, std::string_view key) {
  element v;
  if (!obj.is_object() || obj[key].get(v) != simdjson::SUCCESS) return "";
  return StringOf(v);
}

// The text of attribute `key` without a copy when the span holds it as text (a string, or
// a list as its JSON), else its printed value, kept in `scratch`; "" when absent. The
// messages, instructions and tool definitions are most of a span's bytes, and they are read
// (and parsed in place: the reader leaves padding after long strings) where they lie.
const std::string& TextOf(const Attributes& attrs, std::string_view key, std::string& scratch) {
  scratch.clear();
  const AttributeValue* v = FindAttribute(attrs, key);
  if (v == nullptr) return scratch;
  switch (v->type) {
    case ValueType::kString:
    case ValueType::kBytes:
    case ValueType::kArray:
    case ValueType::kKvList:
      return v->text;
    default:
      scratch = v->ToString();
      return scratch;
  }
}

bool HasField(element obj, std::string_view key) {
  element v;
  return obj.is_object() && obj[key].get(v) == simdjson::SUCCESS && !v.is_null();
}

// A message of the GenAI conventions: {role, parts: [{type, content | id, name, arguments |
// response}], finish_reason} (current), or {role, content, tool_calls} (older and OpenAI-like).
struct ParsedMessage {
  ChatMessage message;
  std::vector<ToolCallRequest> tool_calls;
  std::string finish_reason;
  // A message of content parts that holds tool results (Anthropic's user message after a
  // parallel tool use): the content is all its parts' text, and each result is its call's id
  // and where its text lies in the content. A request holds the results as messages of their
  // own, and the rest of the content as one more.
  struct ResultText {
    std::string id;
    size_t begin = 0;
    size_t end = 0;
  };
  std::vector<ResultText> results;
};

// The first of `keys` that `obj` has (not null), as text; "" when none. Instrumentations
// spell the same field differently: the GenAI conventions' tool_call part has `id`, `name`
// and `arguments`, the Vercel AI SDK's tool-call part `toolCallId`, `toolName` and `args`
// (`input` since its version 5), Anthropic's tool_use block `id`, `name` and `input`.
std::string FirstField(element obj, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys)
    if (HasField(obj, k)) return Field(obj, k);
  return "";
}

// What a content part or an input item is, by its `type`.
enum class PartKind { kText, kToolCall, kToolResult };

PartKind PartKindOf(std::string_view type) {
  // GenAI conventions, Vercel AI SDK, Anthropic, OpenAI Responses (as a part or an item).
  for (std::string_view t : {"tool_call", "tool-call", "tool_use", "function_call"})
    if (type == t) return PartKind::kToolCall;
  for (std::string_view t :
       {"tool_call_response", "tool-result", "tool_result", "function_call_output"})
    if (type == t) return PartKind::kToolResult;
  return PartKind::kText;
}

ToolCallRequest ToolCallOf(element part) {
  ToolCallRequest call;
  // A Responses function_call item has both: its own id, and the call_id that its output
  // (function_call_output) names.
  call.id = FirstField(part, {"call_id", "id", "toolCallId", "toolUseId"});
  call.name = FirstField(part, {"name", "toolName"});
  call.arguments_json.text = FirstField(part, {"arguments", "args", "input"});
  return call;
}

std::string PartsText(element parts, ParsedMessage& pm);

// A content block of the Amazon Bedrock Converse API, which names its kind by its one key
// instead of a `type` ({"text"}, {"toolUse": {toolUseId, name, input}}, {"toolResult":
// {toolUseId, status, content}}, {"json"}, {"image"}, ...): what Strands Agents' spans carry.
bool IsConverseBlock(element part) {
  if (!part.is_object() || HasField(part, "type") || HasField(part, "role")) return false;
  for (std::string_view k : {"text", "toolUse", "toolResult", "json", "image", "document",
                             "reasoningContent", "video", "cachePoint", "guardContent"})
    if (HasField(part, k)) return true;
  return false;
}

// A tool result's text: a string, a list of parts (Anthropic's tool_result content), or JSON.
std::string ToolResultText(element part, ParsedMessage& pm) {
  if (std::string id =
          FirstField(part, {"id", "toolCallId", "tool_use_id", "call_id", "toolUseId"});
      !id.empty())
    pm.message.tool_call_id = std::move(id);
  for (std::string_view k : {"response", "result", "output", "content"}) {
    element v;
    if (part[k].get(v) != simdjson::SUCCESS || v.is_null()) continue;
    // Anthropic's content parts; Converse content blocks in any of these (Strands' response).
    if (v.is_array() &&
        (k == "content" || (v.get_array().size() > 0 && IsConverseBlock(v.get_array().at(0))))) {
      ParsedMessage result;  // Its parts are the result's, not the message's.
      return PartsText(v, result);
    }
    return StringOf(v);
  }
  return "";
}

std::string PartsText(element parts, ParsedMessage& pm) {
  std::string text;
  for (element part : parts.get_array()) {
    if (part.is_string()) {
      text += std::string_view(part.get_string());
      continue;
    }
    element block;
    if (part["toolUse"].get(block) == simdjson::SUCCESS && block.is_object()) {
      pm.tool_calls.push_back(ToolCallOf(block));
      continue;
    }
    if (part["toolResult"].get(block) == simdjson::SUCCESS && block.is_object()) {
      const size_t begin = text.size();
      text += ToolResultText(block, pm);
      pm.results.push_back({pm.message.tool_call_id, begin, text.size()});
      continue;
    }
    if (part["json"].get(block) == simdjson::SUCCESS && !HasField(part, "type")) {
      text += StringOf(block);
      continue;
    }
    switch (PartKindOf(Field(part, "type"))) {
      case PartKind::kToolCall:
        pm.tool_calls.push_back(ToolCallOf(part));
        break;
      case PartKind::kToolResult: {
        const size_t begin = text.size();
        text += ToolResultText(part, pm);
        pm.results.push_back({pm.message.tool_call_id, begin, text.size()});
        break;
      }
      case PartKind::kText:
        if (HasField(part, "content")) {
          text += Field(part, "content");
        } else if (HasField(part, "text")) {
          text += Field(part, "text");
        }
        break;
    }
  }
  return text;
}

// The role of a LangChain message by its class ("HumanMessage", "AIMessageChunk", ...) or
// its type as model_dump() writes it ("human", "ai", ...); "" for neither (a ChatMessage
// names its role itself).
std::string_view LangChainRole(std::string_view kind) {
  static constexpr std::pair<std::string_view, std::string_view> kRoles[] = {
      {"human", "user"},           {"ai", "assistant"},
      {"system", "system"},        {"tool", "tool"},
      {"HumanMessage", "user"},    {"AIMessage", "assistant"},
      {"SystemMessage", "system"}, {"ToolMessage", "tool"},
      {"FunctionMessage", "tool"}};
  if (kind.ends_with("Chunk")) kind.remove_suffix(5);
  for (const auto& [name, role] : kRoles)
    if (kind == name) return role;
  return "";
}

ParsedMessage MessageOf(element m);

// A LangChain message as LangChain serializes it (what LangSmith exports as a run's inputs
// and outputs): {"lc": 1, "type": "constructor", "id": [..., "AIMessage"], "kwargs": {content,
// tool_calls, tool_call_id, name}}, or {"type": "ai", "data": {...}}; nullopt for another
// shape. The message's fields are read as any message's; its class is its role.
std::optional<ParsedMessage> LangChainMessageOf(element m) {
  element fields, id;
  std::string_view kind;
  if (m["lc"].error() == simdjson::SUCCESS && m["kwargs"].get(fields) == simdjson::SUCCESS &&
      fields.is_object() && m["id"].get(id) == simdjson::SUCCESS && id.is_array()) {
    for (element part : id.get_array())
      if (part.is_string()) kind = part.get_string();
  } else if (m["type"].get(kind) != simdjson::SUCCESS ||
             m["data"].get(fields) != simdjson::SUCCESS || !fields.is_object()) {
    return std::nullopt;
  }
  if (kind.ends_with("Chunk")) kind.remove_suffix(5);
  const bool chat = kind == "ChatMessage" || kind == "chat";  // Its role is in its fields.
  const std::string_view role = LangChainRole(kind);
  if (role.empty() && !chat) return std::nullopt;
  ParsedMessage pm = MessageOf(fields);
  if (!chat) pm.message.role = std::string(role);
  return pm;
}

ParsedMessage MessageOf(element m) {
  if (m.is_object())
    if (auto lc = LangChainMessageOf(m)) return std::move(*lc);
  ParsedMessage pm;
  if (m.is_string()) {
    pm.message.role = "user";
    pm.message.content.text = std::string(std::string_view(m.get_string()));
    return pm;
  }
  pm.message.role = Field(m, "role");
  // LangChain's model_dump form: {"type": "ai", "content": ...}.
  if (pm.message.role.empty()) pm.message.role = std::string(LangChainRole(Field(m, "type")));
  if (pm.message.role.empty()) {
    // An OpenAI Responses input item that is not a message: a function call the model made,
    // or its output, as the OpenAI Agents SDK sends a conversation.
    switch (PartKindOf(Field(m, "type"))) {
      case PartKind::kToolCall:
        pm.message.role = "assistant";
        pm.tool_calls.push_back(ToolCallOf(m));
        return pm;
      case PartKind::kToolResult:
        pm.message.role = "tool";
        pm.message.content.text = ToolResultText(m, pm);
        return pm;
      case PartKind::kText:
        break;
    }
  }
  pm.message.name = Field(m, "name");
  pm.message.tool_call_id = Field(m, "tool_call_id");
  pm.finish_reason = Field(m, "finish_reason");
  element v;
  if (m["parts"].get(v) == simdjson::SUCCESS && v.is_array()) {
    pm.message.content.text = PartsText(v, pm);
  } else if (m["content"].get(v) == simdjson::SUCCESS) {
    pm.message.content.text = v.is_array() ? PartsText(v, pm) : StringOf(v);
  }
  if (m["tool_calls"].get(v) == simdjson::SUCCESS && v.is_array()) {
    for (element c : v.get_array()) {
      element fn;
      if (c["function"].get(fn) == simdjson::SUCCESS) {
        ToolCallRequest call;
        call.id = Field(c, "id");
        call.name = Field(fn, "name");
        call.arguments_json.text = Field(fn, "arguments");
        pm.tool_calls.push_back(std::move(call));
      } else {
        pm.tool_calls.push_back(ToolCallOf(c));
      }
    }
  }
  if (m["message"].get(v) == simdjson::SUCCESS && v.is_object()) {
    // gen_ai.choice events: {"index", "finish_reason", "message": {...}}.
    ParsedMessage inner = MessageOf(v);
    if (inner.finish_reason.empty()) inner.finish_reason = pm.finish_reason;
    return inner;
  }
  return pm;
}

// The messages of `text` when it is a JSON array of them (each without a role gets
// `default_role`), else nullopt.
std::optional<std::vector<ParsedMessage>> ArrayMessagesOf(simdjson::dom::parser& parser,
                                                          const std::string& text,
                                                          const std::string& default_role) {
  element doc;
  if (text.empty() || text[0] != '[' || parser.parse(text).get(doc) != simdjson::SUCCESS ||
      !doc.is_array())
    return std::nullopt;
  std::vector<ParsedMessage> out;
  // A list of Converse content blocks is one message's content, not a list of messages.
  if (doc.get_array().size() > 0 && IsConverseBlock(doc.get_array().at(0))) {
    ParsedMessage pm;
    pm.message.role = default_role;
    pm.message.content.text = PartsText(doc, pm);
    out.push_back(std::move(pm));
    return out;
  }
  for (element m : doc.get_array()) {
    ParsedMessage pm = MessageOf(m);
    if (pm.message.role.empty()) pm.message.role = default_role;
    out.push_back(std::move(pm));
  }
  return out;
}

// A text that is not a JSON array of messages: one message (a JSON object), or plain text
// as one message of `default_role`; none when empty.
std::vector<ParsedMessage> NonArrayMessagesOf(simdjson::dom::parser& parser,
                                              const std::string& text,
                                              const std::string& default_role) {
  std::vector<ParsedMessage> out;
  element doc;
  if (text.empty()) return out;
  if (text[0] != '{' || parser.parse(text).get(doc) != simdjson::SUCCESS) {
    ParsedMessage pm;
    pm.message.role = default_role;
    pm.message.content.text = text;
    out.push_back(std::move(pm));
    return out;
  }
  // A LangChain run's inputs or outputs, as LangSmith exports them: {"messages": [[...]]}
  // (a batch of message lists) or {"messages": [...]}, and {"generations": [[{"text",
  // "message"}]]}.
  for (std::string_view key : {"messages", "generations"}) {
    element list;
    if (doc[key].get(list) != simdjson::SUCCESS || !list.is_array()) continue;
    auto add = [&](element m) {
      ParsedMessage pm = MessageOf(m);
      if (pm.message.role.empty()) pm.message.role = default_role;
      out.push_back(std::move(pm));
    };
    for (element item : list.get_array()) {
      if (!item.is_array()) {
        add(item);
        continue;
      }
      for (element m : item.get_array()) add(m);
    }
    return out;
  }
  ParsedMessage pm = MessageOf(doc);
  if (pm.message.role.empty()) pm.message.role = default_role;
  out.push_back(std::move(pm));
  return out;
}

// The answer in Logfire's response_data (its OpenAI instrumentation before the GenAI names,
// still written beside them): {"message": {...}, "usage"} for a chat completion,
// {"combined_chunk_content", "chunk_count"} for a stream it could not assemble, {"text",
// "finish_reason"} for a completion; empty for anything else.
std::vector<ParsedMessage> LogfireResponseMessages(simdjson::dom::parser& parser,
                                                   std::string_view text) {
  std::vector<ParsedMessage> out;
  element doc, v;
  if (text.empty() || text[0] != '{' || parser.parse(text).get(doc) != simdjson::SUCCESS ||
      !doc.is_object())
    return out;
  if (doc["message"].get(v) == simdjson::SUCCESS && v.is_object()) {
    ParsedMessage pm = MessageOf(v);
    if (pm.message.role.empty()) pm.message.role = "assistant";
    out.push_back(std::move(pm));
    return out;
  }
  for (std::string_view key : {"combined_chunk_content", "text"})
    if (doc[key].get(v) == simdjson::SUCCESS && v.is_string()) {
      ParsedMessage pm;
      pm.message.role = "assistant";
      pm.message.content.text = std::string(std::string_view(v.get_string()));
      pm.finish_reason = Field(doc, "finish_reason");
      out.push_back(std::move(pm));
      break;
    }
  return out;
}

// --- Spans that carry a call's whole input and output: MLflow's and Langfuse's ------------------
// MLflow Tracing writes every attribute as JSON text (mlflow.spanType is "\"CHAT_MODEL\"", a
// tool's string output a quoted string), and a span's whole inputs and outputs as two
// attributes: mlflow.spanInputs is the call's arguments (an OpenAI or Anthropic request's
// keyword arguments {model, messages, system, tools, ...}; the OpenAI Agents SDK's Responses
// input, a string or a list of items), mlflow.spanOutputs its result (a ChatCompletion, an
// Anthropic Message, the Responses output items, a LangChain ChatResult, or a string).
// Langfuse's SDKs (built on OpenTelemetry since their v3) do the same with
// langfuse.observation.input / .output (a generation's input is its messages, or {messages,
// tools}; its output the answer message), beside langfuse.observation.type, model.name,
// model.parameters and usage_details.

// The attributes that hold a call's whole input and output, in each convention.
struct WholeCallKeys {
  std::string_view input, output;
};
constexpr WholeCallKeys kWholeCallKeys[] = {
    {"mlflow.spanInputs", "mlflow.spanOutputs"},
    {"langfuse.observation.input", "langfuse.observation.output"}};

// The text of the first whole-call attribute (WholeCallKeys::input or ::output) a span has.
const std::string& WholeCallText(const Span& s, std::string_view WholeCallKeys::*which,
                                 std::string& scratch) {
  for (const WholeCallKeys& keys : kWholeCallKeys)
    if (const std::string& text = TextOf(s.attributes, keys.*which, scratch); !text.empty())
      return text;
  scratch.clear();
  return scratch;
}

// `text` without its JSON quotes when it is one JSON string; as it is otherwise.
std::string UnquotedJson(simdjson::dom::parser& parser, const std::string& text) {
  element doc;
  if (text.size() < 2 || text.front() != '"' || parser.parse(text).get(doc) != simdjson::SUCCESS ||
      !doc.is_string())
    return text;
  return std::string(std::string_view(doc.get_string()));
}

// An attribute's value, unquoted when it is JSON text of a string (MLflow's are).
std::string MlflowString(simdjson::dom::parser& parser, const Span& s, std::string_view key) {
  const AttributeValue* v = s.Find(key);
  return v == nullptr ? std::string() : UnquotedJson(parser, v->ToString());
}

// A whole-call attribute's text (WholeCallText), unquoted when it is JSON text of a string;
// "" for JSON null (MLflow's inputs of a span given none).
std::string WholeCallString(simdjson::dom::parser& parser, const Span& s,
                            std::string_view WholeCallKeys::*which) {
  std::string scratch;
  const std::string& text = WholeCallText(s, which, scratch);
  return text == "null" ? std::string() : UnquotedJson(parser, text);
}

// The request in a whole call's input: its messages (a system prompt given apart, as Anthropic's
// `system` and the Responses API's `instructions` are, first), its model, and its other
// arguments as parameters (temperature, max_tokens...). Empty when the inputs hold no
// conversation.
std::vector<ParsedMessage> WholeCallRequestMessages(simdjson::dom::parser& parser,
                                                    const std::string& inputs, std::string& model,
                                                    std::vector<KeyValue>& parameters) {
  std::vector<ParsedMessage> out;
  element doc;
  if (parser.parse(inputs).get(doc) != simdjson::SUCCESS) return out;
  auto add_list = [&](element list) {
    for (element m : list.get_array()) {
      ParsedMessage pm = MessageOf(m);
      if (pm.message.role.empty()) pm.message.role = "user";
      out.push_back(std::move(pm));
    }
  };
  auto add_text = [&](element text, const char* role) {
    ParsedMessage pm;
    pm.message.role = role;
    pm.message.content.text = text.is_array() ? PartsText(text, pm) : StringOf(text);
    if (!pm.message.content.text.empty()) out.push_back(std::move(pm));
  };
  if (doc.is_string()) {
    add_text(doc, "user");
  } else if (doc.is_array()) {
    add_list(doc);
  } else if (doc.is_object()) {
    model = Field(doc, "model");
    for (auto field : doc.get_object()) {
      const std::string_view k = field.key;
      if (k != "model" && k != "messages" && k != "input" && k != "system" && k != "instructions" &&
          k != "tools" && k != "stream" && !k.starts_with("extra_") && !field.value.is_null())
        parameters.push_back({std::string(k), StringOf(field.value)});
    }
    element v;
    for (std::string_view key : {"system", "instructions"})
      if (doc[key].get(v) == simdjson::SUCCESS && !v.is_null()) add_text(v, "system");
    for (std::string_view key : {"messages", "input"}) {
      if (doc[key].get(v) != simdjson::SUCCESS) continue;
      if (v.is_array()) {
        // LangChain's chat model inputs: a batch of message lists.
        if (v.get_array().size() > 0 && v.get_array().at(0).is_array()) {
          add_list(v.get_array().at(0));
        } else {
          add_list(v);
        }
      } else if (v.is_string()) {
        add_text(v, "user");
      }
      break;
    }
  }
  return out;
}

// The token counts of a usage object, by each API's names for them: OpenAI's prompt_tokens /
// completion_tokens, Anthropic's and MLflow's input_tokens / output_tokens, Langfuse's input /
// output, Gemini's prompt_token_count / candidates_token_count (snake or camel case; its total
// is left out, as the sum of the two is what baton counts for it).
TokenUsage UsageOf(element usage) {
  auto count = [&](std::initializer_list<std::string_view> keys) -> uint64_t {
    return std::strtoull(FirstField(usage, keys).c_str(), nullptr, 10);
  };
  TokenUsage out;
  out.prompt_tokens =
      count({"prompt_tokens", "input_tokens", "input", "prompt_token_count", "promptTokenCount"});
  out.completion_tokens = count({"completion_tokens", "output_tokens", "output",
                                 "candidates_token_count", "candidatesTokenCount"});
  out.total_tokens = count({"total_tokens", "total"});
  return out;
}

// The answer in a whole call's output; its token counts, when it carries them, in `usage`.
std::vector<ParsedMessage> WholeCallResponseMessages(simdjson::dom::parser& parser,
                                                     const std::string& outputs,
                                                     TokenUsage& usage) {
  std::vector<ParsedMessage> out;
  element doc;
  if (parser.parse(outputs).get(doc) != simdjson::SUCCESS) {
    ParsedMessage pm;  // Not JSON: the text itself.
    pm.message.role = "assistant";
    pm.message.content.text = outputs;
    if (!outputs.empty()) out.push_back(std::move(pm));
    return out;
  }
  auto add = [&](element m) {
    ParsedMessage pm = MessageOf(m);
    if (pm.message.role.empty()) pm.message.role = "assistant";
    out.push_back(std::move(pm));
  };
  element v;
  if (doc.is_string()) {
    add(doc);
    out.back().message.role = "assistant";
  } else if (doc.is_array()) {
    for (element item : doc.get_array()) add(item);  // Responses output items.
  } else if (doc.is_object()) {
    if (doc["choices"].get(v) == simdjson::SUCCESS && v.is_array()) {
      for (element choice : v.get_array()) {
        add(choice);  // {"finish_reason", "message": {...}}: the first is the answer used.
        break;
      }
    } else if (doc["output"].get(v) == simdjson::SUCCESS && v.is_array()) {
      for (element item : v.get_array()) add(item);  // A whole Responses object.
    } else if (doc["generations"].get(v) == simdjson::SUCCESS) {
      for (ParsedMessage& m : NonArrayMessagesOf(parser, outputs, "assistant"))
        out.push_back(std::move(m));
      return out;  // The parser was reused: `doc` is gone.
    } else {
      add(doc);  // An Anthropic Message, or one message.
      if (out.back().finish_reason.empty()) out.back().finish_reason = Field(doc, "stop_reason");
    }
    if (doc["usage"].get(v) == simdjson::SUCCESS && v.is_object()) usage = UsageOf(v);
  }
  return out;
}

// The messages in a JSON attribute value: an array of messages, one message, or plain text
// (which is one message of `default_role`).
std::vector<ParsedMessage> MessagesOf(simdjson::dom::parser& parser, const std::string& text,
                                      const std::string& default_role) {
  if (auto list = ArrayMessagesOf(parser, text, default_role)) return std::move(*list);
  return NonArrayMessagesOf(parser, text, default_role);
}

// --- Gemini's content format: the Gemini API's, and Google ADK's spans carry it ----------------
// ADK puts the whole request and response on its call_llm / generate_content spans
// (gcp.vertex.agent.llm_request, gcp.vertex.agent.llm_response), as its pydantic models dump
// them (snake_case); the Gemini REST API spells the same fields in camelCase.

// The member of `obj` spelled `snake` or `camel`, if present and not null.
std::optional<element> GeminiField(element obj, std::string_view snake, std::string_view camel) {
  element v;
  if (!obj.is_object()) return std::nullopt;
  if (obj[snake].get(v) == simdjson::SUCCESS && !v.is_null()) return v;
  if (obj[camel].get(v) == simdjson::SUCCESS && !v.is_null()) return v;
  return std::nullopt;
}

// A Content {role: user|model, parts: [{text} | {function_call: {id, name, args}} |
// {function_response: {id, name, response}}]}: the message of its text and calls ("model" is
// the assistant), then one tool message per function response (ADK's function responses
// come back in a user Content).
std::vector<ParsedMessage> GeminiContentMessages(element content) {
  std::vector<ParsedMessage> out;
  if (!content.is_object()) return out;
  ParsedMessage said;
  std::string role = Field(content, "role");
  said.message.role = role == "model" ? "assistant" : role.empty() ? "user" : role;
  std::vector<ParsedMessage> responses;
  element parts;
  if (content["parts"].get(parts) == simdjson::SUCCESS && parts.is_array()) {
    for (element part : parts.get_array()) {
      if (auto text = GeminiField(part, "text", "text")) {
        // Thoughts (thought: true) are the model's reasoning, not what it said.
        element thought;
        if (part["thought"].get(thought) == simdjson::SUCCESS && thought.is_bool() &&
            bool(thought.get_bool()))
          continue;
        said.message.content.text += StringOf(*text);
      } else if (auto call = GeminiField(part, "function_call", "functionCall")) {
        ToolCallRequest c;
        c.id = Field(*call, "id");
        c.name = Field(*call, "name");
        c.arguments_json.text = Field(*call, "args");
        if (c.id.empty()) c.id = c.name;  // Gemini pairs a call and its response by name.
        said.tool_calls.push_back(std::move(c));
      } else if (auto response = GeminiField(part, "function_response", "functionResponse")) {
        ParsedMessage tool;
        tool.message.role = "tool";
        tool.message.tool_call_id = Field(*response, "id");
        if (tool.message.tool_call_id.empty()) tool.message.tool_call_id = Field(*response, "name");
        tool.message.content.text = Field(*response, "response");
        responses.push_back(std::move(tool));
      }
    }
  }
  if (!said.message.content.text.empty() || !said.tool_calls.empty() || responses.empty())
    out.push_back(std::move(said));
  for (ParsedMessage& r : responses) out.push_back(std::move(r));
  return out;
}

// The text of a system instruction: a string, or a Content whose parts are text.
std::string GeminiInstructionText(element instruction) {
  if (instruction.is_string()) return StringOf(instruction);
  std::string text;
  for (const ParsedMessage& m : GeminiContentMessages(instruction)) text += m.message.content.text;
  return text;
}

// True when the JSON array `longer` continues the JSON array `shorter` with more elements:
// "[a, b]" then "[a, b, c]". Both parse to the same first elements, so a conversation's
// next request need only read what it adds.
bool ExtendsArray(std::string_view shorter, std::string_view longer) {
  if (shorter.size() < 2 || shorter.front() != '[' || shorter.back() != ']') return false;
  const size_t open = shorter.size() - 1;  // Without its closing bracket.
  return longer.size() > shorter.size() && longer.compare(0, open, shorter, 0, open) == 0 &&
         longer[open] == ',';
}

// Flattened lists: `prefix.N.suffix...` attributes (OpenLLMetry's gen_ai.prompt.0.content,
// OpenInference's llm.input_messages.0.message.content), as index -> suffix -> value.
std::map<int, std::map<std::string, std::string>> Flattened(const Attributes& attrs,
                                                            std::string_view prefix) {
  std::map<int, std::map<std::string, std::string>> out;
  for (const Attribute& a : attrs) {
    std::string_view k = a.key;
    if (k.size() <= prefix.size() + 1 || k.substr(0, prefix.size()) != prefix ||
        k[prefix.size()] != '.')
      continue;
    k.remove_prefix(prefix.size() + 1);
    size_t dot = k.find('.');
    std::string_view index = k.substr(0, dot);
    if (index.empty() || !std::all_of(index.begin(), index.end(), ::isdigit) || index.size() > 6)
      continue;
    std::string rest = dot == std::string_view::npos ? "" : std::string(k.substr(dot + 1));
    out[std::stoi(std::string(index))][rest] = a.value.ToString();
  }
  return out;
}

// OpenInference messages: llm.input_messages.N.message.{role,content,name,tool_call_id,
// contents.M.message_content.text,tool_calls.M.tool_call.{id,function.name,function.arguments}}.
std::vector<ParsedMessage> OpenInferenceMessages(const Attributes& attrs, std::string_view prefix) {
  std::vector<ParsedMessage> out;
  for (auto& [i, fields] : Flattened(attrs, prefix)) {
    ParsedMessage pm;
    pm.message.role = fields["message.role"];
    pm.message.content.text = fields["message.content"];
    pm.message.name = fields["message.name"];
    pm.message.tool_call_id = fields["message.tool_call_id"];
    std::map<int, ToolCallRequest> calls;
    for (auto& [k, v] : fields) {
      if (k.rfind("message.contents.", 0) == 0 && k.ends_with(".message_content.text"))
        pm.message.content.text += v;
      if (k.rfind("message.tool_calls.", 0) == 0) {
        std::string_view rest = std::string_view(k).substr(19);
        size_t dot = rest.find('.');
        if (dot == std::string_view::npos) continue;
        int index = std::atoi(std::string(rest.substr(0, dot)).c_str());
        std::string_view field = rest.substr(dot + 1);
        if (field == "tool_call.id") calls[index].id = v;
        if (field == "tool_call.function.name") calls[index].name = v;
        if (field == "tool_call.function.arguments") calls[index].arguments_json.text = v;
      }
    }
    for (auto& [_, c] : calls) pm.tool_calls.push_back(std::move(c));
    out.push_back(std::move(pm));
  }
  return out;
}

// OpenLLMetry's flattened gen_ai.prompt.N.{role,content} / gen_ai.completion.N.{...}.
// OpenLLMetry's Anthropic instrumentation writes a content of blocks as their JSON text (an
// assistant's text and tool_use blocks, a user's tool_result blocks): a list of objects that
// each name their type is read as the parts it is.
bool IsContentBlockList(simdjson::dom::parser& parser, const std::string& text, element& doc) {
  if (text.empty() || text.front() != '[' || parser.parse(text).get(doc) != simdjson::SUCCESS ||
      !doc.is_array() || doc.get_array().size() == 0)
    return false;
  for (element part : doc.get_array())
    if (!part.is_object() || Field(part, "type").empty()) return false;
  return true;
}

std::vector<ParsedMessage> FlatGenAiMessages(simdjson::dom::parser& parser, const Attributes& attrs,
                                             std::string_view prefix) {
  std::vector<ParsedMessage> out;
  for (auto& [i, fields] : Flattened(attrs, prefix)) {
    ParsedMessage pm;
    pm.message.role = fields["role"];
    pm.message.content.text = fields["content"];
    pm.message.tool_call_id = fields["tool_call_id"];
    pm.finish_reason = fields["finish_reason"];
    for (int t = 0; fields.count("tool_calls." + std::to_string(t) + ".name") > 0; ++t) {
      std::string p = "tool_calls." + std::to_string(t) + ".";
      pm.tool_calls.push_back({fields[p + "id"], fields[p + "name"], {fields[p + "arguments"]}});
    }
    if (element blocks; IsContentBlockList(parser, pm.message.content.text, blocks)) {
      ParsedMessage parts;
      parts.message.tool_call_id = pm.message.tool_call_id;
      pm.message.content.text = PartsText(blocks, parts);
      pm.message.tool_call_id = parts.message.tool_call_id;
      // The tool_use blocks are also the tool_calls attributes.
      if (pm.tool_calls.empty()) pm.tool_calls = std::move(parts.tool_calls);
      pm.results = std::move(parts.results);
    }
    out.push_back(std::move(pm));
  }
  return out;
}

// --- Classifying spans ----------------------------------------------------------------------

// kHandoff: a span that is itself a handoff between two agents (OpenLLMetry's).
enum class SpanRole { kOther, kAgent, kModel, kTool, kHandoff };

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The Vercel AI SDK's operation (ai.operationId): "ai.generateText" (a call of the SDK, its
// tool loop included), "ai.generateText.doGenerate" (one request to the provider),
// "ai.toolCall"; "" for other spans.
std::string_view VercelOperation(const Span& s) {
  const AttributeValue* v = s.Find("ai.operationId");
  return v != nullptr && v->type == ValueType::kString ? std::string_view(v->text)
                                                       : std::string_view();
}

SpanRole RoleOf(const Span& s) {
  // baton's export of a span the session held: its call or turn has a span of its own.
  if (const AttributeValue* v = s.Find(attr::kSpanFromSession); v && v->ToBool().value_or(false))
    return SpanRole::kOther;
  std::string op = s.Str("gen_ai.operation.name");
  if (op.empty()) op = s.Str("llm.request.type");  // OpenLLMetry before the GenAI names.
  std::string oi = s.Str("openinference.span.kind");
  // OpenLLMetry's kind of span (traceloop.span.kind) says what an agent, tool or handoff
  // span is: those also carry gen_ai.system, which alone would make them model calls.
  const std::string traceloop = s.Str("traceloop.span.kind");
  if (op == "invoke_agent" || op == "create_agent" || oi == "AGENT" || traceloop == "agent")
    return SpanRole::kAgent;
  // "response": OpenLLMetry's name for a call of OpenAI's Responses API.
  if (op == "chat" || op == "text_completion" || op == "generate_content" || op == "embeddings" ||
      op == "completion" || op == "response" || oi == "LLM" || oi == "EMBEDDING")
    return SpanRole::kModel;
  if (op == "execute_tool" || oi == "TOOL" || traceloop == "tool") return SpanRole::kTool;
  if (traceloop == "handoff" || s.Find("gen_ai.handoff.to_agent") != nullptr ||
      s.Find("gen_ai.handoff.to_agent.name") != nullptr)
    return SpanRole::kHandoff;
  if (s.Find("graph.node.id") != nullptr || s.Find("graph.node.name") != nullptr)
    return SpanRole::kAgent;
  // Google ADK before the GenAI names: "agent_run [planner]".
  if (s.name.starts_with("agent_run [") && s.name.ends_with("]")) return SpanRole::kAgent;
  // Pydantic AI before the GenAI names (its releases before 1.0): "agent run", the agent in
  // agent_name.
  if (s.name == "agent run" && s.Find("agent_name") != nullptr) return SpanRole::kAgent;
  if (std::string_view vercel = VercelOperation(s); !vercel.empty()) {
    if (vercel == "ai.toolCall") return SpanRole::kTool;
    if (vercel.ends_with(".doGenerate") || vercel.ends_with(".doStream") ||
        vercel.ends_with(".doEmbed"))
      return SpanRole::kModel;
    // A call of the SDK that the program named (experimental_telemetry.functionId): the
    // agent its requests and tool calls belong to.
    if (vercel.find('.', 3) == std::string_view::npos && !s.Str("ai.telemetry.functionId").empty())
      return SpanRole::kAgent;
    return SpanRole::kOther;
  }
  if (op.empty() && oi.empty() && traceloop.empty()) {
    if (const AttributeValue* v = s.Find("mlflow.spanType"); v != nullptr) {
      // MLflow's, as JSON text ("\"CHAT_MODEL\""). Its OpenAI Agents SDK integration opens an
      // AGENT span around a whole run (marked mlflow.openai.agent_run_root), and one for a
      // trace the program opened (with no inputs): runs of agents, not agents.
      std::string_view type = v->text;
      if (type.size() >= 2 && type.front() == '"' && type.back() == '"')
        type = type.substr(1, type.size() - 2);
      if (type == "CHAT_MODEL" || type == "LLM" || type == "EMBEDDING") return SpanRole::kModel;
      if (type == "TOOL") return SpanRole::kTool;
      if (type == "AGENT")
        return s.Find("mlflow.openai.agent_run_root") != nullptr ||
                       (s.parent_span_id.empty() && s.Str("mlflow.spanInputs") == "\"\"")
                   ? SpanRole::kOther
                   : SpanRole::kAgent;
      return SpanRole::kOther;
    }
    if (const AttributeValue* v = s.Find("langfuse.observation.type"); v != nullptr) {
      const std::string_view type = v->text;
      if (type == "generation" || type == "embedding") return SpanRole::kModel;
      if (type == "tool") return SpanRole::kTool;
      if (type == "agent") return SpanRole::kAgent;
    }
    if (s.Find("gen_ai.tool.name") != nullptr) return SpanRole::kTool;
    if (s.Find("gen_ai.request.model") != nullptr || s.Find("gen_ai.system") != nullptr)
      return SpanRole::kModel;
  }
  return SpanRole::kOther;
}

// `name` without `prefix` and `suffix` where it has them.
std::string_view Stripped(std::string_view name, std::initializer_list<std::string_view> prefixes,
                          std::initializer_list<std::string_view> suffixes) {
  for (std::string_view p : prefixes)
    if (name.starts_with(p)) name.remove_prefix(p.size());
  for (std::string_view x : suffixes)
    if (name.size() > x.size() && name.ends_with(x)) name.remove_suffix(x.size());
  return name;
}

// The text of the first of `keys` that span `s` has, or "".
std::string FirstString(const Span& s, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys)
    if (const AttributeValue* v = s.Find(k); v != nullptr) {
      if (std::string text = v->ToString(); !text.empty()) return text;
    }
  return "";
}

// The agent a span itself names, or "".
std::string OwnAgent(const Span& s, SpanRole role) {
  // LangGraph (OpenInference) nodes are the agents of a graph: graph.node.*.
  for (std::string_view key :
       {attr::kAgent, std::string_view("gen_ai.agent.name"), std::string_view("agent.name"),
        std::string_view("graph.node.name"), std::string_view("graph.node.id"),
        std::string_view("gen_ai.agent.id")})
    if (std::string a = s.Str(key); !a.empty()) return a;
  if (role != SpanRole::kAgent) return "";
  for (std::string_view key : {"traceloop.entity.name", "ai.telemetry.functionId", "agent_name"})
    if (std::string a = s.Str(key); !a.empty()) return a;
  // "invoke_agent Planner" (GenAI), "Planner.agent" (OpenLLMetry), "agent_run [Planner]" (ADK).
  if (s.name.starts_with("agent_run [") && s.name.ends_with("]"))
    return s.name.substr(11, s.name.size() - 12);
  return std::string(Stripped(s.name, {"invoke_agent ", "create_agent "}, {".agent"}));
}

// Names compared the way a transfer tool spells them: "transfer_to_billing_agent" names the
// agent "Billing Agent".
std::string AgentNameKey(std::string_view name) {
  std::string out;
  for (char c : name)
    if (std::isalnum(static_cast<unsigned char>(c)))
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

// What VisitJson does after visiting a value.
enum class JsonVisit { kInto, kPast, kStop };  // Its items or members next; not; stop.

// Visits every value of a JSON document depth first, as `visit` says. Iterative: a
// document's depth is the parser's limit, not the stack's.
template <typename Visit>
void VisitJson(element root, Visit&& visit) {
  std::vector<element> pending = {root};
  while (!pending.empty()) {
    element e = pending.back();
    pending.pop_back();
    const JsonVisit next = visit(e);
    if (next == JsonVisit::kStop) return;
    if (next == JsonVisit::kPast) continue;
    if (e.is_array()) {
      for (element item : e.get_array()) pending.push_back(item);
    } else if (e.is_object()) {
      for (auto field : e.get_object()) pending.push_back(field.value);
    }
  }
}

// A key that carries content (messages, instructions, tool definitions, arguments and
// results), mapped into the model and tool calls rather than kept as a span attribute.
bool IsContentKey(std::string_view k) {
  // Grouped by namespace: every attribute of every span is asked, and most are gen_ai.*
  // keys that a first comparison settles.
  static constexpr std::string_view kGenAi[] = {
      "input.messages", "output.messages", "system_instructions", "tool.definitions",
      "prompt",         "completion",      "tool.call.arguments", "tool.call.result",
      "tool.input",     "tool.output"};
  static constexpr std::string_view kLlm[] = {"input_messages", "output_messages", "tools",
                                              "invocation_parameters"};
  // The Vercel AI SDK's (ai.prompt covers ai.prompt.messages and ai.prompt.tools).
  static constexpr std::string_view kAi[] = {
      "prompt",          "response.text", "response.toolCalls", "response.object", "toolCall.args",
      "toolCall.result", "values"};
  auto any_prefix = [](std::string_view rest, auto& prefixes) {
    for (std::string_view p : prefixes)
      if (rest.starts_with(p)) return true;
    return false;
  };
  if (k.starts_with("gen_ai.")) return any_prefix(k.substr(7), kGenAi);
  if (k.starts_with("llm.")) return any_prefix(k.substr(4), kLlm);
  if (k.starts_with("ai.")) return any_prefix(k.substr(3), kAi);
  return k.starts_with("input.value") || k.starts_with("output.value") ||
         k == "traceloop.entity.input" || k == "traceloop.entity.output" || k == "tool_arguments" ||
         k == "tool_response" ||                         // Pydantic AI's before 1.0.
         k == "request_data" || k == "response_data" ||  // Logfire's.
         k == "mlflow.spanInputs" || k == "mlflow.spanOutputs" || k == "mlflow.chat.tools" ||
         k == "langfuse.observation.input" || k == "langfuse.observation.output" ||
         k == "langfuse.trace.input" || k == "langfuse.trace.output";
}

CallErrorCode ErrorCodeOf(const Span& s, const std::string& error) {
  // baton's own names (what `baton export otlp` writes in error.type).
  const std::string error_type = s.Str("error.type");
  for (CallErrorCode c : {CallErrorCode::kUnavailable, CallErrorCode::kDeadlineExceeded,
                          CallErrorCode::kInvalidArgument, CallErrorCode::kFailedPrecondition})
    if (error_type == CallErrorCodeName(c)) return c;
  std::string type = Lower(s.Str("error.type") + " " + error);
  std::string status = s.Str("http.response.status_code");
  if (status.empty()) status = s.Str("http.status_code");
  int code = std::atoi(status.c_str());
  if (type.find("timeout") != std::string::npos || type.find("deadline") != std::string::npos)
    return CallErrorCode::kDeadlineExceeded;
  if (code == 429 || code >= 500 || type.find("ratelimit") != std::string::npos ||
      type.find("rate_limit") != std::string::npos ||
      type.find("unavailable") != std::string::npos || type.find("connection") != std::string::npos)
    return CallErrorCode::kUnavailable;
  if (code >= 400) return CallErrorCode::kInvalidArgument;
  return CallErrorCode::kUnknown;
}

// The error a span reports: its status message, error.type, or its exception event.
std::string ErrorOf(const Span& s) {
  std::string exception;
  for (const SpanEvent& e : s.events) {
    if (e.name != "exception") continue;
    std::string type = AttributeString(e.attributes, "exception.type");
    std::string msg = AttributeString(e.attributes, "exception.message");
    exception = type.empty() ? msg : msg.empty() ? type : type + ": " + msg;
    break;
  }
  // Langfuse marks a failed observation with its level, not always with the span's status.
  if (s.status != StatusCode::kError && s.Str("langfuse.observation.level") == "ERROR") {
    std::string message = s.Str("langfuse.observation.status_message");
    return !message.empty() ? message : !exception.empty() ? exception : "error";
  }
  if (s.status != StatusCode::kError) return exception.empty() ? "" : exception;
  if (!s.status_message.empty()) return s.status_message;
  if (!exception.empty()) return exception;
  if (std::string t = s.Str("error.type"); !t.empty()) return t;
  return "error";
}

// --- Building the session -----------------------------------------------------------------

struct Item {
  int64_t time_ns = 0;
  int64_t hint = INT64_MAX;  // baton.seq, when the exporter set it.
  size_t order = 0;
  std::string agent;
  EventBody body;
  size_t send_item = SIZE_MAX;  // For a delivery: the item of its send.
};

class SessionBuilder {
 public:
  SessionBuilder(std::string key, std::vector<Span> spans) : key_(std::move(key)) {
    // Reserved, so that the index's keys (views of the kept spans' ids) never move.
    spans_.reserve(spans.size());
    std::vector<Span*> log_events;  // Events of a span, read from log records.
    for (Span& s : spans) {
      if (s.record == SpanRecord::kEventsOfSpan) {
        log_events.push_back(&s);
        continue;
      }
      if (index_.count(s.span_id) > 0) {
        ++duplicates_;  // The first copy is kept.
        continue;
      }
      spans_.push_back(std::move(s));
      index_.emplace(spans_.back().span_id, spans_.size() - 1);
    }
    JoinLogEvents(log_events);
    for (Span& span : spans_) {
      ExpandEventsAttribute(span);
      LiftInferenceDetails(span);
    }
    const size_t n = spans_.size();
    depth_.assign(n, -1);
    hints_.resize(n);
    roles_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      Depth(i);
      hints_[i] = Hint(spans_[i].attributes);
      roles_[i] = RoleOf(spans_[i]);
    }
    LangGraphAgents();
    order_.resize(n);
    for (size_t i = 0; i < n; ++i) order_[i] = i;
    std::sort(order_.begin(), order_.end(), [&](size_t a, size_t b) {
      const Span &x = spans_[a], &y = spans_[b];
      if (x.start_ns != y.start_ns) return x.start_ns < y.start_ns;
      if (hints_[a] != hints_[b]) return hints_[a] < hints_[b];
      // Clocks of a millisecond (the OpenAI Agents SDK's) give a handoff span and the span of
      // the agent it hands to one start: the span over before the other began went first,
      // unless it runs inside the other.
      const bool x_over = x.end_ns <= x.start_ns, y_over = y.end_ns <= y.start_ns;
      if (x_over != y_over && depth_[a] != depth_[b]) {
        const size_t inner = depth_[a] > depth_[b] ? a : b, outer = inner == a ? b : a;
        if (!IsAncestor(outer, inner)) return x_over;
      }
      return depth_[a] < depth_[b];
    });
    agents_.assign(n, std::string());
    names_agent_.assign(n, false);
    prompt_agent_.assign(n, false);
    resolved_.assign(n, false);
    for (size_t i = 0; i < n; ++i) AgentOf(i);
    AgentsOfPrompts();
    PreviousTurns();
    transfer_targets_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      if (roles_[i] == SpanRole::kHandoff) handoff_spans_ = true;
      if (roles_[i] != SpanRole::kTool) continue;
      if (std::string id = spans_[i].Str("gen_ai.tool.call.id"); !id.empty())
        tool_call_ids_.insert(std::move(id));
      transfer_targets_[i] = TransferTargetOf(spans_[i], ToolNameOf(spans_[i]));
      if (!transfer_targets_[i].empty()) handoff_spans_ = true;
      if (transfer_targets_[i].empty()) tool_spans_ = true;
    }
    for (const Span& s : spans_)
      for (const SpanEvent& e : s.events) {
        if (e.name.rfind("baton.message.", 0) == 0) explicit_messages_ = true;
        if (e.name == attr::kRetryEvent) explicit_retries_ = true;
        if (e.name == attr::kOutcomeEvent) explicit_outcome_ = true;
        if (e.name == attr::kCheckEvent || e.name == attr::kScoreEvent) explicit_checks_ = true;
      }
  }

  SpanSession Build() {
    SpanSession out;
    out.key = key_;
    out.spans = spans_.size();
    out.duplicate_spans = duplicates_;
    out.unjoined_log_records = unjoined_log_records_;
    for (size_t i : order_) {
      const std::string& a = agents_[i];
      if (!a.empty() &&
          std::find(agent_names_.begin(), agent_names_.end(), a) == agent_names_.end())
        agent_names_.push_back(a);
    }
    for (size_t i : order_) EmitSpan(i, out);
    if (!explicit_retries_) InferRetries();
    if (!explicit_outcome_) InferOutcome();
    Finish(out);
    return out;
  }

 private:
  // Each log record's event joins its span, in time order among the span's events (one
  // without a time at the span's start); a record whose span never arrived is counted.
  void JoinLogEvents(const std::vector<Span*>& records) {
    std::vector<bool> joined(spans_.size(), false);
    for (Span* r : records) {
      auto it = index_.find(r->span_id);
      if (it == index_.end()) {
        unjoined_log_records_ += r->events.size();
        continue;
      }
      Span& span = spans_[it->second];
      for (SpanEvent& e : r->events) {
        if (e.time_ns <= 0) e.time_ns = span.start_ns;
        span.events.push_back(std::move(e));
      }
      joined[it->second] = true;
    }
    for (size_t i = 0; i < spans_.size(); ++i)
      if (joined[i])
        std::stable_sort(
            spans_[i].events.begin(), spans_[i].events.end(),
            [](const SpanEvent& a, const SpanEvent& b) { return a.time_ns < b.time_ns; });
  }

  // A tool span's tool: "execute_tool search" (GenAI), "search.tool" (OpenLLMetry), or named
  // by an attribute.
  static std::string ToolNameOf(const Span& s) {
    std::string tool = FirstString(
        s, {"gen_ai.tool.name", "tool.name", "ai.toolCall.name", "traceloop.entity.name"});
    if (tool.empty()) tool = std::string(Stripped(s.name, {"execute_tool "}, {".tool"}));
    return tool;
  }

  // The agent a tool span transfers to, "" for a tool that is not a transfer.
  std::string TransferTargetOf(const Span& s, const std::string& tool) {
    std::string target = s.Str("gen_ai.transfer.target.name");
    if (target.empty()) target = HandoffToolTarget(tool, ToolArguments(s)).value_or("");
    return target;
  }

  // Pydantic AI (its instrumentation format 1, the default before its 1.0) and Logfire put
  // a model call's GenAI events on its span as one attribute, `events`: a JSON array of
  // objects, each an event's body fields with its attributes (event.name,
  // gen_ai.message.index, ...) merged in. They become the span's events, in their order, as
  // the same events sent as log records do; an attribute of any other shape stays as it is.
  void ExpandEventsAttribute(Span& span) {
    auto at = std::find_if(span.attributes.begin(), span.attributes.end(),
                           [](const Attribute& a) { return a.key == "events"; });
    if (at == span.attributes.end() || at->value.type != ValueType::kString) return;
    const std::string& text = at->value.text;
    element doc;
    if (text.empty() || text.front() != '[' || parser_.parse(text).get(doc) != simdjson::SUCCESS)
      return;
    std::vector<SpanEvent> events;
    for (element item : doc.get_array()) {
      std::string_view name;
      if (!item.is_object() || item["event.name"].get(name) != simdjson::SUCCESS) return;
      SpanEvent e;
      e.name = std::string(name);
      // The answer comes when the call ends; what was sent, when it began.
      e.time_ns = e.name == "gen_ai.choice" ? span.end_ns : span.start_ns;
      for (auto field : item.get_object()) {
        if (field.key == "event.name") continue;
        AttributeValue v;
        switch (field.value.type()) {
          case simdjson::dom::element_type::STRING:
            v = AttributeValue::String(std::string(std::string_view(field.value.get_string())));
            break;
          case simdjson::dom::element_type::INT64:
            v = AttributeValue::Int(int64_t(field.value.get_int64()));
            break;
          case simdjson::dom::element_type::BOOL:
            v = AttributeValue::Bool(bool(field.value.get_bool()));
            break;
          case simdjson::dom::element_type::NULL_VALUE:
            continue;
          case simdjson::dom::element_type::ARRAY:
            v.type = ValueType::kArray;
            v.text = simdjson::minify(field.value);
            break;
          case simdjson::dom::element_type::OBJECT:
            v.type = ValueType::kKvList;
            v.text = simdjson::minify(field.value);
            break;
          default:  // A double, or an integer past int64.
            v = AttributeValue::Double(field.value.is_number() ? double(field.value.get_double())
                                                               : 0.0);
            break;
        }
        e.attributes.push_back({std::string_view(field.key), std::move(v)});
      }
      events.push_back(std::move(e));
    }
    span.attributes.erase(at);
    for (SpanEvent& e : events) span.events.push_back(std::move(e));
  }

  // The GenAI conventions' gen_ai.client.inference.operation.details event (a span event, or
  // a log record joined above) carries the model call's attributes (gen_ai.input.messages,
  // gen_ai.output.messages, gen_ai.system_instructions, ...) instead of its span: they are
  // read as the span's, where the span has none of that name.
  static void LiftInferenceDetails(Span& span) {
    for (const SpanEvent& e : span.events) {
      if (e.name != "gen_ai.client.inference.operation.details") continue;
      for (const Attribute& a : e.attributes)
        if (a.key.view().starts_with("gen_ai.") && span.Find(a.key) == nullptr)
          span.attributes.push_back(a);
    }
  }

  static int64_t Hint(const Attributes& attrs) {
    const AttributeValue* v = FindAttribute(attrs, attr::kSeq);
    if (v == nullptr) return INT64_MAX;
    return v->ToInt().value_or(INT64_MAX);
  }

  // Whether span `outer` is an ancestor of span `inner`.
  bool IsAncestor(size_t outer, size_t inner) {
    auto p = index_.find(spans_[inner].parent_span_id);
    for (int k = 0; p != index_.end() && k < depth_[inner]; ++k) {
      if (p->second == outer) return true;
      p = index_.find(spans_[p->second].parent_span_id);
    }
    return false;
  }

  // The number of ancestors of span i. Iterative: a chain of spans as long as a file can hold
  // must not exhaust the stack. A span whose parents lead back to it counts those up to the
  // repeat.
  int Depth(size_t i) {
    constexpr int kVisiting = -2;
    std::vector<size_t> chain;  // From i up to the first span whose depth is known.
    size_t at = i;
    int base = -1;  // The depth of the span above the chain's top.
    while (depth_[at] < 0) {
      if (depth_[at] == kVisiting) break;  // A cycle: the chain's top has no ancestor here.
      depth_[at] = kVisiting;
      chain.push_back(at);
      auto p = index_.find(spans_[at].parent_span_id);
      if (p == index_.end()) break;
      at = p->second;
    }
    if (depth_[at] >= 0) base = depth_[at];  // Known before this walk.
    for (auto c = chain.rbegin(); c != chain.rend(); ++c) depth_[*c] = ++base;
    return depth_[i];
  }

  const std::string& AgentOf(size_t i) {
    if (resolved_[i]) return agents_[i];
    resolved_[i] = true;  // Guards a cycle of parents.
    std::string own = OwnAgent(spans_[i], roles_[i]);
    if (own.empty()) own = langgraph_agent_[i];
    names_agent_[i] = !own.empty();
    if (own.empty()) {
      auto p = index_.find(spans_[i].parent_span_id);
      if (p != index_.end() && p->second != i) own = AgentOf(p->second);
    }
    // A span whose parents never arrived, outside any agent: its service is the agent.
    if (own.empty()) own = spans_[i].service_name.empty() ? "agent" : spans_[i].service_name;
    agents_[i] = std::move(own);
    return agents_[i];
  }

  // Model calls outside any agent span (an instrumentation of the model client alone) are
  // their service's: one agent. When they carry several system prompts, each prompt is an
  // agent, as the proxy tells agents apart: in time order, a new prompt is named by the
  // handoff an earlier answer asked for (transfer_to_<agent>) that no agent has claimed, else
  // by the role it opens with (RoleNamedBy), else by the service (the first such), else by
  // the service and a number. A call's delivery of that handoff is made when the agent's
  // first call begins (EmitSpan).
  void AgentsOfPrompts() {
    std::vector<size_t> calls;
    for (size_t i : order_) {
      if (roles_[i] != SpanRole::kModel) continue;
      bool under_agent = false;
      for (size_t at = i, guard = 0; at != SIZE_MAX && guard < 10000; ++guard) {
        if (names_agent_[at]) under_agent = true;
        auto p = index_.find(spans_[at].parent_span_id);
        at = p == index_.end() || p->second == at ? SIZE_MAX : p->second;
      }
      if (!under_agent) calls.push_back(i);
    }
    if (calls.size() < 2) return;
    std::vector<std::string> prompts(calls.size());
    std::vector<std::vector<std::string>> handoffs(calls.size());
    std::set<std::string> distinct;
    for (size_t k = 0; k < calls.size(); ++k) {
      ModelCall call = ModelCallOf(spans_[calls[k]], kPromptReader);
      for (const ChatMessage& m : call.request.messages)
        if (m.role == "system" || m.role == "developer") {
          prompts[k] = m.content.text;
          break;
        }
      for (const ToolCallRequest& t : call.response.tool_calls)
        if (auto to = HandoffToolTarget(t.name, t.arguments_json.text))
          handoffs[k].push_back(std::move(*to));
      distinct.insert(prompts[k]);
    }
    if (distinct.size() < 2) return;
    std::map<std::string, std::string> agent_of_prompt;
    std::set<std::string> taken;
    for (size_t i = 0; i < spans_.size(); ++i)
      if (names_agent_[i]) taken.insert(agents_[i]);
    std::vector<std::string> unclaimed;  // Handoff targets, oldest first.
    const std::string& service = spans_[calls[0]].service_name;
    int numbered = 1;
    for (size_t k = 0; k < calls.size(); ++k) {
      auto [it, fresh] = agent_of_prompt.try_emplace(prompts[k]);
      if (fresh) {
        std::string name;
        for (auto u = unclaimed.begin(); u != unclaimed.end(); ++u)
          if (!taken.count(*u)) {
            name = *u;
            unclaimed.erase(u);
            break;
          }
        if (name.empty()) name = RoleNamedBy(prompts[k]);
        if (name.empty() || taken.count(name)) name = service.empty() ? "agent" : service;
        while (taken.count(name))
          name = (service.empty() ? "agent" : service) + "-" + std::to_string(++numbered);
        taken.insert(name);
        it->second = std::move(name);
      }
      const size_t i = calls[k];
      agents_[i] = it->second;
      names_agent_[i] = true;
      prompt_agent_[i] = true;
      for (std::string& to : handoffs[k]) unclaimed.push_back(std::move(to));
    }
    // Spans under a call now have its agent.
    for (size_t i = 0; i < spans_.size(); ++i) {
      if (names_agent_[i]) continue;
      for (size_t at = i, guard = 0; guard < 10000; ++guard) {
        auto p = index_.find(spans_[at].parent_span_id);
        if (p == index_.end() || p->second == at) break;
        at = p->second;
        if (prompt_agent_[at]) {
          agents_[i] = agents_[at];
          break;
        }
        if (names_agent_[at]) break;
      }
    }
  }

  // The LangGraph node a span ran in, from the run metadata LangChain gives every run
  // within a node, as LangSmith (langsmith.metadata.*), OpenLLMetry
  // (traceloop.association.properties.*) and OpenInference (its `metadata` JSON) export it:
  // the top-level node of its checkpoint namespace ("research_expert:<task>|agent:<task>"
  // ran in research_expert, a subgraph whose inner nodes are its own), else langgraph_node;
  // "" for none, or for LangGraph's own __start__ / __end__.
  std::string LangGraphNode(const Span& s) {
    std::string node, ns;
    const AttributeValue* meta = nullptr;
    // One pass over the attributes: every span of a trace is asked.
    for (const Attribute& a : s.attributes) {
      const std::string_view k = a.key;
      if (k == "metadata") {
        meta = &a.value;
        continue;
      }
      if (!k.starts_with("langsmith.metadata.") &&
          !k.starts_with("traceloop.association.properties."))
        continue;
      if (k.ends_with(".langgraph_node")) node = a.value.ToString();
      if (k.ends_with(".langgraph_checkpoint_ns")) ns = a.value.ToString();
    }
    if (node.empty() && ns.empty() && meta != nullptr && meta->type == ValueType::kString &&
        meta->text.find("\"langgraph_") != std::string::npos) {
      element doc;
      std::string_view v;
      if (parser_.parse(meta->text).get(doc) == simdjson::SUCCESS && doc.is_object()) {
        if (doc["langgraph_node"].get(v) == simdjson::SUCCESS) node = std::string(v);
        if (doc["langgraph_checkpoint_ns"].get(v) == simdjson::SUCCESS) ns = std::string(v);
      }
    }
    std::string name = ns.empty() ? node : ns.substr(0, ns.find_first_of(":|"));
    return name.starts_with("__") ? std::string() : name;
  }

  // LangGraph's agents are the nodes that call a model (a tool node, a router or a human
  // step is a step of the graph, not an agent): every span run within such a node is that
  // agent's unless it names another, and the node's own span (named by it; OpenLLMetry's
  // "<node>.task" by traceloop.entity.name) is its agent span.
  void LangGraphAgents() {
    langgraph_agent_.assign(spans_.size(), std::string());
    std::unordered_set<std::string> calling;
    for (size_t i = 0; i < spans_.size(); ++i) {
      langgraph_agent_[i] = LangGraphNode(spans_[i]);
      if (roles_[i] == SpanRole::kModel && !langgraph_agent_[i].empty())
        calling.insert(langgraph_agent_[i]);
    }
    for (size_t i = 0; i < spans_.size(); ++i) {
      std::string& node = langgraph_agent_[i];
      if (node.empty()) continue;
      if (calling.count(node) == 0) {
        node.clear();
      } else if (roles_[i] == SpanRole::kOther &&
                 (spans_[i].name == node || spans_[i].Str("traceloop.entity.name") == node)) {
        roles_[i] = SpanRole::kAgent;
      }
    }
  }

  // Agents that take turns in a conversation (AG2's invoke_agent spans under its
  // conversation span): each turn answers the one before it, as each message of a group chat
  // goes to the agent who speaks next. Turns are the agent spans under one parent that is not
  // an agent's own span (an agent invoking others stays their caller), in start order; a
  // turn's previous turn is the one before it when that one had ended by then (agents run
  // at once answer no one).
  void PreviousTurns() {
    // Agent spans with a model call under them: those calls say when the agent acted.
    calls_model_.assign(spans_.size(), false);
    for (size_t i = 0; i < spans_.size(); ++i) {
      if (roles_[i] != SpanRole::kModel) continue;
      auto p = index_.find(spans_[i].parent_span_id);
      for (int guard = 0; p != index_.end() && guard < 10000; ++guard) {
        if (calls_model_[p->second]) break;  // Marked from here up already.
        calls_model_[p->second] = true;
        p = index_.find(spans_[p->second].parent_span_id);
      }
    }
    previous_turn_.assign(spans_.size(), SIZE_MAX);
    returns_to_.assign(spans_.size(), std::string());
    answered_.assign(spans_.size(), false);
    std::unordered_map<std::string_view, std::vector<size_t>> turns;  // By parent span id.
    for (size_t i = 0; i < spans_.size(); ++i) {
      // An agent's creation (create_agent, as OpenLIT records a crew's agents) is no turn.
      if (roles_[i] != SpanRole::kAgent || spans_[i].Str("gen_ai.operation.name") == "create_agent")
        continue;
      const std::string_view parent_id = TurnParent(i);
      auto parent = index_.find(parent_id);
      if (parent != index_.end() && roles_[parent->second] == SpanRole::kAgent) continue;
      turns[parent_id].push_back(i);
    }
    for (auto& [parent, list] : turns) {
      std::stable_sort(list.begin(), list.end(),
                       [&](size_t a, size_t b) { return spans_[a].start_ns < spans_[b].start_ns; });
      for (size_t k = 1; k < list.size(); ++k)
        if (spans_[list[k - 1]].end_ns <= spans_[list[k]].start_ns) {
          previous_turn_[list[k]] = list[k - 1];
          answered_[list[k - 1]] = true;
        }
    }
  }

  // A span of a message runtime's own (the messaging conventions: messaging.operation, as
  // AutoGen's runtime traces each message it creates, publishes and processes): plumbing
  // between agents, not a step of the conversation.
  bool IsMessagingSpan(size_t i) const {
    const Span& s = spans_[i];
    return roles_[i] == SpanRole::kOther &&
           (s.Find("messaging.operation") != nullptr ||
            s.Find("messaging.operation.type") != nullptr || s.Find("messaging.system") != nullptr);
  }

  // The id of the span that agent span i is a turn under: its parent, or, past the spans of
  // a message runtime that delivered the turn's request, the nearest span above them (AutoGen
  // runs each turn under the runtime's publish and process spans, all under the program's
  // root span).
  std::string_view TurnParent(size_t i) const {
    std::string_view id = spans_[i].parent_span_id;
    for (int guard = 0; guard < 10000; ++guard) {
      auto p = index_.find(id);
      if (p == index_.end() || !IsMessagingSpan(p->second)) break;
      id = spans_[p->second].parent_span_id;
    }
    return id;
  }

  // What an agent span says its agent replied: its last assistant message with text in
  // gen_ai.output.messages, else in the span's output as its instrumentation writes it
  // (OpenInference's output.value, LangSmith's gen_ai.completion, OpenLLMetry's
  // traceloop.entity.output, Pydantic AI's final_result; a LangGraph node's output is its
  // state update, every message of the conversation so far), else that output as written;
  // else what its last model call under it answered (AutoGen's agent spans carry no content);
  // else the message its runtime carried from it (RuntimeMessageOf); "" when it says nothing.
  std::string AgentReplyText(size_t i) {
    std::string said = SpanReplyText(spans_[i]);
    if (said.empty()) said = LastModelReplyUnder(i);
    return said.empty() ? RuntimeMessageOf(i) : said;
  }

  // The text message agent span i sent, as the message runtime that delivered it traced it:
  // AutoGen's runtime puts every message it processes in its process span's `message`
  // attribute (a GroupChatAgentResponse, a GroupChatMessage...), each holding AgentChat
  // messages with their `source` and `content`. The first carried from the agent at or after
  // the span's start; "" when none is (a trace without the runtime's spans). So a team traced
  // without a model instrumentation still says what each agent replied.
  std::string RuntimeMessageOf(size_t i) {
    if (!runtime_messages_read_) {
      runtime_messages_read_ = true;
      std::string scratch;
      for (size_t j : order_) {  // By start: runtime_messages_ is sorted as it is filled.
        if (!IsMessagingSpan(j)) continue;
        const std::string& text = TextOf(spans_[j].attributes, "message", scratch);
        element doc;
        if (text.empty() || text.front() != '{' ||
            parser_.parse(text).get(doc) != simdjson::SUCCESS)
          continue;
        VisitJson(doc, [&](element e) {
          element source, content;
          if (!e.is_object() || e["source"].get(source) != simdjson::SUCCESS ||
              !source.is_string() || e["content"].get(content) != simdjson::SUCCESS ||
              !content.is_string())
            return JsonVisit::kInto;
          // A message with text: not an event (a tool call's request or result, a thought).
          std::string_view type;
          if (element t; e["type"].get(t) == simdjson::SUCCESS && t.is_string())
            type = std::string_view(t.get_string());
          if (!type.ends_with("Event") && !std::string_view(content.get_string()).empty())
            runtime_messages_.push_back({spans_[j].start_ns,
                                         std::string(std::string_view(source.get_string())),
                                         std::string(std::string_view(content.get_string()))});
          return JsonVisit::kPast;
        });
      }
    }
    // Before the agent's next turn begins: a turn that sent no text (only tool calls) has
    // no reply, rather than the next turn's.
    if (turn_starts_.empty())
      for (size_t j : order_)
        if (roles_[j] == SpanRole::kAgent) turn_starts_[agents_[j]].push_back(spans_[j].start_ns);
    int64_t until = INT64_MAX;
    if (auto turns = turn_starts_.find(agents_[i]); turns != turn_starts_.end())
      if (auto next =
              std::upper_bound(turns->second.begin(), turns->second.end(), spans_[i].start_ns);
          next != turns->second.end())
        until = *next;
    auto it =
        std::lower_bound(runtime_messages_.begin(), runtime_messages_.end(), spans_[i].start_ns,
                         [](const RuntimeMessage& m, int64_t t) { return m.at < t; });
    for (; it != runtime_messages_.end() && it->at < until; ++it)
      if (it->source == agents_[i]) return it->content;
    return "";
  }

  std::string SpanReplyText(const Span& s) {
    std::string scratch;
    for (std::string_view key : {"gen_ai.output.messages", "output.value", "gen_ai.completion",
                                 "traceloop.entity.output", "final_result"}) {
      const std::string& out = TextOf(s.attributes, key, scratch);
      if (out.empty()) continue;
      const std::vector<ParsedMessage> messages = MessagesOf(parser_, out, "assistant");
      for (auto m = messages.rbegin(); m != messages.rend(); ++m)
        if (m->message.role == "assistant" && !m->message.content.text.empty())
          return m->message.content.text;
      if (key != "gen_ai.output.messages") return out;
    }
    // MLflow's agent span whose output is text (CrewAI's task result); an object there is
    // not a reply (the OpenAI Agents SDK's {"output_type": ...}).
    if (const AttributeValue* v = s.Find("mlflow.spanOutputs");
        v != nullptr && v->text.size() >= 2 && v->text.front() == '"')
      if (std::string text = UnquotedJson(parser_, v->text); text != v->text) return text;
    // Langfuse's agent observation: its output, text or an answer message.
    if (const std::string& out = TextOf(s.attributes, "langfuse.observation.output", scratch);
        !out.empty()) {
      for (const ParsedMessage& m : MessagesOf(parser_, out, "assistant"))
        if (m.message.role == "assistant" && !m.message.content.text.empty())
          return m.message.content.text;
    }
    // The older conventions' gen_ai.choice event on the agent's span (Strands Agents').
    for (const SpanEvent& e : s.events)
      if (e.name == "gen_ai.choice")
        for (const ParsedMessage& m :
             MessagesOf(parser_, AttributeString(e.attributes, "message"), "assistant"))
          if (!m.message.content.text.empty()) return m.message.content.text;
    return "";
  }

  // The results of tool calls whose spans did not carry them, from a request that carries
  // them back to the model (a tool message with the call's id).
  void FillToolResults(const ModelRequest& request) {
    if (tool_awaiting_result_.empty()) return;
    for (const ChatMessage& m : request.messages) {
      if (m.role != "tool" || m.tool_call_id.empty() || m.content.text.empty()) continue;
      auto waiting = tool_awaiting_result_.find(m.tool_call_id);
      if (waiting == tool_awaiting_result_.end()) continue;
      if (auto* call = std::get_if<ToolCall>(&items_[waiting->second].body))
        call->result.text = m.content.text;
      tool_awaiting_result_.erase(waiting);
    }
  }

  // OpenInference's instrumentation of the Agents SDK flattens an assistant message item of the
  // input without its text (an answer that came with a handoff: "I'm sorry..." and then
  // transfer_to_writer), while input.value holds the items it flattened, one message each,
  // after the instructions it puts first: a message left with nothing takes its item's text.
  void FillTextsFromInputItems(const Span& s, std::vector<ParsedMessage>& messages) {
    auto empty = [](const ParsedMessage& m) {
      return m.message.content.text.empty() && m.tool_calls.empty() &&
             m.message.tool_call_id.empty();
    };
    if (std::none_of(messages.begin(), messages.end(), empty)) return;
    const AttributeValue* in = s.Find("input.value");
    element doc;
    if (in == nullptr || parser_.parse(in->text).get(doc) != simdjson::SUCCESS || !doc.is_array() ||
        doc.get_array().size() > messages.size())
      return;
    size_t i = messages.size() - doc.get_array().size();
    for (size_t first = 0; first < i; ++first)
      if (messages[first].message.role != "system") return;
    for (element item : doc.get_array()) {
      ParsedMessage& m = messages[i++];
      element content;
      if (!empty(m) || item["content"].get(content) != simdjson::SUCCESS) continue;
      if (content.is_string()) {
        m.message.content.text = std::string_view(content.get_string());
      } else if (content.is_array()) {
        for (element part : content.get_array()) m.message.content.text += Field(part, "text");
      }
    }
  }

  // The tool calls that the agent's last answer asked for and that this request carries the
  // results of, in a trace without tool spans (an instrumentation of the model client alone
  // sees only the requests): each ran between the two calls, as the proxy records the tool
  // calls it sees in a request. A transfer to another agent is a handoff, not a tool call.
  void RunToolCallsOfHistory(const std::string& agent, int64_t time_ns, size_t hint,
                             const ModelRequest& request) {
    if (tool_spans_) return;
    auto last = last_response_.find(agent);
    if (last == last_response_.end() || last->second.tool_calls.empty()) return;
    for (const ToolCallRequest& asked : last->second.tool_calls) {
      if (asked.id.empty() || HandoffToolTarget(asked.name, asked.arguments_json.text) ||
          history_tool_call_ids_.count(asked.id) > 0)  // A retried request resends them.
        continue;
      for (const ChatMessage& m : request.messages) {
        if (m.role != "tool" || m.tool_call_id != asked.id) continue;
        ToolCall call;
        call.call_id = asked.id;
        call.tool = asked.name;
        call.arguments.text = asked.arguments_json.text;
        call.result.text = m.content.text;
        history_tool_call_ids_.insert(asked.id);
        Add(time_ns, hint, agent, std::move(call));
        break;
      }
    }
  }

  // The text that the last model call of agent span i (not of an agent span under it)
  // answered without an error, or "".
  std::string LastModelReplyUnder(size_t i) {
    if (!model_replies_read_) {
      // Once, for every agent span: read here, before the calls are emitted in time order,
      // because a reply returned to a caller is emitted with the span that returns it.
      model_replies_read_ = true;
      for (size_t j = 0; j < spans_.size(); ++j) {
        if (roles_[j] != SpanRole::kModel || spans_[j].status == StatusCode::kError) continue;
        const size_t owner = ModelCallOwner(j);
        if (owner == SIZE_MAX) continue;
        auto [last, fresh] = model_reply_.try_emplace(owner, INT64_MIN, std::string());
        if (spans_[j].end_ns < last->second.first) continue;
        // Under its own key: the agent's remembered last request (ModelCallOf continues it)
        // is left to the calls emitted in time order.
        ModelCall call = ModelCallOf(spans_[j], kReplyReader);
        if (!call.error.empty() || call.response.content.text.empty()) continue;
        last->second = {spans_[j].end_ns, std::move(call.response.content.text)};
      }
    }
    auto reply = model_reply_.find(i);
    return reply == model_reply_.end() ? std::string() : reply->second.second;
  }

  // Whether agent span i makes a model call of its own (not one of an agent span under it)
  // that starts at or after `t`: a caller that acts on what a call it made returned.
  bool CallsModelAfter(size_t i, int64_t t) {
    if (!calls_model_[i]) return false;  // No model call under it at all.
    if (last_own_model_start_.empty()) {
      last_own_model_start_.assign(spans_.size(), INT64_MIN);
      for (size_t j = 0; j < spans_.size(); ++j) {
        if (roles_[j] != SpanRole::kModel) continue;
        if (const size_t owner = ModelCallOwner(j); owner != SIZE_MAX)
          last_own_model_start_[owner] = std::max(last_own_model_start_[owner], spans_[j].start_ns);
      }
    }
    return last_own_model_start_[i] >= t;
  }

  // The agent span whose own call model span j is (CallerSpan), or SIZE_MAX: found once for
  // every model span, for LastModelReplyUnder and CallsModelAfter alike.
  size_t ModelCallOwner(size_t j) {
    if (model_call_owner_.empty()) {
      model_call_owner_.assign(spans_.size(), SIZE_MAX);
      for (size_t k = 0; k < spans_.size(); ++k)
        if (roles_[k] == SpanRole::kModel) model_call_owner_[k] = CallerSpan(k);
    }
    return model_call_owner_[j];
  }

  // Whether span s's input (input.value) holds `text`: as written, or as a string in its JSON
  // (where quotes and line breaks in `text` are escaped).
  bool InputCarries(const Span& s, const std::string& text) {
    std::string scratch;
    const std::string& input = TextOf(s.attributes, "input.value", scratch);
    if (input.find(text) != std::string::npos) return true;
    element doc;
    if (input.empty() || (input[0] != '{' && input[0] != '[') ||
        parser_.parse(input).get(doc) != simdjson::SUCCESS)
      return false;
    bool carries = false;
    VisitJson(doc, [&](element e) {
      carries = e.is_string() && std::string_view(e.get_string()).find(text) != std::string::npos;
      return carries ? JsonVisit::kStop : JsonVisit::kInto;
    });
    return carries;
  }

  // The nearest agent span above span i (not i itself), or SIZE_MAX.
  size_t CallerSpan(size_t i) {
    auto p = index_.find(spans_[i].parent_span_id);
    int guard = 0;
    while (p != index_.end() && guard++ < 10000) {
      size_t j = p->second;
      if (roles_[j] == SpanRole::kAgent || names_agent_[j]) return j;
      p = index_.find(spans_[j].parent_span_id);
    }
    return SIZE_MAX;
  }

  // The agent of the nearest agent span above span i, or "".
  std::string CallerAgent(size_t i) {
    const size_t j = CallerSpan(i);
    return j == SIZE_MAX ? std::string() : agents_[j];
  }

  std::string ResolveAgent(const std::string& named) {
    std::string key = AgentNameKey(named);
    for (const std::string& a : agent_names_)
      if (AgentNameKey(a) == key) return a;
    return named;
  }

  size_t Add(int64_t t, int64_t hint, std::string agent, EventBody body) {
    Item item;
    item.time_ns = t;
    item.hint = hint;
    item.order = items_.size();
    item.agent = std::move(agent);
    item.body = std::move(body);
    items_.push_back(std::move(item));
    return items_.size() - 1;
  }

  // Longer attribute values are content under names the conventions do not list: the
  // span start keeps what identifies and describes the span, not payloads.
  static constexpr size_t kLongestKeptAttribute = 512;

  void EmitSpan(size_t i, SpanSession& out) {
    const Span& s = spans_[i];
    const std::string& agent = agents_[i];
    const int64_t hint = hints_[i];
    SpanStart start;
    start.span_id = s.span_id;
    start.parent_span_id = s.parent_span_id;
    start.name = s.name;
    for (const Attribute& a : s.attributes) {
      if (IsContentKey(a.key) || a.key == attr::kSeq) continue;
      // Only text can be that long (a number or a boolean prints short): checked before
      // anything is copied.
      if (a.value.text.size() > kLongestKeptAttribute) continue;
      start.attributes.push_back({a.key.str(), a.value.ToString()});
    }
    Add(s.start_ns, hint, agent, std::move(start));

    const SpanRole role = roles_[i];
    if (role == SpanRole::kAgent && !explicit_messages_) {
      InferDelivery(i);
      // An agent span that says what its agent replied, with no model call of its own seen
      // (AG2 traces its agents' replies, not their model calls; AutoGen's runtime carries
      // them), processed what had been delivered to its agent when it ended without an error.
      // (Whether it replied is asked only when something waits: it parses the span's output.)
      if (!calls_model_[i] && s.status != StatusCode::kError && unprocessed_.count(agent) > 0 &&
          !AgentReplyText(i).empty())
        ProcessDelivered(agent, s.end_ns, hint);
    }
    if (role == SpanRole::kModel) {
      ++out.model_calls;
      // An agent told by its prompt, handed work by another's transfer: its call takes it.
      if (prompt_agent_[i] && !explicit_messages_) DeliverPending(agent, s.start_ns, hint);
      ModelCall call = ModelCallOf(s, agent);
      if (!call.request.messages.empty() || !call.response.content.text.empty() ||
          !call.response.tool_calls.empty())
        ++out.model_calls_with_content;
      const bool failed = !call.error.empty();
      // A transfer the model asked for (transfer_to_<agent>) is the handoff when the trace
      // records handoffs no other way (an instrumentation of the model client alone sees
      // only the request for it): no tool span ran that call, no span is a handoff or a
      // transfer, and the program did not say it with baton.message.send.
      std::vector<MessageSend> transfers;
      for (const ToolCallRequest& t : call.response.tool_calls) {
        auto target = HandoffToolTarget(t.name, t.arguments_json.text);
        if (!target || explicit_messages_ || handoff_spans_ ||
            (!t.id.empty() && tool_call_ids_.count(t.id) > 0))
          continue;
        MessageSend send;
        send.message_id = t.id.empty() ? s.span_id + "/" + t.name : t.id;
        send.to = ResolveAgent(*target);
        send.intent = "handoff";
        send.payload.text = HandoffMessage(call.response.content.text, t.arguments_json.text);
        transfers.push_back(std::move(send));
      }
      // What the agent was given, for an invocation that did not say (ProcessDelivered).
      std::string given;
      for (auto m = call.request.messages.rbegin(); m != call.request.messages.rend(); ++m)
        if (m->role == "user" && !m->content.text.empty()) {
          given = m->content.text;
          break;
        }
      FillToolResults(call.request);
      RunToolCallsOfHistory(agent, s.start_ns, hint, call.request);
      if (!failed) last_response_[agent] = call.response;
      size_t item = Add(s.end_ns, hint, agent, std::move(call));
      model_items_.push_back(item);
      for (MessageSend& send : transfers) {
        std::string to = send.to, id = send.message_id;
        pending_[to].push_back({Add(s.end_ns, hint, agent, std::move(send)), std::move(id), agent});
      }
      if (!failed) ProcessDelivered(agent, s.end_ns, hint, given);
    }
    if (role == SpanRole::kHandoff) EmitHandoff(i);
    if (role == SpanRole::kTool) {
      const std::string& target = transfer_targets_[i];
      if (!target.empty()) {
        // A handoff by tool: the program's own baton.message.send (if any) says it instead.
        if (!explicit_messages_) {
          MessageSend send;
          send.message_id = s.Str("gen_ai.tool.call.id");
          if (send.message_id.empty()) send.message_id = s.span_id;
          send.to = ResolveAgent(target);
          send.intent = s.Str("gen_ai.transfer.mode");
          if (send.intent.empty()) send.intent = "handoff";
          send.payload.text =
              HandoffPayload(agent, s.Str("gen_ai.tool.call.id"), send.to, ToolArguments(s));
          pending_[send.to].push_back({Add(s.start_ns, hint, agent, send), send.message_id, agent});
        }
      } else {
        ToolCall call;
        call.call_id = FirstString(s, {"gen_ai.tool.call.id", "ai.toolCall.id"});
        if (call.call_id.empty()) call.call_id = s.span_id;
        call.tool = ToolNameOf(s);
        call.arguments.text = ToolArguments(s);
        call.result.text = ToolResult(s);
        call.latency_ns = s.end_ns - s.start_ns;
        call.error = ErrorOf(s);
        if (!call.error.empty()) call.error_code = ErrorCodeOf(s, call.error);
        // A tool span without its content (AutoGen's): the arguments are those of the call
        // the agent's model asked for, the result what its next request carried back.
        if (call.arguments.text.empty())
          if (auto last = last_response_.find(agent); last != last_response_.end())
            for (const ToolCallRequest& t : last->second.tool_calls)
              if (t.id == call.call_id) call.arguments.text = t.arguments_json.text;
        const bool awaits_result = call.result.text.empty() && call.error.empty();
        const std::string call_id = call.call_id;
        const size_t item = Add(s.end_ns, hint, agent, std::move(call));
        if (awaits_result) tool_awaiting_result_[call_id] = item;
      }
    }
    for (const SpanEvent& e : s.events) EmitEvent(s, agent, e);
    if (!returns_to_[i].empty() && s.status != StatusCode::kError && !explicit_messages_)
      EmitReturn(i);
    SpanEnd end;
    end.span_id = s.span_id;
    std::string error = ErrorOf(s);
    end.status = s.status == StatusCode::kError ? "error: " + error
                 : s.status == StatusCode::kOk  ? "ok"
                                                : "";
    end.reported_duration_ns = s.end_ns - s.start_ns;
    if (const AttributeValue* reported = s.Find(attr::kSpanReportedDurationNs))
      end.reported_duration_ns = reported->ToInt().value_or(end.reported_duration_ns);
    Add(s.end_ns, hint, agent, std::move(end));
  }

  // A tool span's arguments: an attribute, else what its GenAI events say (Strands Agents
  // puts them there): the gen_ai.tool.message event's content, or the tool_call part of
  // gen_ai.input.messages (on its gen_ai.client.inference.operation.details event).
  std::string ToolArguments(const Span& s) {
    std::string args = FirstString(
        s, {"gen_ai.tool.call.arguments", "input.value", "gen_ai.tool.input", "ai.toolCall.args",
            "traceloop.entity.input", "gcp.vertex.agent.tool_call_args", "tool_arguments"});
    if (!args.empty()) return args;
    if (args = WholeCallString(parser_, s, &WholeCallKeys::input); !args.empty()) return args;
    for (const SpanEvent& e : s.events)
      if (e.name == "gen_ai.tool.message") return AttributeString(e.attributes, "content");
    std::string scratch;
    if (const std::string& in = TextOf(s.attributes, "gen_ai.input.messages", scratch); !in.empty())
      for (ParsedMessage& m : MessagesOf(parser_, in, "tool"))
        for (ToolCallRequest& t : m.tool_calls) return std::move(t.arguments_json.text);
    return "";
  }

  // A tool span's result: an attribute, else its gen_ai.choice event's message, or the
  // tool_call_response part of gen_ai.output.messages. Converse content blocks become their
  // text; any other value is kept as it is.
  std::string ToolResult(const Span& s) {
    std::string result = FirstString(
        s, {"gen_ai.tool.call.result", "output.value", "gen_ai.tool.output", "ai.toolCall.result",
            "traceloop.entity.output", "gcp.vertex.agent.tool_response", "tool_response"});
    if (!result.empty()) return result;
    if (result = WholeCallString(parser_, s, &WholeCallKeys::output); !result.empty())
      return result;
    std::string scratch;
    const std::string* body = nullptr;
    for (const SpanEvent& e : s.events)
      if (e.name == "gen_ai.choice") {
        scratch = AttributeString(e.attributes, "message");
        body = &scratch;
        break;
      }
    if (body == nullptr) body = &TextOf(s.attributes, "gen_ai.output.messages", scratch);
    if (body->empty() || body->front() != '[') return *body;
    auto messages = ArrayMessagesOf(parser_, *body, "tool");
    if (!messages) return *body;
    for (const ParsedMessage& m : *messages) result += m.message.content.text;
    return result;
  }

  // A handoff span (OpenLLMetry's "Triage → Billing.handoff"): a message from the agent
  // handing off to the one taking over, delivered when that agent's span begins.
  void EmitHandoff(size_t i) {
    const Span& s = spans_[i];
    std::string to = FirstString(s, {"gen_ai.handoff.to_agent", "gen_ai.handoff.to_agent.name"});
    if (to.empty() || explicit_messages_) return;
    std::string from =
        FirstString(s, {"gen_ai.handoff.from_agent", "gen_ai.handoff.from_agent.name"});
    if (from.empty()) from = agents_[i];
    MessageSend send;
    send.message_id = s.span_id;
    send.to = ResolveAgent(to);
    send.intent = "handoff";
    from = ResolveAgent(from);
    pending_[send.to].push_back({Add(s.start_ns, hints_[i], from, send), send.message_id, from});
  }

  // Delivers to `agent` at `t` the oldest message sent to it and not yet delivered; false
  // when none waits.
  bool DeliverPending(const std::string& agent, int64_t t, int64_t hint) {
    auto pending = pending_.find(agent);
    if (pending == pending_.end() || pending->second.empty()) return false;
    Pending p = pending->second.front();
    pending->second.erase(pending->second.begin());
    size_t d = Add(t, hint, agent, MessageDelivery{p.message_id, p.from});
    unprocessed_[agent].push_back({p.message_id, p.send_item});
    items_[d].send_item = p.send_item;
    return true;
  }

  void InferDelivery(size_t i) {
    const Span& s = spans_[i];
    const std::string& agent = agents_[i];
    if (DeliverPending(agent, s.start_ns, hints_[i])) return;
    // gen_ai.agent.handoff_parent: OpenLLMetry's name for the agent that handed off.
    std::string caller = FirstString(s, {"gen_ai.caller.agent.name", "gen_ai.caller.name",
                                         "gen_ai.caller.agent.id", "gen_ai.agent.handoff_parent"});
    bool graph_edge = false;
    if (caller.empty()) {
      // A graph edge (LangGraph's, or a CrewAI crew's task order as OpenInference traces it):
      // the node this one follows, when that node is an agent seen here.
      std::string from = s.Str("graph.node.parent_id");
      if (std::find(agent_names_.begin(), agent_names_.end(), from) != agent_names_.end()) {
        caller = from;
        graph_edge = true;
      }
    }
    std::string reply;  // The previous turn's, when that is what this agent answers.
    if (caller.empty() && previous_turn_[i] != SIZE_MAX) {
      const size_t turn = previous_turn_[i];
      reply = AgentReplyText(turn);
      // A turn that said nothing (or whose content was not captured) sent nothing.
      if (reply.empty()) return;
      caller = agents_[turn];
    } else if (graph_edge && previous_turn_[i] != SIZE_MAX &&
               agents_[previous_turn_[i]] == caller) {
      // The edge from the turn just before, whose reply this node was given (a CrewAI task's
      // context is the task before it's output): the node answers that reply, as a turn does,
      // rather than its whole input (the task's arguments, a graph's state).
      std::string said = AgentReplyText(previous_turn_[i]);
      if (!said.empty() && InputCarries(s, said)) reply = std::move(said);
    }
    size_t caller_span = SIZE_MAX;  // Run inside the caller's span: a call that returns to it.
    if (caller.empty()) {
      caller_span = CallerSpan(i);
      if (caller_span != SIZE_MAX) caller = agents_[caller_span];
    }
    if (caller.empty() || caller == agent) return;
    caller = ResolveAgent(caller);
    // A caller that decides with a model acts on what the call returns, unless the turns
    // of a group chat carry the reply on to the next speaker instead.
    if (caller_span != SIZE_MAX && !answered_[i] && CallsModelAfter(caller_span, DoneAt(i)))
      returns_to_[i] = caller;
    MessageSend send;
    send.message_id = s.span_id;
    send.to = agent;
    send.intent = reply.empty() ? "invoke" : "reply";
    send.payload.text = reply.empty() ? s.Str("input.value") : std::move(reply);
    if (send.payload.text.empty())
      send.payload.text = WholeCallString(parser_, s, &WholeCallKeys::input);
    if (send.payload.text.empty()) {
      // The task the agent was invoked with: the last user message it was given.
      std::string scratch;
      for (const ParsedMessage& m :
           MessagesOf(parser_, TextOf(s.attributes, "gen_ai.input.messages", scratch), "user"))
        if (m.message.role == "user") send.payload.text = m.message.content.text;
    }
    // Or the older conventions' message events on the agent's span (Strands Agents').
    for (const SpanEvent& e : s.events)
      if (send.payload.text.empty() && e.name == "gen_ai.user.message")
        for (const ParsedMessage& m :
             MessagesOf(parser_, AttributeString(e.attributes, "content"), "user"))
          if (m.message.role == "user") send.payload.text = m.message.content.text;
    if (send.payload.text.empty()) send.payload.text = PydanticAiTask(s);
    if (send.payload.text.empty()) {
      // The Vercel AI SDK's call: ai.prompt is {"system", "prompt"} or {"system", "messages"}.
      std::string scratch;
      element doc;
      if (const std::string& p = TextOf(s.attributes, "ai.prompt", scratch);
          !p.empty() && parser_.parse(p).get(doc) == simdjson::SUCCESS && doc.is_object()) {
        element v;
        if (doc["prompt"].get(v) == simdjson::SUCCESS && v.is_string()) {
          send.payload.text = StringOf(v);
        } else if (doc["messages"].get(v) == simdjson::SUCCESS && v.is_array()) {
          for (element m : v.get_array())
            if (ParsedMessage pm = MessageOf(m); pm.message.role == "user")
              send.payload.text = pm.message.content.text;
        }
      }
    }
    const int64_t hint = hints_[i];
    size_t si = Add(s.start_ns, hint, caller, std::move(send));
    size_t d = Add(s.start_ns, hint, agent, MessageDelivery{s.span_id, caller});
    unprocessed_[agent].push_back({s.span_id, si});
    items_[d].send_item = si;
  }

  // An agent run inside its caller's span (an agent used as a tool: the AI SDK's and the
  // OpenAI Agents SDK's agents-as-tools, a Pydantic AI delegation) returns its reply to the
  // caller when it ends: a `reply` message, delivered at once (the call returns) and acted on
  // by the caller's next model call. A run whose reply was not captured returns nothing.
  void EmitReturn(size_t i) {
    const Span& s = spans_[i];
    std::string reply = SpanReplyText(s);
    if (reply.empty()) reply = s.Str("ai.response.text");  // The AI SDK's generateText.
    if (reply.empty()) reply = LastModelReplyUnder(i);
    if (reply.empty()) return;
    const std::string& caller = returns_to_[i];
    const int64_t end_ns = DoneAt(i);
    MessageSend send;
    send.message_id = s.span_id + "/reply";
    send.to = caller;
    send.intent = "reply";
    send.payload.text = std::move(reply);
    const std::string id = send.message_id;
    const size_t si = Add(end_ns, hints_[i], agents_[i], std::move(send));
    const size_t d = Add(end_ns, hints_[i], caller, MessageDelivery{id, agents_[i]});
    items_[d].send_item = si;
    unprocessed_[caller].push_back({id, si});
  }

  // When agent span i's work was done: just after the last work under it ended (that work
  // produced its reply), else its end. The span's own end (or its parent's) can say
  // otherwise either way, by a millisecond or so: the AI SDK's spans start on a millisecond
  // clock, so a child can end after its parent, or a parent after the caller's next model
  // call began.
  int64_t DoneAt(size_t i) {
    if (last_end_under_.empty()) {
      // Once, for every span: the latest end among the spans under it, from the deepest
      // spans up, each to its parent (linear in the spans however deep the tree). A parent
      // no shallower than its child closes a cycle of parents: nothing goes round it.
      last_end_under_.assign(spans_.size(), INT64_MIN);
      std::vector<size_t> deepest_first(spans_.size());
      for (size_t j = 0; j < spans_.size(); ++j) deepest_first[j] = j;
      std::sort(deepest_first.begin(), deepest_first.end(),
                [&](size_t a, size_t b) { return depth_[a] > depth_[b]; });
      for (size_t j : deepest_first) {
        auto p = index_.find(spans_[j].parent_span_id);
        if (p == index_.end() || depth_[p->second] >= depth_[j]) continue;
        int64_t& last = last_end_under_[p->second];
        last = std::max({last, spans_[j].end_ns, last_end_under_[j]});
      }
    }
    return last_end_under_[i] == INT64_MIN ? spans_[i].end_ns : last_end_under_[i] + 1;
  }

  // `agent` acted at `time_ns` on every message delivered to it and not yet processed. When
  // it acted by a model call, `given` is that request's last user message: an invocation
  // whose spans did not say what the agent was given gave it that (the OpenAI Agents SDK's
  // agent spans, as OpenInference traces them, carry no input).
  void ProcessDelivered(const std::string& agent, int64_t time_ns, int64_t hint,
                        std::string_view given = {}) {
    auto waiting = unprocessed_.find(agent);
    if (waiting == unprocessed_.end()) return;
    for (Unprocessed& u : waiting->second) {
      if (!given.empty() && u.send_item < items_.size())
        if (auto* send = std::get_if<MessageSend>(&items_[u.send_item].body);
            send != nullptr && send->payload.text.empty() && send->intent == "invoke")
          send->payload.text = std::string(given);
      Add(time_ns, hint, agent, MessageProcessed{std::move(u.message_id)});
    }
    unprocessed_.erase(waiting);
  }

  // What a handoff by tool hands over, as the proxy records one: what the sender's model
  // said with the call that asked for it, then that call's arguments ("{}" says nothing).
  // The call is the one of the sender's last answer with this id, else the one handing off
  // to the same agent; `span_arguments` (the tool span's own) stand in when there is none.
  std::string HandoffPayload(const std::string& agent, const std::string& call_id,
                             const std::string& to, std::string span_arguments) {
    std::string said, arguments = std::move(span_arguments);
    if (auto last = last_response_.find(agent); last != last_response_.end())
      for (const ToolCallRequest& t : last->second.tool_calls) {
        const auto target = HandoffToolTarget(t.name, t.arguments_json.text);
        if ((call_id.empty() || t.id != call_id) && (!target || ResolveAgent(*target) != to))
          continue;
        said = last->second.content.text;
        if (!t.arguments_json.text.empty()) arguments = t.arguments_json.text;
        break;
      }
    return HandoffMessage(said, arguments);
  }

  // The task of a Pydantic AI agent run, whose span says what the run was given only at its
  // end, among all its messages: pydantic_ai.all_messages (GenAI messages; this run's from
  // pydantic_ai.new_message_index on, earlier ones being the history it continued) or,
  // before Pydantic AI 1.0, all_messages_events (GenAI events, as in `events`). Its first
  // user message with text is the task; "" when the span has neither.
  std::string PydanticAiTask(const Span& s) {
    std::string scratch;
    if (const std::string& all = TextOf(s.attributes, "pydantic_ai.all_messages", scratch);
        !all.empty()) {
      const auto messages = ArrayMessagesOf(parser_, all, "user");
      const AttributeValue* first = s.Find("pydantic_ai.new_message_index");
      const int64_t from = first != nullptr ? first->ToInt().value_or(0) : 0;
      if (messages && from >= 0)
        for (size_t k = static_cast<size_t>(from); k < messages->size(); ++k)
          if (const auto& m = (*messages)[k].message; m.role == "user" && !m.content.text.empty())
            return m.content.text;
    }
    element doc;
    if (const std::string& events = TextOf(s.attributes, "all_messages_events", scratch);
        !events.empty() && parser_.parse(events).get(doc) == simdjson::SUCCESS && doc.is_array())
      for (element e : doc.get_array()) {
        std::string_view name, content;
        if (e["event.name"].get(name) == simdjson::SUCCESS && name == "gen_ai.user.message" &&
            e["content"].get(content) == simdjson::SUCCESS && !content.empty())
          return std::string(content);
      }
    return "";
  }

  // Each agent's last request read from gen_ai.input.messages: the texts it was read from
  // (views of the kept spans' attributes) and the request's messages.
  struct LastInput {
    std::string_view system;  // gen_ai.system_instructions; "" when absent.
    std::string_view input;   // gen_ai.input.messages, a JSON array; "" for none.
    MessageList messages;
  };

  // `out` continued from `last` when `input` (under the same system instructions) repeats
  // the input it was read from, or extends that JSON array with more messages.
  bool Continue(const LastInput& last, std::string_view system, const std::string& input,
                MessageList& out) {
    if (last.input.empty() || last.system != system) return false;
    if (input == last.input) {
      out = last.messages;
      return true;
    }
    if (!ExtendsArray(last.input, input)) return false;
    auto more =
        ArrayMessagesOf(parser_, "[" + std::string(input.substr(last.input.size())), "user");
    if (!more) return false;
    out = last.messages;
    for (ParsedMessage& m : *more) AppendRequestMessages(std::move(m), out);
    return true;
  }

  // A message of a request in the portable form a replay matches a live request in
  // (harness/portable_tool_calls.h): its tool calls in `extra`, and a tool's result (which
  // Anthropic's API and instrumentations of it send as the user's) a message of role tool;
  // a message of several results, or of results and text, is a tool message for each result
  // and then one of its text.
  void AppendRequestMessages(ParsedMessage&& pm, MessageList& out) {
    const std::string& content = pm.message.content.text;
    const bool only_result =
        pm.results.size() == 1 && pm.results[0].begin == 0 && pm.results[0].end == content.size();
    if (!pm.results.empty() && !only_result) {
      std::string other;  // The content outside the results.
      size_t at = 0;
      for (const ParsedMessage::ResultText& r : pm.results) {
        out.push_back({"tool", content.substr(r.begin, r.end - r.begin), "", r.id});
        other.append(content, at, r.begin - at);
        at = r.end;
      }
      other.append(content, at);
      if (other.empty() && pm.tool_calls.empty()) return;
      pm.message.content.text = std::move(other);
      pm.message.tool_call_id.clear();
    }
    ChatMessage m = std::move(pm.message);
    m.extra = PortableToolCallsExtra(pm.tool_calls, parser_);
    if (m.role == "user" && !m.tool_call_id.empty()) m.role = "tool";
    out.push_back(std::move(m));
  }

  ModelCall ModelCallOf(const Span& s, const std::string& agent) {
    ModelCall call;
    call.call_id = s.Str(attr::kCallId);
    if (call.call_id.empty()) call.call_id = s.Str("gen_ai.response.id");
    if (call.call_id.empty()) call.call_id = s.span_id;
    if (const AttributeValue* a = s.Find(attr::kCallAttempt))
      call.attempt = static_cast<uint32_t>(std::max<int64_t>(1, a->ToInt().value_or(1)));
    ModelRequest& r = call.request;
    r.model = s.Str("gen_ai.request.model");
    if (r.model.empty()) r.model = s.Str("llm.model_name");
    if (r.model.empty()) r.model = s.Str("gen_ai.response.model");
    if (r.model.empty()) r.model = s.Str("ai.model.id");
    if (r.model.empty()) r.model = MlflowString(parser_, s, "mlflow.llm.model");
    if (r.model.empty()) r.model = s.Str("langfuse.observation.model.name");
    static constexpr std::pair<std::string_view, std::string_view> kParameters[] = {
        {"gen_ai.request.temperature", "temperature"},
        {"gen_ai.request.top_p", "top_p"},
        {"gen_ai.request.top_k", "top_k"},
        {"gen_ai.request.max_tokens", "max_tokens"},
        {"gen_ai.request.frequency_penalty", "frequency_penalty"},
        {"gen_ai.request.presence_penalty", "presence_penalty"},
        {"gen_ai.request.seed", "seed"},
        {"gen_ai.request.choice.count", "n"},
        {"gen_ai.request.stop_sequences", "stop"},
        {"gen_ai.output.type", "output_type"},
    };
    std::string scratch;
    if (const std::string& exact = TextOf(s.attributes, attr::kRequestParameters, scratch);
        !exact.empty()) {
      // baton's own export: the parameters as recorded, not as the conventions round them.
      element doc;
      if (parser_.parse(exact).get(doc) == simdjson::SUCCESS && doc.is_object())
        for (auto field : doc.get_object())
          r.parameters.push_back({std::string(field.key), StringOf(field.value)});
    }
    if (r.parameters.empty())
      for (const auto& [key, name] : kParameters)
        if (const AttributeValue* v = s.Find(key))
          r.parameters.push_back({std::string(name), v->ToString()});
    if (const std::string& inv = TextOf(s.attributes, "llm.invocation_parameters", scratch);
        !inv.empty()) {
      element doc;
      if (parser_.parse(inv).get(doc) == simdjson::SUCCESS && doc.is_object())
        for (auto field : doc.get_object()) {
          std::string k(field.key);
          if (k == "model" || k == "messages" || k == "tools") continue;
          if (std::none_of(r.parameters.begin(), r.parameters.end(),
                           [&](const KeyValue& kv) { return kv.key == k; }))
            r.parameters.push_back({k, StringOf(field.value)});
        }
    }
    std::sort(r.parameters.begin(), r.parameters.end(),
              [](const KeyValue& a, const KeyValue& b) { return a.key < b.key; });
    if (const AttributeValue* st = s.Find("gen_ai.request.stream"))
      r.stream = st->ToBool().value_or(false);

    // The request's messages, from whichever convention carried them.
    std::vector<ParsedMessage> input;
    // The system instructions' text, as a view when the span holds it as text: a
    // conversation is continued only under the same instructions.
    std::optional<std::string_view> system_text;
    if (const std::string& sys = TextOf(s.attributes, "gen_ai.system_instructions", scratch);
        !sys.empty()) {
      if (&sys != &scratch) system_text = sys;
      std::string text;
      for (const ParsedMessage& m : MessagesOf(parser_, sys, "system"))
        text += m.message.content.text;
      // A list of parts reads as messages without roles; what counts is the text.
      if (text.empty()) text = sys;
      ParsedMessage pm;
      pm.message.role = "system";
      pm.message.content.text = text;
      input.push_back(std::move(pm));
    } else {
      system_text = std::string_view();
    }
    auto append = [&](std::vector<ParsedMessage> more) {
      for (ParsedMessage& m : more) input.push_back(std::move(m));
    };
    std::string input_scratch;
    const std::string& in = TextOf(s.attributes, "gen_ai.input.messages", input_scratch);
    // Instrumentations resend the whole conversation with every call: the agent's last
    // request is remembered (when the span holds its texts, so that views of them last) and
    // continued, its messages shared rather than read and copied again.
    LastInput* last = !in.empty() && &in != &input_scratch && system_text.has_value()
                          ? &last_input_[agent]
                          : nullptr;
    bool input_is_list = false;
    if (last != nullptr && Continue(*last, *system_text, in, r.messages)) {
      input.clear();  // The system message is the continued list's first already.
      input_is_list = true;
    } else if (!in.empty()) {
      if (auto list = ArrayMessagesOf(parser_, in, "user")) {
        append(std::move(*list));
        input_is_list = true;
      } else {
        append(NonArrayMessagesOf(parser_, in, "user"));
      }
    } else if (const std::string& p = TextOf(s.attributes, "gen_ai.prompt", scratch); !p.empty()) {
      append(MessagesOf(parser_, p, "user"));
    } else if (auto flat = FlatGenAiMessages(parser_, s.attributes, "gen_ai.prompt");
               !flat.empty()) {
      append(std::move(flat));
    } else if (auto oi = OpenInferenceMessages(s.attributes, "llm.input_messages"); !oi.empty()) {
      FillTextsFromInputItems(s, oi);
      append(std::move(oi));
    } else if (const std::string& v = TextOf(s.attributes, "ai.prompt.messages", scratch);
               !v.empty()) {
      append(MessagesOf(parser_, v, "user"));  // The Vercel AI SDK's provider request.
    } else if (const std::string& body = TextOf(s.attributes, "request_data", scratch);
               body.find("\"messages\"") != std::string::npos) {
      // Logfire's OpenAI instrumentation before the GenAI names: the request body as sent.
      append(MessagesOf(parser_, body, "user"));
    } else if (const std::string& adk =
                   TextOf(s.attributes, "gcp.vertex.agent.llm_request", scratch);
               !adk.empty()) {
      // Google ADK's request: {model, config: {system_instruction, tools}, contents}.
      element doc;
      if (parser_.parse(adk).get(doc) == simdjson::SUCCESS && doc.is_object()) {
        if (r.model.empty()) r.model = Field(doc, "model");
        std::optional<element> config = GeminiField(doc, "config", "generationConfig");
        std::optional<element> sys =
            GeminiField(config.value_or(doc), "system_instruction", "systemInstruction");
        if (!sys) sys = GeminiField(doc, "system_instruction", "systemInstruction");
        if (sys && input.empty()) {
          ParsedMessage pm;
          pm.message.role = "system";
          pm.message.content.text = GeminiInstructionText(*sys);
          input.push_back(std::move(pm));
        }
        if (auto contents = GeminiField(doc, "contents", "contents");
            contents && contents->is_array())
          for (element c : contents->get_array()) append(GeminiContentMessages(c));
        std::optional<element> tools = GeminiField(config.value_or(doc), "tools", "tools");
        if (!tools) tools = GeminiField(doc, "tools", "tools");
        if (tools && tools->is_array() && r.tools.empty())
          for (element t : tools->get_array()) {
            auto declarations = GeminiField(t, "function_declarations", "functionDeclarations");
            if (!declarations || !declarations->is_array()) continue;
            for (element fn : declarations->get_array()) {
              ToolSpec spec;
              spec.name = Field(fn, "name");
              spec.description = Field(fn, "description");
              spec.parameters_json.text = FirstField(fn, {"parameters", "parameters_json_schema"});
              r.tools.push_back(std::move(spec));
            }
          }
      }
    } else if (const std::string& whole = WholeCallText(s, &WholeCallKeys::input, scratch);
               !whole.empty()) {
      std::string model;
      std::vector<KeyValue> unused_parameters;  // When the span's attributes named them.
      const bool had_parameters = !r.parameters.empty();
      append(WholeCallRequestMessages(parser_, whole, model,
                                      had_parameters ? unused_parameters : r.parameters));
      std::string given_scratch;
      if (const std::string& given =
              TextOf(s.attributes, "langfuse.observation.model.parameters", given_scratch);
          !given.empty() && r.parameters.empty()) {
        element doc;
        if (parser_.parse(given).get(doc) == simdjson::SUCCESS && doc.is_object())
          for (auto field : doc.get_object())
            if (!field.value.is_null())
              r.parameters.push_back({std::string(field.key), StringOf(field.value)});
      }
      std::sort(r.parameters.begin(), r.parameters.end(),
                [](const KeyValue& a, const KeyValue& b) { return a.key < b.key; });
      if (r.model.empty()) r.model = std::move(model);
      // The Responses API's instructions, which MLflow keeps beside the output.
      if (input.empty() || input.front().message.role != "system")
        if (std::string instructions = MlflowString(parser_, s, "instructions");
            !instructions.empty() && instructions != "null") {
          ParsedMessage pm;
          pm.message.role = "system";
          pm.message.content.text = std::move(instructions);
          input.insert(input.begin(), std::move(pm));
        }
      if (r.model.empty()) r.model = MlflowString(parser_, s, "model");
    } else {
      // Events: gen_ai.{system,user,assistant,tool}.message (one per message), or
      // gen_ai.content.prompt carrying gen_ai.prompt.
      for (const SpanEvent& e : s.events) {
        static constexpr std::pair<std::string_view, std::string_view> kRoles[] = {
            {"gen_ai.system.message", "system"},
            {"gen_ai.user.message", "user"},
            {"gen_ai.assistant.message", "assistant"},
            {"gen_ai.tool.message", "tool"}};
        for (const auto& [name, role] : kRoles) {
          if (e.name != name) continue;
          const AttributeValue* content = FindAttribute(e.attributes, "content");
          std::string body = content != nullptr ? content->ToString() : std::string();
          if (body.empty()) body = AttributeString(e.attributes, "gen_ai.event.content");
          // Content as a list of parts (Pydantic AI's [{"kind": "text", "text": ...}], a
          // multimodal user message), or an assistant message's tool calls: one message of
          // them ({"content": ..., "tool_calls": [...]}).
          const AttributeValue* calls = FindAttribute(e.attributes, "tool_calls");
          const bool parts = content != nullptr && content->type == ValueType::kArray;
          const bool has_calls = calls != nullptr && calls->type == ValueType::kArray;
          if (parts || has_calls) {
            std::string message = "{";
            if (!body.empty()) {
              message += "\"content\":";
              if (parts) {
                message += content->text;
              } else {
                AppendJsonString(message, body);
              }
            }
            if (has_calls)
              message += std::string(body.empty() ? "" : ",") + "\"tool_calls\":" + calls->text;
            body = message + "}";
          }
          for (ParsedMessage& m : MessagesOf(parser_, body, std::string(role))) {
            if (m.message.role.empty()) m.message.role = role;
            if (m.message.tool_call_id.empty())
              m.message.tool_call_id = AttributeString(e.attributes, "id");
            input.push_back(std::move(m));
          }
        }
        if (e.name == "gen_ai.content.prompt")
          append(MessagesOf(parser_, AttributeString(e.attributes, "gen_ai.prompt"), "user"));
      }
    }
    for (ParsedMessage& m : input) AppendRequestMessages(std::move(m), r.messages);
    if (last != nullptr)
      *last = input_is_list ? LastInput{*system_text, in, r.messages} : LastInput{};
    const std::string& defs = s.Find("gen_ai.tool.definitions") != nullptr
                                  ? TextOf(s.attributes, "gen_ai.tool.definitions", scratch)
                                  : TextOf(s.attributes, "mlflow.chat.tools", scratch);
    if (!defs.empty()) {
      element doc;
      if (parser_.parse(defs).get(doc) == simdjson::SUCCESS && doc.is_array())
        for (element t : doc.get_array()) {
          ToolSpec spec;
          element fn = t;
          element inner;
          if (t["function"].get(inner) == simdjson::SUCCESS) fn = inner;
          spec.name = Field(fn, "name");
          spec.description = Field(fn, "description");
          spec.parameters_json.text = Field(fn, "parameters");
          r.tools.push_back(std::move(spec));
        }
    }
    if (const AttributeValue* v = s.Find("ai.prompt.tools"); v != nullptr && r.tools.empty()) {
      // The Vercel AI SDK's: a list of JSON texts {type, name, description, parameters}
      // (inputSchema since its version 5).
      for (const std::string& text : v->ToStringList()) {
        element doc;
        if (parser_.parse(text).get(doc) != simdjson::SUCCESS || !doc.is_object()) continue;
        ToolSpec spec;
        spec.name = Field(doc, "name");
        spec.description = Field(doc, "description");
        spec.parameters_json.text = FirstField(doc, {"parameters", "inputSchema"});
        r.tools.push_back(std::move(spec));
      }
    }
    for (auto& [i, fields] : Flattened(s.attributes, "llm.tools")) {
      ToolSpec spec;
      spec.parameters_json.text = fields["tool.json_schema"];
      element doc;
      const std::string& js = spec.parameters_json.text;
      if (!js.empty() && parser_.parse(js.data(), js.size()).get(doc) == simdjson::SUCCESS) {
        element fn = doc, inner;
        if (doc["function"].get(inner) == simdjson::SUCCESS) fn = inner;
        spec.name = Field(fn, "name");
        spec.description = Field(fn, "description");
      }
      r.tools.push_back(std::move(spec));
    }

    // The response.
    std::vector<ParsedMessage> output;
    // The usage the answer's body carries: ADK's usage_metadata, a whole call's output.
    TokenUsage answer_usage;
    if (const std::string& o = TextOf(s.attributes, "gen_ai.output.messages", scratch);
        !o.empty()) {
      output = MessagesOf(parser_, o, "assistant");
    } else if (const std::string& c = TextOf(s.attributes, "gen_ai.completion", scratch);
               !c.empty()) {
      output = MessagesOf(parser_, c, "assistant");
    } else if (auto flat = FlatGenAiMessages(parser_, s.attributes, "gen_ai.completion");
               !flat.empty()) {
      output = std::move(flat);
    } else if (auto oi = OpenInferenceMessages(s.attributes, "llm.output_messages"); !oi.empty()) {
      output = std::move(oi);
    } else if (auto logfire =
                   LogfireResponseMessages(parser_, TextOf(s.attributes, "response_data", scratch));
               !logfire.empty()) {
      output = std::move(logfire);
    } else if (const std::string& adk =
                   TextOf(s.attributes, "gcp.vertex.agent.llm_response", scratch);
               !adk.empty()) {
      // Google ADK's response: {content, finish_reason, usage_metadata}; the Gemini API's:
      // {candidates: [{content, finishReason}], usageMetadata}.
      element doc;
      if (parser_.parse(adk).get(doc) == simdjson::SUCCESS && doc.is_object()) {
        element answer = doc;
        if (auto candidates = GeminiField(doc, "candidates", "candidates");
            candidates && candidates->is_array() && candidates->get_array().size() > 0)
          answer = candidates->get_array().at(0);
        std::string finish = FirstField(answer, {"finish_reason", "finishReason"});
        if (auto content = GeminiField(answer, "content", "content"))
          for (ParsedMessage& m : GeminiContentMessages(*content)) {
            if (m.message.role != "assistant") continue;
            m.finish_reason = finish;
            output.push_back(std::move(m));
          }
        if (auto usage = GeminiField(doc, "usage_metadata", "usageMetadata"))
          answer_usage = UsageOf(*usage);
      }
    } else if (const std::string& whole = WholeCallText(s, &WholeCallKeys::output, scratch);
               !whole.empty()) {
      output = WholeCallResponseMessages(parser_, whole, answer_usage);
    } else if (s.Find("ai.response.text") != nullptr ||
               s.Find("ai.response.toolCalls") != nullptr) {
      // The Vercel AI SDK's: the text, and the tool calls as a JSON array.
      ParsedMessage pm;
      pm.message.role = "assistant";
      pm.message.content.text = s.Str("ai.response.text");
      pm.finish_reason = s.Str("ai.response.finishReason");
      element doc;
      if (const std::string& calls = TextOf(s.attributes, "ai.response.toolCalls", scratch);
          !calls.empty() && parser_.parse(calls).get(doc) == simdjson::SUCCESS && doc.is_array())
        for (element c : doc.get_array()) pm.tool_calls.push_back(ToolCallOf(c));
      output.push_back(std::move(pm));
    } else {
      for (const SpanEvent& e : s.events) {
        if (e.name == "gen_ai.choice") {
          std::string body = AttributeString(e.attributes, "message");
          if (body.empty()) body = AttributeString(e.attributes, "gen_ai.event.content");
          for (ParsedMessage& m : MessagesOf(parser_, body, "assistant")) {
            if (m.finish_reason.empty())
              m.finish_reason = AttributeString(e.attributes, "finish_reason");
            output.push_back(std::move(m));
          }
        }
        if (e.name == "gen_ai.content.completion")
          for (ParsedMessage& m :
               MessagesOf(parser_, AttributeString(e.attributes, "gen_ai.completion"), "assistant"))
            output.push_back(std::move(m));
      }
    }
    ModelResponse& resp = call.response;
    for (ParsedMessage& m : output) {
      resp.content.text += m.message.content.text;
      for (ToolCallRequest& t : m.tool_calls) resp.tool_calls.push_back(std::move(t));
      if (resp.finish_reason.empty()) resp.finish_reason = m.finish_reason;
    }
    if (const AttributeValue* fr = s.Find("gen_ai.response.finish_reasons")) {
      auto reasons = fr->ToStringList();
      if (!reasons.empty()) resp.finish_reason = reasons.front();
    }
    auto tokens = [&](std::initializer_list<std::string_view> keys) -> uint64_t {
      for (std::string_view k : keys)
        if (const AttributeValue* v = s.Find(k))
          return static_cast<uint64_t>(std::max<int64_t>(0, v->ToInt().value_or(0)));
      return 0;
    };
    resp.usage.prompt_tokens =
        tokens({"gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt",
                "ai.usage.promptTokens", "ai.usage.inputTokens"});
    resp.usage.completion_tokens = tokens(
        {"gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens",
         "llm.token_count.completion", "ai.usage.completionTokens", "ai.usage.outputTokens"});
    resp.usage.total_tokens =
        tokens({"gen_ai.usage.total_tokens", "llm.token_count.total", "ai.usage.totalTokens"});
    if (resp.usage.prompt_tokens == 0 && resp.usage.completion_tokens == 0) {
      // A usage attribute of its own (MLflow's mlflow.chat.tokenUsage, Langfuse's
      // usage_details), else the usage the answer's body carried.
      element doc;
      const std::string& usage =
          s.Find("mlflow.chat.tokenUsage") != nullptr
              ? TextOf(s.attributes, "mlflow.chat.tokenUsage", scratch)
              : TextOf(s.attributes, "langfuse.observation.usage_details", scratch);
      if (!usage.empty() && parser_.parse(usage).get(doc) == simdjson::SUCCESS && doc.is_object())
        answer_usage = UsageOf(doc);
      resp.usage.prompt_tokens = answer_usage.prompt_tokens;
      resp.usage.completion_tokens = answer_usage.completion_tokens;
      if (resp.usage.total_tokens == 0) resp.usage.total_tokens = answer_usage.total_tokens;
    }
    if (resp.usage.total_tokens == 0)
      resp.usage.total_tokens = resp.usage.prompt_tokens + resp.usage.completion_tokens;
    call.latency_ns = s.end_ns - s.start_ns;
    call.error = ErrorOf(s);
    if (!call.error.empty()) call.error_code = ErrorCodeOf(s, call.error);
    return call;
  }

  void EmitEvent(const Span& s, const std::string& span_agent, const SpanEvent& e) {
    if (e.name.rfind("baton.", 0) != 0) return;
    const Attributes& a = e.attributes;
    std::string agent = AttributeString(a, attr::kAgent);
    if (agent.empty()) agent = span_agent;
    auto str = [&](std::string_view key) { return AttributeString(a, key); };
    auto uint = [&](std::string_view key) -> uint64_t {
      const AttributeValue* v = FindAttribute(a, key);
      return v == nullptr ? 0 : static_cast<uint64_t>(std::max<int64_t>(0, v->ToInt().value_or(0)));
    };
    const int64_t hint = Hint(a);
    const int64_t t = e.time_ns;
    if (e.name == attr::kContextReadEvent) {
      Add(t, hint, agent, ContextRead{str(attr::kContextKey), uint(attr::kContextVersion)});
    } else if (e.name == attr::kContextWriteEvent) {
      Add(t, hint, agent,
          ContextWrite{
              str(attr::kContextKey), uint(attr::kContextVersion), {str(attr::kContextValue)}});
    } else if (e.name == attr::kMessageSendEvent) {
      MessageSend send;
      send.message_id = str(attr::kMessageId);
      send.to = str(attr::kMessageTo);
      send.intent = str(attr::kMessageIntent);
      send.payload.text = str(attr::kMessagePayload);
      if (const AttributeValue* ctx = FindAttribute(a, attr::kMessageContext))
        for (const std::string& ref : ctx->ToStringList()) {
          size_t at = ref.rfind('@');
          if (at == std::string::npos) continue;
          send.context_versions.push_back(
              {ref.substr(0, at), std::strtoull(ref.c_str() + at + 1, nullptr, 10)});
        }
      sends_[send.message_id] = Add(t, hint, agent, std::move(send));
    } else if (e.name == attr::kMessageDeliverEvent) {
      std::string id = str(attr::kMessageId);
      size_t d = Add(t, hint, agent, MessageDelivery{id, str(attr::kMessageFrom)});
      if (auto it = sends_.find(id); it != sends_.end()) items_[d].send_item = it->second;
    } else if (e.name == attr::kMessageInterpretEvent) {
      Add(t, hint, agent,
          MessageInterpretation{str(attr::kMessageId),
                                str(attr::kMessageUnderstoodIntent),
                                {str(attr::kMessageSummary)}});
    } else if (e.name == attr::kMessageProcessedEvent) {
      Add(t, hint, agent, MessageProcessed{str(attr::kMessageId)});
    } else if (e.name == attr::kScoreEvent) {
      Score score;
      score.target_message_id = str(attr::kMessageId);
      if (const AttributeValue* v = FindAttribute(a, attr::kScoreValue))
        score.value = std::clamp(v->ToDouble().value_or(0.0), 0.0, 1.0);
      score.scorer = str(attr::kScoreScorer);
      score.rationale.text = str(attr::kScoreRationale);
      Add(t, hint, agent, std::move(score));
    } else if (e.name == attr::kCheckEvent) {
      Check check;
      check.target_message_id = str(attr::kMessageId);
      check.checker = str(attr::kCheckChecker);
      if (const AttributeValue* v = FindAttribute(a, attr::kCheckPassed))
        check.passed = v->ToBool().value_or(false);
      check.detail = str(attr::kCheckDetail);
      Add(t, hint, agent, std::move(check));
    } else if (e.name == attr::kRoutingEvent) {
      RoutingDecision r;
      r.chosen = str(attr::kRoutingChosen);
      if (const AttributeValue* v = FindAttribute(a, attr::kRoutingCandidates))
        r.candidates = v->ToStringList();
      r.reasoning.text = str(attr::kRoutingReasoning);
      Add(t, hint, agent, std::move(r));
    } else if (e.name == attr::kRetryEvent) {
      Retry r;
      r.call_id = str(attr::kRetryCallId);
      r.attempt = static_cast<uint32_t>(uint(attr::kRetryAttempt));
      r.reason = str(attr::kRetryReason);
      if (const AttributeValue* v = FindAttribute(a, attr::kRetryBackoffNs))
        r.backoff_ns = v->ToInt().value_or(0);
      Add(t, hint, agent, std::move(r));
    } else if (e.name == attr::kOutcomeEvent) {
      Outcome o;
      std::string verdict = str(attr::kOutcomeVerdict);
      o.verdict = verdict == "success"   ? Verdict::kSuccess
                  : verdict == "failure" ? Verdict::kFailure
                                         : Verdict::kUnknown;
      o.result.text = str(attr::kOutcomeResult);
      o.detail = str(attr::kOutcomeDetail);
      Add(t, hint, agent, std::move(o));
    }
    (void)s;
  }

  // A failed model call followed by the same request from the same agent is retried by it.
  void InferRetries() {
    std::map<std::string, size_t> last_of;  // agent -> item of its last model call
    std::vector<std::pair<size_t, Item>> retries;
    for (size_t idx : model_items_) {
      Item& item = items_[idx];
      auto prev = last_of.find(item.agent);
      if (prev != last_of.end()) {
        const Item& p = items_[prev->second];
        const ModelCall* a = std::get_if<ModelCall>(&p.body);
        ModelCall* b = std::get_if<ModelCall>(&item.body);
        if (!a->error.empty() && a->request.model == b->request.model &&
            a->request.messages == b->request.messages) {
          b->attempt = a->attempt + 1;
          b->call_id = a->call_id;
          Retry r;
          r.call_id = a->call_id;
          r.attempt = b->attempt;
          r.reason = a->error;
          const int64_t start = item.time_ns - b->latency_ns;
          r.backoff_ns = std::max<int64_t>(0, start - p.time_ns);
          Item retry;
          retry.time_ns = start;
          retry.hint = item.hint;
          retry.agent = item.agent;
          retry.body = std::move(r);
          retries.push_back({idx, std::move(retry)});
        }
      }
      last_of[item.agent] = idx;
    }
    for (auto& [_, r] : retries) {
      r.order = items_.size();
      items_.push_back(std::move(r));
    }
  }

  void InferOutcome() {
    for (size_t i : order_) {
      const Span& s = spans_[i];
      if (index_.count(s.parent_span_id) > 0 || s.status != StatusCode::kError) continue;
      Outcome o;
      o.verdict = Verdict::kFailure;
      o.detail = "the root span " + s.name + " ended with an error: " + ErrorOf(s);
      Add(s.end_ns, INT64_MAX, agents_[i], std::move(o));
      return;
    }
  }

  void Finish(SpanSession& out) {
    std::vector<size_t> sorted(items_.size());
    for (size_t i = 0; i < sorted.size(); ++i) sorted[i] = i;
    std::stable_sort(sorted.begin(), sorted.end(), [&](size_t a, size_t b) {
      const Item &x = items_[a], &y = items_[b];
      if (x.time_ns != y.time_ns) return x.time_ns < y.time_ns;
      if (x.hint != y.hint) return x.hint < y.hint;
      return x.order < y.order;
    });
    int64_t start = sorted.empty() ? 0 : items_[sorted.front()].time_ns;
    std::vector<uint64_t> seq_of(items_.size(), 0);
    std::unordered_map<std::string, uint64_t> last_of_agent;
    out.events.reserve(sorted.size());
    for (size_t i : sorted) {
      Item& item = items_[i];
      Event e;
      e.seq = out.events.size() + 1;
      seq_of[i] = e.seq;
      e.wall_ns = item.time_ns;
      e.mono_ns = item.time_ns - start;
      e.agent = item.agent;
      if (item.send_item != SIZE_MAX && seq_of[item.send_item] != 0) {
        e.cause = seq_of[item.send_item];
      } else if (auto it = last_of_agent.find(item.agent); it != last_of_agent.end()) {
        e.cause = it->second;
      }
      last_of_agent[item.agent] = e.seq;
      e.body = std::move(item.body);
      out.events.push_back(std::move(e));
    }
    out.header.session_id = key_;
    out.header.start_wall_ns = start;
    for (const Event& e : out.events)
      if (std::find(out.header.agents.begin(), out.header.agents.end(), e.agent) ==
          out.header.agents.end())
        out.header.agents.push_back(e.agent);
    out.header.metadata.push_back({"source", "otlp"});
    // The GenAI conventions cannot say that an agent checked another's output; a program
    // says it with baton.check / baton.score events, and one that said none recorded none.
    if (!explicit_checks_) out.header.metadata.push_back({"checks", "not recorded"});
    std::set<std::string> traces, services;
    for (const Span& s : spans_) {
      traces.insert(s.trace_id);
      if (!s.service_name.empty()) services.insert(s.service_name);
    }
    std::string list;
    for (const std::string& t : traces) list += (list.empty() ? "" : ",") + t;
    out.header.metadata.push_back({"otel.trace_ids", list.substr(0, 4096)});
    list.clear();
    for (const std::string& s : services) list += (list.empty() ? "" : ",") + s;
    if (!list.empty()) out.header.metadata.push_back({"otel.services", list.substr(0, 4096)});
    if (out.model_calls > 0) {
      std::string content = out.model_calls_with_content == out.model_calls ? "recorded"
                            : out.model_calls_with_content == 0
                                ? "absent"
                                : "partial: " + std::to_string(out.model_calls_with_content) +
                                      " of " + std::to_string(out.model_calls) + " model calls";
      out.header.metadata.push_back({"content", content});
    }
  }

  struct Pending {
    size_t send_item = 0;
    std::string message_id;
    std::string from;
  };

  std::string key_;
  std::vector<Span> spans_;
  size_t duplicates_ = 0;
  size_t unjoined_log_records_ = 0;
  std::unordered_set<std::string> tool_call_ids_;  // gen_ai.tool.call.id of the tool spans.
  bool tool_spans_ = false;  // Whether any span is a tool call (not a transfer).
  std::unordered_set<std::string> history_tool_call_ids_;  // RunToolCallsOfHistory's.
  // Text messages a message runtime carried (RuntimeMessageOf), by the start of the span that
  // carried them; read once, when a turn first needs one.
  struct RuntimeMessage {
    int64_t at = 0;
    std::string source;
    std::string content;
  };
  std::vector<RuntimeMessage> runtime_messages_;
  // The starts of each agent's spans, in order (RuntimeMessageOf's bound); filled when first
  // needed.
  std::map<std::string, std::vector<int64_t>> turn_starts_;
  bool runtime_messages_read_ = false;
  bool handoff_spans_ = false;                 // A span is a handoff, or a tool span a transfer.
  std::vector<std::string> transfer_targets_;  // Of each tool span that is a transfer, else "".
  std::unordered_map<std::string_view, size_t> index_;     // span id -> its index in spans_.
  std::unordered_map<std::string, LastInput> last_input_;  // By agent.
  // LastModelReplyUnder's: by agent span, the end and text of its last model call's answer.
  static constexpr const char* kReplyReader = "\x01reply";
  static constexpr const char* kPromptReader = "\x01prompt";  // AgentsOfPrompts' reads.
  bool model_replies_read_ = false;
  std::unordered_map<size_t, std::pair<int64_t, std::string>> model_reply_;
  // CallsModelAfter's: by agent span, the latest start of a model call of its own.
  std::vector<int64_t> last_own_model_start_;
  std::vector<size_t> model_call_owner_;  // ModelCallOwner's, by span: SIZE_MAX for none.
  // Tool calls emitted without a result, by call id: the item that FillToolResults fills.
  std::unordered_map<std::string, size_t> tool_awaiting_result_;
  std::vector<int> depth_;
  std::vector<int64_t> hints_;  // baton.seq of each span, INT64_MAX when absent.
  std::vector<size_t> order_;
  std::vector<SpanRole> roles_;
  std::vector<std::string> agents_;
  std::vector<bool> prompt_agent_;            // A model call whose agent its system prompt names.
  std::vector<bool> names_agent_;             // The span itself names its agent (OwnAgent).
  std::vector<size_t> previous_turn_;         // The turn an agent span answers, or SIZE_MAX.
  std::vector<std::string> returns_to_;       // The caller an agent span returns to (nested).
  std::vector<bool> answered_;                // A later turn answers this agent span.
  std::vector<int64_t> last_end_under_;       // Latest end of a span under each (EmitReturn).
  std::vector<bool> calls_model_;             // A model call span is under this span.
  std::vector<std::string> langgraph_agent_;  // The LangGraph agent a span ran in, or "".
  std::vector<bool> resolved_;
  std::vector<std::string> agent_names_;
  bool explicit_messages_ = false;
  bool explicit_retries_ = false;
  bool explicit_outcome_ = false;
  bool explicit_checks_ = false;  // A baton.check or baton.score event: checks are recorded.
  std::vector<Item> items_;
  std::vector<size_t> model_items_;
  std::map<std::string, std::vector<Pending>> pending_;  // By receiving agent.
  // Messages delivered to an agent (by handoffs this import inferred) that it has not yet
  // acted on: its next model call that succeeds does, as the proxy records it.
  struct Unprocessed {
    std::string message_id;
    size_t send_item = SIZE_MAX;
  };
  std::map<std::string, std::vector<Unprocessed>> unprocessed_;
  // What each agent's last model call that succeeded answered: what a handoff by tool that
  // follows it hands over (HandoffPayload).
  std::map<std::string, ModelResponse> last_response_;
  std::unordered_map<std::string, size_t> sends_;  // baton.message.id -> item.
  simdjson::dom::parser parser_;
};

}  // namespace

std::string_view GroupByName(GroupBy g) {
  switch (g) {
    case GroupBy::kAuto:
      return "auto";
    case GroupBy::kTrace:
      return "trace";
    case GroupBy::kConversation:
      return "conversation";
  }
  return "auto";
}

std::string ConversationOf(const Span& span) {
  std::string id = span.Str("gen_ai.conversation.id");
  if (id.empty()) id = span.Str("session.id");
  if (id.empty()) id = span.Str("gcp.vertex.agent.session_id");  // Google ADK's session.
  if (id.empty()) id = span.Str("langfuse.session.id");  // Langfuse's name before session.id.
  return id;
}

bool HasSpan(const std::vector<Span>& group) {
  return std::any_of(group.begin(), group.end(),
                     [](const Span& s) { return s.record == SpanRecord::kSpan; });
}

SpanSession SessionFromSpans(std::string key, std::vector<Span> spans) {
  return SessionBuilder(std::move(key), std::move(spans)).Build();
}

void SpanGroups::Add(std::vector<Span> spans, int64_t now_ns) {
  if (group_by_ != GroupBy::kTrace) {
    // The conversation of each trace: the first id any of its spans carries, in this batch or
    // an earlier one.
    for (const Span& s : spans) {
      if (conversation_of_trace_.count(s.trace_id) > 0) continue;
      if (std::string c = ConversationOf(s); !c.empty()) JoinTrace(s.trace_id, std::move(c));
    }
  }
  if (group_by_ == GroupBy::kAuto) {
    // A trace that continues another (its root is linked to a span of it) joins that one's
    // group, in order of start: a trace continued by another is then grouped first.
    std::vector<const Span*> continuing;
    for (const Span& s : spans)
      if (!s.continues_trace_id.empty() && conversation_of_trace_.count(s.trace_id) == 0)
        continuing.push_back(&s);
    std::stable_sort(continuing.begin(), continuing.end(),
                     [](const Span* a, const Span* b) { return a->start_ns < b->start_ns; });
    for (const Span* s : continuing) {
      if (conversation_of_trace_.count(s->trace_id) > 0) continue;  // Its first link decided.
      auto key = conversation_of_trace_.find(s->continues_trace_id);
      JoinTrace(s->trace_id,
                key != conversation_of_trace_.end() ? key->second : s->continues_trace_id);
    }
  }
  for (Span& s : spans) {
    std::string key = s.trace_id;
    if (auto c = conversation_of_trace_.find(s.trace_id); c != conversation_of_trace_.end())
      key = c->second;
    auto [it, created] = groups_.try_emplace(std::move(key));
    if (created) it->second.first_seen = groups_created_++;
    it->second.last_ns = now_ns;
    it->second.spans.push_back(std::move(s));
    ++open_spans_;
  }
  // Forgotten only after this batch was grouped, so a batch is grouped by all it names.
  constexpr size_t kRememberedTraces = 100'000;
  while (trace_order_.size() > kRememberedTraces) {
    conversation_of_trace_.erase(trace_order_.front());
    trace_order_.pop_front();
  }
}

void SpanGroups::JoinTrace(const std::string& trace, std::string key) {
  // What arrived of the trace before (spans that name no conversation, the log records of
  // its model calls) joins the group of `key`.
  if (auto early = groups_.find(trace); early != groups_.end() && key != trace) {
    Group taken = std::move(early->second);
    groups_.erase(early);
    auto [it, created] = groups_.try_emplace(key);
    if (created) it->second.first_seen = taken.first_seen;
    it->second.last_ns = std::max(it->second.last_ns, taken.last_ns);
    for (Span& moved : taken.spans) it->second.spans.push_back(std::move(moved));
  }
  conversation_of_trace_.emplace(trace, std::move(key));
  trace_order_.push_back(trace);
}

std::vector<std::pair<std::string, std::vector<Span>>> SpanGroups::TakeIdle(int64_t now_ns,
                                                                            int64_t idle_ns) {
  std::vector<std::tuple<int64_t, uint64_t, std::string>> idle;
  for (const auto& [key, g] : groups_)
    if (now_ns - g.last_ns >= idle_ns) idle.emplace_back(g.last_ns, g.first_seen, key);
  std::sort(idle.begin(), idle.end());
  std::vector<std::pair<std::string, std::vector<Span>>> out;
  for (auto& [last, first, key] : idle) {
    auto it = groups_.find(key);
    open_spans_ -= it->second.spans.size();
    out.push_back({key, std::move(it->second.spans)});
    groups_.erase(it);
  }
  return out;
}

std::vector<std::pair<std::string, std::vector<Span>>> SpanGroups::TakeAll() {
  return TakeIdle(INT64_MAX, 0);
}

namespace {

// Every group of `spans` at once, in order of each group's first span.
std::vector<std::pair<std::string, std::vector<Span>>> AllGroups(std::vector<Span> spans,
                                                                 GroupBy group_by) {
  SpanGroups grouping(group_by);
  grouping.Add(std::move(spans), 0);
  return grouping.TakeAll();
}

}  // namespace

std::vector<SpanSession> SessionsFromSpans(std::vector<Span> spans, GroupBy group_by,
                                           unsigned workers) {
  std::vector<std::pair<std::string, std::vector<Span>>> groups =
      AllGroups(std::move(spans), group_by);
  std::vector<SpanSession> out(groups.size());
  ParallelFor(groups.size(), workers, [&](size_t i) {
    out[i] = SessionFromSpans(std::move(groups[i].first), std::move(groups[i].second));
    return ParallelStep::kContinue;
  });
  return out;
}

std::string SessionFileName(const std::string& key) {
  std::string out;
  for (char c : key.substr(0, 128))
    out.push_back(
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ? c : '_');
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

Status WriteSpanSession(SpanSession session, const std::string& path, Env& env,
                        CloseCompaction compaction, const RedactionOptions& redaction) {
  RecorderOptions o;
  o.env = &env;
  o.compaction = compaction;
  o.redaction = redaction;
  auto rec = Recorder::Create(path, std::move(session.header), o);
  if (!rec.ok()) return rec.status();
  for (Event& e : session.events) (*rec)->RecordWithTimes(std::move(e));
  return (*rec)->Close();
}

Result<OtlpImportSummary> ImportOtlpFile(const std::string& in, const std::string& out_dir,
                                         GroupBy group_by, Env& env, unsigned workers) {
  constexpr uint64_t kMaxOtlpFileBytes = 4ull << 30;
  // The reader, and with it the file's text and the parser's memory, is gone before the
  // spans are mapped.
  Result<OtlpBatch> batch = OtlpJsonReader(OtlpJsonReader::kDefaultBatchBytes, workers)
                                .ReadFile(env, in, kMaxOtlpFileBytes);
  if (!batch.ok()) return batch.status();
  if (!env.DirectoryExists(out_dir)) return Status::InvalidArgument(out_dir + ": not a directory");
  OtlpImportSummary summary;
  summary.spans = batch->spans.size() - batch->log_records;
  summary.log_records = batch->log_records;
  summary.rejected = std::move(batch->rejected);
  std::vector<std::pair<std::string, std::vector<Span>>> groups =
      AllGroups(std::move(batch->spans), group_by);
  // A group of log records alone (their spans are not in the file) is no session.
  std::erase_if(groups, [&](const std::pair<std::string, std::vector<Span>>& g) {
    if (HasSpan(g.second)) return false;
    summary.unjoined_log_records += g.second.size();
    return true;
  });

  // Named first, in the groups' order, so that the names do not depend on which thread
  // finishes first. Keys that differ only in characters a file name cannot hold stay apart.
  std::vector<std::string> paths;
  std::set<std::string> used;
  for (const auto& [key, spans] : groups) {
    std::string name = SessionFileName(key);
    for (int n = 2; !used.insert(name).second; ++n)
      name = SessionFileName(key) + "-" + std::to_string(n);
    paths.push_back(out_dir + "/" + name + ".baton");
  }

  // Each session is mapped and written by one worker: mapping, encoding and compressing one
  // session do not wait for another's, so every core works (each Recorder also compresses on
  // a thread of its own). A worker maps a group only when it is about to write it, so the
  // sessions in memory at once are one per worker, not the whole file's.
  struct Written {
    Status status;
    size_t events = 0;
    size_t unjoined_log_records = 0;
    bool done = false;
  };
  std::vector<Written> written(groups.size());
  ParallelFor(groups.size(), workers, [&](size_t i) {
    SpanSession s = SessionFromSpans(std::move(groups[i].first), std::move(groups[i].second));
    written[i].events = s.events.size();
    written[i].unjoined_log_records = s.unjoined_log_records;
    // A file of many sessions is imported at the recorder's level: recompressing each small
    // session hard on close made writing otlp_bench's 20 sessions 7.6x slower.
    written[i].status = WriteSpanSession(std::move(s), paths[i], env, CloseCompaction::kNone);
    written[i].done = true;
    return written[i].status.ok() ? ParallelStep::kContinue : ParallelStep::kStop;
  });
  for (size_t i = 0; i < groups.size(); ++i) {
    if (!written[i].done) continue;  // Not started after another session failed.
    if (!written[i].status.ok()) return written[i].status;
    summary.events += written[i].events;
    summary.unjoined_log_records += written[i].unjoined_log_records;
    summary.files.push_back(std::move(paths[i]));
  }
  return summary;
}

}  // namespace baton::otel
