#include "recorder/event_codec.h"

#include <kj/exception.h>

namespace baton::codec {
namespace {

// std::string is always NUL-terminated, as Cap'n Proto's Text requires.
capnp::Text::Reader T(const std::string& s) { return capnp::Text::Reader(s.data(), s.size()); }
std::string S(capnp::Text::Reader r) { return std::string(r.begin(), r.size()); }

// Where each event body lives in Event's union: its schema struct, discriminant, and the
// union's init and get. One line per kind; the static_assert below checks that the union's
// order is EventBody's, and event_kinds_test that the union has no member without a line.
template <typename Body>
struct EventSchema;
#define BATON_EVENT_SCHEMA(Body, WHICH)                                                    \
  template <>                                                                              \
  struct EventSchema<Body> {                                                               \
    static constexpr schema::Event::Which kWhich = schema::Event::Which::WHICH;            \
    static schema::Body::Builder Init(schema::Event::Builder e) { return e.init##Body(); } \
    static schema::Body::Reader Get(schema::Event::Reader e) { return e.get##Body(); }     \
  }
BATON_EVENT_SCHEMA(MessageSend, MESSAGE_SEND);
BATON_EVENT_SCHEMA(MessageDelivery, MESSAGE_DELIVERY);
BATON_EVENT_SCHEMA(MessageInterpretation, MESSAGE_INTERPRETATION);
BATON_EVENT_SCHEMA(MessageProcessed, MESSAGE_PROCESSED);
BATON_EVENT_SCHEMA(ContextWrite, CONTEXT_WRITE);
BATON_EVENT_SCHEMA(ContextRead, CONTEXT_READ);
BATON_EVENT_SCHEMA(ModelCall, MODEL_CALL);
BATON_EVENT_SCHEMA(ToolCall, TOOL_CALL);
BATON_EVENT_SCHEMA(RoutingDecision, ROUTING_DECISION);
BATON_EVENT_SCHEMA(Score, SCORE);
BATON_EVENT_SCHEMA(Check, CHECK);
BATON_EVENT_SCHEMA(ClockRead, CLOCK_READ);
BATON_EVENT_SCHEMA(RandomDraw, RANDOM_DRAW);
BATON_EVENT_SCHEMA(EnvRead, ENV_READ);
BATON_EVENT_SCHEMA(SpanStart, SPAN_START);
BATON_EVENT_SCHEMA(SpanEnd, SPAN_END);
BATON_EVENT_SCHEMA(Retry, RETRY);
BATON_EVENT_SCHEMA(Outcome, OUTCOME);
BATON_EVENT_SCHEMA(EventsDropped, EVENTS_DROPPED);
#undef BATON_EVENT_SCHEMA

template <size_t... I>
constexpr bool UnionOrderMatchesVariant(std::index_sequence<I...>) {
  return (
      (static_cast<size_t>(EventSchema<std::variant_alternative_t<I, EventBody>>::kWhich) == I) &&
      ...);
}
static_assert(UnionOrderMatchesVariant(std::make_index_sequence<kEventKindCount>()),
              "Event's union in baton.capnp is not in EventBody's order");

class Encoder {
 public:
  Encoder(TextEncoder& text, MessageHistory* history, const Event& event)
      : text_(text), history_(history), event_(event) {}

  capnp::Text::Reader Txt(const std::string& s) { return T(text_.Text(s, scratch_)); }

  void KeyValues(const std::vector<KeyValue>& in, capnp::List<schema::KeyValue>::Builder out) {
    // Named values (request parameters, metadata): a secret-looking name hides the value.
    for (size_t i = 0; i < in.size(); ++i) {
      out[i].setKey(Txt(in[i].key));
      out[i].setValue(T(text_.HeaderValue(in[i].key, in[i].value, scratch_)));
    }
  }
  void Headers(const std::vector<KeyValue>& in, capnp::List<schema::KeyValue>::Builder out) {
    for (size_t i = 0; i < in.size(); ++i) {
      out[i].setKey(T(in[i].key));
      out[i].setValue(T(text_.HeaderValue(in[i].key, in[i].value, scratch_)));
    }
  }
  void Content(const baton::Content& c, schema::Content::Builder out) { text_.Content(c, out); }

  void Body(const MessageSend& e, schema::MessageSend::Builder b) {
    b.setMessageId(Txt(e.message_id));
    b.setTo(Txt(e.to));
    b.setIntent(Txt(e.intent));
    Content(e.payload, b.initPayload());
    auto refs = b.initContextVersions(e.context_versions.size());
    for (size_t i = 0; i < e.context_versions.size(); ++i) {
      refs[i].setKey(Txt(e.context_versions[i].key));
      refs[i].setVersion(e.context_versions[i].version);
    }
  }
  void Body(const MessageDelivery& e, schema::MessageDelivery::Builder b) {
    b.setMessageId(Txt(e.message_id));
    b.setFrom(Txt(e.from));
  }
  void Body(const MessageInterpretation& e, schema::MessageInterpretation::Builder b) {
    b.setMessageId(Txt(e.message_id));
    b.setUnderstoodIntent(Txt(e.understood_intent));
    Content(e.summary, b.initSummary());
  }
  void Body(const MessageProcessed& e, schema::MessageProcessed::Builder b) {
    b.setMessageId(Txt(e.message_id));
  }
  void Body(const ContextWrite& e, schema::ContextWrite::Builder b) {
    b.setKey(Txt(e.key));
    b.setVersion(e.version);
    Content(e.value, b.initValue());
  }
  void Body(const ContextRead& e, schema::ContextRead::Builder b) {
    b.setKey(Txt(e.key));
    b.setVersion(e.version);
  }
  void Body(const ModelCall& e, schema::ModelCall::Builder b) {
    b.setCallId(Txt(e.call_id));
    auto req = b.initRequest();
    req.setModel(Txt(e.request.model));
    KeyValues(e.request.parameters, req.initParameters(e.request.parameters.size()));
    const MessageList& all = e.request.messages;
    size_t shared = 0;
    if (history_ != nullptr) {
      if (const MessageHistory::Entry* prev = history_->Find(event_.agent)) {
        // O(1) for a conversation that appends to one list (SharedPrefix).
        shared = MessageList::CommonPrefix(all, prev->messages);
        if (shared > 0) {
          req.setPrefixFrom(prev->seq);
          req.setPrefixLength(static_cast<uint32_t>(shared));
        }
      }
      history_->Set(event_.agent, event_.seq, all);
    }
    auto msgs = req.initMessages(all.size() - shared);
    for (size_t i = shared; i < all.size(); ++i) {
      const ChatMessage& m = all[i];
      auto out = msgs[i - shared];
      out.setRole(Txt(m.role));
      Content(m.content, out.initContent());
      out.setName(Txt(m.name));
      out.setToolCallId(Txt(m.tool_call_id));
      if (!m.extra.empty()) out.setExtra(Txt(m.extra));
    }
    auto tools = req.initTools(e.request.tools.size());
    for (size_t i = 0; i < e.request.tools.size(); ++i) {
      tools[i].setName(Txt(e.request.tools[i].name));
      tools[i].setDescription(Txt(e.request.tools[i].description));
      Content(e.request.tools[i].parameters_json, tools[i].initParametersJson());
    }
    Headers(e.request.headers, req.initHeaders(e.request.headers.size()));
    req.setStream(e.request.stream);

    auto resp = b.initResponse();
    Content(e.response.content, resp.initContent());
    auto calls = resp.initToolCalls(e.response.tool_calls.size());
    for (size_t i = 0; i < e.response.tool_calls.size(); ++i) {
      calls[i].setId(Txt(e.response.tool_calls[i].id));
      calls[i].setName(Txt(e.response.tool_calls[i].name));
      Content(e.response.tool_calls[i].arguments_json, calls[i].initArgumentsJson());
    }
    resp.setFinishReason(Txt(e.response.finish_reason));
    auto usage = resp.initUsage();
    usage.setPromptTokens(e.response.usage.prompt_tokens);
    usage.setCompletionTokens(e.response.usage.completion_tokens);
    usage.setTotalTokens(e.response.usage.total_tokens);
    auto chunks = resp.initChunks(e.response.chunks.size());
    std::vector<std::string> pieces, redacted;
    for (const auto& c : e.response.chunks) pieces.push_back(c.text);
    const bool rewritten = !pieces.empty() && text_.Pieces(pieces, redacted);
    for (size_t i = 0; i < e.response.chunks.size(); ++i) {
      chunks[i].setOffsetNs(e.response.chunks[i].offset_ns);
      chunks[i].setText(rewritten ? T(redacted[i]) : Txt(pieces[i]));
    }
    b.setLatencyNs(e.latency_ns);
    b.setAttempt(e.attempt);
    b.setError(Txt(e.error));
    b.setErrorCode(static_cast<schema::CallErrorCode>(e.error_code));
    if (!e.http.api.empty()) Http(e.http, b.initHttp());
  }
  void Http(const HttpExchange& h, schema::HttpExchange::Builder b) {
    b.setApi(Txt(h.api));
    b.setMethod(Txt(h.method));
    b.setPath(Txt(h.path));
    b.setStatus(static_cast<uint16_t>(h.status));
    Headers(h.response_headers, b.initResponseHeaders(h.response_headers.size()));
    Content(h.response_body, b.initResponseBody());
    b.setStreamCut(h.stream_cut);
  }
  void Body(const ToolCall& e, schema::ToolCall::Builder b) {
    b.setCallId(Txt(e.call_id));
    b.setTool(Txt(e.tool));
    Content(e.arguments, b.initArguments());
    Content(e.result, b.initResult());
    b.setLatencyNs(e.latency_ns);
    b.setError(Txt(e.error));
    b.setErrorCode(static_cast<schema::CallErrorCode>(e.error_code));
  }
  void Body(const RoutingDecision& e, schema::RoutingDecision::Builder b) {
    b.setChosen(Txt(e.chosen));
    auto c = b.initCandidates(e.candidates.size());
    for (size_t i = 0; i < e.candidates.size(); ++i) c.set(i, Txt(e.candidates[i]));
    Content(e.reasoning, b.initReasoning());
  }
  void Body(const Score& e, schema::Score::Builder b) {
    b.setTargetSeq(e.target_seq);
    b.setTargetMessageId(Txt(e.target_message_id));
    b.setValue(e.value);
    b.setScorer(Txt(e.scorer));
    Content(e.rationale, b.initRationale());
  }
  void Body(const Check& e, schema::Check::Builder b) {
    b.setTargetSeq(e.target_seq);
    b.setTargetMessageId(Txt(e.target_message_id));
    b.setChecker(Txt(e.checker));
    b.setPassed(e.passed);
    b.setDetail(Txt(e.detail));
  }
  void Body(const ClockRead& e, schema::ClockRead::Builder b) {
    b.setClock(Txt(e.clock));
    b.setValueNs(e.value_ns);
  }
  void Body(const RandomDraw& e, schema::RandomDraw::Builder b) {
    b.setStream(Txt(e.stream));
    b.setValue(e.value);
  }
  void Body(const EnvRead& e, schema::EnvRead::Builder b) {
    b.setName(Txt(e.name));
    b.setValue(T(text_.HeaderValue(e.name, e.value, scratch_)));
    b.setPresent(e.present);
  }
  void Body(const SpanStart& e, schema::SpanStart::Builder b) {
    b.setSpanId(Txt(e.span_id));
    b.setParentSpanId(Txt(e.parent_span_id));
    b.setName(Txt(e.name));
    KeyValues(e.attributes, b.initAttributes(e.attributes.size()));
  }
  void Body(const SpanEnd& e, schema::SpanEnd::Builder b) {
    b.setSpanId(Txt(e.span_id));
    b.setStatus(Txt(e.status));
    b.setReportedDurationNs(e.reported_duration_ns);
  }
  void Body(const Retry& e, schema::Retry::Builder b) {
    b.setCallId(Txt(e.call_id));
    b.setAttempt(e.attempt);
    b.setReason(Txt(e.reason));
    b.setBackoffNs(e.backoff_ns);
  }
  void Body(const Outcome& e, schema::Outcome::Builder b) {
    Content(e.result, b.initResult());
    b.setVerdict(static_cast<schema::Outcome::Verdict>(e.verdict));
    b.setDetail(Txt(e.detail));
  }
  void Body(const EventsDropped& e, schema::EventsDropped::Builder b) { b.setCount(e.count); }

 private:
  TextEncoder& text_;
  MessageHistory* history_ = nullptr;  // Null: no prefix sharing.
  const Event& event_;
  std::string scratch_;
};

class Decoder {
 public:
  Decoder(const BlobLookup* lookup, MessageHistory& history,
          const std::function<std::string()>& where, const Event& event)
      : lookup_(lookup), history_(history), where_(where), event_(event) {}

  Status status() const { return status_; }

  baton::Content Content(schema::Content::Reader in) {
    baton::Content out;
    if (in.isInline()) {
      out.text = S(in.getInline());
      return out;
    }
    out.blob = in.getBlob();
    if (out.blob == 0) {
      if (status_.ok()) status_ = Status::Corruption(where_() + ": refers to blob 0");
      return out;
    }
    if (lookup_ != nullptr && status_.ok() && !(*lookup_)(out.blob, &out.text)) {
      status_ = Status::Corruption(where_() + ": refers to blob " + std::to_string(out.blob) +
                                   " which is not in the file");
    }
    return out;
  }

  // Whether a stored message is `m`, which was decoded from this file: the same texts and the
  // same content (the same blob, or the same inline text).
  static bool SameMessage(schema::ChatMessage::Reader in, const ChatMessage& m) {
    auto same = [](capnp::Text::Reader t, const std::string& s) {
      return std::string_view(t.begin(), t.size()) == s;
    };
    auto c = in.getContent();
    bool same_content = c.isInline() ? m.content.blob == 0 && same(c.getInline(), m.content.text)
                                     : c.getBlob() != 0 && c.getBlob() == m.content.blob;
    return same_content && same(in.getRole(), m.role) && same(in.getName(), m.name) &&
           same(in.getToolCallId(), m.tool_call_id) && same(in.getExtra(), m.extra);
  }

  std::vector<KeyValue> KeyValues(capnp::List<schema::KeyValue>::Reader in) {
    std::vector<KeyValue> out;
    out.reserve(in.size());
    for (auto kv : in) out.push_back({S(kv.getKey()), S(kv.getValue())});
    return out;
  }

  MessageSend Body(schema::MessageSend::Reader b) {
    MessageSend e;
    e.message_id = S(b.getMessageId());
    e.to = S(b.getTo());
    e.intent = S(b.getIntent());
    e.payload = Content(b.getPayload());
    for (auto r : b.getContextVersions())
      e.context_versions.push_back({S(r.getKey()), r.getVersion()});
    return e;
  }
  MessageDelivery Body(schema::MessageDelivery::Reader b) {
    return {S(b.getMessageId()), S(b.getFrom())};
  }
  MessageInterpretation Body(schema::MessageInterpretation::Reader b) {
    return {S(b.getMessageId()), S(b.getUnderstoodIntent()), Content(b.getSummary())};
  }
  MessageProcessed Body(schema::MessageProcessed::Reader b) { return {S(b.getMessageId())}; }
  ContextWrite Body(schema::ContextWrite::Reader b) {
    return {S(b.getKey()), b.getVersion(), Content(b.getValue())};
  }
  ContextRead Body(schema::ContextRead::Reader b) { return {S(b.getKey()), b.getVersion()}; }
  ModelCall Body(schema::ModelCall::Reader b) {
    ModelCall e;
    e.call_id = S(b.getCallId());
    auto req = b.getRequest();
    e.request.model = S(req.getModel());
    e.request.parameters = KeyValues(req.getParameters());
    MessageList messages;
    if (uint64_t from = req.getPrefixFrom(); from != 0) {
      const MessageHistory::Entry* prev = history_.Find(event_.agent);
      uint32_t n = req.getPrefixLength();
      if (prev == nullptr || prev->seq != from || n > prev->messages.size()) {
        if (status_.ok())
          status_ = Status::Corruption(where_() + ": its messages continue those of event " +
                                       std::to_string(from) + " (" + std::to_string(n) +
                                       " messages), which is not that agent's previous model call");
      } else {
        messages = prev->messages.Prefix(n);
      }
    }
    auto own = req.getMessages();
    // Messages written out again (the whole history, at the start of a chunk) that the
    // agent's last list already holds are shared with it rather than decoded a second time.
    size_t first_new = 0;
    const MessageList& last = history_.Last(event_.agent);
    if (MessageList::SharedPrefix(messages, last) == messages.size()) {
      size_t at = messages.size();
      while (first_new < own.size() && at + first_new < last.size() &&
             SameMessage(own[first_new], last[at + first_new]))
        ++first_new;
      if (first_new > 0) messages = last.Prefix(at + first_new);
    }
    for (size_t i = first_new; i < own.size(); ++i) {
      auto m = own[i];
      messages.push_back({S(m.getRole()), Content(m.getContent()), S(m.getName()),
                          S(m.getToolCallId()), S(m.getExtra())});
    }
    history_.Set(event_.agent, event_.seq, messages);
    e.request.messages = std::move(messages);
    for (auto t : req.getTools()) {
      e.request.tools.push_back(
          {S(t.getName()), S(t.getDescription()), Content(t.getParametersJson())});
    }
    e.request.headers = KeyValues(req.getHeaders());
    e.request.stream = req.getStream();
    auto resp = b.getResponse();
    e.response.content = Content(resp.getContent());
    for (auto c : resp.getToolCalls()) {
      e.response.tool_calls.push_back(
          {S(c.getId()), S(c.getName()), Content(c.getArgumentsJson())});
    }
    e.response.finish_reason = S(resp.getFinishReason());
    auto usage = resp.getUsage();
    e.response.usage = {usage.getPromptTokens(), usage.getCompletionTokens(),
                        usage.getTotalTokens()};
    for (auto c : resp.getChunks()) e.response.chunks.push_back({c.getOffsetNs(), S(c.getText())});
    e.latency_ns = b.getLatencyNs();
    e.attempt = b.getAttempt();
    e.error = S(b.getError());
    e.error_code = ErrorCode(b.getErrorCode());
    if (b.hasHttp()) {
      auto h = b.getHttp();
      e.http.api = S(h.getApi());
      e.http.method = S(h.getMethod());
      e.http.path = S(h.getPath());
      e.http.status = h.getStatus();
      e.http.response_headers = KeyValues(h.getResponseHeaders());
      e.http.response_body = Content(h.getResponseBody());
      e.http.stream_cut = h.getStreamCut();
    }
    return e;
  }
  ToolCall Body(schema::ToolCall::Reader b) {
    return {S(b.getCallId()), S(b.getTool()),  Content(b.getArguments()),  Content(b.getResult()),
            b.getLatencyNs(), S(b.getError()), ErrorCode(b.getErrorCode())};
  }
  // A code added by a newer writer reads as unknown.
  static CallErrorCode ErrorCode(schema::CallErrorCode code) {
    auto v = static_cast<uint16_t>(code);
    return v <= static_cast<uint16_t>(CallErrorCode::kFailedPrecondition)
               ? static_cast<CallErrorCode>(v)
               : CallErrorCode::kUnknown;
  }
  RoutingDecision Body(schema::RoutingDecision::Reader b) {
    RoutingDecision e;
    e.chosen = S(b.getChosen());
    for (auto c : b.getCandidates()) e.candidates.push_back(S(c));
    e.reasoning = Content(b.getReasoning());
    return e;
  }
  Score Body(schema::Score::Reader b) {
    return {b.getTargetSeq(), S(b.getTargetMessageId()), b.getValue(), S(b.getScorer()),
            Content(b.getRationale())};
  }
  Check Body(schema::Check::Reader b) {
    return {b.getTargetSeq(), S(b.getTargetMessageId()), S(b.getChecker()), b.getPassed(),
            S(b.getDetail())};
  }
  ClockRead Body(schema::ClockRead::Reader b) { return {S(b.getClock()), b.getValueNs()}; }
  RandomDraw Body(schema::RandomDraw::Reader b) { return {S(b.getStream()), b.getValue()}; }
  EnvRead Body(schema::EnvRead::Reader b) {
    return {S(b.getName()), S(b.getValue()), b.getPresent()};
  }
  SpanStart Body(schema::SpanStart::Reader b) {
    return {S(b.getSpanId()), S(b.getParentSpanId()), S(b.getName()), KeyValues(b.getAttributes())};
  }
  SpanEnd Body(schema::SpanEnd::Reader b) {
    return {S(b.getSpanId()), S(b.getStatus()), b.getReportedDurationNs()};
  }
  Retry Body(schema::Retry::Reader b) {
    return {S(b.getCallId()), b.getAttempt(), S(b.getReason()), b.getBackoffNs()};
  }
  Outcome Body(schema::Outcome::Reader b) {
    Outcome e;
    e.result = Content(b.getResult());
    auto v = static_cast<uint16_t>(b.getVerdict());
    // A verdict added by a newer writer reads as unknown rather than failing the event.
    e.verdict =
        v <= static_cast<uint16_t>(Verdict::kFailure) ? static_cast<Verdict>(v) : Verdict::kUnknown;
    e.detail = S(b.getDetail());
    return e;
  }
  EventsDropped Body(schema::EventsDropped::Reader b) { return {b.getCount()}; }

 private:
  const BlobLookup* lookup_;
  MessageHistory& history_;
  const std::function<std::string()>& where_;
  const Event& event_;  // The event being decoded: its seq and agent are read first.
  Status status_;
};

// Decodes the body whose discriminant `in` carries into `body`; false for a discriminant
// this reader does not know (a kind from a newer writer).
template <size_t... I>
bool DecodeBody(Decoder& dec, schema::Event::Reader in, EventBody& body,
                std::index_sequence<I...>) {
  const schema::Event::Which which = in.which();
  auto one = [&](auto tag) {
    using B = typename decltype(tag)::type;
    if (which != EventSchema<B>::kWhich) return false;
    body = dec.Body(EventSchema<B>::Get(in));
    return true;
  };
  return (one(std::type_identity<std::variant_alternative_t<I, EventBody>>()) || ...);
}

}  // namespace

void PlainTextEncoder::Content(const baton::Content& content, schema::Content::Builder out) {
  out.setInline(T(content.text));
}

void EncodeEvent(const Event& event, int64_t session_start_wall_ns, TextEncoder& text,
                 MessageHistory* history, schema::Event::Builder out) {
  Encoder enc(text, history, event);
  out.setSeq(event.seq);
  out.setMonoNs(event.mono_ns);
  // Saturated, not wrapped: a caller's extreme timestamps must not be undefined behaviour.
  int64_t expected = 0;
  int64_t skew = 0;
  if (__builtin_add_overflow(session_start_wall_ns, event.mono_ns, &expected) ||
      __builtin_sub_overflow(event.wall_ns, expected, &skew)) {
    skew = event.wall_ns >= 0 ? INT64_MAX : INT64_MIN;
  }
  out.setWallSkewNs(skew);
  out.setAgent(enc.Txt(event.agent));
  out.setCause(event.cause);
  std::visit(
      [&](const auto& body) {
        using B = std::decay_t<decltype(body)>;
        enc.Body(body, EventSchema<B>::Init(out));
      },
      event.body);
}

void EncodeHeader(const SessionHeader& header, schema::SessionHeader::Builder out) {
  out.setSessionId(T(header.session_id));
  out.setStartWallNs(header.start_wall_ns);
  auto agents = out.initAgents(header.agents.size());
  for (size_t i = 0; i < header.agents.size(); ++i) agents.set(i, T(header.agents[i]));
  auto md = out.initMetadata(header.metadata.size());
  for (size_t i = 0; i < header.metadata.size(); ++i) {
    md[i].setKey(T(header.metadata[i].key));
    md[i].setValue(T(header.metadata[i].value));
  }
  out.setWriter(T(header.writer));
}

Result<DecodeOutcome> DecodeEvent(schema::Event::Reader in, int64_t session_start_wall_ns,
                                  const BlobLookup* lookup, MessageHistory& history,
                                  const std::function<std::string()>& where, Event* out) {
  Decoder dec(lookup, history, where, *out);
  DecodeOutcome outcome = DecodeOutcome::kDecoded;
  bool out_of_range = false;
  kj::Maybe<kj::Exception> error = kj::runCatchingExceptions([&]() {
    out->seq = in.getSeq();
    out->mono_ns = in.getMonoNs();
    int64_t wall = 0;
    if (__builtin_add_overflow(session_start_wall_ns, out->mono_ns, &wall) ||
        __builtin_add_overflow(wall, in.getWallSkewNs(), &wall)) {
      out_of_range = true;
      return;
    }
    out->wall_ns = wall;
    out->agent = S(in.getAgent());
    out->cause = in.getCause();
    if (!DecodeBody(dec, in, out->body, std::make_index_sequence<kEventKindCount>()))
      outcome = DecodeOutcome::kUnknownKind;
  });
  KJ_IF_MAYBE (e, error) {
    return Status::Corruption(where() +
                              ": malformed event: " + std::string(e->getDescription().cStr()));
  }
  if (out_of_range) {
    return Status::Corruption(where() + ": wall time out of range (session start " +
                              std::to_string(session_start_wall_ns) + " ns, mono " +
                              std::to_string(in.getMonoNs()) + " ns, skew " +
                              std::to_string(in.getWallSkewNs()) + " ns)");
  }
  if (!dec.status().ok()) return dec.status();
  return outcome;
}

Result<SessionHeader> DecodeHeader(schema::SessionHeader::Reader in, const std::string& where) {
  SessionHeader out;
  kj::Maybe<kj::Exception> error = kj::runCatchingExceptions([&]() {
    out.session_id = S(in.getSessionId());
    out.start_wall_ns = in.getStartWallNs();
    for (auto a : in.getAgents()) out.agents.push_back(S(a));
    for (auto kv : in.getMetadata()) out.metadata.push_back({S(kv.getKey()), S(kv.getValue())});
    out.writer = S(in.getWriter());
  });
  KJ_IF_MAYBE (e, error) {
    return Status::Corruption(
        where + ": malformed session header: " + std::string(e->getDescription().cStr()));
  }
  return out;
}

}  // namespace baton::codec
