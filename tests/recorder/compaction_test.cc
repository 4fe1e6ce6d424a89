// Compaction on close: a session the flush interval cut into a chunk per event is merged
// into full chunks once it is closed, and reads back exactly as recorded; a file already in
// full chunks is left alone; a damaged file is refused with its name and offset; a
// compaction that cannot be written leaves the file as recorded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/mem_env.h"
#include "recorder/chunk_format.h"
#include "recorder/log_compaction.h"
#include "recorder/recorder.h"
#include "replayer/log_reader.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

struct ChunkCounts {
  size_t events = 0, blobs = 0;
  size_t largest_raw = 0;
};

// Walks the chunk headers of a file.
ChunkCounts CountChunks(const std::string& bytes) {
  ChunkCounts c;
  size_t off = format::kFileHeaderSize;
  format::ChunkHeader h;
  while (off < bytes.size() && format::DecodeChunkHeader(std::string_view(bytes).substr(off), &h)) {
    if (h.kind == static_cast<uint8_t>(format::ChunkKind::kEvents)) {
      ++c.events;
      c.largest_raw = std::max<size_t>(c.largest_raw, h.raw_length);
    }
    if (h.kind == static_cast<uint8_t>(format::ChunkKind::kBlobs)) {
      ++c.blobs;
      c.largest_raw = std::max<size_t>(c.largest_raw, h.raw_length);
    }
    off += format::kChunkHeaderSize + h.stored_length;
  }
  return c;
}

// Events as a conversation makes them: payloads above the blob threshold that repeat
// (deduplicated), some larger than half a small chunk.
std::vector<Event> Conversation(int n, size_t big_every = 0) {
  std::vector<Event> events;
  for (int i = 0; i < n; ++i) {
    Event e;
    e.seq = static_cast<uint64_t>(i) + 1;
    e.mono_ns = i * 1'000'000;
    e.agent = i % 3 == 0 ? "planner" : "writer";
    const size_t size = big_every != 0 && i % big_every == 0 ? 6000 : 200 + (i % 7) * 40;
    e.body = MessageSend{"m" + std::to_string(i),
                         "researcher",
                         "research",
                         testing::TextOfSize(size, i % 11),
                         {{"plan", static_cast<uint64_t>(i)}}};
    events.push_back(std::move(e));
  }
  return events;
}

enum class FlushEach { kEvent, kNever };

// Records `events` into `path`, flushing after each when asked (as a slow session's flush
// interval does).
Status Record(Env& env, const std::string& path, const std::vector<Event>& events,
              CloseCompaction compaction, FlushEach flush, size_t chunk_bytes = 1u << 20) {
  RecorderOptions o;
  o.env = &env;
  o.compaction = compaction;
  o.chunk_bytes = chunk_bytes;
  auto rec = Recorder::Create(path, testing::SampleHeader(), o);
  if (!rec.ok()) return rec.status();
  for (const Event& e : events) {
    (*rec)->RecordWithTimes(e);
    if (flush == FlushEach::kEvent) BATON_RETURN_IF_ERROR((*rec)->Flush());
  }
  return (*rec)->Close();
}

std::vector<Event> ReadEvents(MemEnv& env, const std::string& path) {
  ReaderOptions o;
  o.env = &env;
  Result<LogContents> log = ReadLog(path, o);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  if (!log.ok()) return {};
  EXPECT_EQ(log->report.end, LogEnd::kClean) << path << ": " << log->report.ending;
  return log->events;
}

// Records `events` twice: into /compacted.baton closed with compaction, and into
// /as_written.baton without.
::testing::AssertionResult RecordBothWays(MemEnv& env, const std::vector<Event>& events,
                                          FlushEach flush, size_t chunk_bytes = 1u << 20) {
  for (auto [path, compaction] : {std::pair{"/compacted.baton", CloseCompaction::kMergeSmallChunks},
                                  std::pair{"/as_written.baton", CloseCompaction::kNone}}) {
    if (Status s = Record(env, path, events, compaction, flush, chunk_bytes); !s.ok())
      return ::testing::AssertionFailure() << path << ": " << s.ToString();
  }
  return ::testing::AssertionSuccess();
}

TEST(CompactionTest, ASlowSessionIsMergedOnCloseAndReadsAsRecorded) {
  MemEnv env;
  const std::vector<Event> events = Conversation(120);
  ASSERT_TRUE(RecordBothWays(env, events, FlushEach::kEvent));
  const std::string merged = *env.Contents("/compacted.baton");
  const std::string as_written = *env.Contents("/as_written.baton");
  EXPECT_EQ(CountChunks(as_written).events, 120u);
  EXPECT_EQ(CountChunks(merged).events, 1u);
  EXPECT_LT(merged.size() * 3, as_written.size()) << "one frame compresses what 120 cannot";
  EXPECT_EQ(ReadEvents(env, "/compacted.baton"), events);
  EXPECT_EQ(ReadEvents(env, "/as_written.baton"), events);
  EXPECT_FALSE(env.FileExists("/compacted.baton.incomplete"));
  EXPECT_FALSE(env.FileExists("/compacted.baton.compacting"));
}

TEST(CompactionTest, MergedChunksStayWithinTheChunkSizeAndFullOnesAreCopied) {
  MemEnv env;
  // Every 9th event is larger than half a chunk: copied as it was written, in its place.
  const std::vector<Event> events = Conversation(150, /*big_every=*/9);
  const size_t chunk_bytes = 4096;
  ASSERT_TRUE(RecordBothWays(env, events, FlushEach::kEvent, chunk_bytes));
  const ChunkCounts merged = CountChunks(*env.Contents("/compacted.baton"));
  const ChunkCounts as_written = CountChunks(*env.Contents("/as_written.baton"));
  EXPECT_LT(merged.events, as_written.events / 3);
  EXPECT_LT(merged.blobs, as_written.blobs);
  // A merged chunk never exceeds the size; a copied one is as big as it was.
  EXPECT_EQ(merged.largest_raw, as_written.largest_raw);
  EXPECT_EQ(ReadEvents(env, "/compacted.baton"), events);
}

TEST(CompactionTest, AFileInFullChunksIsLeftAsWritten) {
  MemEnv env;
  ASSERT_TRUE(
      Record(env, "/a.baton", Conversation(200), CloseCompaction::kNone, FlushEach::kNever, 4096)
          .ok());
  EXPECT_GT(CountChunks(*env.Contents("/a.baton")).events, 3u);
  CompactionOptions o;
  o.chunk_bytes = 4096;
  o.small_file_raw_bytes = 0;  // Not small: only merging could pay.
  auto done = CompactLog(env, "/a.baton", "/out.baton", o);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(*done, CompactionOutcome::kAlreadyCompact);
  EXPECT_FALSE(env.FileExists("/out.baton"));
}

TEST(CompactionTest, ASmallFileIsCompressedAgainHarderAndReadsTheSame) {
  MemEnv env;
  const std::vector<Event> events = Conversation(200);
  ASSERT_TRUE(RecordBothWays(env, events, FlushEach::kNever));
  const size_t small = env.Contents("/compacted.baton")->size();
  const size_t as_written = env.Contents("/as_written.baton")->size();
  EXPECT_LT(small, as_written) << "level " << format::kSmallFileZstdLevel << " against "
                               << format::kDefaultZstdLevel;
  EXPECT_EQ(ReadEvents(env, "/compacted.baton"), events);
  // Above the small-file size, full chunks stay as written.
  CompactionOptions o;
  o.small_file_raw_bytes = 1000;
  auto done = CompactLog(env, "/as_written.baton", "/out.baton", o);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(*done, CompactionOutcome::kAlreadyCompact);
}

// Fails every write to the compaction's file after `budget` bytes, as a full disk would.
class FullDiskForCompactionEnv final : public EnvWrapper {
 public:
  FullDiskForCompactionEnv(Env& target, size_t budget) : EnvWrapper(target), budget_(budget) {}
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    BATON_ASSIGN_OR_RETURN(auto file, target().NewWritableFile(path));
    if (!path.ends_with(format::kCompactingSuffix)) return file;
    ++compactions_started;
    return std::unique_ptr<WritableFile>(std::make_unique<Limited>(std::move(file), budget_));
  }
  int compactions_started = 0;

 private:
  class Limited final : public WritableFile {
   public:
    Limited(std::unique_ptr<WritableFile> f, size_t budget) : f_(std::move(f)), left_(budget) {}
    Status Append(std::string_view data) override {
      if (data.size() > left_) return Status::IOError("no space left on device");
      left_ -= data.size();
      return f_->Append(data);
    }
    Status Flush() override { return f_->Flush(); }
    Status Sync() override { return f_->Sync(); }
    Status Close() override { return f_->Close(); }

   private:
    std::unique_ptr<WritableFile> f_;
    size_t left_ = 0;
  };
  size_t budget_ = 0;
};

TEST(CompactionTest, ACompactionThatCannotBeWrittenLeavesTheFileAsRecorded) {
  const std::vector<Event> events = Conversation(60);
  MemEnv unlimited;
  ASSERT_TRUE(
      Record(unlimited, "/f.baton", events, CloseCompaction::kMergeSmallChunks, FlushEach::kEvent)
          .ok());
  const size_t compacted = unlimited.Contents("/f.baton")->size();
  // The disk fills before the file header, inside the first chunk, and before the trailer.
  for (size_t budget : {size_t{0}, size_t{100}, compacted - 10}) {
    MemEnv mem;
    FullDiskForCompactionEnv env(mem, budget);
    ASSERT_TRUE(
        Record(env, "/f.baton", events, CloseCompaction::kMergeSmallChunks, FlushEach::kEvent).ok())
        << "budget " << budget;
    EXPECT_EQ(env.compactions_started, 1);
    EXPECT_EQ(CountChunks(*mem.Contents("/f.baton")).events, 60u) << "budget " << budget;
    EXPECT_EQ(ReadEvents(mem, "/f.baton"), events);
    EXPECT_FALSE(mem.FileExists("/f.baton.compacting"));
    EXPECT_FALSE(mem.FileExists("/f.baton.incomplete"));
  }
}

TEST(CompactionTest, ADamagedFileIsRefusedWithItsNameAndOffset) {
  MemEnv env;
  ASSERT_TRUE(
      Record(env, "/f.baton", Conversation(40), CloseCompaction::kNone, FlushEach::kEvent).ok());
  const std::string good = *env.Contents("/f.baton");
  CompactionOptions o;

  // Cut short: no trailer, so not a cleanly closed file.
  env.SetContents("/cut.baton", good.substr(0, good.size() - 5));
  auto cut = CompactLog(env, "/cut.baton", "/out.baton", o);
  ASSERT_FALSE(cut.ok());
  EXPECT_THAT(cut.status().message(), AllOf(HasSubstr("/cut.baton"), HasSubstr("trailer")));

  // A flipped byte inside the third chunk's stored bytes.
  size_t off = format::kFileHeaderSize;
  format::ChunkHeader h;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(format::DecodeChunkHeader(std::string_view(good).substr(off), &h));
    off += format::kChunkHeaderSize + h.stored_length;
  }
  std::string flipped = good;
  flipped[off + format::kChunkHeaderSize + 3] ^= 0x40;
  env.SetContents("/flipped.baton", flipped);
  auto bad = CompactLog(env, "/flipped.baton", "/out.baton", o);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              AllOf(HasSubstr("/flipped.baton"), HasSubstr("byte " + std::to_string(off)),
                    HasSubstr("checksum")));

  // Not a file at all.
  EXPECT_FALSE(CompactLog(env, "/missing.baton", "/out.baton", o).ok());
  // The good one compacts, and the source is untouched.
  auto done = CompactLog(env, "/f.baton", "/out.baton", o);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(*done, CompactionOutcome::kCompacted);
  EXPECT_EQ(*env.Contents("/f.baton"), good);
  EXPECT_EQ(ReadEvents(env, "/out.baton"), ReadEvents(env, "/f.baton"));
}

}  // namespace
}  // namespace baton
