#include "harness/report/html_report.h"

#include <kj/compat/gzip.h>
#include <kj/encoding.h>
#include <kj/io.h>

#include <sstream>
#include <unordered_map>
#include <utility>

#include "base/file_io.h"
#include "base/json_writer.h"
#include "base/markup_escape.h"
#include "harness/report/report_assets.h"
#include "harness/report/timeline.h"
#include "recorder/event_fields.h"
#include "replayer/event_json.h"
#include "replayer/read_notes.h"

namespace baton::report {
namespace {

// A payload block holds this many events, or fewer once its JSON reaches kBlockBytes: a
// click decodes one block, so blocks stay small whatever the session's size.
constexpr size_t kBlockEvents = 256;
constexpr size_t kBlockBytes = 256 << 10;

std::string Gzip(std::string_view text) {
  kj::VectorOutputStream sink(text.size() / 4 + 64);
  {
    kj::GzipOutputStream gz(sink, 6);
    gz.write(text.data(), text.size());
  }  // The destructor writes the gzip trailer.
  auto bytes = sink.getArray();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// A data block: <script type="application/x-baton-gzip" id=ID>base64(gzip(json))</script>.
// Returns the compressed size.
size_t AppendBlock(std::string& out, const std::string& id, std::string_view json) {
  std::string gz = Gzip(json);
  kj::String b64 = kj::encodeBase64(
      kj::arrayPtr(reinterpret_cast<const kj::byte*>(gz.data()), gz.size()), false);
  out += "<script type=\"application/x-baton-gzip\" id=\"";
  out += id;
  out += "\">";
  out.append(b64.cStr(), b64.size());
  out += "</script>\n";
  return gz.size();
}

// JSON placed inside a <script> element: "</" would end the element early.
std::string ScriptSafe(std::string json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += json[i];
    }
  }
  return out;
}

void WriteFinding(JsonWriter& w, const Finding& f) {
  w.BeginObject();
  w.Key("kind").String(FindingKindName(f.kind));
  w.Key("phrase").String(FindingKindPhrase(f.kind));
  w.Key("from").String(f.from);
  w.Key("to").String(f.to);
  w.Key("at").Uint(f.at_seq);
  w.Key("evidence").BeginArray();
  for (uint64_t s : f.evidence) w.Uint(s);
  w.EndArray();
  w.Key("value").Double(f.value);
  w.Key("limit").Double(f.limit);
  w.Key("sentence").String(f.sentence);
  w.EndObject();
}

// The session's rows, arrows and findings: what its page draws before anything is clicked.
std::string IndexJson(const ReportSession& s, const Timeline& t,
                      const std::vector<std::pair<size_t, size_t>>& blocks) {
  JsonWriter w;
  w.BeginObject();
  w.Key("id").String(t.session_id);
  w.Key("path").String(s.path);
  w.Key("source").String(t.source);
  w.Key("passed").Bool(t.passed);
  w.Key("paragraph").String(t.paragraph);
  w.Key("start_wall_ms").Double(static_cast<double>(t.start_wall_ns) / 1e6);
  w.Key("notes").String(s.notes);
  w.Key("lanes").BeginArray();
  for (const std::string& l : t.lanes) w.String(l);
  w.EndArray();
  // Columns rather than an object per row: half the bytes, and the page indexes them.
  std::vector<std::string> kinds;
  std::unordered_map<std::string, size_t> kind_index;
  for (const TimelineRow& r : t.rows)
    if (kind_index.emplace(r.kind, kinds.size()).second) kinds.push_back(r.kind);
  w.Key("kinds").BeginArray();
  for (const std::string& k : kinds) w.String(k);
  w.EndArray();
  w.Key("rows").BeginObject();
  auto column = [&](const char* name, auto value) {
    w.Key(name).BeginArray();
    for (const TimelineRow& r : t.rows) value(r);
    w.EndArray();
  };
  column("seq", [&](const TimelineRow& r) { w.Uint(r.seq); });
  column("lane", [&](const TimelineRow& r) { w.Uint(r.lane); });
  column("t", [&](const TimelineRow& r) { w.Int(r.mono_ns); });
  column("wall", [&](const TimelineRow& r) {
    w.Double(static_cast<double>(r.wall_ns - t.start_wall_ns) / 1e6);
  });
  column("dur", [&](const TimelineRow& r) { w.Int(r.duration_ns); });
  column("kind", [&](const TimelineRow& r) { w.Uint(kind_index[r.kind]); });
  column("label", [&](const TimelineRow& r) { w.String(r.label); });
  column("badge", [&](const TimelineRow& r) { w.String(r.badge); });
  column("marks", [&](const TimelineRow& r) { w.Uint(r.marks); });
  w.EndObject();
  w.Key("mark_bits").BeginObject();
  for (uint32_t bit = 1; bit != 0 && bit <= kMarkMisunderstood; bit <<= 1)
    for (const std::string& name : MarkNames(bit)) w.Key(name).Uint(bit);
  w.EndObject();
  w.Key("arrows").BeginArray();
  for (const TimelineArrow& a : t.arrows) {
    w.BeginArray();
    w.Uint(a.from_lane).Uint(a.to_lane).Uint(a.send_row);
    if (a.delivery_row)
      w.Uint(*a.delivery_row);
    else
      w.Int(-1);
    if (a.processed_row)
      w.Uint(*a.processed_row);
    else
      w.Int(-1);
    if (a.quality)
      w.Double(*a.quality);
    else
      w.Null();
    w.Double(a.threshold).Bool(a.root).String(a.message_id).String(a.intent);
    w.EndArray();
  }
  w.EndArray();
  w.Key("findings").BeginArray();
  for (const Finding& f : t.findings) WriteFinding(w, f);
  w.EndArray();
  w.Key("root");
  if (t.root_finding)
    w.Uint(*t.root_finding);
  else
    w.Null();
  w.Key("evidence").BeginArray();
  for (uint64_t e : t.evidence) w.Uint(e);
  w.EndArray();
  w.Key("divergences").BeginArray();
  for (const Divergence& d : s.divergences) {
    w.BeginObject();
    d.WriteJsonFields(w);
    w.EndObject();
  }
  w.EndArray();
  w.Key("blocks").BeginArray();
  for (const auto& [first, count] : blocks) w.BeginArray().Uint(first).Uint(count).EndArray();
  w.EndArray();
  w.EndObject();
  return w.Take();
}

// The previous model call of each agent: a call's messages are written as what it added
// to the conversation of that call (its tail), as the .baton format stores them.
struct ConversationTails {
  struct Last {
    uint64_t seq = 0;
    MessageList messages;
  };
  std::unordered_map<std::string, Last> by_agent;
};

// One event's payload: {"e": the event as `baton cat` writes it, "m": for a model call, its
// messages as {"base": seq of the call they continue (0: none), "keep": how many of that
// call's messages come first, "tail": the messages after them}}.
void WritePayload(const Trace& trace, const Event& stored, ConversationTails& tails,
                  JsonWriter& w) {
  Event e = stored;
  // The messages are taken out before Resolve, which would copy a shared history to give
  // this event its own (quadratic over a conversation); the tail is resolved below.
  MessageList messages;
  auto* call = std::get_if<ModelCall>(&e.body);
  if (call != nullptr) messages = std::exchange(call->request.messages, MessageList());
  // A blob that cannot be read stays {"blob": N}: the page shows what there is.
  (void)trace.Resolve(e);
  w.BeginObject();
  w.Key("e");
  WriteEventJson(e, w);
  if (call != nullptr) {
    ConversationTails::Last& last = tails.by_agent[e.agent];
    size_t keep = last.seq == 0 ? 0 : MessageList::CommonPrefix(last.messages, messages);
    std::vector<ChatMessage> tail(messages.begin() + keep, messages.end());
    for (ChatMessage& m : tail) {
      if (m.content.loaded()) continue;
      if (auto text = trace.Text(m.content); text.ok()) m.content.text = std::move(text).value();
    }
    w.Key("m").BeginObject();
    w.Key("base").Uint(keep == 0 ? 0 : last.seq);
    w.Key("keep").Uint(keep);
    w.Key("tail");
    EventFieldWriter<JsonWriter>(w).Value(MessageList(std::move(tail)));
    w.EndObject();
    last.seq = e.seq;
    last.messages = std::move(messages);
  }
  w.EndObject();
}

}  // namespace

HtmlReportBuilder::HtmlReportBuilder(std::string title) : title_(std::move(title)) {}

void HtmlReportBuilder::AddSession(const ReportSession& s) {
  BATON_CHECK(s.trace != nullptr && s.analysis != nullptr && s.explanation != nullptr);
  const Trace& trace = *s.trace;
  Timeline t = BuildTimeline(trace, *s.analysis, *s.explanation);
  const std::string prefix = "s" + std::to_string(entries_.size());

  std::vector<std::pair<size_t, size_t>> blocks;
  ConversationTails tails;
  const std::vector<Event>& events = trace.events();
  size_t first = 0;
  while (first < t.rows.size()) {
    JsonWriter w;
    w.BeginArray();
    size_t n = 0;
    while (first + n < t.rows.size() && n < kBlockEvents && w.str().size() < kBlockBytes) {
      WritePayload(trace, events[t.rows[first + n].event_index], tails, w);
      ++n;
    }
    w.EndArray();
    stats_.payload_bytes +=
        AppendBlock(data_, prefix + "-p" + std::to_string(blocks.size()), w.str());
    blocks.emplace_back(first, n);
    first += n;
  }
  stats_.index_bytes += AppendBlock(data_, prefix + "-index", IndexJson(s, t, blocks));

  Entry entry;
  entry.path = s.path;
  entry.session_id = t.session_id;
  entry.passed = t.passed;
  entry.events = t.rows.size();
  entry.agents = t.lanes.size();
  entry.findings = t.findings.size();
  entry.source = t.source;
  if (s.explanation->root) {
    entry.root_kind = std::string(FindingKindName(s.explanation->root->kind));
    entry.root_sentence = s.explanation->paragraph;
  } else if (!t.passed) {
    entry.root_sentence = s.explanation->paragraph;
  }
  entries_.push_back(std::move(entry));
  ++stats_.sessions;
  stats_.events += t.rows.size();
  if (!t.passed) ++stats_.failed;
}

void HtmlReportBuilder::AddUnreadable(const std::string& path, const std::string& error) {
  Entry entry;
  entry.path = path;
  entry.error = error;
  entries_.push_back(std::move(entry));
  ++stats_.unreadable;
}

std::string HtmlReportBuilder::Finish() {
  JsonWriter w;
  w.BeginObject();
  w.Key("title").String(title_);
  w.Key("sessions").BeginArray();
  for (const Entry& e : entries_) {
    w.BeginObject();
    w.Key("path").String(e.path);
    w.Key("id").String(e.session_id);
    w.Key("error").String(e.error);
    w.Key("passed").Bool(e.passed);
    w.Key("events").Uint(e.events);
    w.Key("agents").Uint(e.agents);
    w.Key("findings").Uint(e.findings);
    w.Key("root_kind").String(e.root_kind);
    w.Key("paragraph").String(e.root_sentence);
    w.Key("source").String(e.source);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();

  std::string page;
  page.reserve(data_.size() + 64 * 1024);
  page += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<meta name=\"generator\" content=\"baton report\">\n";
  // No favicon request: the page makes none of its own.
  page += "<link rel=\"icon\" href=\"data:,\">\n";
  page += "<title>" + EscapeMarkup(title_) + "</title>\n<style>\n";
  page += kReportCss;
  page += "</style>\n</head>\n<body>\n";
  page += kReportBody;
  page += "<script type=\"application/json\" id=\"baton-summary\">";
  page += ScriptSafe(w.Take());
  page += "</script>\n";
  page += data_;
  page += "<script>\n";
  page += kReportJs;
  page += "</script>\n</body>\n</html>\n";
  stats_.page_bytes = page.size();
  return page;
}

Result<ReportStats> WriteReportFile(Env& env, const ReportFiles& request, const Policy& policy) {
  const ScorerSet scorers = ScorerSet::Defaults();
  HtmlReportBuilder builder(request.title);
  for (size_t i = 0; i < request.files.size(); ++i) {
    const std::string& path = request.files[i];
    auto trace = Trace::Load(path);
    if (!trace.ok()) {
      builder.AddUnreadable(path, trace.status().message());
      continue;
    }
    Analysis analysis = Analyze(*trace, policy, scorers);
    Explanation explanation = Explain(*trace, analysis);
    ReportSession session;
    session.path = path;
    session.trace = &*trace;
    session.analysis = &analysis;
    session.explanation = &explanation;
    if (i == 0) session.divergences = request.divergences;
    std::ostringstream notes;
    WriteReadNotes(notes, "", trace->report());
    session.notes = notes.str();
    builder.AddSession(session);
  }
  std::string page = builder.Finish();
  Status written = WriteStringToFile(env, page, request.out_path);
  if (!written.ok()) return written;
  return builder.stats();
}

}  // namespace baton::report
