#include "harness/report/timeline.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <unordered_set>

namespace baton::report {
namespace {

// The first line of a text, at most `max` bytes, cut on a UTF-8 boundary.
std::string Snippet(std::string_view text, size_t max = 72) {
  size_t end = text.find('\n');
  if (end == std::string_view::npos) end = text.size();
  bool cut = end < text.size();
  if (end > max) {
    end = max;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    cut = true;
  }
  std::string out(text.substr(0, end));
  if (cut) out += "...";
  return out;
}

std::string TextOf(const Trace& trace, const Content& content) {
  if (content.loaded()) return content.text;
  auto text = trace.Text(content);
  return text.ok() ? *text : std::string();
}

std::string Label(const Trace& trace, const Event& e) {
  if (auto* m = e.As<MessageSend>()) {
    std::string out = "-> " + m->to + ": " + m->intent;
    for (size_t i = 0; i < m->context_versions.size(); ++i)
      out += (i == 0 ? " on " : ", ") + m->context_versions[i].key + " v" +
             std::to_string(m->context_versions[i].version);
    return out;
  }
  if (auto* d = e.As<MessageDelivery>()) return "<- " + d->from + " (" + d->message_id + ")";
  if (auto* i = e.As<MessageInterpretation>())
    return "understood " + i->message_id + " as \"" + i->understood_intent + "\"";
  if (auto* p = e.As<MessageProcessed>()) return "processed " + p->message_id;
  if (auto* w = e.As<ContextWrite>()) return "write " + w->key + " v" + std::to_string(w->version);
  if (auto* r = e.As<ContextRead>()) return "read " + r->key + " v" + std::to_string(r->version);
  if (auto* c = e.As<ModelCall>()) {
    std::string out =
        "model " + (c->request.model.empty() ? "call" : c->request.model) + " (" + c->call_id + ")";
    if (c->attempt > 1) out += " attempt " + std::to_string(c->attempt);
    if (c->latency_ns > 0) out += " " + Duration(c->latency_ns);
    if (!c->error.empty()) out += " error: " + Snippet(c->error, 60);
    return out;
  }
  if (auto* t = e.As<ToolCall>()) {
    std::string out = "tool " + t->tool;
    if (t->latency_ns > 0) out += " " + Duration(t->latency_ns);
    if (!t->error.empty()) out += " error: " + Snippet(t->error, 60);
    return out;
  }
  if (auto* rd = e.As<RoutingDecision>()) {
    std::string out = "route to " + rd->chosen;
    if (!rd->candidates.empty()) {
      out += " among ";
      for (size_t i = 0; i < rd->candidates.size(); ++i) out += (i ? ", " : "") + rd->candidates[i];
    }
    std::string why = TextOf(trace, rd->reasoning);
    if (!why.empty()) out += ": " + Snippet(why, 60);
    return out;
  }
  if (auto* s = e.As<Score>()) {
    std::string out = "score " + Fixed2(s->value) + " by " + s->scorer;
    if (!s->target_message_id.empty()) out += " on " + s->target_message_id;
    return out;
  }
  if (auto* ck = e.As<Check>()) {
    std::string out = "check " + ck->checker + (ck->passed ? " passed" : " failed");
    if (!ck->target_message_id.empty()) out += " on " + ck->target_message_id;
    return out;
  }
  if (auto* cr = e.As<ClockRead>()) return "clock " + cr->clock;
  if (auto* rn = e.As<RandomDraw>()) return "random " + rn->stream;
  if (auto* ev = e.As<EnvRead>()) return "env " + ev->name + (ev->present ? "" : " (unset)");
  if (auto* ss = e.As<SpanStart>()) return "span " + ss->name;
  if (auto* se = e.As<SpanEnd>())
    return "end span" + (se->status.empty() ? "" : " (" + se->status + ")");
  if (auto* rt = e.As<Retry>()) {
    std::string out = "retry " + rt->call_id + " as attempt " + std::to_string(rt->attempt);
    if (rt->backoff_ns > 0) out += " after " + Duration(rt->backoff_ns);
    if (!rt->reason.empty()) out += ": " + Snippet(rt->reason, 60);
    return out;
  }
  if (auto* o = e.As<Outcome>()) {
    std::string out = "outcome " + std::string(VerdictName(o->verdict));
    if (!o->detail.empty()) out += ": " + Snippet(o->detail, 60);
    return out;
  }
  if (auto* dr = e.As<EventsDropped>())
    return std::to_string(dr->count) + " events dropped by the recorder";
  return std::string(KindName(e.kind()));
}

void AddBadge(TimelineRow& row, const std::string& badge) {
  if (badge.empty()) return;
  if (!row.badge.empty()) row.badge += "; ";
  row.badge += badge;
}

}  // namespace

std::vector<std::string> MarkNames(uint32_t marks) {
  static constexpr std::pair<RowMark, const char*> kNames[] = {
      {kMarkStale, "stale"},       {kMarkLowQuality, "low_quality"},
      {kMarkError, "error"},       {kMarkRetry, "retry"},
      {kMarkFinding, "finding"},   {kMarkEvidence, "evidence"},
      {kMarkRootEvidence, "root"}, {kMarkMisunderstood, "misunderstood"},
  };
  std::vector<std::string> out;
  for (const auto& [bit, name] : kNames)
    if (marks & bit) out.emplace_back(name);
  return out;
}

std::optional<size_t> Timeline::RowOf(uint64_t seq) const {
  auto it = std::lower_bound(rows.begin(), rows.end(), seq,
                             [](const TimelineRow& r, uint64_t s) { return r.seq < s; });
  if (it == rows.end() || it->seq != seq) return std::nullopt;
  return static_cast<size_t>(it - rows.begin());
}

Timeline BuildTimeline(const Trace& trace, const Analysis& analysis,
                       const Explanation& explanation) {
  Timeline t;
  t.session_id = trace.header().session_id;
  t.start_wall_ns = trace.header().start_wall_ns;
  t.source = trace.source();
  t.passed = explanation.passed;
  t.paragraph = explanation.paragraph;
  t.findings = analysis.findings;
  t.evidence = explanation.evidence;

  std::unordered_map<std::string, size_t> lane_of;
  auto lane = [&](const std::string& agent) {
    const std::string& name = agent.empty() ? std::string("session") : agent;
    auto [it, added] = lane_of.emplace(name, t.lanes.size());
    if (added) t.lanes.push_back(name);
    return it->second;
  };
  for (const std::string& agent : trace.agents()) lane(agent);

  const std::vector<Event>& events = trace.events();
  t.rows.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    TimelineRow row;
    row.seq = e.seq;
    row.event_index = i;
    row.lane = lane(e.agent);
    row.mono_ns = e.mono_ns;
    row.wall_ns = e.wall_ns;
    row.kind = std::string(KindName(e.kind()));
    row.label = Label(trace, e);
    if (auto* c = e.As<ModelCall>()) {
      row.duration_ns = c->latency_ns;
      if (!c->error.empty()) row.marks |= kMarkError;
      if (c->attempt > 1) row.marks |= kMarkRetry;
    } else if (auto* tc = e.As<ToolCall>()) {
      row.duration_ns = tc->latency_ns;
      if (!tc->error.empty()) row.marks |= kMarkError;
    } else if (auto* r = e.As<Retry>()) {
      row.duration_ns = r->backoff_ns;
      row.marks |= kMarkRetry;
    } else if (auto* o = e.As<Outcome>()) {
      if (o->verdict == Verdict::kFailure) row.marks |= kMarkError;
    } else if (auto* ck = e.As<Check>()) {
      if (!ck->passed) row.marks |= kMarkError;
    }
    t.rows.push_back(std::move(row));
  }
  auto row_of = [&](const Event* e) -> TimelineRow* {
    if (e == nullptr) return nullptr;
    auto r = t.RowOf(e->seq);
    return r ? &t.rows[*r] : nullptr;
  };

  for (const ContextReadInfo& read : analysis.reads) {
    if (read.superseded_by == nullptr) continue;
    TimelineRow* row = row_of(read.read);
    if (row == nullptr) continue;
    row->marks |= kMarkStale;
    std::string newer;
    if (auto* w = read.superseded_by->As<ContextWrite>()) newer = "v" + std::to_string(w->version);
    AddBadge(*row, "stale: " + newer + " written " + Duration(read.staleness_ns) + " earlier");
  }

  for (const Handoff& h : analysis.handoffs) {
    if (h.send == nullptr) continue;
    auto send_row = t.RowOf(h.send->seq);
    if (!send_row) continue;
    TimelineArrow a;
    a.message_id = h.message_id;
    a.from_lane = lane(h.from);
    a.to_lane = lane(h.to);
    a.send_row = *send_row;
    if (h.delivery) a.delivery_row = t.RowOf(h.delivery->seq);
    if (h.processed) a.processed_row = t.RowOf(h.processed->seq);
    a.intent = h.intent;
    a.quality = h.quality;
    a.threshold = h.threshold;
    if (h.quality && *h.quality < h.threshold) {
      std::string badge = "quality " + Fixed2(*h.quality) + " < " + Fixed2(h.threshold);
      t.rows[*send_row].marks |= kMarkLowQuality;
      AddBadge(t.rows[*send_row], badge);
      if (TimelineRow* score = row_of(h.score)) {
        score->marks |= kMarkLowQuality;
        AddBadge(*score, badge);
      }
    }
    if (h.understood.has_value() && !*h.understood) {
      if (TimelineRow* interp = row_of(h.interpretation)) {
        interp->marks |= kMarkMisunderstood;
        AddBadge(*interp, "misunderstood: \"" + h.intent + "\" was sent");
      }
    }
    if (h.delivery == nullptr) AddBadge(t.rows[*send_row], "never delivered");
    t.arrows.push_back(std::move(a));
  }

  for (size_t f = 0; f < t.findings.size(); ++f) {
    if (auto r = t.RowOf(t.findings[f].at_seq)) {
      t.rows[*r].marks |= kMarkFinding;
      t.rows[*r].findings.push_back(f);
    }
  }
  for (uint64_t seq : t.evidence)
    if (auto r = t.RowOf(seq)) t.rows[*r].marks |= kMarkEvidence;

  if (explanation.root) {
    const Finding& root = *explanation.root;
    for (size_t f = 0; f < t.findings.size(); ++f) {
      const Finding& c = t.findings[f];
      if (c.kind == root.kind && c.at_seq == root.at_seq && c.from == root.from &&
          c.to == root.to) {
        t.root_finding = f;
        break;
      }
    }
    std::unordered_set<uint64_t> root_evidence(root.evidence.begin(), root.evidence.end());
    root_evidence.insert(root.at_seq);
    for (uint64_t seq : root_evidence)
      if (auto r = t.RowOf(seq)) t.rows[*r].marks |= kMarkRootEvidence;
    // The root handoff: the message across the root's boundary that its evidence names;
    // else the last one sent across it before the root shows.
    if (root.from != root.to) {
      std::optional<size_t> chosen;
      auto in_evidence = [&](std::optional<size_t> row) {
        return row && root_evidence.count(t.rows[*row].seq) > 0;
      };
      for (size_t i = 0; i < t.arrows.size(); ++i) {
        const TimelineArrow& a = t.arrows[i];
        if (t.lanes[a.from_lane] != root.from || t.lanes[a.to_lane] != root.to) continue;
        if (in_evidence(a.send_row) || in_evidence(a.delivery_row) ||
            in_evidence(a.processed_row)) {
          chosen = i;
          break;
        }
        if (t.rows[a.send_row].seq <= root.at_seq) chosen = i;
      }
      if (chosen) t.arrows[*chosen].root = true;
    }
  }
  return t;
}

namespace {

struct Style {
  const char* on = "";
  const char* off = "";
};

Style StyleFor(uint32_t marks, TimelineColor color) {
  if (color == TimelineColor::kNone) return {};
  if (marks & (kMarkStale | kMarkLowQuality | kMarkError | kMarkMisunderstood))
    return {"\x1b[31m", "\x1b[0m"};
  if (marks & kMarkRetry) return {"\x1b[33m", "\x1b[0m"};
  if (marks & kMarkEvidence) return {"\x1b[1m", "\x1b[0m"};
  return {};
}

}  // namespace

void WriteTimelineText(std::ostream& out, const Timeline& t, TimelineColor color) {
  out << (t.passed ? "PASS " : "FAIL ") << t.session_id;
  if (!t.source.empty()) out << " (from " << t.source << ")";
  out << ": " << t.rows.size() << " events, " << t.lanes.size() << " agents\n";
  out << "lanes:";
  for (size_t i = 0; i < t.lanes.size(); ++i) out << (i ? " | " : " ") << t.lanes[i];
  out << "\n\n";

  for (const TimelineRow& row : t.rows) {
    char head[48];
    std::snprintf(head, sizeof head, "%9s #%-5llu ", RelativeTime(row.mono_ns).c_str(),
                  static_cast<unsigned long long>(row.seq));
    Style s = StyleFor(row.marks, color);
    out << head << std::string(2 * row.lane, ' ') << s.on << t.lanes[row.lane] << ": " << row.label;
    if (!row.badge.empty()) out << "  [" << row.badge << "]";
    if (row.marks & kMarkRootEvidence)
      out << "  <== root cause evidence";
    else if (row.marks & kMarkEvidence)
      out << "  <- evidence";
    out << s.off << "\n";
    for (size_t f : row.findings) {
      const Finding& fd = t.findings[f];
      out << std::string(17 + 2 * row.lane, ' ') << "!! " << FindingKindName(fd.kind) << " at "
          << fd.to << " <- " << fd.from
          << (t.root_finding && *t.root_finding == f ? " (root cause)" : "") << "\n";
    }
  }
  if (t.findings.empty()) {
    out << "\nno findings\n";
  } else {
    out << "\nfindings:\n";
    for (size_t f = 0; f < t.findings.size(); ++f) {
      const Finding& fd = t.findings[f];
      out << (t.root_finding && *t.root_finding == f ? "  * " : "  - ") << "#" << fd.at_seq << " "
          << FindingKindName(fd.kind) << ": " << fd.sentence << "\n";
    }
  }
  if (!t.paragraph.empty()) out << "\n" << t.paragraph << "\n";
}

}  // namespace baton::report
