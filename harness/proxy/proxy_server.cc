#include "harness/proxy/proxy_server.h"

#include <kj/async-io.h>
#include <kj/compat/http.h>
#include <kj/compat/tls.h>
#include <kj/debug.h>

#include <algorithm>
#include <cctype>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/ascii.h"
#include "base/json_writer.h"
#include "harness/handoff_tool.h"
#include "harness/net/http_serving.h"
#include "harness/proxy/agent_inference.h"
#include "harness/proxy/model_api.h"
#include "harness/proxy/sdk_traces.h"
#include "replayer/text_diff.h"

namespace baton::proxy {
namespace {

// Headers that belong to one hop, or that the proxy sets itself.
bool IsHopByHop(const std::string& lower) {
  return lower == "connection" || lower == "keep-alive" || lower == "transfer-encoding" ||
         lower == "content-length" || lower == "host" || lower == "upgrade" || lower == "te" ||
         lower == "trailer" || lower == "proxy-authorization" || lower == "proxy-connection" ||
         lower == "accept-encoding" || lower == "content-encoding";
}

// Request headers kept in the recording: what changes a request's meaning, never a
// credential (Authorization, x-api-key, api-key and cookies are not on the list).
bool IsRecordedRequestHeader(const std::string& lower) {
  return lower == "anthropic-version" || lower == "anthropic-beta" || lower == "openai-beta" ||
         lower == "content-type";
}

// Response headers a client reads: kept, so a replay answers with them.
bool IsRecordedResponseHeader(const std::string& lower) {
  return lower == "content-type" || lower == "retry-after" || lower == "retry-after-ms" ||
         lower == "x-request-id" || lower == "request-id" || lower == "openai-processing-ms" ||
         lower == "x-ratelimit-remaining-requests" || lower == "x-ratelimit-reset-requests";
}

// An error body in the shape the vendor's SDKs parse and surface.
std::string ErrorBody(Vendor vendor, unsigned status, const std::string& type,
                      const std::string& message) {
  JsonWriter w;
  if (vendor == Vendor::kAnthropic) {
    w.BeginObject().Key("type").String("error").Key("error").BeginObject();
    w.Key("type").String(type).Key("message").String(message).EndObject().EndObject();
  } else if (vendor == Vendor::kGoogle) {
    // google.rpc.Status as Google's JSON APIs send it; `status` is its code's name there,
    // baton's error type here.
    w.BeginObject().Key("error").BeginObject().Key("code").Uint(status);
    w.Key("message").String(message).Key("status").String(type).EndObject().EndObject();
  } else {
    w.BeginObject().Key("error").BeginObject();
    w.Key("message").String(message).Key("type").String(type).Key("param").Null();
    w.Key("code").String(type).EndObject().EndObject();
  }
  return w.Take();
}

struct Origin {
  std::string scheme_host;  // "https://api.openai.com"
  std::string base_path;    // "/v1" or ""
};

Origin SplitUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  Origin o;
  o.scheme_host = path == std::string::npos ? url : url.substr(0, path);
  o.base_path = path == std::string::npos ? "" : url.substr(path);
  while (!o.base_path.empty() && o.base_path.back() == '/') o.base_path.pop_back();
  return o;
}

// The upstream URL of a request the client sent to `path`: the client's base URL is the
// proxy with the same base path (OPENAI_BASE_URL=http://127.0.0.1:P/v1), so the path
// already holds it.
std::string UpstreamUrl(const std::string& upstream, const std::string& path) {
  Origin o = SplitUrl(upstream);
  if (!o.base_path.empty() && path.rfind(o.base_path, 0) != 0)
    return o.scheme_host + o.base_path + path;
  return o.scheme_host + path;
}

// What one agent's previous call was, to tell a retry from a new call.
struct LastCall {
  ModelRequest request;
  std::string call_id;
  uint32_t attempt = 0;
  bool failed = false;
  std::string error;
  int64_t ended_mono_ns = 0;
};

// One request in flight: everything its promises need, owned in one place.
struct Exchange {
  std::string method;
  std::string path;
  // As received, names lower-cased once here (HTTP header names are case-insensitive).
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of the header named `lower_name`, or "" when absent.
  std::string Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return v;
    return "";
  }
  std::string body;
  ModelApi api = ModelApi::kOpaque;
  Vendor vendor = Vendor::kOpenAi;
  ParsedRequest parsed;
  std::string agent;
  uint64_t cause = 0;
  // The messages this request is the receiver's first step on (a handoff, a delegation, a
  // called agent's reply): its model call processes them.
  std::vector<std::string> delivered_message_ids;
  int64_t start_mono_ns = 0;
  // The response.
  unsigned status = 0;
  std::vector<KeyValue> response_headers;
  std::string response_body;
  std::vector<StreamChunk> chunks;
  std::string sse_buffer;
  bool streamed = false;
  // False for the SDK's trace posts: forwarded, but kept as spans, not as a model call.
  bool record_call = true;
  bool cut = false;
  std::string error;
};

}  // namespace

class ProxyServer::Impl final : public kj::HttpService {
 public:
  explicit Impl(ProxyOptions options)
      : options_(std::move(options)),
        faults_(options_.faults),
        extras_(options_.replay != nullptr ? MessageExtrasOf(options_.replay->trace())
                                           : MessageExtras::kSeparate) {}

  Status Run(std::promise<Status>& started) {
    auto io = kj::setupAsyncIo();
    timer_ = &io.provider->getTimer();
    table_ = kj::HttpHeaderTable::Builder().build();
    kj::TlsContext tls;
    auto tls_network = tls.wrapNetwork(io.provider->getNetwork());
    client_ = kj::newHttpClient(*timer_, *table_, io.provider->getNetwork(), *tls_network);
    auto listening = net::ListenOn(io, options_.listen_host, options_.listen_port);
    if (!listening.ok()) {
      started.set_value(listening.status());
      return listening.status();
    }
    kj::Own<kj::ConnectionReceiver> listener = std::move(listening).value();
    port_ = listener->getPort();
    kj::HttpServer server(*timer_, *table_, *this);
    auto stop = kj::newPromiseAndCrossThreadFulfiller<void>();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = kj::mv(stop.fulfiller);
    }
    started.set_value(Status::Ok());
    stop.promise.exclusiveJoin(server.listenHttp(*listener)).wait(io.waitScope);
    client_ = nullptr;
    return Status::Ok();
  }

  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) stop_->fulfill();
  }

  unsigned port() const { return port_; }
  ProxyStats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url,
                            const kj::HttpHeaders& headers, kj::AsyncInputStream& body,
                            Response& response) override {
    Count(&ProxyStats::requests);
    auto ex = kj::heap<Exchange>();
    ex->method = kj::str(method).cStr();
    ex->path = url.cStr();
    headers.forEach([&](kj::StringPtr name, kj::StringPtr value) {
      ex->headers.emplace_back(AsciiLower(name.cStr()), value.cStr());
    });
    ex->api = ClassifyRequest(ex->method, ex->path);
    ex->vendor = VendorOf(ex->api, {.anthropic = !ex->Header("anthropic-version").empty() ||
                                                 !ex->Header("x-api-key").empty(),
                                    .google = !ex->Header("x-goog-api-key").empty()});
    const uint64_t limit = options_.max_body_bytes;
    const std::string declared_length = ex->Header("content-length");
    if (!declared_length.empty() && std::strtoull(declared_length.c_str(), nullptr, 10) > limit)
      return Reject(response, *ex, 413, "request_too_large",
                    "the request body is over the proxy's limit of " + std::to_string(limit) +
                        " bytes (baton proxy --max-body-bytes)");
    auto* exp = ex.get();
    return body.readAllText(limit + 1)
        .then(
            [this, exp, &response, limit](kj::String text) -> kj::Promise<void> {
              if (text.size() > limit)
                return Reject(response, *exp, 413, "request_too_large",
                              "the request body is over the proxy's limit of " +
                                  std::to_string(limit) + " bytes");
              exp->body.assign(text.begin(), text.size());
              return Handle(*exp, response);
            },
            [this, exp, &response](kj::Exception&& e) -> kj::Promise<void> {
              return Reject(
                  response, *exp, 400, "bad_request",
                  std::string("the request body could not be read: ") + e.getDescription().cStr());
            })
        .attach(kj::mv(ex));
  }

 private:
  void Count(uint64_t ProxyStats::*field, uint64_t n = 1) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.*field += n;
  }

  int64_t MonoNs() const { return (timer_->now() - kj::origin<kj::TimePoint>()) / kj::NANOSECONDS; }

  kj::Promise<void> SendBody(Response& response, unsigned status,
                             const std::vector<KeyValue>& headers, const std::string& body) {
    return net::SendWholeBody(response, *table_, status, headers, body);
  }

  kj::Promise<void> Reject(Response& response, const Exchange& ex, unsigned status,
                           const std::string& type, const std::string& message) {
    Count(&ProxyStats::rejected);
    std::fprintf(stderr, "baton proxy: %s %s: %u %s\n", ex.method.c_str(), ex.path.c_str(), status,
                 message.c_str());
    return SendBody(response, status, {{"Content-Type", "application/json"}},
                    ErrorBody(ex.vendor, status, "baton_" + type, "baton proxy: " + message));
  }

  bool Replays() const {
    return options_.mode == ReplayMode::kReplay || options_.mode == ReplayMode::kReplayOrRecord;
  }
  // A recorder given in a replay mode records the replayed session (served calls included).
  bool Records() const {
    return options_.recorder != nullptr && options_.mode != ReplayMode::kPassthrough;
  }

  kj::Promise<void> Handle(Exchange& ex, Response& response) {
    ex.start_mono_ns = MonoNs();
    // The OpenAI Agents SDK posts its own traces to the same base URL: kept as spans (they
    // name agents and handoffs exactly), answered locally in replay.
    if (ex.path.find("/traces/ingest") != std::string::npos) return HandleTraces(ex, response);
    if (ex.api == ModelApi::kOpaque) {
      ex.parsed = OpaqueRequest(ex.method, ex.path, ex.body);
    } else {
      auto parsed = ParseRequest(ex.api, ex.method, ex.path, ex.body, extras_);
      if (!parsed.ok()) {
        // Not the API's JSON: forwarded and recorded by its bytes, like any other exchange.
        ex.api = ModelApi::kOpaque;
        ex.parsed = OpaqueRequest(ex.method, ex.path, ex.body);
      } else {
        ex.parsed = std::move(parsed).value();
      }
    }
    for (const auto& [k, v] : ex.headers)
      if (IsRecordedRequestHeader(k)) ex.parsed.request.headers.push_back({k, v});
    std::optional<PendingHandoff> delivered;
    std::optional<Delegation> delegated;
    ex.agent = inference_.Attribute(ex.Header("x-baton-agent"), ex.parsed, &delivered, &delegated);
    // The tools the program ran since its last call, seen in the results this request
    // carries (the model asked for them in an answer the proxy saw).
    std::vector<ToolCall> tools_run;
    std::vector<std::pair<Delegation, std::string>> returned;  // Agents run as tools: replies.
    for (const auto& [id, result] : ex.parsed.tool_results) {
      if (auto d = inference_.TakeDelegation(ex.agent, id)) returned.emplace_back(*d, result);
      std::optional<ToolCallRequest> call = inference_.TakeToolCall(ex.agent, id);
      if (!call) continue;
      ToolCall tool;
      tool.call_id = id;
      tool.tool = call->name;
      tool.arguments = call->arguments_json;
      tool.result = result;
      tools_run.push_back(std::move(tool));
    }
    if (Replays()) CheckToolsRun(ex.agent, tools_run);
    if (Records()) RecordArrival(ex, delivered, delegated, returned, tools_run);

    if (std::optional<FaultKind> fault = faults_.Next(ex.agent)) {
      // Answered here, before the recording or the upstream is asked: the client's retry
      // (the same request again) then goes through.
      Count(&ProxyStats::faults);
      ModelCall answer = FaultAnswer(ReplayFault{ex.agent, 0, *fault}, ModelCall());
      if (ex.parsed.request.stream && *fault == FaultKind::kStreamCut)
        answer.http.response_headers = {{"Content-Type", "text/event-stream"}};
      std::fprintf(stderr, "baton proxy: injected %s for %s's request\n",
                   std::string(FaultKindName(*fault)).c_str(), ex.agent.c_str());
      RecordCall(ex, &answer);
      return SendRecorded(answer, response);
    }
    if (Replays()) {
      Event live;
      live.agent = ex.agent;
      ModelCall& call = live.body.emplace<ModelCall>();
      call.request = ex.parsed.request;
      if (options_.replay->trace().EventsOf(ex.agent).empty()) {
        // An agent the recording does not name: the recorded agent whose next call this is.
        if (auto recorded = options_.replay->RecordedAgentFor(live)) {
          inference_.Rename(ex.agent, *recorded);
          ex.agent = live.agent = *recorded;
        }
      }
      auto served = options_.replay->Serve(live);
      if (!served.ok()) {
        Count(&ProxyStats::misses);
        ReplayReport report = options_.replay->Report();
        std::string detail = report.divergences.empty() ? served.status().message()
                                                        : report.divergences.back().Render();
        std::fprintf(stderr, "baton proxy: replay miss: %s\n", detail.c_str());
        return SendBody(response, kReplayMissStatus, {{"Content-Type", "application/json"}},
                        ErrorBody(ex.vendor, kReplayMissStatus, "baton_replay_miss",
                                  "baton replay: no recorded answer for " + ex.agent +
                                      "'s request: " + detail));
      }
      if (*served != nullptr) {
        Count(&ProxyStats::served);
        const ModelCall* rec = (*served)->As<ModelCall>();
        // Recording while replaying (replay-or-record, a fork, a chaos run): the served call
        // is part of the new session too, so that it is whole.
        RecordCall(ex, rec);
        if (rec->http.api.empty() && ex.api != ModelApi::kOpaque)
          return SendSynthesized(ex, *rec, response);
        return SendRecorded(*rec, response);
      }
      // replay-or-record: not in the recording, so it goes live.
    }
    return Forward(ex, response);
  }

  kj::Promise<void> HandleTraces(Exchange& ex, Response& response) {
    if (Records()) {
      SpanStart span;
      span.span_id = "openai.traces/" + std::to_string(++trace_posts_);
      span.name = "openai.traces.ingest";
      span.attributes = {{"payload", ex.body}};
      options_.recorder->Record("openai.traces", std::move(span));
      // Kept whatever it holds; read for agents when it is the SDK's ingest shape.
      if (Status parsed = sdk_traces_.Add(ex.body); !parsed.ok() && !sdk_traces_unreadable_++)
        std::fprintf(stderr, "baton proxy: %s (kept as posted)\n", parsed.message().c_str());
    }
    if (Replays()) return SendBody(response, 204, {}, "");
    ex.record_call = false;
    return Forward(ex, response);
  }

  // In replay, the tools the program ran locally are checked against the recorded ones (the
  // proxy does not serve them): a tool that now returns something else is a divergence
  // named as such, and a recorded tool call the program made is not reported unreached.
  void CheckToolsRun(const std::string& agent, const std::vector<ToolCall>& tools_run) {
    for (const ToolCall& tool : tools_run) {
      Event live;
      live.agent = agent;
      live.body = tool;
      auto served = options_.replay->Serve(live);
      if (!served.ok() || *served == nullptr) continue;  // A miss is already reported.
      const ToolCall* recorded = (*served)->As<ToolCall>();
      if (recorded == nullptr || recorded->result.text == tool.result.text) continue;
      Divergence d;
      d.agent = agent;
      d.kind = EventKind::kToolCall;
      d.recorded_seq = (*served)->seq;
      d.summary = agent + "'s tool " + tool.tool + " returned another result than in the recording";
      d.fields = DiffFields({{"result", recorded->result.text}}, {{"result", tool.result.text}});
      (void)options_.replay->ReportDivergence(std::move(d));
    }
  }

  // Before the call: the handoff it completes and the tool results it carries.
  void RecordArrival(Exchange& ex, const std::optional<PendingHandoff>& delivered,
                     const std::optional<Delegation>& delegated,
                     const std::vector<std::pair<Delegation, std::string>>& returned,
                     std::vector<ToolCall>& tools_run) {
    Recorder& rec = *options_.recorder;
    if (delivered) {
      auto sent = sent_seq_.find(delivered->call_id);
      ex.cause = rec.Record(ex.agent, MessageDelivery{delivered->call_id, delivered->from},
                            sent == sent_seq_.end() ? 0 : sent->second);
      ex.delivered_message_ids.push_back(delivered->call_id);
    }
    // Sent by `from` after its last event, delivered to this request's agent now.
    auto post = [&](const std::string& from, MessageSend send) {
      const std::string id = send.message_id;
      const uint64_t sent = rec.Record(from, std::move(send), last_seq_of_[from]);
      ex.cause = rec.Record(ex.agent, MessageDelivery{id, from}, sent);
      ex.delivered_message_ids.push_back(id);
    };
    if (delegated) {
      MessageSend send;
      send.message_id = delegated->call_id;
      send.to = ex.agent;
      send.intent = "invoke";
      send.payload.text = delegated->task;
      post(delegated->from, std::move(send));
    }
    for (const auto& [d, result] : returned) {
      MessageSend send;
      send.message_id = d.call_id + "/reply";
      send.to = ex.agent;
      send.intent = "reply";
      send.payload.text = result;
      post(d.to, std::move(send));
    }
    for (ToolCall& tool : tools_run) rec.Record(ex.agent, std::move(tool), last_seq_of_[ex.agent]);
  }

  // A call recorded without its HTTP exchange (on the runtime, or imported from spans),
  // answered in the shape of the API the live request used.
  kj::Promise<void> SendSynthesized(const Exchange& ex, const ModelCall& rec, Response& response) {
    const std::string model =
        rec.request.model.empty() ? ex.parsed.request.model : rec.request.model;
    std::string id;
    for (char c : rec.call_id) id.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
    ModelCall answer = rec;
    answer.http.status = 200;
    if (ex.parsed.request.stream) {
      answer.http.response_headers = {{"Content-Type", "text/event-stream"}};
      answer.response.chunks.clear();
      for (std::string& f : SynthesizedResponseFrames(ex.api, model, id, rec.response))
        answer.response.chunks.push_back({0, std::move(f)});
    } else {
      answer.http.response_headers = {{"Content-Type", "application/json"}};
      answer.http.response_body.text = SynthesizedResponseBody(ex.api, model, id, rec.response);
      answer.response.chunks.clear();
    }
    return SendRecorded(answer, response);
  }

  kj::Promise<void> SendRecorded(const ModelCall& rec, Response& response) {
    const HttpExchange& http = rec.http;
    unsigned status = http.status != 0 ? http.status : 200;
    if (rec.response.chunks.empty() && !http.stream_cut)
      return SendBody(response, status, http.response_headers,
                      FillBody(http.response_body.text, rec.response.content.text));
    kj::HttpHeaders out(*table_);
    for (const KeyValue& kv : http.response_headers) out.add(kj::str(kv.key), kj::str(kv.value));
    // A stream the upstream cut off is cut off again: the response promises one byte more
    // than the recorded frames hold, so the connection is dropped when they are written.
    kj::Maybe<uint64_t> size = nullptr;
    if (http.stream_cut) {
      uint64_t total = 0;
      for (const StreamChunk& c : rec.response.chunks) total += c.text.size();
      size = total + 1;
    }
    auto stream = response.send(status, net::HttpReasonPhrase(status), out, size);
    auto chunks = kj::heap<std::vector<StreamChunk>>(rec.response.chunks);
    auto* s = stream.get();
    auto* c = chunks.get();
    const kj::TimePoint start = timer_->now();
    return WriteChunks(s, c, 0, start).attach(kj::mv(stream), kj::mv(chunks));
  }

  kj::Promise<void> WriteChunks(kj::AsyncOutputStream* out, std::vector<StreamChunk>* chunks,
                                size_t i, kj::TimePoint start) {
    if (i == chunks->size()) return kj::READY_NOW;
    kj::Promise<void> wait = kj::READY_NOW;
    if (options_.pace == Pace::kRecorded)
      wait = timer_->atTime(start + (*chunks)[i].offset_ns * kj::NANOSECONDS);
    return wait
        .then([out, chunks, i]() {
          const std::string& text = (*chunks)[i].text;
          return out->write(text.data(), text.size());
        })
        .then([this, out, chunks, i, start]() { return WriteChunks(out, chunks, i + 1, start); });
  }

  // `attempt` 1 is the one resend of a request whose pooled connection the upstream had
  // already closed (it failed disconnected before any response): nothing reached the
  // upstream's application, so sending it again is safe.
  kj::Promise<void> Forward(Exchange& ex, Response& response, int attempt = 0) {
    if (attempt == 0) Count(&ProxyStats::forwarded);
    const std::string& upstream = ex.vendor == Vendor::kAnthropic ? options_.anthropic_upstream
                                  : ex.vendor == Vendor::kGoogle  ? options_.gemini_upstream
                                                                  : options_.openai_upstream;
    const std::string url = UpstreamUrl(upstream, ex.path);
    kj::HttpHeaders headers(*table_);
    for (const auto& [k, v] : ex.headers) {
      if (IsHopByHop(k) || k == "x-baton-agent") continue;
      headers.add(kj::str(k), kj::str(v));
    }
    // Plain bytes: the proxy parses what it records.
    headers.add(kj::str("Accept-Encoding"), kj::str("identity"));
    kj::HttpMethod method = kj::HttpMethod::POST;
    KJ_IF_MAYBE (m, kj::tryParseHttpMethod(ex.method)) {
      method = *m;
    }
    auto* exp = &ex;
    auto call = kj::evalNow([&]() {
      auto req = client_->request(method, url, headers, uint64_t{ex.body.size()});
      auto sent = req.body->write(ex.body.data(), ex.body.size()).attach(kj::mv(req.body));
      return sent.then([response = kj::mv(req.response)]() mutable { return kj::mv(response); });
    });
    auto timed_out_flag = kj::heap<bool>(false);
    bool* timed_out_ptr = timed_out_flag.get();
    auto headers_in =
        call.exclusiveJoin(timer_->afterDelay(options_.upstream_timeout.count() * kj::MILLISECONDS)
                               .then([timed_out_ptr]() -> kj::HttpClient::Response {
                                 *timed_out_ptr = true;
                                 KJ_FAIL_REQUIRE("upstream timeout");
                               }));
    return headers_in
        .then(
            [this, exp, &response](kj::HttpClient::Response&& upstream_response) {
              return Relay(*exp, response, kj::mv(upstream_response));
            },
            [this, exp, &response, url, timed_out_ptr,
             attempt](kj::Exception&& e) -> kj::Promise<void> {
              const bool timed_out = *timed_out_ptr;
              if (!timed_out && attempt == 0 && e.getType() == kj::Exception::Type::DISCONNECTED)
                return Forward(*exp, response, 1);
              unsigned status = timed_out ? 504 : 502;
              exp->status = status;
              exp->error =
                  (timed_out ? "the upstream did not answer within " +
                                   std::to_string(options_.upstream_timeout.count()) + " ms"
                             : std::string("the upstream failed: ") + e.getDescription().cStr()) +
                  " (" + url + ")";
              exp->response_body =
                  ErrorBody(exp->vendor, status,
                            timed_out ? "baton_upstream_timeout" : "baton_upstream_unavailable",
                            "baton proxy: " + exp->error);
              exp->response_headers = {{"content-type", "application/json"}};
              Count(&ProxyStats::rejected);
              std::fprintf(stderr, "baton proxy: %s\n", exp->error.c_str());
              RecordCall(*exp);
              return SendBody(response, status, exp->response_headers, exp->response_body);
            })
        .attach(kj::mv(timed_out_flag));
  }

  kj::Promise<void> Relay(Exchange& ex, Response& response, kj::HttpClient::Response upstream) {
    ex.status = upstream.statusCode;
    kj::HttpHeaders out(*table_);
    bool event_stream = false;
    kj::Maybe<uint64_t> length = nullptr;
    upstream.headers->forEach([&](kj::StringPtr name, kj::StringPtr value) {
      std::string lower = AsciiLower(name.cStr());
      if (lower == "content-length") length = std::strtoull(value.cStr(), nullptr, 10);
      if (IsHopByHop(lower)) return;
      out.add(kj::str(name), kj::str(value));
      if (IsRecordedResponseHeader(lower)) ex.response_headers.push_back({lower, value.cStr()});
      if (lower == "content-type" &&
          std::string(value.cStr()).find("text/event-stream") != std::string::npos)
        event_stream = true;
    });
    auto in = kj::mv(upstream.body);
    if (!event_stream) {
      auto* exp = &ex;
      auto* inp = in.get();
      return inp->readAllText()
          .then([this, exp, &response](kj::String text) {
            exp->response_body.assign(text.begin(), text.size());
            RecordCall(*exp);
            return SendBody(response, exp->status, exp->response_headers, exp->response_body);
          })
          .attach(kj::mv(in));
    }
    ex.streamed = true;
    // The upstream's length, when it gave one, goes on to the client: a stream the upstream
    // cuts short is then cut short for the client too (the connection drops mid-body).
    auto client_out = response.send(ex.status, net::HttpReasonPhrase(ex.status), out, length);
    auto buffer = kj::heapArray<char>(16384);
    auto* exp = &ex;
    auto* inp = in.get();
    auto* outp = client_out.get();
    auto* buf = buffer.begin();
    size_t cap = buffer.size();
    return Pump(*exp, inp, outp, buf, cap)
        .then(
            [this, exp]() {
              if (!exp->sse_buffer.empty())  // A last frame without its blank line.
                exp->chunks.push_back({MonoNs() - exp->start_mono_ns, std::move(exp->sse_buffer)});
              RecordCall(*exp);
            },
            [this, exp](kj::Exception&& e) {
              // The upstream (or the client) cut the stream: what arrived is recorded as such.
              if (!exp->sse_buffer.empty())
                exp->chunks.push_back({MonoNs() - exp->start_mono_ns, std::move(exp->sse_buffer)});
              exp->cut = true;
              exp->error = std::string("the stream was cut off: ") + e.getDescription().cStr();
              std::fprintf(stderr, "baton proxy: %s\n", exp->error.c_str());
              RecordCall(*exp);
              kj::throwFatalException(kj::mv(e));
            })
        .attach(kj::mv(in), kj::mv(client_out), kj::mv(buffer));
  }

  kj::Promise<void> Pump(Exchange& ex, kj::AsyncInputStream* in, kj::AsyncOutputStream* out,
                         char* buf, size_t cap) {
    return in->tryRead(buf, 1, cap)
        .then([this, &ex, in, out, buf, cap](size_t n) -> kj::Promise<void> {
          if (n == 0) return kj::READY_NOW;
          const int64_t offset = MonoNs() - ex.start_mono_ns;
          ex.sse_buffer.append(buf, n);
          for (std::string& frame : TakeSseFrames(ex.sse_buffer))
            ex.chunks.push_back({offset, std::move(frame)});
          return out->write(buf, n).then(
              [this, &ex, in, out, buf, cap]() { return Pump(ex, in, out, buf, cap); });
        });
  }

  // The finished call as a model-call event, and the handoffs its answer makes.
  // `served`: the answer came from the recording (or a patch or fault), not the upstream.
  void RecordCall(Exchange& ex, const ModelCall* served = nullptr) {
    if (!ex.record_call) return;
    ModelCall call;
    if (served != nullptr) {
      call.response = served->response;
      ex.status = served->http.status != 0 ? served->http.status : 200;
      ex.cut = served->http.stream_cut;
      ex.error = served->error;
      ex.response_headers = served->http.response_headers;
      ex.response_body = served->http.response_body.text;
      ex.streamed = !served->response.chunks.empty();
      if (!served->error.empty() && ex.status < 400 && !ex.cut) ex.status = 500;
    } else if (ex.streamed) {
      std::vector<std::string> frames;
      for (const StreamChunk& c : ex.chunks) frames.push_back(c.text);
      call.response = ParseResponseStream(ex.api, frames);
      call.response.chunks = ex.chunks;
    } else if (ex.api != ModelApi::kOpaque) {
      call.response = ParseResponseBody(ex.api, ex.response_body);
    }
    inference_.ObserveResponse(ex.agent, call.response);
    if (!Records()) return;
    call.request = ex.parsed.request;
    call.latency_ns = MonoNs() - ex.start_mono_ns;
    call.http.api = std::string(ModelApiName(ex.api));
    call.http.method = ex.method;
    call.http.path = ex.path;
    call.http.status = ex.status;
    call.http.response_headers = ex.response_headers;
    if (served != nullptr)
      call.http.response_body = served->http.response_body;
    else if (!ex.streamed)
      call.http.response_body = TemplateBody(ex.response_body, call.response.content.text);
    call.http.stream_cut = ex.cut;
    const bool failed = ex.status >= 400 || ex.status == 0 || ex.cut;
    if (failed) {
      call.error = !ex.error.empty() ? ex.error
                                     : "HTTP " + std::to_string(ex.status) + ": " +
                                           ex.response_body.substr(0, 500);
      call.error_code =
          ex.status == 429 || ex.status >= 500 || ex.cut || ex.status == 0
              ? (ex.status == 504 ? CallErrorCode::kDeadlineExceeded : CallErrorCode::kUnavailable)
              : CallErrorCode::kInvalidArgument;
    }
    // The same request again after a failure (or marked a retry by the SDK) is another
    // attempt at the same call: hidden-latency findings see the retries.
    LastCall& last = last_call_[ex.agent];
    const uint32_t sdk_retry =
        std::strtoul(ex.Header("x-stainless-retry-count").c_str(), nullptr, 10);
    const bool retry =
        last.attempt > 0 && last.request == call.request && (last.failed || sdk_retry > 0);
    Recorder& rec = *options_.recorder;
    uint64_t cause = ex.cause != 0 ? ex.cause : last_seq_of_[ex.agent];
    if (retry) {
      call.call_id = last.call_id;
      call.attempt = last.attempt + 1;
      cause = rec.Record(ex.agent,
                         Retry{call.call_id, call.attempt, last.error,
                               std::max<int64_t>(0, ex.start_mono_ns - last.ended_mono_ns)},
                         last_seq_of_[ex.agent]);
    } else {
      call.call_id = ex.agent + "/model" + std::to_string(++calls_of_[ex.agent]);
      call.attempt = 1;
    }
    last.request = call.request;
    last.call_id = call.call_id;
    last.attempt = call.attempt;
    last.failed = failed;
    last.error = call.error;
    last.ended_mono_ns = MonoNs();
    std::vector<ToolCallRequest> handoffs;
    for (const ToolCallRequest& t : call.response.tool_calls)
      if (HandoffToolTarget(t.name, t.arguments_json.text)) handoffs.push_back(t);
    // What the sender hands over: what it said with the handoff (an agent SDK passes the
    // conversation on, and its last words are its output), then the handoff's arguments.
    const std::string said = call.response.content.text;
    std::string response_id;
    if (served == nullptr && !failed) {
      std::vector<std::string> frames;
      for (size_t i = 0; i < ex.chunks.size() && i < 3; ++i) frames.push_back(ex.chunks[i].text);
      response_id = ResponseId(ex.response_body, frames);
    }
    uint64_t seq = rec.Record(ex.agent, std::move(call), cause);
    last_seq_of_[ex.agent] = seq;
    if (!response_id.empty() && seq != 0) answer_of_response_[response_id] = {ex.agent, seq};
    // The receiver's model call on a handed-off task is it acting on the message.
    if (!failed)
      for (const std::string& id : ex.delivered_message_ids)
        rec.Record(ex.agent, MessageProcessed{id}, seq);
    Count(&ProxyStats::recorded);
    for (const ToolCallRequest& h : handoffs) {
      MessageSend send;
      send.message_id = h.id;
      const std::string to = *HandoffToolTarget(h.name, h.arguments_json.text);
      send.to = to;
      send.intent = "handoff";
      send.payload =
          said.empty() ? h.arguments_json : Content(HandoffMessage(said, h.arguments_json.text));
      sent_seq_[h.id] = rec.Record(ex.agent, std::move(send), seq);
      handoffs_recorded_.emplace_back(ex.agent, to);
    }
  }

 public:
  // After the loop stopped: what the Agents SDK's own traces say of the agents the traffic
  // was attributed to, as one check per agent (and one for the handoffs), recorded for
  // `baton inspect`, `why` and `check` to show. A name the traces give an agent the traffic
  // could not name (agent-N) passes: it is news, not a contradiction. One agent named two
  // ways, or two agents named alike, fails: the analyses then see the wrong agents.
  void ConfirmAgentsFromSdkTraces() {
    if (!Records() || sdk_traces_.span_count() == 0) return;
    struct Seen {
      uint64_t first_seq = 0;
      size_t calls = 0;
      std::set<std::string> names;  // As the trace spells them.
    };
    std::map<std::string, Seen> by_agent;
    std::map<std::string, std::set<std::string>> agents_of_name;  // By SdkAgentKey.
    for (const auto& [response_id, name] : sdk_traces_.AgentOfResponse()) {
      auto answer = answer_of_response_.find(response_id);
      if (answer == answer_of_response_.end()) continue;
      Seen& seen = by_agent[answer->second.agent];
      if (seen.first_seq == 0 || answer->second.seq < seen.first_seq)
        seen.first_seq = answer->second.seq;
      ++seen.calls;
      seen.names.insert(name);
      agents_of_name[SdkAgentKey(name)].insert(answer->second.agent);
    }
    constexpr const char* kChecker = "openai-agents-sdk trace";
    std::map<std::string, std::string> agent_of_key;  // Trace name -> the agent it confirms.
    for (const auto& [agent, seen] : by_agent) {
      Check check;
      check.target_seq = seen.first_seq;
      check.checker = kChecker;
      const std::string& name = *seen.names.begin();
      const std::string calls = std::to_string(seen.calls) + " call(s) matched by response id";
      const bool anonymous = agent.rfind("agent-", 0) == 0;
      if (seen.names.size() > 1) {
        std::string names;
        for (const std::string& n : seen.names) names += (names.empty() ? "\"" : ", \"") + n + "\"";
        check.detail = "the SDK's trace puts " + agent + "'s calls under several agents (" + names +
                       "): one system prompt shared by several agents; set " +
                       "X-Baton-Agent to tell them apart (" + calls + ")";
      } else if (agents_of_name[SdkAgentKey(name)].size() > 1) {
        check.detail = "the SDK's trace names " + agent + " \"" + name +
                       "\", as it names other agents of this session: one agent whose " +
                       "instructions changed was taken for several (" + calls + ")";
      } else if (SdkAgentKey(name) == SdkAgentKey(agent)) {
        check.passed = true;
        check.detail = "the SDK's trace names " + agent + " \"" + name + "\" too (" + calls + ")";
        agent_of_key[SdkAgentKey(name)] = agent;
      } else if (anonymous) {
        check.passed = true;
        check.detail = "the SDK's trace names " + agent + " \"" + name +
                       "\" (no handoff in the traffic named it; " + calls + ")";
        agent_of_key[SdkAgentKey(name)] = agent;
      } else {
        check.detail = "the SDK's trace names " + agent + " \"" + name +
                       "\": the handoff tool that named it does not match (" + calls + ")";
      }
      options_.recorder->Record(agent, std::move(check), seen.first_seq);
    }
    // The handoffs the traces saw, against those recovered from the handoff tool calls.
    const auto traced = sdk_traces_.Handoffs();
    if (traced.empty()) return;
    std::multiset<std::pair<std::string, std::string>> recorded(handoffs_recorded_.begin(),
                                                                handoffs_recorded_.end());
    std::string missing;
    size_t found = 0;
    for (const auto& [from, to] : traced) {
      auto f = agent_of_key.find(SdkAgentKey(from));
      auto t = agent_of_key.find(SdkAgentKey(to));
      const std::string from_agent = f != agent_of_key.end() ? f->second : SdkAgentKey(from);
      const std::string to_agent = t != agent_of_key.end() ? t->second : SdkAgentKey(to);
      auto it = recorded.find({from_agent, to_agent});
      if (it != recorded.end()) {
        recorded.erase(it);
        ++found;
      } else {
        missing += (missing.empty() ? "" : ", ") + from + " -> " + to;
      }
    }
    Check check;
    check.checker = kChecker;
    check.passed = missing.empty();
    check.detail = std::to_string(found) + " of " + std::to_string(traced.size()) +
                   " handoff(s) in the SDK's trace recovered from the traffic" +
                   (missing.empty() ? "" : "; not recovered: " + missing);
    options_.recorder->Record("openai.traces", std::move(check));
  }

 private:
  const ProxyOptions options_;
  FaultPlan faults_;  // Counts requests: changes as they come (on the loop thread only).
  kj::Timer* timer_ = nullptr;
  kj::Own<kj::HttpHeaderTable> table_;
  kj::Own<kj::HttpClient> client_;
  unsigned port_ = 0;
  // Loop thread only.
  AgentInference inference_;
  // How live requests hold their messages' extra members: as the recording being replayed
  // holds them, so that recordings made before ChatMessage::extra still match.
  const MessageExtras extras_;
  std::map<std::string, LastCall> last_call_;
  std::map<std::string, uint64_t> last_seq_of_;
  std::map<std::string, uint64_t> calls_of_;
  std::map<std::string, uint64_t> sent_seq_;  // Handoff message id -> its send event.
  uint64_t trace_posts_ = 0;
  SdkTraceIndex sdk_traces_;
  int sdk_traces_unreadable_ = 0;
  struct RecordedAnswer {
    std::string agent;
    uint64_t seq = 0;
  };
  std::map<std::string, RecordedAnswer> answer_of_response_;            // By the API's response id.
  std::vector<std::pair<std::string, std::string>> handoffs_recorded_;  // (from, to).

  mutable std::mutex mu_;
  ProxyStats stats_;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> stop_;

 public:
  std::thread thread_;
};

Result<std::unique_ptr<ProxyServer>> ProxyServer::Start(ProxyOptions options) {
  const bool replays =
      options.mode == ReplayMode::kReplay || options.mode == ReplayMode::kReplayOrRecord;
  if (replays && options.replay == nullptr)
    return Status::InvalidArgument("the proxy replays from a recording: none was given");
  if ((options.mode == ReplayMode::kRecord || options.mode == ReplayMode::kReplayOrRecord) &&
      options.recorder == nullptr)
    return Status::InvalidArgument("the proxy records to a file: none was given");
  auto impl = std::make_unique<Impl>(std::move(options));
  std::promise<Status> started;
  auto ready = started.get_future();
  Impl* raw = impl.get();
  impl->thread_ = std::thread([raw, &started] { raw->Run(started).IgnoreError(); });
  Status s = ready.get();
  if (!s.ok()) {
    impl->thread_.join();
    return s;
  }
  return std::unique_ptr<ProxyServer>(new ProxyServer(std::move(impl)));
}

ProxyServer::ProxyServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProxyServer::~ProxyServer() { Stop(); }

void ProxyServer::Stop() {
  if (impl_ == nullptr || !impl_->thread_.joinable()) return;
  impl_->Stop();
  impl_->thread_.join();
  impl_->ConfirmAgentsFromSdkTraces();
}

unsigned ProxyServer::port() const { return impl_->port(); }
std::string ProxyServer::origin() const { return "http://127.0.0.1:" + std::to_string(port()); }
ProxyStats ProxyServer::stats() const { return impl_->stats(); }

}  // namespace baton::proxy
