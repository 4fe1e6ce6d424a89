// The OTLP/HTTP receiver (`baton serve --otlp`): spans grouped until they go quiet; answers as
// OTLP/HTTP exporters expect (200 with partial_success, gzip, 400, 404, 413, 415); a writer
// that falls behind turns requests away with 429 and Retry-After instead of dropping spans;
// Stop() writes every open trace. Links only the otel library, so TSan runs it in CI.
#include "harness/otel/otlp_receiver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "base/mem_env.h"
#include "harness/otel/otlp_logs.pb.h"
#include "harness/otel/otlp_trace.pb.h"
#include "replayer/trace.h"
#include "tests/testing/run_command.h"

namespace baton::otel {
namespace {

using baton::testing::FreshTempDir;
using baton::testing::RunCommand;
using baton::testing::RunResult;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

// --- Grouping and the receiver -----------------------------------------------------------------

Span MakeSpan(const std::string& trace, const std::string& id,
              const std::string& conversation = "") {
  Span s;
  s.trace_id = trace;
  s.span_id = id;
  s.name = "s";
  s.start_ns = s.end_ns = 1;
  if (!conversation.empty())
    s.attributes.push_back({"gen_ai.conversation.id", AttributeValue::String(conversation)});
  return s;
}

TEST(SpanGroupsTest, AGroupIsTakenWhenItWentQuietAndTracesJoinTheirConversation) {
  SpanGroups groups(GroupBy::kAuto);
  groups.Add({MakeSpan("t1", "a", "c1"), MakeSpan("t2", "b")}, 0);
  groups.Add({MakeSpan("t1", "c")}, 5);  // Joins c1 through its trace.
  groups.Add({MakeSpan("t3", "d", "c1")}, 8);
  EXPECT_EQ(groups.open_groups(), 2u);
  EXPECT_THAT(groups.TakeIdle(9, 10), IsEmpty());
  auto idle = groups.TakeIdle(10, 10);  // t2 went quiet at 0; c1 last heard of at 8.
  ASSERT_THAT(idle, SizeIs(1));
  EXPECT_EQ(idle[0].first, "t2");
  auto rest = groups.TakeAll();
  ASSERT_THAT(rest, SizeIs(1));
  EXPECT_EQ(rest[0].first, "c1");
  EXPECT_THAT(rest[0].second, SizeIs(3));
  EXPECT_EQ(groups.open_spans(), 0u);
}

// A trace's spans may come in batches before one of them names the trace's conversation (the
// log records of its model calls always do): they join the conversation's group then.
TEST(SpanGroupsTest, WhatCameBeforeATraceNamedItsConversationJoinsTheConversation) {
  SpanGroups groups(GroupBy::kAuto);
  Span log_record = MakeSpan("t1", "b");
  log_record.record = SpanRecord::kEventsOfSpan;
  groups.Add({log_record, MakeSpan("t1", "c")}, 0);
  groups.Add({MakeSpan("t2", "x")}, 1);
  groups.Add({MakeSpan("t1", "a", "c1")}, 2);
  EXPECT_EQ(groups.open_groups(), 2u);
  auto all = groups.TakeAll();
  ASSERT_THAT(all, SizeIs(2));  // The quiet longest first.
  EXPECT_EQ(all[0].first, "t2");
  EXPECT_EQ(all[1].first, "c1");
  EXPECT_THAT(all[1].second, SizeIs(3));
}

// A message runtime without a span of the program's around it starts a trace per message it
// delivers, its root linked to the trace that sent the message (AutoGen's): each such trace
// joins the one it continues, through a chain of them, whichever of its spans came first
// (children end, and are exported, before their root) and in whichever order one batch lists
// them. Grouped by trace, each stays alone.
TEST(SpanGroupsTest, ATraceWhoseRootIsLinkedToAnotherJoinsIt) {
  auto continuing = [](const std::string& trace, const std::string& id, const std::string& of,
                       int64_t start) {
    Span s = MakeSpan(trace, id);
    s.continues_trace_id = of;
    s.start_ns = s.end_ns = start;
    return s;
  };
  SpanGroups groups(GroupBy::kAuto);
  Span child = MakeSpan("t2", "b2");
  child.parent_span_id = "b1";
  groups.Add({MakeSpan("t1", "a", "c1"), child}, 0);
  // t3 continues t2, which continues t1 (its conversation is c1): listed in another order.
  groups.Add({continuing("t3", "c", "t2", 30), continuing("t2", "b1", "t1", 20)}, 1);
  groups.Add({MakeSpan("t3", "c2")}, 2);
  groups.Add({continuing("t9", "x", "never-seen", 5)}, 3);
  auto all = groups.TakeAll();
  ASSERT_THAT(all, SizeIs(2));
  EXPECT_EQ(all[0].first, "c1");
  EXPECT_THAT(all[0].second, SizeIs(5));
  EXPECT_EQ(all[1].first, "never-seen");  // The trace it continues is the session's key.

  SpanGroups by_trace(GroupBy::kTrace);
  by_trace.Add({MakeSpan("t1", "a"), continuing("t2", "b1", "t1", 20)}, 0);
  EXPECT_EQ(by_trace.open_groups(), 2u);
}

std::string SpanJson(const std::string& trace, int n, int first = 0) {
  std::string spans;
  for (int i = first; i < first + n; ++i) {
    char id[17];
    std::snprintf(id, sizeof id, "%016x", i + 1);
    spans += std::string(spans.empty() ? "" : ",") + R"({"traceId":")" + trace + R"(","spanId":")" +
             id + R"(","name":"chat","startTimeUnixNano":")" + std::to_string(1000 + i) +
             R"(","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}}]})";
  }
  return R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + spans + "]}]}]}";
}

struct Posted {
  int status = 0;
  std::string headers;
  std::string body;
};

Posted Post(unsigned port, const std::string& file, const std::string& extra = "",
            const std::string& path = "/v1/traces") {
  RunResult r =
      RunCommand("curl -sS -i --max-time 20 -H 'Content-Type: application/json' " + extra +
                 " --data-binary @" + file + " http://127.0.0.1:" + std::to_string(port) + path);
  Posted p;
  size_t sp = r.out.find(' ');
  if (sp != std::string::npos) p.status = std::atoi(r.out.c_str() + sp + 1);
  size_t at = r.out.find("\r\n\r\n");
  p.headers = r.out.substr(0, at);
  if (at != std::string::npos) p.body = r.out.substr(at + 4);
  return p;
}

std::string WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

class OtlpReceiverTest : public ::testing::Test {
 protected:
  // On an ephemeral port, writing to dir_.
  OtlpReceiverOptions Options(std::chrono::milliseconds idle) const {
    OtlpReceiverOptions o;
    o.listen_port = 0;
    o.out_dir = dir_;
    o.idle = idle;
    return o;
  }

  std::string dir_ = FreshTempDir("otlp_receiver");
};

TEST_F(OtlpReceiverTest, AnswersAsOtlpHttpSaysAndWritesEachTraceOnStop) {
  OtlpReceiverOptions o = Options(std::chrono::hours(1));
  o.max_body_bytes = 64 * 1024;
  auto receiver = OtlpReceiver::Start(o);
  ASSERT_TRUE(receiver.ok()) << receiver.status().ToString();
  const unsigned port = (*receiver)->port();
  const std::string a = "0102030405060708090a0b0c0d0e0f10", b = "1102030405060708090a0b0c0d0e0f10";

  Posted ok = Post(port, WriteFile(dir_ + "/a.json", SpanJson(a, 3)));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "{}");
  // Gzip, as exporters send with compression on.
  WriteFile(dir_ + "/b.json", SpanJson(b, 2));
  ASSERT_EQ(RunCommand("gzip -kf " + dir_ + "/b.json").exit_code, 0);
  EXPECT_EQ(Post(port, dir_ + "/b.json.gz", "-H 'Content-Encoding: gzip'").status, 200);
  // A span of the batch that cannot be used: partial success, the rest kept.
  std::string partial = SpanJson(a, 1, 10);
  partial.insert(partial.rfind("]}]}]}"), R"(,{"traceId":"x","spanId":"y"})");
  Posted part = Post(port, WriteFile(dir_ + "/p.json", partial));
  EXPECT_EQ(part.status, 200);
  EXPECT_THAT(part.body, HasSubstr(R"("partialSuccess":{"rejectedSpans":"1")"));
  EXPECT_THAT(part.body, HasSubstr("traceId: expected 32 hex digits"));

  EXPECT_EQ(Post(port, WriteFile(dir_ + "/bad.json", "{nope")).status, 400);
  // OTLP/HTTP's default encoding: protobuf, answered in protobuf (the JSON of a.json is not a
  // protobuf request: google.rpc.Status).
  const std::string protobuf = "-H 'Content-Type: application/x-protobuf'";
  Posted not_protobuf = Post(port, dir_ + "/a.json", protobuf);
  EXPECT_EQ(not_protobuf.status, 400);
  EXPECT_THAT(not_protobuf.headers, HasSubstr("Content-Type: application/x-protobuf"));
  otlp::RpcStatus refused;
  ASSERT_TRUE(refused.ParseFromString(not_protobuf.body)) << not_protobuf.body;
  EXPECT_EQ(refused.code(), 3);
  EXPECT_THAT(refused.message(), HasSubstr("not an OTLP/protobuf ExportTraceServiceRequest"));
  otlp::ExportTraceServiceRequest request;
  otlp::Span* span = request.add_resource_spans()->add_scope_spans()->add_spans();
  span->set_trace_id(std::string(15, '\x01') + "P");  // A trace of its own.
  span->set_span_id("\x01\x02\x03\x04\x05\x06\x07\x08");
  span->set_name("chat");
  span->set_start_time_unix_nano(1000);
  otlp::KeyValue* operation = span->add_attributes();
  operation->set_key("gen_ai.operation.name");
  operation->mutable_value()->set_string_value("chat");
  otlp::Span* unusable = request.mutable_resource_spans(0)->mutable_scope_spans(0)->add_spans();
  *unusable = *span;
  unusable->set_span_id("short");
  Posted proto = Post(port, WriteFile(dir_ + "/p.bin", request.SerializeAsString()), protobuf);
  EXPECT_EQ(proto.status, 200);
  otlp::ExportTraceServiceResponse answer;
  ASSERT_TRUE(answer.ParseFromString(proto.body));
  EXPECT_EQ(answer.partial_success().rejected_spans(), 1);
  EXPECT_THAT(answer.partial_success().error_message(), HasSubstr("spanId: expected 8 bytes"));
  ASSERT_EQ(RunCommand("gzip -kf " + dir_ + "/p.bin").exit_code, 0);
  EXPECT_EQ(Post(port, dir_ + "/p.bin.gz", protobuf + " -H 'Content-Encoding: gzip'").status, 200);
  EXPECT_EQ(Post(port, dir_ + "/a.json", "", "/v1/spans").status, 404);
  // Metrics (an SDK pointed at the receiver for every signal sends them): success in the
  // request's encoding, no spans taken, counted; over the limit still 413.
  Posted metrics = Post(port, dir_ + "/a.json", "", "/v1/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body, "{}");
  Posted protobuf_metrics = Post(port, dir_ + "/p.bin", protobuf, "/v1/metrics");
  EXPECT_EQ(protobuf_metrics.status, 200);
  EXPECT_THAT(protobuf_metrics.headers, HasSubstr("Content-Type: application/x-protobuf"));
  EXPECT_EQ(protobuf_metrics.body, "");
  EXPECT_EQ(Post(port, WriteFile(dir_ + "/big.json", SpanJson(a, 2000))).status, 413);
  EXPECT_EQ(Post(port, dir_ + "/big.json", "", "/v1/metrics").status, 413);
  // A body of no declared length (chunked): read whole, or refused past the limit.
  const std::string chunked = "-H 'Transfer-Encoding: chunked'";
  EXPECT_EQ(Post(port, WriteFile(dir_ + "/c.json", SpanJson(a, 2, 20)), chunked).status, 200);
  EXPECT_EQ(Post(port, dir_ + "/big.json", chunked).status, 413);
  // A client that hangs up before the length it declared: that request is lost, not the
  // receiver.
  EXPECT_EQ(RunCommand("bash -c \"printf 'POST /v1/traces HTTP/1.1\\r\\nHost: x\\r\\n"
                       "Content-Length: 100\\r\\n\\r\\n{\\\"resou' > /dev/tcp/127.0.0.1/" +
                       std::to_string(port) + "\"")
                .exit_code,
            0);
  // A gzip bomb is refused by its size after decompression.
  WriteFile(dir_ + "/bomb.json", std::string(1 << 20, ' ') + SpanJson(a, 1));
  ASSERT_EQ(RunCommand("gzip -kf " + dir_ + "/bomb.json").exit_code, 0);
  EXPECT_EQ(Post(port, dir_ + "/bomb.json.gz", "-H 'Content-Encoding: gzip'").status, 413);

  EXPECT_THAT((*receiver)->files(), IsEmpty());  // Idle is an hour: nothing written yet.
  (*receiver)->Stop();
  OtlpReceiverStats stats = (*receiver)->stats();
  EXPECT_EQ(stats.spans_accepted, 10u);  // 8 as JSON, the protobuf span twice.
  EXPECT_EQ(stats.spans_rejected, 3u);
  EXPECT_EQ(stats.metrics_ignored, 2u);
  EXPECT_EQ(stats.sessions_written, 3u);
  std::vector<std::string> files = (*receiver)->files();
  ASSERT_THAT(files, SizeIs(3));
  std::map<std::string, size_t> calls;
  for (const std::string& f : files) {
    auto trace = Trace::Load(f);
    ASSERT_TRUE(trace.ok()) << trace.status().ToString();
    for (const Event& e : trace->events()) calls[f] += e.As<ModelCall>() != nullptr;
  }
  EXPECT_EQ(calls[dir_ + "/" + a + ".baton"], 6u);
  EXPECT_EQ(calls[dir_ + "/" + b + ".baton"], 2u);
  // The protobuf span sent twice (plain and gzipped) is one call: a duplicate span is dropped.
  EXPECT_EQ(calls[dir_ + "/01010101010101010101010101010150.baton"], 1u);
}

// More traces end at once than the writer keeps open (it starts a file, maps the next while
// the first compresses): every one is published whole under its own name, none left behind.
TEST_F(OtlpReceiverTest, ManyTracesEndingAtOnceAreEachWrittenWhole) {
  OtlpReceiverOptions o = Options(std::chrono::hours(1));
  auto receiver = OtlpReceiver::Start(o);
  ASSERT_TRUE(receiver.ok()) << receiver.status().ToString();
  constexpr int kTraces = 13;
  std::map<std::string, int> spans_of;
  for (int t = 0; t < kTraces; ++t) {
    char trace[33];
    std::snprintf(trace, sizeof trace, "%032x", 0xabc00 + t);
    spans_of[dir_ + "/" + trace + ".baton"] = 1 + t % 4;
    ASSERT_EQ(
        Post((*receiver)->port(), WriteFile(dir_ + "/t.json", SpanJson(trace, 1 + t % 4, 100 * t)))
            .status,
        200);
  }
  (*receiver)->Stop();
  EXPECT_EQ((*receiver)->stats().sessions_written, static_cast<uint64_t>(kTraces));
  std::vector<std::string> files = (*receiver)->files();
  ASSERT_THAT(files, SizeIs(kTraces));
  for (const std::string& f : files) {
    auto trace = Trace::Load(f);
    ASSERT_TRUE(trace.ok()) << trace.status().ToString();
    int calls = 0;
    for (const Event& e : trace->events()) calls += e.As<ModelCall>() != nullptr;
    EXPECT_EQ(calls, spans_of[f]) << f;
    EXPECT_FALSE(std::filesystem::exists(f + ".incomplete")) << f;
  }
}

TEST_F(OtlpReceiverTest, QuietTracesAreWrittenWhileRunningAndLateSpansGetTheirOwnFile) {
  OtlpReceiverOptions o = Options(std::chrono::milliseconds(50));
  auto receiver = OtlpReceiver::Start(o);
  ASSERT_TRUE(receiver.ok());
  const std::string a = "0102030405060708090a0b0c0d0e0f10";
  ASSERT_EQ(Post((*receiver)->port(), WriteFile(dir_ + "/a.json", SpanJson(a, 2))).status, 200);
  for (int i = 0; i < 200 && (*receiver)->files().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_THAT((*receiver)->files(), SizeIs(1));
  ASSERT_EQ(Post((*receiver)->port(), WriteFile(dir_ + "/late.json", SpanJson(a, 1, 5))).status,
            200);
  (*receiver)->Stop();
  EXPECT_THAT((*receiver)->files(),
              ElementsAre(dir_ + "/" + a + ".baton", dir_ + "/" + a + "-2.baton"));
}

// An Env whose file creation waits until released: the writer falls behind on demand.
class BlockingEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
    return mem_.NewWritableFile(path);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    return mem_.NewRandomAccessFile(p);
  }
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& p) override {
    return mem_.NewSequentialFile(p);
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    return mem_.RenameFile(from, to);
  }
  Status RemoveFile(const std::string& path) override { return mem_.RemoveFile(path); }
  bool FileExists(const std::string& path) override { return mem_.FileExists(path); }
  bool DirectoryExists(const std::string& path) override { return mem_.DirectoryExists(path); }
  void WaitForWriters(int n = 1) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return waiting_ >= n; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  MemEnv& mem() { return mem_; }

 private:
  MemEnv mem_;
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;
  bool released_ = false;
};

// Sessions are written on threads of their own, several at once: two conversations whose
// names give the same file name ("conv/1" and "conv_1" are both conv_1) and that are written
// at the same time still get a file each.
TEST_F(OtlpReceiverTest, ConversationsWithTheSameFileNameWrittenAtOnceGetAFileEach) {
  auto spans = [](const std::string& trace, const std::string& conversation, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      char id[17];
      std::snprintf(id, sizeof id, "%016x", i + 1);
      out += std::string(out.empty() ? "" : ",") + R"({"traceId":")" + trace + R"(","spanId":")" +
             id + R"(","name":"chat","startTimeUnixNano":")" + std::to_string(1000 + i) +
             R"(","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},)" +
             R"({"key":"gen_ai.conversation.id","value":{"stringValue":")" + conversation +
             R"("}}]})";
    }
    return out;
  };
  BlockingEnv env;  // Holds both files' creation until both threads are creating them.
  env.mem().MakeDirectory(dir_);
  OtlpReceiverOptions o = Options(std::chrono::hours(1));
  o.env = &env;
  auto receiver = OtlpReceiver::Start(o);
  ASSERT_TRUE(receiver.ok());
  const std::string body = R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" +
                           spans("0102030405060708090a0b0c0d0e0f10", "conv/1", 3) + "," +
                           spans("1102030405060708090a0b0c0d0e0f10", "conv_1", 2) + "]}]}]}";
  ASSERT_EQ(Post((*receiver)->port(), WriteFile(dir_ + "/both.json", body)).status, 200);
  std::thread stop([&] { (*receiver)->Stop(); });  // Both are written in the same turn.
  env.WaitForWriters(2);
  env.Release();
  stop.join();
  std::vector<std::string> files = (*receiver)->files();
  EXPECT_THAT(files, UnorderedElementsAre(dir_ + "/conv_1.baton", dir_ + "/conv_1-2.baton"));
  std::multiset<int> calls;
  for (const std::string& f : files) {
    ReaderOptions to;
    to.env = &env.mem();
    auto trace = Trace::Load(f, to);
    ASSERT_TRUE(trace.ok()) << trace.status().ToString();
    int n = 0;
    for (const Event& e : trace->events()) n += e.As<ModelCall>() != nullptr;
    calls.insert(n);
  }
  EXPECT_EQ(calls, (std::multiset<int>{2, 3}));
}

TEST_F(OtlpReceiverTest, AWriterThatFallsBehindGets429WithRetryAfterAndLosesNothing) {
  BlockingEnv env;
  OtlpReceiverOptions o = Options(std::chrono::milliseconds(0));
  o.max_queued_spans = 4;
  o.env = &env;
  auto receiver = OtlpReceiver::Start(o);
  ASSERT_TRUE(receiver.ok());
  const unsigned port = (*receiver)->port();
  const std::string a = "0102030405060708090a0b0c0d0e0f10";
  ASSERT_EQ(Post(port, WriteFile(dir_ + "/1.json", SpanJson(a, 3))).status, 200);
  env.WaitForWriters();  // The writer is stuck writing the first trace.
  EXPECT_EQ(Post(port, WriteFile(dir_ + "/2.json", SpanJson(a, 3, 10))).status, 200);
  Posted busy = Post(port, WriteFile(dir_ + "/3.json", SpanJson(a, 3, 20)));
  EXPECT_EQ(busy.status, 429);
  EXPECT_THAT(busy.headers, HasSubstr("Retry-After: 1"));
  env.Release();
  (*receiver)->Stop();
  OtlpReceiverStats stats = (*receiver)->stats();
  EXPECT_EQ(stats.refused_busy, 1u);
  EXPECT_EQ(stats.spans_accepted, 6u);
  EXPECT_EQ(stats.sessions_written, 2u);  // Everything accepted was written.
  EXPECT_EQ(stats.write_errors, 0u);
}

// The OpenAI instrumentations export the messages as log records, in a batch of their own that
// may come before or after the spans: POST /v1/logs, joined to the spans' session.
TEST_F(OtlpReceiverTest, LogRecordsOfSpanEventsJoinTheirSessionWhicheverComesFirst) {
  auto receiver = OtlpReceiver::Start(Options(std::chrono::hours(1)));
  ASSERT_TRUE(receiver.ok()) << receiver.status().ToString();
  const unsigned port = (*receiver)->port();
  std::ifstream in(std::string(BATON_SOURCE_DIR) + "/tests/otel/data/genai_log_events.json");
  std::string logs, traces;
  std::getline(in, logs);
  std::getline(in, traces);
  Posted logged = Post(port, WriteFile(dir_ + "/logs.json", logs), "", "/v1/logs");
  EXPECT_EQ(logged.status, 200);
  EXPECT_EQ(logged.body, "{}");
  EXPECT_EQ(Post(port, WriteFile(dir_ + "/traces.json", traces)).status, 200);
  // Log records with a bad id: partial success, in the logs' own words.
  Posted bad = Post(
      port,
      WriteFile(dir_ + "/bad_logs.json", R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)"
                                         R"({"traceId":"zz","spanId":"0000000000000001"}]}]}]})"),
      "", "/v1/logs");
  EXPECT_EQ(bad.status, 200);
  EXPECT_THAT(bad.body, HasSubstr(R"("partialSuccess":{"rejectedLogRecords":"1")"));
  EXPECT_THAT(bad.body, HasSubstr("1 log records rejected"));
  // As protobuf: the records of a trace whose spans never come are left out, not a session.
  otlp::ExportLogsServiceRequest request;
  otlp::LogRecord* r = request.add_resource_logs()->add_scope_logs()->add_log_records();
  r->set_trace_id(std::string(15, '\x07') + "L");
  r->set_span_id("\x01\x02\x03\x04\x05\x06\x07\x08");
  r->set_event_name("gen_ai.user.message");
  otlp::KeyValue* content = r->mutable_body()->mutable_kvlist_value()->add_values();
  content->set_key("content");
  content->mutable_value()->set_string_value("Is anyone there?");
  Posted proto = Post(port, WriteFile(dir_ + "/logs.bin", request.SerializeAsString()),
                      "-H 'Content-Type: application/x-protobuf'", "/v1/logs");
  EXPECT_EQ(proto.status, 200);
  EXPECT_THAT(proto.headers, HasSubstr("Content-Type: application/x-protobuf"));
  (*receiver)->Stop();

  OtlpReceiverStats stats = (*receiver)->stats();
  EXPECT_EQ(stats.spans_accepted, 4u);
  EXPECT_EQ(stats.log_records_accepted, 10u);  // 9 of the file's, 1 as protobuf.
  EXPECT_EQ(stats.log_records_unjoined, 2u);   // The file's record of a lost span, and it.
  EXPECT_EQ(stats.spans_rejected, 1u);
  ASSERT_THAT((*receiver)->files(), ElementsAre(dir_ + "/conv-logs.baton"));
  auto trace = Trace::Load(dir_ + "/conv-logs.baton");
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  std::vector<const ModelCall*> calls;
  for (const Event& e : trace->events())
    if (const auto* c = e.As<ModelCall>()) calls.push_back(c);
  ASSERT_THAT(calls, SizeIs(2));
  ASSERT_EQ(calls[0]->request.messages.size(), 2u);
  auto asked = trace->Text(calls[0]->request.messages[1].content);
  ASSERT_TRUE(asked.ok()) << asked.status().ToString();
  EXPECT_EQ(*asked, "What was ACME's Q3 revenue?");
  auto answered = trace->Text(calls[1]->response.content);
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(*answered, "ACME's Q3 revenue was $12M.");
}

TEST_F(OtlpReceiverTest, ListeningOnAPortInUseIsAnError) {
  OtlpReceiverOptions o;
  o.listen_port = 0;
  o.out_dir = dir_;
  auto first = OtlpReceiver::Start(o);
  ASSERT_TRUE(first.ok());
  o.listen_port = (*first)->port();
  auto second = OtlpReceiver::Start(o);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("cannot listen"));
}

}  // namespace
}  // namespace baton::otel
