// MessageList (shared request histories) and what the format does with long conversations:
// prefixes across chunks, checkpoints, decoded lists that share their messages, and the
// bounded loss a damaged chunk causes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "base/mem_env.h"
#include "recorder/recorder.h"
#include "replayer/event_json.h"
#include "replayer/log_reader.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

ChatMessage User(const std::string& text) { return {"user", Content(text), "", ""}; }

std::vector<std::string> Texts(const MessageList& list) {
  std::vector<std::string> out;
  for (const ChatMessage& m : list) out.push_back(m.content.text);
  return out;
}

TEST(MessageListTest, CopiesShareTheirMessagesAndAppendingAtTheTipShares) {
  MessageList a = {User("one"), User("two")};
  MessageList b = a;
  EXPECT_EQ(MessageList::SharedPrefix(a, b), 2u);
  b.push_back(User("three"));
  // b appended in place: it still shares the first two with a.
  EXPECT_EQ(MessageList::SharedPrefix(a, b), 2u);
  EXPECT_EQ(&a[0], &b[0]);
  EXPECT_THAT(Texts(a), ::testing::ElementsAre("one", "two"));
  EXPECT_THAT(Texts(b), ::testing::ElementsAre("one", "two", "three"));
}

TEST(MessageListTest, AppendingToTwoCopiesGivesEachItsOwnMessages) {
  MessageList a = {User("one")};
  MessageList b = a;
  b.push_back(User("from b"));
  a.push_back(User("from a"));  // The slot after "one" is b's: a copies.
  EXPECT_THAT(Texts(a), ::testing::ElementsAre("one", "from a"));
  EXPECT_THAT(Texts(b), ::testing::ElementsAre("one", "from b"));
  EXPECT_EQ(MessageList::SharedPrefix(a, b), 0u);
  EXPECT_EQ(MessageList::CommonPrefix(a, b), 1u);  // Equal by value, though not shared.
}

TEST(MessageListTest, ChangingAMessageNeverChangesAnotherList) {
  MessageList a = {User("one"), User("two")};
  MessageList b = a;
  b.Mutable(1).content = Content("changed");
  EXPECT_THAT(Texts(a), ::testing::ElementsAre("one", "two"));
  EXPECT_THAT(Texts(b), ::testing::ElementsAre("one", "changed"));
  EXPECT_FALSE(a == b);

  MessageList c = a;
  c.Truncate(1);
  c.push_back(User("other"));  // a still holds "two" in that slot.
  EXPECT_THAT(Texts(a), ::testing::ElementsAre("one", "two"));
  EXPECT_THAT(Texts(c), ::testing::ElementsAre("one", "other"));
}

TEST(MessageListTest, AMovedFromListIsEmptyAndUsable) {
  MessageList a = {User("one")};
  MessageList b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): what is being tested.
  a.push_back(User("again"));
  EXPECT_THAT(Texts(a), ::testing::ElementsAre("again"));
  EXPECT_THAT(Texts(b), ::testing::ElementsAre("one"));
}

TEST(MessageListTest, GrowsPastManySegmentsKeepingEveryMessageInPlace) {
  MessageList a;
  std::vector<const ChatMessage*> where;
  for (int i = 0; i < 5000; ++i) {
    a.push_back(User(std::to_string(i)));
    where.push_back(&a[i]);
  }
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(&a[i], where[i]) << i;
    ASSERT_EQ(a[i].content.text, std::to_string(i));
  }
  EXPECT_EQ(std::distance(a.begin(), a.end()), 5000);
  EXPECT_EQ(a.rbegin()->content.text, "4999");
}

TEST(MessageListTest, ResolvingACopiedEventLeavesTheOriginalsMessagesAlone) {
  Event e;
  ModelCall call;
  call.request.messages = {User("hello")};
  e.body = call;
  Event copy = e;
  ForEachContent(copy, [](Content& c) { c.text = "resolved"; });
  EXPECT_EQ(e.As<ModelCall>()->request.messages[0].content.text, "hello");
  EXPECT_EQ(copy.As<ModelCall>()->request.messages[0].content.text, "resolved");
}

TEST(MessageListTest, ListsCopiedToThreadsAppendIndependently) {
  // Each thread continues its own copy of one conversation; a slot is claimed by one list
  // only, and no list sees another's messages (TSan runs this: see scripts/sanitize).
  MessageList base = {User("system")};
  constexpr int kThreads = 4, kAppends = 2000;
  std::vector<MessageList> lists(kThreads, base);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&lists, t] {
      for (int i = 0; i < kAppends; ++i) lists[t].push_back(User(std::to_string(t)));
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(lists[t].size(), 1u + kAppends);
    EXPECT_EQ(lists[t][0].content.text, "system");
    for (size_t i = 1; i < lists[t].size(); ++i)
      ASSERT_EQ(lists[t][i].content.text, std::to_string(t)) << "list " << t << " at " << i;
  }
  EXPECT_EQ(base.size(), 1u);
}

// A conversation of `turns` calls by one agent, each resending the whole history.
std::vector<Event> Conversation(int turns) {
  std::vector<Event> events;
  MessageList history = {{"system", Content("You are a careful researcher."), "", ""}};
  for (int turn = 0; turn < turns; ++turn) {
    // Long enough to be a blob, short enough for many events per small chunk.
    history.push_back(User("question " + std::to_string(turn) + std::string(150, 'q')));
    events.push_back(testing::ConversationCall(events.size() + 1, "researcher", history,
                                               "answer " + std::to_string(turn)));
    history.push_back({"assistant", Content("answer " + std::to_string(turn)), "", ""});
  }
  return events;
}

void Write(MemEnv& env, const std::string& path, const std::vector<Event>& events,
           size_t chunk_bytes) {
  RecorderOptions o;
  o.env = &env;
  o.chunk_bytes = chunk_bytes;
  auto rec = Recorder::Create(path, testing::SampleHeader(), o);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  for (const Event& e : events) (*rec)->RecordWithTimes(e);
  ASSERT_TRUE((*rec)->Close().ok());
}

ReaderOptions Mem(MemEnv& env) {
  ReaderOptions o;
  o.env = &env;
  return o;
}

TEST(LongConversationTest, PrefixesContinueAcrossChunksAndTheReadListsShareTheirMessages) {
  MemEnv env;
  const std::vector<Event> written = Conversation(200);
  Write(env, "/long.baton", written, /*chunk_bytes=*/512);
  auto reader = LogReader::Open("/long.baton", Mem(env));
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->has_index());
  size_t event_chunks = 0;
  for (const ChunkIndexEntry& c : (*reader)->index())
    event_chunks += c.kind == format::ChunkKind::kEvents;
  // Past several checkpoints, so both ways of starting over are read.
  ASSERT_GT(event_chunks, 3 * format::kPrefixCheckpointChunks);

  Result<LogContents> log = ReadLog("/long.baton", Mem(env));
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->events.size(), written.size());
  const MessageList* previous = nullptr;
  for (size_t i = 0; i < written.size(); ++i) {
    ASSERT_EQ(log->events[i], written[i]) << "event " << i + 1;
    const MessageList& messages = log->events[i].As<ModelCall>()->request.messages;
    // Memory linear in the session: every call holds its predecessor's messages as the same
    // stored objects, across chunk boundaries and checkpoints alike.
    if (previous != nullptr) {
      ASSERT_EQ(MessageList::SharedPrefix(*previous, messages), previous->size())
          << "event " << i + 1;
    }
    previous = &messages;
  }
}

TEST(LongConversationTest, TheFileGrowsWithWhatIsNewNotWithTheHistory) {
  // Version 1 wrote every chunk's first call in full: its size grew with the square of the
  // turns once histories outgrew a chunk. Per turn, a long conversation must cost about what
  // a short one does.
  MemEnv env;
  Write(env, "/short.baton", Conversation(100), 4096);
  Write(env, "/long.baton", Conversation(800), 4096);
  double per_turn_short = env.Contents("/short.baton")->size() / 100.0;
  double per_turn_long = env.Contents("/long.baton")->size() / 800.0;
  EXPECT_LT(per_turn_long, 1.5 * per_turn_short)
      << per_turn_short << " bytes per turn at 100 turns, " << per_turn_long << " at 800";
}

TEST(LongConversationTest, RandomAccessToALaterChunkRebuildsItsRequests) {
  MemEnv env;
  const std::vector<Event> written = Conversation(120);
  Write(env, "/long.baton", written, 512);
  auto reader = LogReader::Open("/long.baton", Mem(env));
  ASSERT_TRUE(reader.ok());
  const auto& index = (*reader)->index();
  size_t last_events = index.size();
  for (size_t i = 0; i < index.size(); ++i)
    if (index[i].kind == format::ChunkKind::kEvents) last_events = i;
  ASSERT_LT(last_events, index.size());
  auto events = (*reader)->ReadEventChunk(last_events);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_FALSE(events->empty());
  for (const Event& e : *events) EXPECT_EQ(e, written[e.seq - 1]) << "event " << e.seq;
}

TEST(LongConversationTest, ADamagedChunkCostsLaterRequestsOnlyUntilTheNextCheckpoint) {
  MemEnv env;
  const std::vector<Event> written = Conversation(300);
  Write(env, "/long.baton", written, 512);
  std::vector<ChunkIndexEntry> event_chunks;
  {
    auto reader = LogReader::Open("/long.baton", Mem(env));
    ASSERT_TRUE(reader.ok());
    for (const ChunkIndexEntry& c : (*reader)->index())
      if (c.kind == format::ChunkKind::kEvents) event_chunks.push_back(c);
  }
  ASSERT_GT(event_chunks.size(), 2 * format::kPrefixCheckpointChunks + 2);
  // Damage the second event chunk's payload (its CRC then fails).
  std::string bytes = *env.Contents("/long.baton");
  bytes[event_chunks[1].offset + format::kChunkHeaderSize + 4] ^= 0x5a;
  env.SetContents("/long.baton", bytes);

  ReaderOptions o = Mem(env);
  o.on_corrupt = CorruptChunkPolicy::kSkip;
  Result<LogContents> log = ReadLog("/long.baton", o);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_FALSE(log->report.skipped_chunks.empty());
  // Every event read is exactly what was written. What is lost is one run of events from
  // the damaged chunk on (calls whose prefixes lead back into it), ending at a checkpoint:
  // the last chunk is back whole.
  for (const Event& e : log->events) ASSERT_EQ(e, written[e.seq - 1]) << "event " << e.seq;
  std::vector<uint64_t> lost;
  for (size_t i = 0, seq = 1; seq <= written.size(); ++seq) {
    if (i < log->events.size() && log->events[i].seq == seq) {
      ++i;
    } else {
      lost.push_back(seq);
    }
  }
  ASSERT_FALSE(lost.empty());
  EXPECT_EQ(lost.front(), event_chunks[1].first_seq);
  EXPECT_EQ(lost.back() - lost.front() + 1, lost.size()) << "the losses are not one run";
  EXPECT_LT(lost.back(), event_chunks.back().first_seq);
}

}  // namespace
}  // namespace baton
