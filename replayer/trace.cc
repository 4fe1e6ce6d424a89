#include "replayer/trace.h"

namespace baton {

Result<Trace> Trace::Load(const std::string& path, ReaderOptions options) {
  auto reader = LogReader::Open(path, options);
  if (!reader.ok()) return reader.status();
  Result<std::vector<Event>> events = (*reader)->ReadRemaining();
  if (!events.ok()) return events.status();
  const ReadReport& report = (*reader)->report();
  if (report.end == LogEnd::kError) return Status::Corruption(path + ": " + report.ending);
  Trace t = FromEvents((*reader)->header(), std::move(events).value(), report);
  t.path_ = path;
  if (options.blobs == BlobLoading::kLazy) {
    t.blobs_ = std::make_shared<BlobSource>();
    t.blobs_->reader = std::move(reader).value();
  }
  return t;
}

Result<std::string> Trace::Text(const Content& content) const {
  std::string text;
  Status s = VisitText(content, [&text](std::string_view bytes) { text.assign(bytes); });
  if (!s.ok()) return s;
  return text;
}

Status Trace::VisitText(const Content& content,
                        const std::function<void(std::string_view)>& visit) const {
  if (content.loaded()) {
    visit(content.text);
    return Status::Ok();
  }
  if (blobs_ == nullptr)
    return Status::NotFound("blob " + std::to_string(content.blob) + " is not loaded");
  std::lock_guard<std::mutex> lock(blobs_->mu);
  return blobs_->reader->VisitBlob(content.blob, visit);
}

Status Trace::VisitTextsBeside(const Content& content,
                               const std::function<void(uint32_t, std::string_view)>& visit) const {
  if (content.loaded()) {
    visit(content.blob, content.text);
    return Status::Ok();
  }
  if (blobs_ == nullptr)
    return Status::NotFound("blob " + std::to_string(content.blob) + " is not loaded");
  std::lock_guard<std::mutex> lock(blobs_->mu);
  return blobs_->reader->VisitBlobsBeside(content.blob, visit);
}

Status Trace::Resolve(Event& event) const {
  Status status;
  ForEachContent(event, [&](Content& c) {
    if (!status.ok() || c.loaded()) return;
    auto text = Text(c);
    if (!text.ok()) {
      status = text.status();
      return;
    }
    c.text = std::move(text).value();
  });
  return status;
}

Trace Trace::FromEvents(SessionHeader header, std::vector<Event> events, ReadReport report) {
  Trace t;
  t.header_ = std::move(header);
  t.events_ = std::move(events);
  t.report_ = std::move(report);
  t.BuildIndexes();
  return t;
}

void Trace::BuildIndexes() {
  for (size_t i = 0; i < events_.size(); ++i) {
    const Event& e = events_[i];
    // The reader guarantees increasing seq; FromEvents callers must too (BySeq relies on it).
    BATON_CHECK(i == 0 || events_[i - 1].seq < e.seq);
    auto [it, inserted] = by_agent_.try_emplace(e.agent);
    if (inserted) agents_.push_back(e.agent);
    it->second.push_back(i);
    if (auto* m = e.As<MessageSend>()) {
      auto [mit, fresh] = messages_.try_emplace(m->message_id);
      if (fresh) message_ids_.push_back(m->message_id);
      mit->second.send = &e;
    } else if (auto* d = e.As<MessageDelivery>()) {
      messages_[d->message_id].delivery = &e;
    } else if (auto* in = e.As<MessageInterpretation>()) {
      messages_[in->message_id].interpretation = &e;
    } else if (auto* p = e.As<MessageProcessed>()) {
      messages_[p->message_id].processed = &e;
    } else if (auto* w = e.As<ContextWrite>()) {
      KeyWrites& k = writes_[w->key];
      k.max_version_so_far.push_back(
          k.writes.empty() ? w->version : std::max(k.max_version_so_far.back(), w->version));
      k.first_of_version.try_emplace(w->version, i);
      k.writes.push_back(i);
    }
  }
}

std::string_view Trace::source() const {
  for (const KeyValue& kv : header_.metadata)
    if (kv.key == "source") return kv.value;
  return {};
}

Trace::Checks Trace::checks() const {
  for (const KeyValue& kv : header_.metadata)
    if (kv.key == "checks" && kv.value == "not recorded") return Checks::kNotRecorded;
  return Checks::kRecorded;
}

const Event* Trace::BySeq(uint64_t seq) const {
  auto it = std::lower_bound(events_.begin(), events_.end(), seq,
                             [](const Event& e, uint64_t s) { return e.seq < s; });
  return it != events_.end() && it->seq == seq ? &*it : nullptr;
}

const std::vector<size_t>& Trace::EventsOf(const std::string& agent) const {
  static const std::vector<size_t> kNone;
  auto it = by_agent_.find(agent);
  return it == by_agent_.end() ? kNone : it->second;
}

const Trace::MessageEvents* Trace::Message(const std::string& message_id) const {
  auto it = messages_.find(message_id);
  return it == messages_.end() ? nullptr : &it->second;
}

const std::vector<size_t>& Trace::WritesOf(const std::string& key) const {
  static const std::vector<size_t> kNone;
  auto it = writes_.find(key);
  return it == writes_.end() ? kNone : it->second.writes;
}

const Event* Trace::ContextWriteOf(const std::string& key, uint64_t version) const {
  auto it = writes_.find(key);
  if (it == writes_.end()) return nullptr;
  auto at = it->second.first_of_version.find(version);
  return at == it->second.first_of_version.end() ? nullptr : &events_[at->second];
}

const Event* Trace::SupersedingWrite(const std::string& key, uint64_t version,
                                     uint64_t before_seq) const {
  auto it = writes_.find(key);
  if (it == writes_.end()) return nullptr;
  const KeyWrites& k = it->second;
  // The first write of a newer version is where the running maximum first exceeds it
  // (versions need not increase with seq in what a file says).
  auto first = std::upper_bound(k.max_version_so_far.begin(), k.max_version_so_far.end(), version);
  if (first == k.max_version_so_far.end()) return nullptr;
  const Event& w = events_[k.writes[first - k.max_version_so_far.begin()]];
  return w.seq < before_seq ? &w : nullptr;
}

std::vector<uint64_t> Trace::CauseChain(uint64_t seq, size_t max_length) const {
  std::vector<uint64_t> chain;
  const Event* e = BySeq(seq);
  while (e != nullptr && chain.size() < max_length) {
    chain.push_back(e->seq);
    // A cause must point backwards; anything else in a damaged file ends the walk.
    if (e->cause == 0 || e->cause >= e->seq) break;
    e = BySeq(e->cause);
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

std::string DescribeEvent(const Event& e) {
  std::string out =
      "#" + std::to_string(e.seq) + " " + e.agent + " " + std::string(KindName(e.kind()));
  std::string detail;
  if (auto* m = e.As<MessageSend>()) {
    detail = m->message_id + " to " + m->to + ", intent " + m->intent;
  } else if (auto* d = e.As<MessageDelivery>()) {
    detail = d->message_id + " from " + d->from;
  } else if (auto* c = e.As<ModelCall>()) {
    detail = c->call_id + ", attempt " + std::to_string(c->attempt);
    if (!c->error.empty()) detail += ", error: " + c->error;
  } else if (auto* t = e.As<ToolCall>()) {
    detail = t->tool;
  } else if (auto* w = e.As<ContextWrite>()) {
    detail = w->key + " v" + std::to_string(w->version);
  } else if (auto* r = e.As<ContextRead>()) {
    detail = r->key + " v" + std::to_string(r->version);
  } else if (auto* rd = e.As<RoutingDecision>()) {
    detail = "chose " + rd->chosen;
  } else if (auto* s = e.As<Score>()) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.2f", s->value);
    detail = std::string(buf) + " by " + s->scorer;
  }
  if (!detail.empty()) out += " (" + detail + ")";
  return out;
}

std::optional<int64_t> SourceStep(const std::vector<Event>& events, uint64_t seq) {
  // Events are in seq order from 1 in a whole log; a gap (skipped chunk) is searched for.
  auto find = [&](uint64_t s) -> const Event* {
    if (s >= 1 && s <= events.size() && events[s - 1].seq == s) return &events[s - 1];
    auto it = std::lower_bound(events.begin(), events.end(), s,
                               [](const Event& e, uint64_t v) { return e.seq < v; });
    return it != events.end() && it->seq == s ? &*it : nullptr;
  };
  for (int hops = 0; hops < 8; ++hops) {
    const Event* e = find(seq);
    if (e == nullptr) return std::nullopt;
    if (const auto* span = e->As<SpanStart>()) {
      for (const KeyValue& kv : span->attributes) {
        if (kv.key != "step" || kv.value.empty() || kv.value.size() > 18) continue;
        int64_t step = 0;
        for (char c : kv.value) {
          if (c < '0' || c > '9') return std::nullopt;
          step = step * 10 + (c - '0');
        }
        return step;
      }
    }
    if (e->cause == 0 || e->cause >= e->seq) return std::nullopt;
    seq = e->cause;
  }
  return std::nullopt;
}

}  // namespace baton
