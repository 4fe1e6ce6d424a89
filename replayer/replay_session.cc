#include "replayer/replay_session.h"

#include <xxhash.h>

#include <algorithm>

#include "base/json_writer.h"
#include "replayer/delivery_order.h"

namespace baton {
namespace {

// A long recording's events are far out of cache by the time their call comes, and
// matching one is a chain of dependent loads (the event, then its request's lists, then
// their elements). Serving a queue's call therefore prefetches the queue's next two
// recorded events, one step of the chain each: the event after next as a whole, and the
// lists of the next one (whose event the previous call fetched). Prefetches are hints:
// they change no result, only when memory is read.
void PrefetchAhead(const std::vector<const Event*>& events, size_t next) {
  if (next + 1 < events.size()) {
    const char* e = reinterpret_cast<const char*>(events[next + 1]);
    for (size_t off = 0; off < sizeof(Event); off += 64) __builtin_prefetch(e + off);
  }
  if (next >= events.size()) return;
  const ModelCall* call = events[next]->As<ModelCall>();
  if (call == nullptr) return;
  const ModelRequest& r = call->request;
  __builtin_prefetch(r.parameters.data());
  __builtin_prefetch(r.tools.data());
  __builtin_prefetch(r.headers.data());
  // The messages the call adds come last; its history was matched before.
  for (size_t i = r.messages.size() > 3 ? r.messages.size() - 3 : 0; i < r.messages.size(); ++i)
    for (size_t off = 0; off < sizeof(ChatMessage); off += 64)
      __builtin_prefetch(reinterpret_cast<const char*>(&r.messages[i]) + off);
}

bool IsServedKind(EventKind k) {
  return k == EventKind::kModelCall || k == EventKind::kToolCall || k == EventKind::kClockRead ||
         k == EventKind::kRandomDraw || k == EventKind::kEnvRead;
}

std::string QueueKey(const std::string& agent, EventKind kind) {
  return agent + '\0' + std::string(KindName(kind));
}

std::string Ordinal(size_t n) {
  std::string suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return std::to_string(n) + suffix;
}

std::string Human(std::string_view kind) {
  std::string s(kind);
  for (char& c : s)
    if (c == '_') c = ' ';
  return s;
}

}  // namespace

std::string_view ReplayModeName(ReplayMode mode) {
  switch (mode) {
    case ReplayMode::kReplay:
      return "replay";
    case ReplayMode::kReplayOrRecord:
      return "replay-or-record";
    case ReplayMode::kRecord:
      return "record";
    case ReplayMode::kPassthrough:
      return "passthrough";
  }
  return "?";
}

std::optional<ReplayMode> ReplayModeFromName(std::string_view name) {
  for (ReplayMode m : {ReplayMode::kReplay, ReplayMode::kReplayOrRecord, ReplayMode::kRecord,
                       ReplayMode::kPassthrough})
    if (ReplayModeName(m) == name) return m;
  return std::nullopt;
}

std::string Divergence::Render() const {
  std::string out = summary + "\n";
  if (!fields.empty()) {
    out += "recorded vs live:\n";
    out += IndentLines(RenderFieldDifferences(fields), "  ");
  }
  if (!chain.empty()) {
    out += "what led there (recording):\n";
    for (const std::string& line : chain) out += "  " + line + "\n";
  }
  return out;
}

std::string ReplayReport::Render() const {
  std::string out;
  for (uint64_t seq : patched) out += "patched: #" + std::to_string(seq) + " answered as given\n";
  for (const std::string& f : faults) out += "injected: " + f + "\n";
  for (const std::string& r : reordered) out += "reordered: " + r + "\n";
  if (matched) {
    out += "replay matched: " + std::to_string(served) + " calls served from the recording";
    if (served_live > 0)
      out += ", " + std::to_string(served_live) + " answered live (replay-or-record), " +
             std::to_string(unreached.size()) + " recorded calls replaced";
    return out + "\n";
  }
  out += "replay diverged: " + std::to_string(divergences.size()) + " divergence(s), " +
         std::to_string(served) + " calls served";
  if (served_live > 0) out += ", " + std::to_string(served_live) + " live";
  out += "\n";
  for (size_t i = 0; i < divergences.size(); ++i)
    out += "\n[" + std::to_string(i + 1) + "] " + divergences[i].Render();
  if (!unreached.empty()) {
    out += "\nrecorded calls the replay never made (" + std::to_string(unreached.size()) + "):\n";
    for (size_t i = 0; i < unreached.size() && i < 10; ++i) out += "  " + unreached[i] + "\n";
    if (unreached.size() > 10) out += "  ...\n";
  }
  return out;
}

void Divergence::WriteJsonFields(JsonWriter& w) const {
  w.Key("recorded_seq").Uint(recorded_seq);
  w.Key("agent").String(agent);
  w.Key("kind").String(KindName(kind));
  w.Key("summary").String(summary);
  w.Key("fields").BeginArray();
  for (const FieldDifference& f : fields) {
    w.BeginObject().Key("path").String(f.path).Key("change").String(FieldChangeName(f.change));
    w.Key("recorded").String(f.recorded).Key("live").String(f.live).EndObject();
  }
  w.EndArray();
  w.Key("chain").BeginArray();
  for (const std::string& c : chain) w.String(c);
  w.EndArray();
}

std::string ReplayReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("matched").Bool(matched);
  w.Key("served").Uint(served);
  w.Key("served_live").Uint(served_live);
  w.Key("divergences").BeginArray();
  for (const Divergence& d : divergences) {
    w.BeginObject();
    d.WriteJsonFields(w);
    w.Key("text").String(d.Render());
    w.EndObject();
  }
  w.EndArray();
  w.Key("unreached").BeginArray();
  for (const std::string& u : unreached) w.String(u);
  w.EndArray();
  w.Key("patched").BeginArray();
  for (uint64_t seq : patched) w.Uint(seq);
  w.EndArray();
  w.Key("faults").BeginArray();
  for (const std::string& f : faults) w.String(f);
  w.EndArray();
  w.Key("reordered").BeginArray();
  for (const std::string& r : reordered) w.String(r);
  w.EndArray();
  w.EndObject();
  return w.Take();
}

Result<std::unique_ptr<ReplaySession>> ReplaySession::Open(const std::string& path,
                                                           ReplayOptions options) {
  // Lazy: request texts (often most of a session's bytes) are only hashed, through a
  // per-blob cache, and read in full only to show a divergence.
  ReaderOptions ro;
  ro.blobs = BlobLoading::kLazy;
  auto trace = Trace::Load(path, ro);
  if (!trace.ok()) return trace.status();
  return FromTrace(std::move(trace).value(), std::move(options));
}

Result<std::unique_ptr<ReplaySession>> ReplaySession::FromTrace(Trace trace,
                                                                ReplayOptions options) {
  if (options.mode != ReplayMode::kReplay && options.mode != ReplayMode::kReplayOrRecord)
    return Status::InvalidArgument(
        "a ReplaySession serves modes replay and replay-or-record, not " +
        std::string(ReplayModeName(options.mode)));
  auto normalizer = RequestNormalizer::Create(options.normalizers);
  if (!normalizer.ok()) return normalizer.status();
  auto redactor = Redactor::Create(options.redaction);
  if (!redactor.ok()) return redactor.status();
  // A patch must name a call of the recording, of the kind its answer is for.
  for (const ReplayPatch& p : options.overrides.patches) {
    const Event* e = trace.BySeq(p.recorded_seq);
    const std::string where = "patch of #" + std::to_string(p.recorded_seq);
    if (e == nullptr)
      return Status::InvalidArgument(where + ": the recording has no event #" +
                                     std::to_string(p.recorded_seq));
    if (p.model_response && e->kind() != EventKind::kModelCall)
      return Status::InvalidArgument(where + ": a model response, but #" +
                                     std::to_string(p.recorded_seq) + " is a " +
                                     std::string(KindName(e->kind())));
    if (p.context_version) {
      const ContextRead* read = e->As<ContextRead>();
      if (read == nullptr)
        return Status::InvalidArgument(where + ": a context version, but #" +
                                       std::to_string(p.recorded_seq) + " is a " +
                                       std::string(KindName(e->kind())));
      if (trace.ContextWriteOf(read->key, *p.context_version) == nullptr)
        return Status::InvalidArgument(where + ": the recording never wrote " + read->key + " v" +
                                       std::to_string(*p.context_version));
    }
    if (p.tool_result && e->kind() != EventKind::kToolCall)
      return Status::InvalidArgument(where + ": a tool result, but #" +
                                     std::to_string(p.recorded_seq) + " is a " +
                                     std::string(KindName(e->kind())));
  }
  return std::unique_ptr<ReplaySession>(new ReplaySession(std::move(trace), std::move(options),
                                                          std::move(normalizer).value(),
                                                          std::move(redactor).value()));
}

ReplaySession::ReplaySession(Trace trace, ReplayOptions options, RequestNormalizer normalizer,
                             Redactor redactor)
    : trace_(std::move(trace)),
      options_(std::move(options)),
      normalizer_(std::move(normalizer)),
      redactor_(std::move(redactor)) {
  for (const Event& e : trace_.events()) {
    if (IsServedKind(e.kind())) {
      Queue& q = served_[QueueKey(e.agent, e.kind())];
      q.events.push_back(&e);
      q.answers.push_back(&answers_.emplace(e.seq, AnswerOf(e)).first->second);
    } else if (e.kind() == EventKind::kContextRead) {
      reads_[e.agent].events.push_back(&e);
    } else if (e.kind() == EventKind::kMessageDelivery) {
      deliveries_of_[e.agent].push_back(deliveries_.size());
      deliveries_.push_back(&e);
    }
  }
  if (const LatencyJitter& j = options_.overrides.latency; j.active()) {
    for (auto& [seq, answer] : answers_) {
      const double f = j.FactorOf(seq);
      if (auto* call = std::get_if<ModelCall>(&answer.body)) {
        call->latency_ns = static_cast<int64_t>(static_cast<double>(call->latency_ns) * f);
        for (StreamChunk& c : call->response.chunks)
          c.offset_ns = static_cast<int64_t>(static_cast<double>(c.offset_ns) * f);
      } else if (auto* tool = std::get_if<ToolCall>(&answer.body)) {
        tool->latency_ns = static_cast<int64_t>(static_cast<double>(tool->latency_ns) * f);
      }
    }
  }
  if (options_.overrides.delivery_order.active()) {
    std::vector<const Event*> perturbed =
        PerturbDeliveryOrder(trace_, deliveries_, options_.overrides.delivery_order.seed);
    reordered_ = DescribeReordering(deliveries_, perturbed);
    deliveries_ = std::move(perturbed);
    deliveries_of_.clear();
    for (size_t i = 0; i < deliveries_.size(); ++i)
      deliveries_of_[deliveries_[i]->agent].push_back(i);
  }
  for (const ReplayPatch& p : options_.overrides.patches) {
    if (p.context_version) {
      patched_reads_[p.recorded_seq] = *p.context_version;
      continue;
    }
    Event answer = answers_.at(p.recorded_seq);
    if (auto* call = std::get_if<ModelCall>(&answer.body)) {
      // Answered as the patch says, with no error and no recorded HTTP bytes (which hold the
      // old answer): the proxy answers it in the shape of the live request.
      call->response = *p.model_response;
      call->error.clear();
      call->error_code = CallErrorCode::kUnknown;
      call->http = HttpExchange();
    } else if (auto* tool = std::get_if<ToolCall>(&answer.body)) {
      tool->result = Content(*p.tool_result);
      tool->error.clear();
      tool->error_code = CallErrorCode::kUnknown;
    }
    patched_answers_[p.recorded_seq] = std::move(answer);
  }
  for (const ReplayFault& f : options_.overrides.faults) {
    PendingFault pending;
    pending.fault = f;
    const EventKind kind =
        f.kind == FaultKind::kToolError ? EventKind::kToolCall : EventKind::kModelCall;
    const std::string key = QueueKey(f.agent, kind);
    const Queue& q = served_[key];
    const Event* recorded =
        f.call >= 1 && f.call <= q.events.size() ? q.events[f.call - 1] : nullptr;
    pending.answer.agent = f.agent;
    if (kind == EventKind::kToolCall) {
      const ToolCall* tool = recorded != nullptr ? recorded->As<ToolCall>() : nullptr;
      pending.answer.body = ToolFaultAnswer(tool != nullptr ? *tool : ToolCall());
    } else {
      const ModelCall* call = recorded != nullptr ? recorded->As<ModelCall>() : nullptr;
      pending.answer.body = FaultAnswer(f, call != nullptr ? *call : ModelCall());
    }
    faults_.emplace(std::make_pair(key, f.call), std::move(pending));
  }
  HashLoadedRequestContents();
}

ReplaySession::~ReplaySession() = default;

void ReplaySession::HashLoadedRequestContents() {
  // Only the messages a request adds to the list its agent sent last (SharedPrefix is
  // O(1)): the whole history of every call would make building the session quadratic.
  // Contents left unloaded (ReplaySession::Open) are hashed on first use instead.
  std::unordered_map<std::string, MessageList> last;
  for (const Event& e : trace_.events()) {
    const ModelCall* call = e.As<ModelCall>();
    if (call == nullptr) continue;
    const MessageList& messages = call->request.messages;
    MessageList& previous = last[e.agent];
    for (size_t i = MessageList::SharedPrefix(messages, previous); i < messages.size(); ++i) {
      const Content& c = messages[i].content;
      if (c.blob != 0 && c.loaded()) BlobHash(c);
    }
    previous = messages;
  }
}

Divergence ReplaySession::MakeDivergence(const Event* recorded, const std::string& agent,
                                         EventKind kind, std::string summary) const {
  Divergence d;
  d.agent = agent;
  d.kind = kind;
  d.summary = std::move(summary);
  if (recorded != nullptr) {
    d.recorded_seq = recorded->seq;
    for (uint64_t seq : trace_.CauseChain(recorded->seq))
      d.chain.push_back(DescribeEvent(*trace_.BySeq(seq)));
  }
  return d;
}

Status ReplaySession::DivergeLocked(Divergence d) {
  std::string summary = d.summary;
  divergences_.push_back(std::move(d));
  if (options_.on_divergence == OnDivergence::kStop && options_.mode == ReplayMode::kReplay) {
    if (!stopped_) stop_reason_ = summary;
    stopped_ = true;
    turn_cv_.notify_all();
    return Status::Diverged(summary);
  }
  return Status::Ok();
}

Status ReplaySession::ReportDivergence(Divergence divergence) {
  std::lock_guard<std::mutex> lock(mu_);
  return DivergeLocked(std::move(divergence));
}

// The live event as the recorder would have written it: contents, and the request's
// named parameters (an "api_key" parameter's value is a pseudonym in the file).
const Event& ReplaySession::Redacted(const Event& live, Event& scratch) const {
  bool secret = false;
  std::string unused;
  ForEachContent(live, [&](const Content& c) {
    if (!secret && c.loaded()) secret = redactor_.RedactText(c.text, unused);
  });
  if (const auto* call = live.As<ModelCall>(); call != nullptr && !secret) {
    for (const KeyValue& p : call->request.parameters)
      secret = secret || redactor_.RedactHeader(p.key, p.value, unused);
  }
  if (!secret) return live;
  scratch = live;
  ForEachContent(scratch, [&](Content& c) {
    std::string out;
    if (c.loaded() && redactor_.RedactText(c.text, out)) c.text = std::move(out);
  });
  if (auto* call = std::get_if<ModelCall>(&scratch.body)) {
    std::string out;
    for (KeyValue& p : call->request.parameters)
      if (redactor_.RedactHeader(p.key, p.value, out)) p.value = std::move(out);
  }
  return scratch;
}

Result<const Event*> ReplaySession::Serve(const Event& live) {
  BATON_CHECK(IsServedKind(live.kind()));
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return Status::Diverged("replay stopped at an earlier divergence: " + stop_reason_);
  const EventKind kind = live.kind();
  Queue& q = served_[QueueKey(live.agent, live.kind())];
  size_t ordinal = q.next + 1;
  // Named only when something is reported: a served call builds no strings.
  auto which = [&] { return live.agent + "'s " + Ordinal(ordinal) + " " + Human(KindName(kind)); };
  Event scratch;  // The live request redacted, when it comes to that.

  if (q.next >= q.events.size()) {
    if (options_.mode == ReplayMode::kReplayOrRecord) {
      ++served_live_;
      return static_cast<const Event*>(nullptr);
    }
    Divergence d = MakeDivergence(nullptr, live.agent, kind,
                                  which() + " has no recording: the recording holds " +
                                      std::to_string(q.events.size()) + " for " + live.agent);
    for (EventField& f : NormalizedRequest(Redacted(live, scratch)))
      d.fields.push_back({FieldDifference::Change::kOnlyLive, f.path, "", f.value});
    BATON_RETURN_IF_ERROR(DivergeLocked(std::move(d)));
    return Status::NotFound(which() + " has no recording");
  }
  const bool call_kind = kind == EventKind::kModelCall || kind == EventKind::kToolCall;
  if (live_after_patch_ && call_kind) {
    // baton fork --then record: after the patched call, every call goes live.
    ++served_live_;
    return static_cast<const Event*>(nullptr);
  }
  const Event* recorded = q.events[q.next];
  // The live request is compared as it is first: one that carries no secret (the common
  // case) matches without a redaction pass over its whole history on every call. Only a
  // request that does not match is redacted, as the recorder wrote it, and compared again;
  // an unredacted request cannot match a recording by mistake, since the file holds no secret.
  const Event* compared = &live;
  bool match = RequestsMatch(*recorded, live);
  if (!match) {
    compared = &Redacted(live, scratch);
    match = compared != &live && RequestsMatch(*recorded, *compared);
  }
  if (match) {
    if (call_kind) {
      auto fault = faults_.empty()
                       ? faults_.end()
                       : faults_.find({QueueKey(live.agent, kind), static_cast<uint32_t>(ordinal)});
      if (fault != faults_.end() && !fault->second.fired) {
        // Served once in place of the answer; the caller's retry gets the recorded one.
        fault->second.fired = true;
        faults_fired_.push_back(std::string(FaultKindName(fault->second.fault.kind)) + " at " +
                                which() + " (#" + std::to_string(recorded->seq) + ")");
        fault->second.answer.seq = recorded->seq;
        fault->second.answer.mono_ns = recorded->mono_ns;
        fault->second.answer.wall_ns = recorded->wall_ns;
        return static_cast<const Event*>(&fault->second.answer);
      }
    }
    ++q.next;
    ++served_count_;
    PrefetchAhead(q.events, q.next);
    if (auto patched = patched_answers_.find(recorded->seq); patched != patched_answers_.end()) {
      patched_served_.push_back(recorded->seq);
      if (options_.overrides.after_patch == AfterPatch::kLive) live_after_patch_ = true;
      return static_cast<const Event*>(&patched->second);
    }
    return q.answers[q.next - 1];
  }
  if (options_.mode == ReplayMode::kReplayOrRecord) {
    ++served_live_;
    return static_cast<const Event*>(nullptr);
  }
  Divergence d = MakeDivergence(
      recorded, live.agent, kind,
      which() + " differs from the recording (#" + std::to_string(recorded->seq) + ")");
  d.fields = DiffFields(NormalizedRequest(*recorded), NormalizedRequest(*compared));
  BATON_RETURN_IF_ERROR(DivergeLocked(std::move(d)));
  // Lenient: serve the recorded answer so the run can go on and show later divergences.
  ++q.next;
  ++served_count_;
  return q.answers[q.next - 1];
}

std::optional<std::string> ReplaySession::RecordedAgentFor(const Event& live) {
  BATON_CHECK(IsServedKind(live.kind()));
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& agent : trace_.agents()) {
    auto it = served_.find(QueueKey(agent, live.kind()));
    if (it == served_.end() || it->second.next >= it->second.events.size()) continue;
    if (RequestsMatch(*it->second.events[it->second.next], live)) return agent;
  }
  return std::nullopt;
}

Event ReplaySession::AnswerOf(const Event& e) const {
  Event a;
  a.seq = e.seq;
  a.mono_ns = e.mono_ns;
  a.wall_ns = e.wall_ns;
  a.agent = e.agent;
  a.cause = e.cause;
  if (auto* call = e.As<ModelCall>()) {
    // Every field but the request (which may be long, and which the caller already has).
    ModelCall m;
    m.call_id = call->call_id;
    m.response = call->response;
    m.latency_ns = call->latency_ns;
    m.attempt = call->attempt;
    m.error = call->error;
    m.error_code = call->error_code;
    m.http = call->http;
    static_assert(internal::AggregateArity<ModelCall>() == 8, "a ModelCall field is not served");
    a.body = std::move(m);
  } else if (auto* tool = e.As<ToolCall>()) {
    ToolCall t = *tool;
    t.arguments = Content();
    a.body = std::move(t);
  } else {
    a.body = e.body;
  }
  // A blob that cannot be read is served as empty text: the reader already reported the
  // damage, and the divergence (if any) will show where it mattered.
  trace_.Resolve(a).IgnoreError();
  return a;
}

bool ReplaySession::RequestsMatch(const Event& recorded, const Event& live) {
  const ModelCall* r = recorded.As<ModelCall>();
  const ModelCall* l = live.As<ModelCall>();
  if (r != nullptr && l != nullptr) {
    // A conversation resends its history: when both sides continue the lists that matched
    // last time for this agent, those messages are known equal and only the new ones are
    // compared, so a call costs what it adds, not the length of its history.
    MatchedMessages& last = matched_messages_[live.agent];  // a: recorded, b: live.
    const size_t known = last.KnownEqual(r->request.messages, l->request.messages);
    auto same = normalizer_.SameModelRequest(
        r->request, l->request,
        [this](const Content& rec, const Content& now) {
          // A recorded blob is compared by its hash (computed once per blob; for a loaded
          // session, when it was built), so only the live text is read.
          if (rec.blob == 0 || !now.loaded()) return rec.text == now.text;
          return BlobSize(rec) == now.text.size() &&
                 BlobHash(rec) == XXH3_64bits(now.text.data(), now.text.size());
        },
        known);
    if (same.has_value()) {
      if (*same) last = {r->request.messages, l->request.messages};
      return *same;
    }
  }
  return RequestHash(recorded) == RequestHash(live);
}

uint64_t ReplaySession::BlobHash(const Content& c) {
  // Ordinals are dense (1, 2, ...): a vector, not a map, on this hot path.
  if (c.blob < blob_hashes_.size() && blob_hashes_[c.blob] != kUnhashed)
    return blob_hashes_[c.blob];
  // The blob and the others of its chunk are hashed where they lie (the decoded chunk, not
  // copied out), now: a conversation's calls need a chunk's blobs one by one over many
  // calls, by when a long recording's chunk is out of cache and each blob costs a read from
  // memory. Every blob that matching needs is hashed once either way.
  auto make_room_for = [this](uint32_t blob) {
    if (blob < blob_hashes_.size()) return;
    blob_hashes_.resize(blob + 1, kUnhashed);
    blob_sizes_.resize(blob + 1, 0);
  };
  Status read = trace_.VisitTextsBeside(c, [&](uint32_t blob, std::string_view text) {
    make_room_for(blob);
    if (blob_hashes_[blob] != kUnhashed) return;
    blob_hashes_[blob] = XXH3_64bits(text.data(), text.size());
    blob_sizes_[blob] = text.size();
  });
  make_room_for(c.blob);
  // Unreadable: a hash no live text will have, so the call shows as a divergence.
  if (!read.ok()) {
    blob_hashes_[c.blob] = kUnreadable;
    blob_sizes_[c.blob] = ~size_t{0};
  }
  return blob_hashes_[c.blob];
}

size_t ReplaySession::BlobSize(const Content& c) {
  BlobHash(c);
  return blob_sizes_[c.blob];
}

uint64_t ReplaySession::RequestHash(const Event& e) {
  if (!normalizer_.trivial()) return RequestNormalizer::Hash(NormalizedRequest(e));
  return normalizer_.HashRequest(e, [this](const Content& c) -> uint64_t {
    if (c.loaded()) return XXH3_64bits(c.text.data(), c.text.size());
    return BlobHash(c);
  });
}

std::vector<EventField> ReplaySession::NormalizedRequest(const Event& e) const {
  Event copy = e;
  (void)trace_.Resolve(copy);
  return normalizer_.Normalize(RequestFields(copy));
}

Result<std::string> ReplaySession::AwaitDeliveryTurn(const std::string& agent,
                                                     std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  const std::vector<size_t>& mine = deliveries_of_[agent];
  size_t next = next_delivery_of_[agent];
  bool has_turn = next < mine.size();
  bool reached = turn_cv_.wait_for(
      lock, timeout, [&] { return stopped_ || (has_turn && delivery_cursor_ >= mine[next]); });
  if (stopped_) return Status::Diverged("replay stopped at an earlier divergence: " + stop_reason_);
  if (!has_turn) return Status::NotFound("the recording has no more messages for " + agent);
  if (!reached) return Status::NotFound("not yet " + agent + "'s turn to receive a message");
  return deliveries_[mine[next]]->As<MessageDelivery>()->message_id;
}

std::string ReplaySession::PendingDelivery() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (delivery_cursor_ >= deliveries_.size()) return "";
  return DescribeEvent(*deliveries_[delivery_cursor_]);
}

void ReplaySession::DeliveryDone(const std::string& agent) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t& next = next_delivery_of_[agent];
  const std::vector<size_t>& mine = deliveries_of_[agent];
  if (next < mine.size()) {
    if (delivery_cursor_ <= mine[next]) delivery_cursor_ = mine[next] + 1;
    ++next;
  }
  turn_cv_.notify_all();
}

Result<uint64_t> ReplaySession::ExpectedReadVersion(const std::string& agent,
                                                    const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return Status::Diverged("replay stopped at an earlier divergence: " + stop_reason_);
  Queue& q = reads_[agent];
  if (q.next >= q.events.size()) {
    if (options_.mode == ReplayMode::kReplayOrRecord) return uint64_t{0};
    Divergence d = MakeDivergence(nullptr, agent, EventKind::kContextRead,
                                  agent + " reads " + key + " a " + Ordinal(q.next + 1) +
                                      " time; the recording has " +
                                      std::to_string(q.events.size()) + " reads by " + agent);
    BATON_RETURN_IF_ERROR(DivergeLocked(std::move(d)));
    return uint64_t{0};
  }
  const Event* recorded = q.events[q.next];
  const ContextRead* read = recorded->As<ContextRead>();
  if (read->key != key) {
    if (options_.mode == ReplayMode::kReplayOrRecord) return uint64_t{0};
    Divergence d = MakeDivergence(recorded, agent, EventKind::kContextRead,
                                  agent + "'s " + Ordinal(q.next + 1) +
                                      " context read differs from the recording (#" +
                                      std::to_string(recorded->seq) + ")");
    d.fields.push_back({FieldDifference::Change::kChanged, "key", read->key, key});
    BATON_RETURN_IF_ERROR(DivergeLocked(std::move(d)));
    ++q.next;
    return uint64_t{0};
  }
  ++q.next;
  if (auto patched = patched_reads_.find(recorded->seq); patched != patched_reads_.end()) {
    patched_served_.push_back(recorded->seq);
    return patched->second;
  }
  return read->version;
}

void ReplaySession::Abort(const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stopped_) stop_reason_ = why;
  stopped_ = true;
  turn_cv_.notify_all();
}

ReplayReport ReplaySession::Report() const {
  std::lock_guard<std::mutex> lock(mu_);
  ReplayReport r;
  r.divergences = divergences_;
  r.served = served_count_;
  r.served_live = served_live_;
  r.patched = patched_served_;
  r.faults = faults_fired_;
  r.reordered = reordered_;
  // Unreached calls in recording order, so the first one named is where the run stopped.
  std::vector<const Event*> unreached;
  for (const auto& [key, q] : served_)
    for (size_t i = q.next; i < q.events.size(); ++i) unreached.push_back(q.events[i]);
  std::sort(unreached.begin(), unreached.end(),
            [](const Event* a, const Event* b) { return a->seq < b->seq; });
  for (const Event* e : unreached) r.unreached.push_back(DescribeEvent(*e));
  // In replay-or-record a call answered live is not a failure: the recorded calls it replaced
  // are left unreached by design. In strict replay, every recorded call must be made.
  const bool replaced_by_live =
      (options_.mode == ReplayMode::kReplayOrRecord || live_after_patch_) && served_live_ > 0;
  r.matched = r.divergences.empty() && (r.unreached.empty() || replaced_by_live);
  return r;
}

}  // namespace baton
