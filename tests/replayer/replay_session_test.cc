// ReplaySession on hand-built traces: serving, matching, divergences, delivery order.
#include "replayer/replay_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "base/mem_env.h"
#include "recorder/recorder.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

using ::testing::HasSubstr;

class TraceBuilder {
 public:
  TraceBuilder& Add(const std::string& agent, EventBody body, uint64_t cause = 0) {
    Event e;
    e.seq = events_.size() + 1;
    e.mono_ns = static_cast<int64_t>(e.seq) * 1000;
    e.agent = agent;
    e.cause = cause;
    e.body = std::move(body);
    events_.push_back(std::move(e));
    return *this;
  }
  Trace Build() { return Trace::FromEvents(SessionHeader{}, events_); }

 private:
  std::vector<Event> events_;
};

ModelCall Call(const std::string& prompt, const std::string& answer,
               const std::string& error = "") {
  ModelCall c;
  c.call_id = "x";
  c.request.model = "m";
  c.request.messages = {{"user", Content(prompt), "", ""}};
  c.response.content = answer;
  c.error = error;
  return c;
}

Event Live(const std::string& agent, EventBody body) {
  Event e;
  e.agent = agent;
  e.body = std::move(body);
  return e;
}

std::unique_ptr<ReplaySession> Session(Trace t, ReplayOptions o = {}) {
  auto s = ReplaySession::FromTrace(std::move(t), o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

TEST(ReplaySessionTest, ServesEachAgentsCallsInOrder) {
  auto s = Session(TraceBuilder()
                       .Add("a", Call("p1", "r1"))
                       .Add("b", Call("q1", "s1"))
                       .Add("a", Call("p2", "r2"))
                       .Build());
  // b first: agents are matched independently, each in its own order.
  auto b1 = s->Serve(Live("b", Call("q1", "")));
  ASSERT_TRUE(b1.ok());
  EXPECT_EQ((*b1)->As<ModelCall>()->response.content.text, "s1");
  auto a1 = s->Serve(Live("a", Call("p1", "")));
  auto a2 = s->Serve(Live("a", Call("p2", "")));
  ASSERT_TRUE(a1.ok() && a2.ok());
  EXPECT_EQ((*a1)->As<ModelCall>()->response.content.text, "r1");
  EXPECT_EQ((*a2)->As<ModelCall>()->response.content.text, "r2");
  ReplayReport r = s->Report();
  EXPECT_TRUE(r.matched);
  EXPECT_EQ(r.served, 3u);
}

TEST(ReplaySessionTest, ChangedRequestIsADivergenceWithFieldDiffAndChain) {
  auto s = Session(TraceBuilder()
                       .Add("planner", MessageSend{"m1", "a", "go", Content("task"), {}})
                       .Add("a", MessageDelivery{"m1", "planner"}, 1)
                       .Add("a", Call("Write a concise report", "r1"), 2)
                       .Build());
  auto served = s->Serve(Live("a", Call("Write a detailed report", "")));
  ASSERT_FALSE(served.ok());
  EXPECT_EQ(served.status().code(), Status::Code::kDiverged);
  ReplayReport r = s->Report();
  ASSERT_EQ(r.divergences.size(), 1u);
  const Divergence& d = r.divergences[0];
  EXPECT_EQ(d.recorded_seq, 3u);
  EXPECT_EQ(d.agent, "a");
  ASSERT_EQ(d.fields.size(), 1u);
  EXPECT_EQ(d.fields[0].path, "request.messages[0].content");
  EXPECT_THAT(d.Render(), HasSubstr("[-concise-]{+detailed+}"));
  ASSERT_EQ(d.chain.size(), 3u);
  EXPECT_THAT(d.chain[0], HasSubstr("#1 planner message_send"));
  // Strict: everything after the first divergence fails too.
  EXPECT_EQ(s->Serve(Live("a", Call("Write a concise report", ""))).status().code(),
            Status::Code::kDiverged);
}

// A conversation of one agent whose calls continue one list, as a program's do: the
// history is shared, and matching compares only what each call adds (see RequestsMatch).
ModelCall ConversationCall(const MessageList& history) {
  ModelCall c;
  c.call_id = "x";
  c.request.model = "m";
  c.request.messages = history;
  c.response.content = Content("ok");
  return c;
}

TEST(ReplaySessionTest, ALongConversationMatchesAndAChangeAnywhereInItsHistoryDiverges) {
  constexpr int kCalls = 6;
  auto record = [](MessageList history) {
    TraceBuilder b;
    for (int i = 0; i < kCalls; ++i) {
      history.push_back({"user", Content("turn " + std::to_string(i)), "", ""});
      b.Add("a", ConversationCall(history));
      history.push_back({"assistant", Content("ok"), "", ""});
    }
    return b.Build();
  };
  const MessageList start = {{"system", Content("be brief"), "", ""}};

  // The same conversation, live: every call matches.
  {
    auto s = Session(record(start));
    MessageList live = start;
    for (int i = 0; i < kCalls; ++i) {
      live.push_back({"user", Content("turn " + std::to_string(i)), "", ""});
      auto served = s->Serve(Live("a", ConversationCall(live)));
      ASSERT_TRUE(served.ok()) << "call " << i << ": " << served.status().ToString();
      live.push_back({"assistant", Content("ok"), "", ""});
    }
    EXPECT_TRUE(s->Report().matched);
  }
  // The program rewrites an old message before its 4th call (an edited history, not a
  // continued one): the diverging field is found though the calls before matched.
  {
    auto s = Session(record(start));
    MessageList live = start;
    for (int i = 0; i < kCalls; ++i) {
      live.push_back({"user", Content("turn " + std::to_string(i)), "", ""});
      if (i == 3) live.Mutable(2).content = Content("edited");
      auto served = s->Serve(Live("a", ConversationCall(live)));
      if (i < 3) {
        ASSERT_TRUE(served.ok()) << "call " << i;
      } else {
        ASSERT_FALSE(served.ok());
        break;
      }
      live.push_back({"assistant", Content("ok"), "", ""});
    }
    ReplayReport r = s->Report();
    ASSERT_EQ(r.divergences.size(), 1u);
    ASSERT_EQ(r.divergences[0].fields.size(), 1u);
    EXPECT_EQ(r.divergences[0].fields[0].path, "request.messages[2].content");
  }
  // The newest message differs: found at its real index.
  {
    auto s = Session(record(start));
    MessageList live = start;
    for (int i = 0; i < 3; ++i) {
      live.push_back({"user", Content(i == 2 ? "other" : "turn " + std::to_string(i)), "", ""});
      auto served = s->Serve(Live("a", ConversationCall(live)));
      ASSERT_EQ(served.ok(), i < 2) << "call " << i;
      live.push_back({"assistant", Content("ok"), "", ""});
    }
    ReplayReport r = s->Report();
    ASSERT_EQ(r.divergences.size(), 1u);
    ASSERT_EQ(r.divergences[0].fields.size(), 1u);
    EXPECT_EQ(r.divergences[0].fields[0].path, "request.messages[5].content");
  }
}

// A recording read with its blobs loaded: each blob is hashed once when the session is
// built, and live texts are compared with that hash and size, not byte by byte.
TEST(ReplaySessionTest, LoadedBlobsMatchByHashAndAChangeOfTheSameLengthDiverges) {
  auto blob = [](std::string text, uint32_t ordinal) {
    Content c(std::move(text));
    c.blob = ordinal;
    return c;
  };
  auto record = [&] {
    MessageList history = {{"system", blob("be brief", 1), "", ""}};
    TraceBuilder b;
    history.push_back({"user", blob("first question", 2), "", ""});
    b.Add("a", ConversationCall(history));
    history.push_back({"assistant", blob("first answer", 3), "", ""});
    history.push_back({"user", blob("second question", 4), "", ""});
    b.Add("a", ConversationCall(history));
    return b.Build();
  };
  auto replay = [&](const std::string& second) {
    auto s = Session(record());
    MessageList live = {{"system", Content("be brief"), "", ""},
                        {"user", Content("first question"), "", ""}};
    EXPECT_TRUE(s->Serve(Live("a", ConversationCall(live))).ok());
    live.push_back({"assistant", Content("first answer"), "", ""});
    live.push_back({"user", Content(second), "", ""});
    (void)s->Serve(Live("a", ConversationCall(live)));
    return s->Report();
  };
  EXPECT_TRUE(replay("second question").matched);
  ReplayReport changed = replay("second qu3stion");  // Same length, one byte differs.
  EXPECT_FALSE(changed.matched);
  ASSERT_EQ(changed.divergences.size(), 1u);
  ASSERT_EQ(changed.divergences[0].fields.size(), 1u);
  EXPECT_EQ(changed.divergences[0].fields[0].path, "request.messages[3].content");
  EXPECT_EQ(changed.divergences[0].fields[0].recorded, "second question");
  EXPECT_FALSE(replay("second question?").matched);  // Longer.
}

// A recording opened as replay opens one (blobs left in the file) whose conversation spans
// many blob chunks: each chunk's blobs are hashed together when a call first needs one, and
// matching still compares every message with its own blob: a live text that differs in one
// byte, in any chunk, diverges at its message.
TEST(ReplaySessionTest, ALazyRecordingAcrossManyBlobChunksMatchesBlobByBlob) {
  constexpr int kCalls = 24;
  auto text = [](int i) { return testing::TextOfSize(2000, i); };
  MemEnv env;
  {
    SessionHeader header;
    header.session_id = "lazy";
    RecorderOptions options;
    options.env = &env;
    options.chunk_bytes = 8 << 10;  // About four blobs per chunk.
    auto rec = Recorder::Create("/conv.baton", header, options);
    ASSERT_TRUE(rec.ok()) << rec.status().ToString();
    MessageList history;
    for (int i = 0; i < kCalls; ++i) {
      history.push_back({"user", Content(text(i)), "", ""});
      (*rec)->Record("a", ConversationCall(history));
      history.push_back({"assistant", Content("ok"), "", ""});
    }
    ASSERT_TRUE((*rec)->Close().ok());
  }
  auto replay = [&](int changed_call) {
    ReaderOptions lazy;
    lazy.env = &env;
    lazy.blobs = BlobLoading::kLazy;
    auto trace = Trace::Load("/conv.baton", lazy);
    EXPECT_TRUE(trace.ok()) << trace.status().ToString();
    auto s = Session(std::move(trace).value());
    MessageList live;
    for (int i = 0; i < kCalls; ++i) {
      std::string t = text(i);
      if (i == changed_call) t[t.size() / 2] ^= 1;  // Same length, one byte differs.
      live.push_back({"user", Content(t), "", ""});
      if (!s->Serve(Live("a", ConversationCall(live))).ok()) break;
      live.push_back({"assistant", Content("ok"), "", ""});
    }
    return s->Report();
  };
  EXPECT_TRUE(replay(-1).matched);
  for (int changed : {0, 9, kCalls - 1}) {
    ReplayReport r = replay(changed);
    ASSERT_EQ(r.divergences.size(), 1u) << "changed call " << changed;
    ASSERT_EQ(r.divergences[0].fields.size(), 1u);
    EXPECT_EQ(r.divergences[0].fields[0].path,
              "request.messages[" + std::to_string(2 * changed) + "].content");
    EXPECT_EQ(r.divergences[0].fields[0].recorded, text(changed));
  }
}

TEST(ReplaySessionTest, ContinueModeListsEveryDivergenceAndServesTheRecording) {
  ReplayOptions o;
  o.on_divergence = OnDivergence::kContinue;
  auto s = Session(TraceBuilder().Add("a", Call("p1", "r1")).Add("a", Call("p2", "r2")).Build(), o);
  auto x = s->Serve(Live("a", Call("changed 1", "")));
  auto y = s->Serve(Live("a", Call("changed 2", "")));
  ASSERT_TRUE(x.ok() && y.ok());
  EXPECT_EQ((*y)->As<ModelCall>()->response.content.text, "r2");
  EXPECT_EQ(s->Report().divergences.size(), 2u);
  EXPECT_FALSE(s->Report().matched);
}

TEST(ReplaySessionTest, ACallWithNoRecordingSaysWhichCall) {
  auto s = Session(TraceBuilder().Add("writer", Call("p1", "r1")).Build());
  ASSERT_TRUE(s->Serve(Live("writer", Call("p1", ""))).ok());
  auto second = s->Serve(Live("writer", Call("p2", "")));
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("writer's 2nd model call has no recording"));
  EXPECT_THAT(s->Report().divergences[0].summary, HasSubstr("the recording holds 1"));
}

TEST(ReplaySessionTest, UnreachedRecordedCallsMakeTheReplayUnmatched) {
  auto s = Session(TraceBuilder().Add("a", Call("p1", "r1")).Add("a", Call("p2", "r2")).Build());
  ASSERT_TRUE(s->Serve(Live("a", Call("p1", ""))).ok());
  ReplayReport r = s->Report();
  EXPECT_FALSE(r.matched);
  ASSERT_EQ(r.unreached.size(), 1u);
  EXPECT_THAT(r.unreached[0], HasSubstr("#2 a model_call"));
}

TEST(ReplaySessionTest, ReplayOrRecordSendsUnmatchedCallsLive) {
  ReplayOptions o;
  o.mode = ReplayMode::kReplayOrRecord;
  auto s = Session(TraceBuilder().Add("a", Call("p1", "r1")).Build(), o);
  auto fresh = s->Serve(Live("a", Call("new question", "")));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*fresh, nullptr);
  auto old = s->Serve(Live("a", Call("p1", "")));
  ASSERT_TRUE(old.ok());
  ASSERT_NE(*old, nullptr);
  EXPECT_EQ(s->Report().served_live, 1u);
  EXPECT_TRUE(s->Report().divergences.empty());
}

TEST(ReplaySessionTest, ServesClockRandomToolAndEnvironment) {
  auto s = Session(TraceBuilder()
                       .Add("a", ClockRead{"wall", 42})
                       .Add("a", RandomDraw{"dice", 6})
                       .Add("a", ToolCall{"t1", "search", Content("{}"), Content("found"), 5, ""})
                       .Add("a", EnvRead{"HOME", "/root", true})
                       .Build());
  auto clock = s->Serve(Live("a", ClockRead{"wall", 0}));
  auto rnd = s->Serve(Live("a", RandomDraw{"dice", 0}));
  auto tool = s->Serve(Live("a", ToolCall{"", "search", Content("{}"), {}, 0, ""}));
  auto env = s->Serve(Live("a", EnvRead{"HOME", "", false}));
  ASSERT_TRUE(clock.ok() && rnd.ok() && tool.ok() && env.ok());
  EXPECT_EQ((*clock)->As<ClockRead>()->value_ns, 42);
  EXPECT_EQ((*rnd)->As<RandomDraw>()->value, 6u);
  EXPECT_EQ((*tool)->As<ToolCall>()->result.text, "found");
  EXPECT_EQ((*env)->As<EnvRead>()->value, "/root");
  EXPECT_TRUE(s->Report().matched);
}

TEST(ReplaySessionTest, DeliveriesFollowTheRecordedOrderAcrossThreads) {
  // Recorded: c received m2 before b received m1.
  auto s = Session(TraceBuilder()
                       .Add("a", MessageSend{"m1", "b", "x", {}, {}})
                       .Add("a", MessageSend{"m2", "c", "x", {}, {}})
                       .Add("c", MessageDelivery{"m2", "a"})
                       .Add("b", MessageDelivery{"m1", "a"})
                       .Build());
  std::vector<std::string> order;
  std::mutex mu;
  auto receiver = [&](const std::string& agent) {
    // Polls as a mailbox would, but gives up (and so fails the test) after 5 s instead of
    // hanging the suite when the turn never comes.
    for (int attempt = 0; attempt < 250; ++attempt) {
      auto turn = s->AwaitDeliveryTurn(agent, std::chrono::milliseconds(20));
      if (!turn.ok()) continue;
      {
        std::lock_guard<std::mutex> lock(mu);
        order.push_back(agent + ":" + *turn);
      }
      s->DeliveryDone(agent);
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    order.push_back(agent + ": never got its turn");
  };
  std::thread tb(receiver, "b");  // b asks first, and still waits for c.
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  std::thread tc(receiver, "c");
  tb.join();
  tc.join();
  EXPECT_EQ(order, (std::vector<std::string>{"c:m2", "b:m1"}));
}

TEST(ReplaySessionTest, ContextReadsGetTheRecordedVersion) {
  auto s = Session(TraceBuilder()
                       .Add("w", ContextWrite{"k", 1, Content("old")})
                       .Add("w", ContextWrite{"k", 2, Content("new")})
                       .Add("r", ContextRead{"k", 1})
                       .Build());
  auto v = s->ExpectedReadVersion("r", "k");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 1u);
}

TEST(ReplaySessionTest, ReadOfAnotherKeyIsADivergence) {
  auto s = Session(TraceBuilder().Add("r", ContextRead{"k", 1}).Build());
  auto v = s->ExpectedReadVersion("r", "other");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Status::Code::kDiverged);
  EXPECT_EQ(s->Report().divergences[0].fields[0].recorded, "k");
}

TEST(ReplaySessionTest, RecordAndPassthroughAreNotReplayModes) {
  ReplayOptions o;
  o.mode = ReplayMode::kRecord;
  EXPECT_FALSE(ReplaySession::FromTrace(TraceBuilder().Build(), o).ok());
}

TEST(ReplaySessionTest, ReportJsonCarriesTheDivergenceText) {
  auto s = Session(TraceBuilder().Add("a", Call("p1", "r1")).Build());
  (void)s->Serve(Live("a", Call("p9", "")));
  std::string json = s->Report().ToJson();
  EXPECT_THAT(json, HasSubstr("\"matched\":false"));
  EXPECT_THAT(json, HasSubstr("a's 1st model call differs"));
}

}  // namespace
}  // namespace baton
