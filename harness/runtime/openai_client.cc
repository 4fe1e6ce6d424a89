#include "harness/runtime/openai_client.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <kj/async-io.h>
#include <kj/compat/http.h>
#include <kj/compat/tls.h>
#include <kj/exception.h>

#include <cstdlib>
#include <optional>

#include "base/json_parse.h"
#include "base/json_writer.h"

namespace baton {
namespace {

using JsonReader = capnp::JsonValue::Reader;

std::optional<JsonReader> Member(JsonReader v, const char* name) {
  if (!v.isObject()) return std::nullopt;
  for (auto f : v.getObject())
    if (f.getName() == name) return f.getValue();
  return std::nullopt;
}

std::string StringMember(JsonReader v, const char* name) {
  auto m = Member(v, name);
  return m && m->isString() ? std::string(m->getString().cStr()) : std::string();
}

uint64_t NumberMember(JsonReader v, const char* name) {
  auto m = Member(v, name);
  return m && m->isNumber() ? static_cast<uint64_t>(m->getNumber()) : 0;
}

// JSON scalars ("0.2", "true", "null", "512") go out as JSON; anything else as a string.
bool IsJsonScalar(const std::string& v) {
  if (v == "true" || v == "false" || v == "null") return true;
  if (v.empty()) return false;
  char* end = nullptr;
  std::strtod(v.c_str(), &end);
  return end == v.c_str() + v.size();
}

Status ParseJson(const std::string& text, capnp::JsonValue::Builder out, const char* what) {
  Status s = ParseJsonInto(text, out, what);
  if (s.ok()) return s;
  return Status::Corruption(s.message() + " (the text begins: " + text.substr(0, 200) + ")");
}

void ReadUsage(JsonReader root, TokenUsage& usage) {
  if (auto u = Member(root, "usage"); u && u->isObject()) {
    usage.prompt_tokens = NumberMember(*u, "prompt_tokens");
    usage.completion_tokens = NumberMember(*u, "completion_tokens");
    usage.total_tokens = NumberMember(*u, "total_tokens");
  }
}

std::optional<JsonReader> FirstChoice(JsonReader root) {
  auto choices = Member(root, "choices");
  if (!choices || !choices->isArray() || choices->getArray().size() == 0) return std::nullopt;
  return choices->getArray()[0];
}

// Accumulates a streamed response: server-sent events, one JSON chunk per "data:" line.
class StreamAssembler {
 public:
  // Feeds bytes as they arrive; `offset_ns` is their arrival time since the request.
  Status Feed(std::string_view bytes, int64_t offset_ns) {
    pending_.append(bytes);
    size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.rfind("data:", 0) != 0) continue;  // Comments, event names, blank separators.
      std::string data = line.substr(line.size() > 5 && line[5] == ' ' ? 6 : 5);
      if (data == "[DONE]") {
        done_ = true;
        continue;
      }
      BATON_RETURN_IF_ERROR(Chunk(data, offset_ns));
    }
    return Status::Ok();
  }

  Result<ModelResponse> Finish() {
    if (!done_ && response_.finish_reason.empty())
      return Status::Unavailable("the stream ended before [DONE]");
    response_.content = content_;
    for (auto& call : tool_calls_) response_.tool_calls.push_back(std::move(call));
    return std::move(response_);
  }

 private:
  Status Chunk(const std::string& data, int64_t offset_ns) {
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<capnp::JsonValue>();
    BATON_RETURN_IF_ERROR(ParseJson(data, root, "a streamed chunk"));
    JsonReader r = root.asReader();
    ReadUsage(r, response_.usage);
    auto choice = FirstChoice(r);
    if (!choice) return Status::Ok();  // A usage-only chunk.
    std::string finish = StringMember(*choice, "finish_reason");
    if (!finish.empty()) response_.finish_reason = finish;
    auto delta = Member(*choice, "delta");
    if (!delta) return Status::Ok();
    std::string text = StringMember(*delta, "content");
    if (!text.empty()) {
      content_ += text;
      response_.chunks.push_back({offset_ns, text});
    }
    if (auto calls = Member(*delta, "tool_calls"); calls && calls->isArray()) {
      for (auto c : calls->getArray()) {
        size_t index = NumberMember(c, "index");
        if (index > 1024)
          return Status::Corruption("a streamed tool call index of " + std::to_string(index));
        if (tool_calls_.size() <= index) tool_calls_.resize(index + 1);
        ToolCallRequest& call = tool_calls_[index];
        std::string id = StringMember(c, "id");
        if (!id.empty()) call.id = id;
        if (auto fn = Member(c, "function")) {
          call.name += StringMember(*fn, "name");
          call.arguments_json.text += StringMember(*fn, "arguments");
        }
      }
    }
    return Status::Ok();
  }

  std::string pending_;
  std::string content_;
  std::vector<ToolCallRequest> tool_calls_;
  ModelResponse response_;
  bool done_ = false;
};

// Reads a streamed body to its end, feeding the assembler.
class StreamPump {
 public:
  StreamPump(kj::Own<kj::AsyncInputStream> in, StreamAssembler& assembler,
             Result<ModelResponse>& result, const Clock& clock, int64_t start_ns)
      : in_(kj::mv(in)), assembler_(assembler), result_(result), clock_(clock), start_(start_ns) {}

  kj::Promise<void> Pump() {
    return in_->tryRead(buf_, 1, sizeof(buf_)).then([this](size_t n) -> kj::Promise<void> {
      if (n == 0) {
        result_ = assembler_.Finish();
        return kj::READY_NOW;
      }
      Status s = assembler_.Feed(std::string_view(buf_, n), clock_.MonoNanos() - start_);
      if (!s.ok()) {
        result_ = s;
        return kj::READY_NOW;
      }
      return Pump();
    });
  }

 private:
  kj::Own<kj::AsyncInputStream> in_;
  StreamAssembler& assembler_;
  Result<ModelResponse>& result_;
  const Clock& clock_;
  int64_t start_ = 0;
  char buf_[16384];
};

Status HttpError(uint status, const std::string& body) {
  std::string msg = "HTTP " + std::to_string(status) + ": " + body.substr(0, 300);
  if (status == 408 || status == 429 || status >= 500) return Status::Unavailable(msg);
  return Status::FailedPrecondition(msg);
}

}  // namespace

Result<ModelResponse> ParseChatCompletion(const std::string& body) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<capnp::JsonValue>();
  BATON_RETURN_IF_ERROR(ParseJson(body, root, "the response body"));
  JsonReader r = root.asReader();
  auto choice = FirstChoice(r);
  if (!choice) return Status::Corruption("the response has no choices: " + body.substr(0, 200));
  ModelResponse out;
  out.finish_reason = StringMember(*choice, "finish_reason");
  ReadUsage(r, out.usage);
  auto msg = Member(*choice, "message");
  if (!msg) return Status::Corruption("choices[0] has no message");
  out.content = StringMember(*msg, "content");  // null content (tool calls only) is "".
  if (auto calls = Member(*msg, "tool_calls"); calls && calls->isArray()) {
    for (auto c : calls->getArray()) {
      ToolCallRequest call;
      call.id = StringMember(c, "id");
      if (auto fn = Member(c, "function")) {
        call.name = StringMember(*fn, "name");
        call.arguments_json = StringMember(*fn, "arguments");
      }
      out.tool_calls.push_back(std::move(call));
    }
  }
  return out;
}

Result<std::unique_ptr<OpenAiChatClient>> OpenAiChatClient::Create(OpenAiClientOptions options) {
  const std::string& u = options.base_url;
  if (u.rfind("http://", 0) != 0 && u.rfind("https://", 0) != 0)
    return Status::InvalidArgument("base URL '" + u + "' must start with http:// or https://");
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  return std::unique_ptr<OpenAiChatClient>(new OpenAiChatClient(std::move(options)));
}

OpenAiChatClient::OpenAiChatClient(OpenAiClientOptions options)
    : options_(std::move(options)), clock_(NewSystemClock()) {}
OpenAiChatClient::~OpenAiChatClient() = default;

std::string OpenAiChatClient::RequestBody(const ModelRequest& request) const {
  JsonWriter w;
  w.BeginObject();
  w.Key("model").String(request.model);
  w.Key("messages").BeginArray();
  for (const ChatMessage& m : request.messages) {
    w.BeginObject().Key("role").String(m.role).Key("content").String(m.content.text);
    if (!m.name.empty()) w.Key("name").String(m.name);
    if (!m.tool_call_id.empty()) w.Key("tool_call_id").String(m.tool_call_id);
    w.EndObject();
  }
  w.EndArray();
  if (!request.tools.empty()) {
    w.Key("tools").BeginArray();
    for (const ToolSpec& t : request.tools) {
      w.BeginObject().Key("type").String("function").Key("function").BeginObject();
      w.Key("name").String(t.name).Key("description").String(t.description);
      w.Key("parameters");
      // The schema is JSON the caller wrote; anything else is sent as an empty schema.
      capnp::MallocMessageBuilder scratch;
      if (ParseJson(t.parameters_json.text, scratch.initRoot<capnp::JsonValue>(), "").ok()) {
        w.Raw(t.parameters_json.text);
      } else {
        w.BeginObject().EndObject();
      }
      w.EndObject().EndObject();
    }
    w.EndArray();
  }
  for (const KeyValue& p : request.parameters) {
    if (p.key == "model" || p.key == "messages" || p.key == "tools" || p.key == "stream") continue;
    w.Key(p.key);
    if (IsJsonScalar(p.value)) {
      w.Raw(p.value);
    } else {
      w.String(p.value);
    }
  }
  bool stream = options_.streaming == Streaming::kOn || request.stream;
  w.Key("stream").Bool(stream);
  if (stream) w.Key("stream_options").BeginObject().Key("include_usage").Bool(true).EndObject();
  w.EndObject();
  return w.Take();
}

Result<ModelResponse> OpenAiChatClient::Complete(const ModelRequest& request) {
  const std::string body = RequestBody(request);
  const bool stream = options_.streaming == Streaming::kOn || request.stream;
  const std::string url = options_.base_url + "/chat/completions";
  std::string key;
  if (!options_.api_key_env.empty())
    if (const char* k = std::getenv(options_.api_key_env.c_str())) key = k;

  Result<ModelResponse> result = Status::Unavailable("the call did not complete");
  bool timed_out = false;
  auto exception = kj::runCatchingExceptions([&] {
    auto io = kj::setupAsyncIo();
    kj::HttpHeaderTable::Builder builder;
    kj::HttpHeaderId content_type = builder.add("Content-Type");
    kj::HttpHeaderId authorization = builder.add("Authorization");
    kj::HttpHeaderId accept = builder.add("Accept");
    auto table = builder.build();
    kj::TlsContext tls;
    auto tls_network = tls.wrapNetwork(io.provider->getNetwork());
    auto client =
        kj::newHttpClient(io.provider->getTimer(), *table, io.provider->getNetwork(), *tls_network);
    kj::HttpHeaders headers(*table);
    headers.set(content_type, "application/json");
    if (stream) headers.set(accept, "text/event-stream");
    std::string bearer = "Bearer " + key;
    if (!key.empty()) headers.set(authorization, bearer);

    const int64_t start = clock_->MonoNanos();
    auto req = client->request(kj::HttpMethod::POST, url, headers, uint64_t{body.size()});
    auto sent = req.body->write(body.data(), body.size()).attach(kj::mv(req.body));
    StreamAssembler assembler;
    auto call =
        sent.then([response = kj::mv(req.response)]() mutable { return kj::mv(response); })
            .then([&](kj::HttpClient::Response&& response) -> kj::Promise<void> {
              auto in = kj::mv(response.body);
              if (response.statusCode < 200 || response.statusCode >= 300) {
                uint status = response.statusCode;
                return in->readAllText().attach(kj::mv(in)).then([&, status](kj::String text) {
                  result = HttpError(status, text.cStr());
                });
              }
              if (!stream) {
                return in->readAllText().attach(kj::mv(in)).then([&](kj::String text) {
                  result = ParseChatCompletion(text.cStr());
                });
              }
              // Streamed: read as bytes arrive, stamping each read with its offset.
              auto pump = kj::heap<StreamPump>(kj::mv(in), assembler, result, *clock_, start);
              auto* p = pump.get();
              return p->Pump().attach(kj::mv(pump));
            });
    // Our own deadline, raced against the call: a timeout is known as such, not guessed
    // from an exception's text.
    auto deadline = io.provider->getTimer()
                        .afterDelay(options_.timeout.count() * kj::MILLISECONDS)
                        .then([&timed_out] { timed_out = true; });
    call.exclusiveJoin(kj::mv(deadline)).wait(io.waitScope);
  });
  if (timed_out)
    return Status::DeadlineExceeded("timed out after " + std::to_string(options_.timeout.count()) +
                                    " ms: " + url);
  KJ_IF_MAYBE (e, exception) {
    return Status::Unavailable(url + ": " + std::string(e->getDescription().cStr()));
  }
  return result;
}

}  // namespace baton
