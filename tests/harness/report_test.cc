// `baton report` and `baton timeline`: the timeline model against the analyses it draws, the
// page's embedded data decoded back into the events `baton cat` prints, bad and hostile
// input, the verbs' exit codes; and the pages in a real browser (Debian's chromium driven
// by playwright-core, tests/js/report_browser.mjs).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <kj/compat/gzip.h>
#include <kj/encoding.h>
#include <kj/io.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "base/json_parse.h"
#include "harness/report/html_report.h"
#include "harness/report/timeline.h"
#include "replayer/event_json.h"
#include "tests/testing/fake_openai_server.h"
#include "tests/testing/run_command.h"
#include "tests/testing/sample_events.h"

namespace baton::report {
namespace {

using baton::testing::FreshTempDir;
using baton::testing::RunCommand;
using baton::testing::RunResult;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBaton = BATON_BIN;
const std::string kTeam = RESEARCH_TEAM_BIN;
const std::string kCorpora = std::string(BATON_SOURCE_DIR) + "/corpora";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Analyzed {
  Trace trace;
  Analysis analysis;
  Explanation explanation;
};

std::unique_ptr<Analyzed> Analyze(Trace trace) {
  auto out = std::make_unique<Analyzed>(Analyzed{std::move(trace), {}, {}});
  ScorerSet scorers = ScorerSet::Defaults();
  out->analysis = baton::Analyze(out->trace, Policy(), scorers);
  out->explanation = Explain(out->trace, out->analysis);
  return out;
}

std::unique_ptr<Analyzed> LoadCorpus(const std::string& name) {
  auto trace = Trace::Load(kCorpora + "/" + name + ".baton");
  EXPECT_TRUE(trace.ok()) << trace.status().message();
  return Analyze(std::move(trace).value());
}

// The text of data block `id` of a page: base64, then gzip, as the page's script reads it.
::testing::AssertionResult DecodeBlock(const std::string& page, const std::string& id,
                                       std::string& json) {
  const std::string open = "<script type=\"application/x-baton-gzip\" id=\"" + id + "\">";
  size_t at = page.find(open);
  if (at == std::string::npos) return ::testing::AssertionFailure() << "no block " << id;
  at += open.size();
  size_t end = page.find("</script>", at);
  kj::Array<kj::byte> gz = kj::decodeBase64(kj::StringPtr(page.substr(at, end - at).c_str()));
  kj::ArrayInputStream in(gz);
  kj::GzipInputStream gunzip(in);
  json.clear();
  kj::byte buf[65536];
  for (size_t n; (n = gunzip.tryRead(buf, 1, sizeof buf)) > 0;)
    json.append(reinterpret_cast<const char*>(buf), n);
  return ::testing::AssertionSuccess();
}

capnp::JsonValue::Reader Field(capnp::JsonValue::Reader obj, const std::string& name) {
  for (auto f : obj.getObject())
    if (name == f.getName().cStr()) return f.getValue();
  ADD_FAILURE() << "no field " << name;
  return obj;
}

// Every event of the page's session, its messages resolved from the conversation tails the
// way the page's script does, compared with `baton cat`'s JSON of the same event.
::testing::AssertionResult PayloadsRoundTrip(const std::string& page, const Trace& trace) {
  std::string index_json;
  if (auto r = DecodeBlock(page, "s0-index", index_json); !r) return r;
  auto index = JsonDocument::Parse(index_json, "s0-index");
  if (!index.ok()) return ::testing::AssertionFailure() << index.status().message();
  std::map<uint64_t, std::vector<std::string>> messages_of;  // seq -> canonical messages.
  size_t row = 0;
  size_t b = 0;
  for (auto block : Field(index->root(), "blocks").getArray()) {
    std::string json;
    if (auto r = DecodeBlock(page, "s0-p" + std::to_string(b++), json); !r) return r;
    auto items = JsonDocument::Parse(json, "payload block");
    if (!items.ok()) return ::testing::AssertionFailure() << items.status().message();
    if (static_cast<size_t>(block.getArray()[0].getNumber()) != row)
      return ::testing::AssertionFailure() << "block " << b - 1 << " does not start at row " << row;
    for (auto item : items->root().getArray()) {
      if (row >= trace.events().size())
        return ::testing::AssertionFailure() << "more payloads than events";
      Event expected = trace.events()[row];
      if (!trace.Resolve(expected).ok()) return ::testing::AssertionFailure() << "unresolvable";
      auto cat = JsonDocument::Parse(EventToJson(expected), "cat");
      std::string shown;
      capnp::JsonValue::Reader e = Field(item, "e");
      if (expected.kind() == EventKind::kModelCall) {
        // Rebuild the messages: the base call's first `keep`, then the tail.
        capnp::JsonValue::Reader m = Field(item, "m");
        uint64_t base = static_cast<uint64_t>(Field(m, "base").getNumber());
        size_t keep = static_cast<size_t>(Field(m, "keep").getNumber());
        std::vector<std::string> list;
        if (base != 0) list = messages_of[base];
        if (keep > list.size()) return ::testing::AssertionFailure() << "keep past the base";
        list.resize(keep);
        for (auto msg : Field(m, "tail").getArray()) list.push_back(JsonText(msg));
        messages_of[expected.seq] = list;
        std::string msgs = "[";
        for (size_t i = 0; i < list.size(); ++i) msgs += (i ? "," : "") + list[i];
        msgs += "]";
        shown = std::regex_replace(JsonText(e), std::regex("\"messages\":\\[\\]"),
                                   "\"messages\":" + msgs, std::regex_constants::format_first_only);
      } else {
        shown = JsonText(e);
      }
      if (shown != JsonText(cat->root()))
        return ::testing::AssertionFailure()
               << "event #" << expected.seq << " differs:\n  page: " << shown.substr(0, 400)
               << "\n  cat:  " << JsonText(cat->root()).substr(0, 400);
      ++row;
    }
  }
  if (row != trace.events().size())
    return ::testing::AssertionFailure()
           << row << " payloads for " << trace.events().size() << " events";
  return ::testing::AssertionSuccess();
}

TEST(TimelineTest, DrawsEveryEventInItsAgentsLaneWithTheAnalysesMarks) {
  auto a = LoadCorpus("stale_context");
  Timeline t = BuildTimeline(a->trace, a->analysis, a->explanation);
  ASSERT_EQ(t.rows.size(), a->trace.events().size());
  EXPECT_FALSE(t.passed);
  for (const TimelineRow& row : t.rows) {
    const Event& e = a->trace.events()[row.event_index];
    EXPECT_EQ(row.seq, e.seq);
    EXPECT_EQ(t.lanes[row.lane], e.agent);
  }
  // Each read of a superseded version is marked stale and says by how much.
  size_t stale_reads = 0;
  for (const ContextReadInfo& read : a->analysis.reads) {
    if (read.superseded_by == nullptr) continue;
    ++stale_reads;
    const TimelineRow& row = t.rows[*t.RowOf(read.read->seq)];
    EXPECT_TRUE(row.marks & kMarkStale);
    EXPECT_THAT(row.badge, HasSubstr("stale: v"));
    EXPECT_THAT(row.badge, HasSubstr(Duration(read.staleness_ns) + " earlier"));
  }
  EXPECT_GT(stale_reads, 0u);
  // Every finding shows at its row; the root's evidence is marked root.
  for (size_t f = 0; f < t.findings.size(); ++f) {
    const TimelineRow& row = t.rows[*t.RowOf(t.findings[f].at_seq)];
    EXPECT_THAT(row.findings, ::testing::Contains(f));
  }
  ASSERT_TRUE(a->explanation.root.has_value());
  ASSERT_TRUE(t.root_finding.has_value());
  EXPECT_EQ(t.findings[*t.root_finding].kind, a->explanation.root->kind);
  for (uint64_t seq : a->explanation.root->evidence)
    EXPECT_TRUE(t.rows[*t.RowOf(seq)].marks & kMarkRootEvidence) << "#" << seq;
  // One arrow per handoff; exactly one is the root's, across its boundary.
  EXPECT_EQ(t.arrows.size(), a->analysis.handoffs.size());
  size_t roots = 0;
  for (const TimelineArrow& arrow : t.arrows) {
    if (!arrow.root) continue;
    ++roots;
    EXPECT_EQ(t.lanes[arrow.from_lane], a->explanation.root->from);
    EXPECT_EQ(t.lanes[arrow.to_lane], a->explanation.root->to);
  }
  EXPECT_EQ(roots, 1u);
}

TEST(TimelineTest, AHealthySessionHasNoFindingMarks) {
  auto a = LoadCorpus("healthy_seed2");
  Timeline t = BuildTimeline(a->trace, a->analysis, a->explanation);
  EXPECT_TRUE(t.passed);
  EXPECT_TRUE(t.findings.empty());
  for (const TimelineRow& row : t.rows)
    EXPECT_FALSE(row.marks & (kMarkFinding | kMarkRootEvidence)) << "#" << row.seq;
  for (const TimelineArrow& arrow : t.arrows) EXPECT_FALSE(arrow.root);
}

TEST(TimelineTest, TextHasALinePerEventIndentedByLaneAndTheFindings) {
  auto a = LoadCorpus("retry_storm");
  Timeline t = BuildTimeline(a->trace, a->analysis, a->explanation);
  std::ostringstream out;
  WriteTimelineText(out, t, TimelineColor::kNone);
  std::string text = out.str();
  EXPECT_THAT(text, Not(HasSubstr("\x1b[")));  // No colour unless asked.
  for (const TimelineRow& row : t.rows) {
    std::regex line("#" + std::to_string(row.seq) + " +" + std::string(2 * row.lane, ' ') +
                    t.lanes[row.lane] + ": ");
    EXPECT_TRUE(std::regex_search(text, line)) << "no line for #" << row.seq;
  }
  for (const Finding& f : t.findings) EXPECT_THAT(text, HasSubstr(f.sentence));
  EXPECT_THAT(text, HasSubstr(a->explanation.paragraph));
  std::ostringstream colored;
  WriteTimelineText(colored, t, TimelineColor::kAnsi);
  EXPECT_THAT(colored.str(), HasSubstr("\x1b[31m"));  // The failed attempts, in red.
}

TEST(HtmlReportTest, ThePageIsSelfContainedAndItsDataIsTheSession) {
  auto a = LoadCorpus("stale_context");
  HtmlReportBuilder builder("stale");
  builder.AddSession({"stale_context.baton", &a->trace, &a->analysis, &a->explanation, {}, ""});
  std::string page = builder.Finish();
  // Nothing fetched: no external scripts, styles, images or fonts.
  EXPECT_THAT(page, Not(HasSubstr("<script src")));
  EXPECT_THAT(page, Not(HasSubstr("<link rel=\"stylesheet\"")));
  EXPECT_FALSE(std::regex_search(page, std::regex("(src|href)=\"(https?:)?//")));
  EXPECT_FALSE(std::regex_search(page, std::regex("url\\((https?:)?//")));
  EXPECT_TRUE(PayloadsRoundTrip(page, a->trace));
  EXPECT_EQ(builder.stats().events, a->trace.events().size());
}

TEST(HtmlReportTest, AConversationsHistoryIsStoredOnceAndResolvesToEveryPrompt) {
  // 60 turns of one conversation: each call resends the whole history.
  std::vector<Event> events;
  MessageList history;
  history.push_back({"system", "you are the planner", "", ""});
  for (uint64_t turn = 1; turn <= 60; ++turn) {
    history.push_back({"user", baton::testing::TextOfSize(2000, static_cast<int>(turn)), "", ""});
    events.push_back(baton::testing::ConversationCall(turn, "planner", history,
                                                      "answer " + std::to_string(turn)));
    history.push_back({"assistant", "answer " + std::to_string(turn), "", ""});
  }
  Trace trace = Trace::FromEvents(baton::testing::SampleHeader(), events);
  auto a = Analyze(trace);
  HtmlReportBuilder builder("conversation");
  builder.AddSession({"c.baton", &a->trace, &a->analysis, &a->explanation, {}, ""});
  std::string page = builder.Finish();
  EXPECT_TRUE(PayloadsRoundTrip(page, a->trace));
  // Linear, not quadratic: the 60 prompts hold 60*61/2 user texts of 2 KB (3.7 MB), the page
  // about 60 of them.
  EXPECT_LT(page.size(), 60u * 2000u * 3u);
}

TEST(HtmlReportTest, HostileTextStaysData) {
  std::vector<Event> events = baton::testing::EveryKindEvents();
  for (Event& e : events) e.agent = "</script><script>alert(1)</script>";
  SessionHeader header = baton::testing::SampleHeader();
  header.session_id = "</script><img src=x onerror=alert(1)>";
  Trace trace = Trace::FromEvents(header, events);
  auto a = Analyze(trace);
  HtmlReportBuilder builder("<b>title</b>");
  builder.AddSession({"</script>.baton", &a->trace, &a->analysis, &a->explanation, {}, ""});
  std::string page = builder.Finish();
  EXPECT_THAT(page, HasSubstr("<title>&lt;b&gt;title&lt;/b&gt;</title>"));
  // The summary (plain JSON in the page) cannot end its element early, and parses.
  const std::string open = "<script type=\"application/json\" id=\"baton-summary\">";
  size_t at = page.find(open) + open.size();
  std::string summary = page.substr(at, page.find("</script>", at) - at);
  auto doc = JsonDocument::Parse(summary, "summary");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_THAT(JsonText(doc->root()), HasSubstr("</script>.baton"));
  // Outside the script elements (whose text the HTML parser does not read as markup), the
  // recorded text appears nowhere.
  std::string markup;
  for (size_t pos = 0; pos < page.size();) {
    size_t open_at = page.find("<script", pos);
    markup += page.substr(pos, open_at == std::string::npos ? std::string::npos : open_at - pos);
    if (open_at == std::string::npos) break;
    size_t close_at = page.find("</script>", open_at);
    ASSERT_NE(close_at, std::string::npos);
    pos = close_at + 9;
  }
  EXPECT_THAT(markup, Not(HasSubstr("<img")));
  EXPECT_THAT(markup, Not(HasSubstr("alert(")));
  EXPECT_TRUE(PayloadsRoundTrip(page, a->trace));
}

TEST(HtmlReportTest, UnreadableFilesAreListedWithTheirError) {
  std::string dir = FreshTempDir("report_unreadable");
  std::unique_ptr<Env> env = NewPosixEnv();
  ReportFiles request;
  request.files = {kCorpora + "/healthy_seed2.baton", dir + "/missing.baton",
                   kCorpora + "/golden-errors/not-a-baton.baton"};
  request.out_path = dir + "/r.html";
  request.title = "t";
  auto stats = WriteReportFile(*env, request, Policy());
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(stats->sessions, 1u);
  EXPECT_EQ(stats->unreadable, 2u);
  std::string page = Slurp(dir + "/r.html");
  EXPECT_THAT(page, HasSubstr("missing.baton"));
  EXPECT_THAT(page, HasSubstr("not-a-baton.baton"));
  request.out_path = dir + "/no/such/dir/r.html";
  EXPECT_FALSE(WriteReportFile(*env, request, Policy()).ok());
}

TEST(ReportCliTest, ExitCodesSayPassFailAndBadInput) {
  std::string dir = FreshTempDir("report_cli");
  RunResult pass =
      RunCommand(kBaton + " report " + kCorpora + "/healthy_seed2.baton -o " + dir + "/pass.html");
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_THAT(pass.out, HasSubstr("1 session(s)"));
  RunResult fail = RunCommand(kBaton + " report " + kCorpora + "/stale_context.baton " + kCorpora +
                              "/healthy_seed2.baton -o " + dir + "/fail.html");
  EXPECT_EQ(fail.exit_code, 1) << fail.err;
  EXPECT_THAT(fail.out, HasSubstr("2 session(s)"));
  EXPECT_THAT(fail.out, HasSubstr("1 failing"));
  RunResult missing = RunCommand(kBaton + " report " + dir + "/nope.baton -o " + dir + "/x.html");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("nope.baton"));
  RunResult unwritable = RunCommand(kBaton + " report " + kCorpora +
                                    "/healthy_seed2.baton -o /nonexistent-dir/r.html");
  EXPECT_EQ(unwritable.exit_code, 2);
  EXPECT_THAT(unwritable.err, HasSubstr("cannot write"));
  RunResult no_output = RunCommand(kBaton + " report " + kCorpora + "/healthy_seed2.baton");
  EXPECT_EQ(no_output.exit_code, 2);
}

TEST(ReportCliTest, CheckWritesTheSamePageBesideJUnit) {
  std::string dir = FreshTempDir("check_html");
  RunResult r =
      RunCommand(kBaton + " check " + kCorpora + "/stale_context.baton " + kCorpora +
                 "/healthy_seed2.baton --junit " + dir + "/j.xml --html " + dir + "/r.html");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string page = Slurp(dir + "/r.html");
  EXPECT_THAT(page, HasSubstr("\"passed\":false"));
  EXPECT_THAT(page, HasSubstr("\"passed\":true"));
  EXPECT_THAT(page, HasSubstr("stale_context.baton"));
  RunResult bad = RunCommand(kBaton + " check " + kCorpora + "/healthy_seed2.baton --html " +
                             "/nonexistent-dir/r.html");
  EXPECT_EQ(bad.exit_code, 2);
}

TEST(ReportCliTest, TimelineExitsLikeWhyAndSaysWhatItCouldNotRead) {
  RunResult fail = RunCommand(kBaton + " timeline " + kCorpora + "/stale_context.baton");
  EXPECT_EQ(fail.exit_code, 1);
  EXPECT_THAT(fail.out, HasSubstr("stale: v"));
  EXPECT_THAT(fail.out, HasSubstr("<== root cause evidence"));
  EXPECT_THAT(fail.out, Not(HasSubstr("\x1b[")));  // Not a terminal: no colour.
  EXPECT_EQ(RunCommand(kBaton + " timeline " + kCorpora + "/healthy_seed2.baton").exit_code, 0);
  RunResult bad = RunCommand(kBaton + " timeline " + kCorpora + "/golden-errors/not-a-baton.baton");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_FALSE(bad.err.empty());
}

TEST(ReportBrowserTest, PagesReadRightInHeadlessChromium) {
  const std::string js = std::string(BATON_SOURCE_DIR) + "/tests/js";
  ASSERT_EQ(
      RunCommand("test -x /usr/bin/chromium && test -d " + js + "/node_modules/playwright-core")
          .exit_code,
      0)
      << "scripts/install-deps installs Debian's chromium and the pinned playwright-core";
  // Screenshots stay under the build tree for a person to look at.
  const std::string out = std::filesystem::current_path().string() + "/report-screenshots";
  // Sessions from the other sources: the proxy (the openai SDK's chat calls, one streamed),
  // an OTLP export and a Who&When transcript.
  const std::string dir = FreshTempDir("report_imported");
  {
    baton::testing::FakeOpenAiServer upstream;
    upstream.Enqueue(
        {200,
         R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_h1","type":"function","function":{"name":"transfer_to_researcher","arguments":"{\"task\":\"EU market\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":30,"completion_tokens":9,"total_tokens":39}})",
         {},
         std::chrono::milliseconds(0)});
    upstream.Enqueue(
        {200,
         "",
         {R"({"id":"c2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Growth "},"finish_reason":null}]})",
          R"({"id":"c2","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"is 2%."},"finish_reason":"stop"}]})",
          "[DONE]"},
         std::chrono::milliseconds(10)});
    RunResult proxied = RunCommand("OPENAI_API_KEY=sk-test CHAT_ONLY=1 " + kBaton + " record -o " +
                                   dir + "/proxy.baton --upstream openai=" + upstream.base_url() +
                                   " -- node " + js + "/openai_chat.mjs");
    ASSERT_EQ(proxied.exit_code, 0) << proxied.out << proxied.err;
  }
  RunResult otlp = RunCommand(kBaton + " import otlp " + std::string(BATON_SOURCE_DIR) +
                              "/tests/otel/data/genai_current.json -o " + dir + "/otlp");
  ASSERT_EQ(otlp.exit_code, 0) << otlp.out << otlp.err;
  RunResult transcript =
      RunCommand(kBaton + " import transcript " + std::string(BATON_SOURCE_DIR) +
                 "/../shared/corpora-external/who-and-when/hand-crafted/1.json -o " + dir +
                 "/transcript.baton");
  ASSERT_EQ(transcript.exit_code, 0) << transcript.out << transcript.err;
  RunResult r = RunCommand("cd " + js + " && node report_browser.mjs " + kBaton + " " + kTeam +
                           " " + kCorpora + " " + out + " " + dir + "/proxy.baton " + dir +
                           "/transcript.baton $(ls " + dir + "/otlp/*.baton | head -n 1) 2>&1");
  std::cout << r.out;
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok large: the last model call"));
}

}  // namespace
}  // namespace baton::report
