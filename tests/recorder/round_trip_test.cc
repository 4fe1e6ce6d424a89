// Writing events with the Recorder and reading them back: every kind, field by field;
// blobs stored once; lazy blob loading; random access through the footer index.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "base/mem_env.h"
#include "recorder/recorder.h"
#include "replayer/event_json.h"
#include "replayer/log_reader.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

using ::testing::HasSubstr;

RecorderOptions MemOptions(MemEnv& env) {
  RecorderOptions o;
  o.env = &env;
  return o;
}

ReaderOptions MemReader(MemEnv& env, BlobLoading blobs = BlobLoading::kResolve) {
  ReaderOptions o;
  o.env = &env;
  o.blobs = blobs;
  return o;
}

void WriteEvents(MemEnv& env, const std::string& path, const std::vector<Event>& events,
                 RecorderOptions options) {
  auto rec = Recorder::Create(path, testing::SampleHeader(), options);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  for (const Event& e : events) (*rec)->RecordWithTimes(e);
  Status s = (*rec)->Close();
  ASSERT_TRUE(s.ok()) << s.ToString();
}

TEST(RoundTripTest, EveryKindFieldByField) {
  MemEnv env;
  std::vector<Event> expected = testing::EveryKindEvents();
  ASSERT_EQ(expected.size(), kEventKindCount);
  WriteEvents(env, "/s.baton", expected, MemOptions(env));

  Result<LogContents> log = ReadLog("/s.baton", MemReader(env));
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(log->header, testing::SampleHeader());
  ASSERT_EQ(log->events.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(log->events[i].kind(), static_cast<EventKind>(i));
    EXPECT_EQ(log->events[i], expected[i]) << "read:     " << EventToJson(log->events[i])
                                           << "\nexpected: " << EventToJson(expected[i]);
  }
  EXPECT_EQ(log->report.end, LogEnd::kClean);
  EXPECT_EQ(log->report.ending, "");
  EXPECT_EQ(log->report.events_dropped_by_recorder, 12u);  // From the EventsDropped sample.
}

TEST(RoundTripTest, LargeContentIsABlobAndSmallContentIsInline) {
  MemEnv env;
  WriteEvents(env, "/s.baton", testing::EveryKindEvents(), MemOptions(env));
  Result<LogContents> log = ReadLog("/s.baton", MemReader(env));
  ASSERT_TRUE(log.ok());
  const auto* send = log->events[0].As<MessageSend>();
  ASSERT_NE(send, nullptr);
  EXPECT_NE(send->payload.blob, 0u);
  const auto* call = log->events[6].As<ModelCall>();
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->request.messages[2].content.blob, 0u);  // "short tool text"
  // The same 4 KiB text in the message and in the model call is one blob.
  EXPECT_EQ(call->request.messages[1].content.blob, send->payload.blob);
}

TEST(RoundTripTest, LazyBlobsLoadOnDemand) {
  MemEnv env;
  std::vector<Event> expected = testing::EveryKindEvents();
  WriteEvents(env, "/s.baton", expected, MemOptions(env));
  auto reader = LogReader::Open("/s.baton", MemReader(env, BlobLoading::kLazy));
  ASSERT_TRUE(reader.ok());
  Event e;
  ASSERT_TRUE(*(*reader)->Next(&e));
  const auto& payload = e.As<MessageSend>()->payload;
  EXPECT_TRUE(payload.text.empty());
  EXPECT_FALSE(payload.loaded());
  Result<std::string> text = (*reader)->LoadBlob(payload.blob);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, expected[0].As<MessageSend>()->payload.text);
  EXPECT_EQ((*reader)->BlobSize(payload.blob), text->size());
  Result<std::string> missing = (*reader)->LoadBlob(999999);
  EXPECT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("blob 999999"));
  // Visited in place: the same bytes, and no visit for a blob that is not there.
  std::string visited;
  int visits = 0;
  auto visit = [&](std::string_view bytes) {
    visited = bytes;
    ++visits;
  };
  ASSERT_TRUE((*reader)->VisitBlob(payload.blob, visit).ok());
  EXPECT_EQ(visited, *text);
  Status none = (*reader)->VisitBlob(999999, visit);
  EXPECT_THAT(none.message(), HasSubstr("blob 999999"));
  EXPECT_EQ(visits, 1);
}

// Work over many blobs (replay hashes every blob it matches) reads a chunk once: the blobs
// beside one are exactly those of its chunk, in ordinal order, each the bytes LoadBlob gives.
TEST(RoundTripTest, TheBlobsBesideOneAreThoseOfItsChunk) {
  MemEnv env;
  std::vector<Event> events;
  for (int i = 0; i < 40; ++i) {
    Event e;
    e.seq = static_cast<uint64_t>(i) + 1;
    e.agent = "writer";
    e.body = MessageSend{
        "m" + std::to_string(i), "reader", "report", Content(testing::TextOfSize(3000, i)), {}};
    events.push_back(std::move(e));
  }
  RecorderOptions options = MemOptions(env);
  options.chunk_bytes = 16 << 10;  // A few blobs per chunk.
  WriteEvents(env, "/many.baton", events, options);
  auto reader = LogReader::Open("/many.baton", MemReader(env, BlobLoading::kLazy));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_TRUE((*reader)->ReadRemaining().ok());
  // The blob chunks' ordinal ranges, from the index.
  std::vector<std::pair<uint32_t, uint32_t>> ranges;  // [first, end)
  uint32_t next = 1;
  for (const ChunkIndexEntry& c : (*reader)->index()) {
    if (c.kind != format::ChunkKind::kBlobs) continue;
    ranges.push_back({next, next + c.items});
    next += c.items;
  }
  ASSERT_EQ(next, 41u);  // Every payload is a blob of its own.
  ASSERT_GE(ranges.size(), 3u);
  for (const auto& [first, end] : ranges) {
    const uint32_t asked = first + (end - first) / 2;
    std::vector<uint32_t> visited;
    Status s = (*reader)->VisitBlobsBeside(asked, [&](uint32_t o, std::string_view bytes) {
      visited.push_back(o);
      Result<std::string> alone = (*reader)->LoadBlob(o);
      ASSERT_TRUE(alone.ok()) << alone.status().ToString();
      EXPECT_EQ(bytes, *alone) << "blob " << o;
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    std::vector<uint32_t> expected;
    for (uint32_t o = first; o < end; ++o) expected.push_back(o);
    EXPECT_EQ(visited, expected) << "asked for blob " << asked;
  }
  bool visited_any = false;
  Status none =
      (*reader)->VisitBlobsBeside(999999, [&](uint32_t, std::string_view) { visited_any = true; });
  EXPECT_THAT(none.message(), HasSubstr("blob 999999"));
  EXPECT_FALSE(visited_any);
}

// A conversation that resends its whole history every turn costs O(new text).
TEST(RoundTripTest, ResentHistoryIsStoredOnce) {
  MemEnv env;
  std::vector<Event> events;
  std::vector<ChatMessage> history = {{"system", testing::TextOfSize(2000, 0), "", ""}};
  uint64_t new_text = 2000;
  for (int turn = 0; turn < 50; ++turn) {
    history.push_back({"user", testing::TextOfSize(1000, 100 + turn), "", ""});
    ModelCall call;
    call.request.messages = history;
    call.response.content = testing::TextOfSize(1000, 1000 + turn);
    history.push_back({"assistant", call.response.content, "", ""});
    new_text += 2000;
    Event e;
    e.seq = static_cast<uint64_t>(turn) + 1;
    e.agent = "writer";
    e.body = std::move(call);
    events.push_back(std::move(e));
  }
  WriteEvents(env, "/conv.baton", events, MemOptions(env));
  auto reader = LogReader::Open("/conv.baton", MemReader(env));
  ASSERT_TRUE(reader.ok());
  const FooterTotals& totals = (*reader)->footer();
  EXPECT_EQ(totals.blob_bytes_stored, new_text);
  EXPECT_EQ(totals.blob_count, 101u);
  // Resending would be 50 turns x a growing history (~2.5 MB of references and text);
  // each call stores a reference to the previous one plus its two new messages.
  EXPECT_LT(totals.raw_bytes, new_text + 50 * 800);  // ~250 KB when every call lists them all.
  Result<LogContents> log = ReadLog("/conv.baton", MemReader(env));
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->events, events);
}

// Shared message prefixes never cross a chunk: with tiny chunks every chunk still decodes
// on its own, through the stream and through random access.
TEST(RoundTripTest, ResentHistoryAcrossManyChunksDecodesChunkByChunk) {
  MemEnv env;
  std::vector<Event> events;
  std::vector<ChatMessage> history = {{"system", Content("be brief"), "", ""}};
  for (int turn = 0; turn < 40; ++turn) {
    history.push_back({"user", testing::TextOfSize(300, turn), "", ""});
    for (const char* agent : {"a", "b"}) {
      ModelCall call;
      call.request.messages = history;
      call.response.content = "ok";
      Event e;
      e.seq = events.size() + 1;
      e.agent = agent;
      e.body = std::move(call);
      events.push_back(std::move(e));
    }
  }
  RecorderOptions options = MemOptions(env);
  options.chunk_bytes = 1024;
  WriteEvents(env, "/chunks.baton", events, options);
  Result<LogContents> log = ReadLog("/chunks.baton", MemReader(env));
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(log->events, events);
  auto reader = LogReader::Open("/chunks.baton", MemReader(env));
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->has_index());
  std::vector<Event> by_chunk;
  for (size_t i = 0; i < (*reader)->index().size(); ++i) {
    if ((*reader)->index()[i].kind != format::ChunkKind::kEvents) continue;
    auto chunk = (*reader)->ReadEventChunk(i);
    ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
    by_chunk.insert(by_chunk.end(), chunk->begin(), chunk->end());
  }
  EXPECT_GT((*reader)->index().size(), 10u);
  EXPECT_EQ(by_chunk, events);
}

TEST(RoundTripTest, RandomAccessThroughTheFooterIndex) {
  MemEnv env;
  RecorderOptions options = MemOptions(env);
  options.chunk_bytes = 2048;  // Many chunks.
  std::vector<Event> events;
  for (int i = 0; i < 300; ++i) {
    Event e;
    e.seq = static_cast<uint64_t>(i) + 1;
    e.mono_ns = i * 1000;
    e.agent = "a" + std::to_string(i % 3);
    e.body = ToolCall{"t" + std::to_string(i), "search", "{}", testing::TextOfSize(200, i), 5, ""};
    events.push_back(std::move(e));
  }
  WriteEvents(env, "/idx.baton", events, options);
  auto reader = LogReader::Open("/idx.baton", MemReader(env));
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->has_index());
  std::vector<Event> via_index;
  size_t event_chunks = 0;
  for (size_t i = 0; i < (*reader)->index().size(); ++i) {
    const ChunkIndexEntry& entry = (*reader)->index()[i];
    if (entry.kind != format::ChunkKind::kEvents) continue;
    ++event_chunks;
    Result<std::vector<Event>> chunk = (*reader)->ReadEventChunk(i);
    ASSERT_TRUE(chunk.ok()) << chunk.status().ToString();
    EXPECT_EQ(chunk->front().seq, entry.first_seq);
    EXPECT_EQ(chunk->back().seq, entry.last_seq);
    EXPECT_EQ(chunk->back().mono_ns, entry.last_mono_ns);
    for (auto& e : *chunk) via_index.push_back(std::move(e));
  }
  EXPECT_GT(event_chunks, 5u);
  EXPECT_EQ(via_index, events);
  EXPECT_EQ((*reader)->footer().event_count, 300u);
}

TEST(RoundTripTest, FileIsIncompleteUntilClose) {
  MemEnv env;
  auto rec = Recorder::Create("/live.baton", testing::SampleHeader(), MemOptions(env));
  ASSERT_TRUE(rec.ok());
  (*rec)->Record("planner", MessageProcessed{"m1"});
  ASSERT_TRUE((*rec)->Flush().ok());
  EXPECT_TRUE(env.FileExists("/live.baton.incomplete"));
  EXPECT_FALSE(env.FileExists("/live.baton"));
  // A reader of the live file sees what was flushed, and that it has not ended cleanly.
  ReaderOptions ro = MemReader(env);
  Result<LogContents> live = ReadLog("/live.baton.incomplete", ro);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(live->events.size(), 1u);
  EXPECT_EQ(live->report.end, LogEnd::kAbnormal);
  EXPECT_THAT(live->report.ending, HasSubstr("recording ended abnormally at byte"));
  EXPECT_THAT(live->report.ending, HasSubstr("1 events recovered"));
  ASSERT_TRUE((*rec)->Close().ok());
  EXPECT_FALSE(env.FileExists("/live.baton.incomplete"));
  EXPECT_TRUE(env.FileExists("/live.baton"));
  EXPECT_TRUE((*rec)->Close().ok());  // Idempotent.
}

TEST(RoundTripTest, RecordStampsMonotonicTimesInSeqOrder) {
  MemEnv env;
  ManualClock clock;
  RecorderOptions options = MemOptions(env);
  options.clock = &clock;
  auto rec = Recorder::Create("/t.baton", testing::SampleHeader(), options);
  ASSERT_TRUE(rec.ok());
  uint64_t first = (*rec)->Record("planner", ClockRead{"wall", 1});
  clock.Advance(1500);
  uint64_t second = (*rec)->Record("planner", ClockRead{"wall", 2}, first);
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(second, 2u);
  ASSERT_TRUE((*rec)->Close().ok());
  Result<LogContents> log = ReadLog("/t.baton", MemReader(env));
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->events.size(), 2u);
  EXPECT_EQ(log->events[0].mono_ns, 0);
  EXPECT_EQ(log->events[1].mono_ns, 1500);
  EXPECT_EQ(log->events[1].wall_ns, clock.WallNanos());
  EXPECT_EQ(log->events[1].cause, first);
}

TEST(RoundTripTest, WriteFailureIsReportedNotHung) {
  MemEnv env;
  env.FailWritesAfter(3000);
  RecorderOptions options = MemOptions(env);
  options.chunk_bytes = 1024;
  options.max_buffered_bytes = 8192;  // Small: callers would block if the writer stalled.
  auto rec = Recorder::Create("/full.baton", testing::SampleHeader(), options);
  ASSERT_TRUE(rec.ok());
  for (int i = 0; i < 2000; ++i)
    (*rec)->Record("planner", ToolCall{"t", "search", "{}", testing::TextOfSize(500, i), 0, ""});
  Status s = (*rec)->Close();
  EXPECT_EQ(s.code(), Status::Code::kIOError);
  EXPECT_THAT(s.message(), HasSubstr("/full.baton.incomplete"));
  EXPECT_THAT(s.message(), HasSubstr("disk full"));
  EXPECT_FALSE(env.FileExists("/full.baton"));  // Not renamed: it did not end cleanly.
}

TEST(RoundTripTest, AWriteFailureIsVisibleAtOnceAndLaterEventsAreCountedAsLost) {
  MemEnv env;
  env.FailWritesAfter(3000);
  RecorderOptions options = MemOptions(env);
  options.chunk_bytes = 1024;
  auto rec = Recorder::Create("/full.baton", testing::SampleHeader(), options);
  ASSERT_TRUE(rec.ok());
  int accepted_after_failure = 0;
  uint64_t refused = 0;  // The failure may come before the Flush below; never after it.
  for (int i = 0; i < 400; ++i) {
    uint64_t seq = (*rec)->Record(
        "planner", ToolCall{"t", "search", "{}", testing::TextOfSize(500, i), 0, ""});
    if (i == 200) {
      // By now the writer has hit the full disk: the caller can see it without closing.
      EXPECT_FALSE((*rec)->Flush().ok());
      EXPECT_EQ((*rec)->status().code(), Status::Code::kIOError);
    }
    if (i > 200 && seq != 0) ++accepted_after_failure;
    if (seq == 0) ++refused;
  }
  EXPECT_EQ(accepted_after_failure, 0);
  EXPECT_GE(refused, 199u);
  EXPECT_EQ((*rec)->stats().events_lost_to_write_error, refused);
  EXPECT_FALSE((*rec)->Close().ok());
}

TEST(RoundTripTest, ALeftoverIncompleteFileIsKeptNotTruncated) {
  MemEnv env;
  env.SetContents("/run.baton.incomplete", "evidence of an earlier crash");
  env.SetContents("/run.crashed-1.baton.incomplete", "an even earlier one");
  auto rec = Recorder::Create("/run.baton", testing::SampleHeader(), MemOptions(env));
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ((*rec)->preserved_leftover(), "/run.crashed-2.baton.incomplete");
  EXPECT_EQ(env.Contents("/run.crashed-2.baton.incomplete"), "evidence of an earlier crash");
  EXPECT_EQ(env.Contents("/run.crashed-1.baton.incomplete"), "an even earlier one");
  ASSERT_TRUE((*rec)->Close().ok());
  EXPECT_TRUE(env.FileExists("/run.baton"));
  auto again = Recorder::Create("/run.baton", testing::SampleHeader(), MemOptions(env));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->preserved_leftover(), "");  // Nothing was left this time.
}

TEST(RoundTripTest, BadOptionsAreRefused) {
  MemEnv env;
  RecorderOptions options = MemOptions(env);
  options.redaction.patterns = {"(unclosed"};
  auto rec = Recorder::Create("/bad.baton", testing::SampleHeader(), options);
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.status().code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(rec.status().message(), HasSubstr("(unclosed"));
  options.redaction.patterns.clear();
  options.chunk_bytes = 0;
  EXPECT_FALSE(Recorder::Create("/bad.baton", testing::SampleHeader(), options).ok());
}

}  // namespace
}  // namespace baton

namespace baton {
namespace {

// A clock whose wall time can be stepped independently of monotonic time, like NTP does.
class SteppingClock final : public Clock {
 public:
  int64_t MonoNanos() const override { return mono_; }
  int64_t WallNanos() const override { return 1'700'000'000'000'000'000 + mono_ + step_; }
  void Advance(int64_t ns) { mono_ += ns; }
  void StepWall(int64_t ns) { step_ += ns; }

 private:
  std::atomic<int64_t> mono_{0};
  std::atomic<int64_t> step_{0};
};

// Wall time is read at most once per millisecond of monotonic time; a wall clock step
// shows up from the next reading on, and never makes recorded wall time lag by more.
TEST(RoundTripTest, WallClockStepsShowWithinAMillisecond) {
  MemEnv env;
  SteppingClock clock;
  RecorderOptions options = MemOptions(env);
  options.clock = &clock;
  std::vector<uint64_t> seqs;
  {
    auto rec = Recorder::Create("/wall.baton", SessionHeader{}, options);
    ASSERT_TRUE(rec.ok());
    seqs.push_back((*rec)->Record("a", ClockRead{"wall", 1}));
    clock.StepWall(5'000'000'000);
    clock.Advance(500'000);  // 0.5 ms: still on the previous reading.
    seqs.push_back((*rec)->Record("a", ClockRead{"wall", 2}));
    clock.Advance(600'000);  // 1.1 ms since the reading: read again.
    seqs.push_back((*rec)->Record("a", ClockRead{"wall", 3}));
    ASSERT_TRUE((*rec)->Close().ok());
  }
  auto log = ReadLog("/wall.baton", MemReader(env));
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->events.size(), 3u);
  const int64_t w0 = log->events[0].wall_ns;
  EXPECT_EQ(log->events[1].wall_ns, w0 + 500'000);
  EXPECT_EQ(log->events[2].wall_ns, w0 + 1'100'000 + 5'000'000'000);
  EXPECT_EQ(log->events[2].mono_ns, 1'100'000);
}

}  // namespace
}  // namespace baton
