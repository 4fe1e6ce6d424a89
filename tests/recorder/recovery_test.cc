// Damaged and foreign input: truncation at every byte, byte flips everywhere, newer
// versions and kinds, non-baton files. Never a crash, never wrong data, always a
// message naming the file and the byte offset.
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/mem_env.h"
#include "recorder/baton.capnp.h"
#include "recorder/chunk_format.h"
#include "recorder/recorder.h"
#include "replayer/log_reader.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

// A small log with several event and blob chunks.
class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    events_ = testing::RecordSmallChunkedLog(env_, "/orig.baton");
    ASSERT_EQ(events_.size(), 24u);
    bytes_ = *env_.Contents("/orig.baton");
  }

  Result<LogContents> Read(const std::string& bytes, CorruptChunkPolicy policy) {
    env_.SetContents("/f.baton", bytes);
    ReaderOptions o;
    o.env = &env_;
    o.on_corrupt = policy;
    return ReadLog("/f.baton", o);
  }

  // Offsets of every chunk in the original file.
  std::vector<uint64_t> ChunkOffsets() {
    std::vector<uint64_t> offsets;
    size_t off = format::kFileHeaderSize;
    format::ChunkHeader h;
    while (format::DecodeChunkHeader(std::string_view(bytes_).substr(off), &h)) {
      offsets.push_back(off);
      off += format::kChunkHeaderSize + h.stored_length;
    }
    return offsets;
  }

  MemEnv env_;
  std::vector<Event> events_;
  std::string bytes_;
};

TEST_F(RecoveryTest, FileHasSeveralChunks) { EXPECT_GT(ChunkOffsets().size(), 6u); }

TEST_F(RecoveryTest, TruncationAtEveryByteRecoversACompletePrefix) {
  size_t previous = 0;
  for (size_t cut = 0; cut < bytes_.size(); ++cut) {
    Result<LogContents> log = Read(bytes_.substr(0, cut), CorruptChunkPolicy::kStop);
    if (!log.ok()) {
      // Only a cut before the session header is complete may fail to open.
      EXPECT_LT(cut, ChunkOffsets()[1]) << "cut at " << cut << ": " << log.status().ToString();
      EXPECT_THAT(log.status().code(),
                  AnyOf(Status::Code::kNotABatonFile, Status::Code::kCorruption));
      EXPECT_THAT(log.status().message(), HasSubstr("/f.baton"));
      continue;
    }
    const auto& got = log->events;
    ASSERT_LE(got.size(), events_.size());
    for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], events_[i]) << "cut at " << cut;
    EXPECT_GE(got.size(), previous) << "cut at " << cut;
    previous = got.size();
    if (log->report.end == LogEnd::kAbnormal) {
      EXPECT_THAT(log->report.ending, HasSubstr("recording ended abnormally at byte "));
      EXPECT_THAT(log->report.ending, HasSubstr(std::to_string(got.size()) + " events recovered"));
    } else {
      // Cut inside the trailer: the footer chunk was reached, every event is there.
      EXPECT_EQ(log->report.end, LogEnd::kClean) << "cut at " << cut;
      EXPECT_EQ(got.size(), events_.size());
    }
  }
  EXPECT_EQ(previous, events_.size());
}

TEST_F(RecoveryTest, ByteFlipsAnywhereAreReportedOrHarmless) {
  for (size_t at = 0; at < bytes_.size(); ++at) {
    std::string damaged = bytes_;
    damaged[at] ^= 0x5a;
    Result<LogContents> log = Read(damaged, CorruptChunkPolicy::kStop);
    if (!log.ok()) {
      EXPECT_THAT(log.status().message(), HasSubstr("/f.baton")) << "flip at " << at;
      EXPECT_THAT(log.status().message(), AnyOf(HasSubstr("byte"), HasSubstr("not a .baton file")))
          << "flip at " << at;
      continue;
    }
    // Read without error: then nothing may be wrong (a damaged footer or trailer only
    // costs the index; the scan still finds every event).
    EXPECT_EQ(log->events, events_) << "flip at " << at;
  }
}

TEST_F(RecoveryTest, SkipCorruptReadsPastDamageAndKeepsOrder) {
  for (size_t at = format::kFileHeaderSize; at < bytes_.size(); at += 7) {
    std::string damaged = bytes_;
    damaged[at] ^= 0xff;
    Result<LogContents> log = Read(damaged, CorruptChunkPolicy::kSkip);
    if (!log.ok()) continue;  // The session header itself was hit.
    uint64_t last = 0;
    for (const Event& e : log->events) {
      ASSERT_GT(e.seq, last);
      last = e.seq;
      const Event& original = events_[e.seq - 1];
      // Contents of a skipped blob chunk are missing; everything else is intact.
      const auto* send = e.As<MessageSend>();
      ASSERT_NE(send, nullptr);
      if (send->payload.loaded())
        EXPECT_EQ(e, original) << "flip at " << at;
      else
        EXPECT_GT(log->report.missing_blobs, 0u);
    }
  }
}

TEST_F(RecoveryTest, CorruptChunkErrorNamesFileOffsetAndChecksum) {
  std::vector<uint64_t> offsets = ChunkOffsets();
  uint64_t target = offsets[offsets.size() / 2];
  std::string damaged = bytes_;
  damaged[target + format::kChunkHeaderSize + 3] ^= 0x01;
  Result<LogContents> log = Read(damaged, CorruptChunkPolicy::kStop);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(log.status().message(), HasSubstr("/f.baton: "));
  EXPECT_THAT(log.status().message(),
              HasSubstr("chunk at byte " + std::to_string(target) + ": crc32c mismatch"));

  Result<LogContents> skipped = Read(damaged, CorruptChunkPolicy::kSkip);
  ASSERT_TRUE(skipped.ok());
  ASSERT_EQ(skipped->report.skipped_chunks.size(), 1u);
  EXPECT_EQ(skipped->report.skipped_chunks[0].offset, target);
  EXPECT_GT(skipped->events.size(), 0u);
  EXPECT_EQ(skipped->events.back(), events_.back());  // Reading went on to the end.
}

TEST_F(RecoveryTest, DamagedLengthFieldIsResynchronized) {
  std::vector<uint64_t> offsets = ChunkOffsets();
  uint64_t target = offsets[2];
  std::string damaged = bytes_;
  format::PutFixed32(&damaged[target + 8], 0x00ffffff);  // Stored length.
  Result<LogContents> log = Read(damaged, CorruptChunkPolicy::kSkip);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(log->report.skipped_chunks.size(), 1u);
  EXPECT_EQ(log->events.back(), events_.back());
}

TEST(ForeignInputTest, NotABatonFile) {
  MemEnv env;
  env.SetContents("/notes.txt", "just some text that is long enough to have a header\n");
  ReaderOptions o;
  o.env = &env;
  for (const char* path : {"/notes.txt"}) {
    auto r = LogReader::Open(path, o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kNotABatonFile);
    EXPECT_EQ(r.status().message(),
              std::string(path) + ": not a .baton file (no baton magic at byte 0)");
  }
  auto missing = LogReader::Open("/nope.baton", o);
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
}

TEST(ForeignInputTest, NewerRequiredReaderIsRefusedWithBothVersions) {
  MemEnv env;
  testing::FileBuilder b(/*format_version=*/100, /*required_reader_version=*/99);
  b.Header(testing::SampleHeader());
  env.SetContents("/new.baton", b.bytes());
  ReaderOptions o;
  o.env = &env;
  auto r = LogReader::Open("/new.baton", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotSupported);
  EXPECT_EQ(r.status().message(),
            "/new.baton: written by format version 100, which requires reader version 99; this "
            "reader is version " +
                std::to_string(format::kReaderVersion) + ": upgrade baton to read it");
}

TEST(ForeignInputTest, NewerKindsFromACompatibleWriterAreSkippedAndCounted) {
  MemEnv env;
  std::vector<Event> events = testing::EveryKindEvents();
  // Keep contents inline-sized so the builder (no blobs) stays simple.
  testing::FileBuilder b(/*format_version=*/2, /*required_reader_version=*/1);
  b.Header(testing::SampleHeader());
  events[1].seq = 1;
  events[3].seq = 2;
  b.Events({events[1], events[3]});
  b.Chunk(static_cast<format::ChunkKind>(42), 1, std::string(16, '\0'));
  std::string unknown = testing::FileBuilder::EventWithUnknownKind(3, 400);
  b.Chunk(format::ChunkKind::kEvents, 1, unknown);
  Event later = events[5];
  later.seq = 4;
  b.Events({later});
  env.SetContents("/mixed.baton", b.bytes());
  ReaderOptions o;
  o.env = &env;
  Result<LogContents> log = ReadLog("/mixed.baton", o);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->events.size(), 3u);
  EXPECT_EQ(log->events[0], events[1]);
  EXPECT_EQ(log->events[2], later);
  EXPECT_EQ(log->report.unknown_events_skipped, 1u);
  EXPECT_EQ(log->report.unknown_chunks_skipped, 1u);
  EXPECT_EQ(log->report.end, LogEnd::kAbnormal);  // No footer: the builder wrote none.
}

TEST(ForeignInputTest, GarbageWithAValidChecksumIsCorruptionNotACrash) {
  MemEnv env;
  ReaderOptions o;
  o.env = &env;
  std::string garbage;
  for (int i = 0; i < 64; ++i) garbage.push_back(static_cast<char>(i * 37 + 11));
  testing::FileBuilder b;
  b.Header(testing::SampleHeader());
  b.Chunk(format::ChunkKind::kEvents, 1, garbage);
  env.SetContents("/garbage.baton", b.bytes());
  Result<LogContents> log = ReadLog("/garbage.baton", o);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(log.status().message(), HasSubstr("/garbage.baton: event chunk at byte "));
}

TEST(ForeignInputTest, SeqGoingBackwardsIsCorruption) {
  MemEnv env;
  std::vector<Event> events = testing::EveryKindEvents();
  Event a = events[1], b2 = events[3];
  a.seq = 1;
  b2.seq = 1;
  testing::FileBuilder b;
  b.Header(testing::SampleHeader()).Events({a, b2});
  env.SetContents("/back.baton", b.bytes());
  ReaderOptions o;
  o.env = &env;
  Result<LogContents> log = ReadLog("/back.baton", o);
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(log.status().message(), HasSubstr("seq 1 does not follow seq 1"));
}

}  // namespace
}  // namespace baton

namespace baton {
namespace {

// A model_call event as a raw message, with the message-prefix fields set by hand.
std::string RawModelCall(uint64_t seq, const std::string& agent, std::vector<std::string> texts,
                         uint64_t prefix_from, uint32_t prefix_length) {
  capnp::MallocMessageBuilder message;
  auto e = message.initRoot<schema::Event>();
  e.setSeq(seq);
  e.setAgent(agent);
  auto req = e.initModelCall().initRequest();
  req.setPrefixFrom(prefix_from);
  req.setPrefixLength(prefix_length);
  auto msgs = req.initMessages(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    msgs[i].setRole("user");
    msgs[i].initContent().setInline(texts[i]);
  }
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

Result<LogContents> ReadChunkOf(const std::vector<std::string>& raw_events) {
  MemEnv env;
  testing::FileBuilder b;
  b.Header(testing::SampleHeader());
  std::string raw;
  for (const std::string& e : raw_events) raw += e;
  b.Chunk(format::ChunkKind::kEvents, raw_events.size(), raw);
  env.SetContents("/prefix.baton", b.bytes());
  ReaderOptions o;
  o.env = &env;
  return ReadLog("/prefix.baton", o);
}

TEST(ForeignInputTest, MessagePrefixesAreRebuiltAndBadOnesAreCorruption) {
  auto good = ReadChunkOf(
      {RawModelCall(1, "a", {"one", "two"}, 0, 0), RawModelCall(2, "a", {"three"}, 1, 2)});
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  ASSERT_EQ(good->events.size(), 2u);
  const auto& messages = good->events[1].As<ModelCall>()->request.messages;
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].content.text, "one");
  EXPECT_EQ(messages[2].content.text, "three");

  struct Bad {
    const char* what;
    std::vector<std::string> events;
  };
  for (const Bad& bad : {
           Bad{"longer than the call it continues",
               {RawModelCall(1, "a", {"one"}, 0, 0), RawModelCall(2, "a", {"x"}, 1, 5)}},
           Bad{"a seq that is not the agent's previous call",
               {RawModelCall(1, "a", {"one"}, 0, 0), RawModelCall(2, "a", {"x"}, 7, 1)}},
           Bad{"another agent's call",
               {RawModelCall(1, "a", {"one"}, 0, 0), RawModelCall(2, "b", {"x"}, 1, 1)}},
           Bad{"no earlier call at all", {RawModelCall(1, "a", {"x"}, 1, 1)}},
       }) {
    auto log = ReadChunkOf(bad.events);
    ASSERT_FALSE(log.ok()) << bad.what;
    EXPECT_EQ(log.status().code(), Status::Code::kCorruption) << bad.what;
    EXPECT_THAT(log.status().message(),
                ::testing::HasSubstr("which is not that agent's previous model call"))
        << bad.what;
    EXPECT_THAT(log.status().message(), ::testing::HasSubstr("/prefix.baton: event ")) << bad.what;
  }
}

}  // namespace
}  // namespace baton
