// Integrity and resource limits: a log whose chunks were removed, moved or swapped (each
// with a valid checksum) never reads as clean, and a small hostile file never makes the
// reader allocate or work beyond what its bytes justify.
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zstd.h>

#include <atomic>
#include <cstring>

#include "base/mem_env.h"
#include "recorder/baton.capnp.h"
#include "recorder/chunk_format.h"
#include "recorder/recorder.h"
#include "replayer/log_reader.h"
#include "replayer/trace.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

using ::testing::HasSubstr;

// Reads `bytes` as the file /f.baton.
Result<LogContents> ReadBytes(MemEnv& env, const std::string& bytes, ReaderOptions o = {}) {
  env.SetContents("/f.baton", bytes);
  o.env = &env;
  return ReadLog("/f.baton", o);
}

struct ChunkSpan {
  uint64_t offset = 0;
  format::ChunkKind kind = format::ChunkKind::kEvents;
  std::string bytes;  // Header and stored bytes.
};

// A cleanly closed log with several event and blob chunks, cut into its parts.
class IntegrityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::RecordSmallChunkedLog(env_, "/orig.baton").size(), 24u);
    bytes_ = *env_.Contents("/orig.baton");
    size_t off = format::kFileHeaderSize;
    format::ChunkHeader h;
    while (format::DecodeChunkHeader(std::string_view(bytes_).substr(off), &h)) {
      size_t n = format::kChunkHeaderSize + h.stored_length;
      chunks_.push_back({off, static_cast<format::ChunkKind>(h.kind), bytes_.substr(off, n)});
      off += n;
    }
    trailer_ = bytes_.substr(off);
  }

  // The file with its chunks in the given order (indexes into chunks_), trailer kept.
  std::string Reassemble(const std::vector<size_t>& order, bool keep_trailer = true) {
    std::string out = bytes_.substr(0, format::kFileHeaderSize);
    for (size_t i : order) out += chunks_[i].bytes;
    if (keep_trailer) out += trailer_;
    return out;
  }

  std::vector<size_t> AllChunks() {
    std::vector<size_t> order;
    for (size_t i = 0; i < chunks_.size(); ++i) order.push_back(i);
    return order;
  }

  size_t First(format::ChunkKind kind, size_t from = 0) {
    for (size_t i = from; i < chunks_.size(); ++i)
      if (chunks_[i].kind == kind) return i;
    ADD_FAILURE() << "no chunk of kind " << static_cast<int>(kind);
    return 0;
  }

  Result<LogContents> Read(const std::string& bytes,
                           CorruptChunkPolicy policy = CorruptChunkPolicy::kStop) {
    ReaderOptions o;
    o.on_corrupt = policy;
    return ReadBytes(env_, bytes, o);
  }

  MemEnv env_;
  std::string bytes_;
  std::vector<ChunkSpan> chunks_;
  std::string trailer_;
};

TEST_F(IntegrityTest, TheOriginalReadsClean) {
  Result<LogContents> log = Read(bytes_);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(log->report.end, LogEnd::kClean);
  EXPECT_EQ(log->events.size(), 24u);
  ASSERT_EQ(chunks_.back().kind, format::ChunkKind::kFooter);
}

TEST_F(IntegrityTest, RemovingAnEventChunkIsDamageNamedWithItsOffset) {
  for (size_t drop = 1; drop + 1 < chunks_.size(); ++drop) {
    if (chunks_[drop].kind != format::ChunkKind::kEvents) continue;
    std::vector<size_t> order;
    for (size_t i : AllChunks())
      if (i != drop) order.push_back(i);
    // With the trailer (its footer offset now wrong) and without it (footer by scanning).
    for (bool trailer : {true, false}) {
      Result<LogContents> log = Read(Reassemble(order, trailer));
      ASSERT_FALSE(log.ok()) << "chunk " << drop << " removed, trailer " << trailer;
      EXPECT_EQ(log.status().code(), Status::Code::kCorruption);
      EXPECT_THAT(log.status().message(), HasSubstr("/f.baton: "));
      EXPECT_THAT(log.status().message(), HasSubstr("at byte "));
    }
  }
}

TEST_F(IntegrityTest, RemovingTheLastEventChunkContradictsTheFooter) {
  size_t last_events = 0;
  for (size_t i = 0; i < chunks_.size(); ++i)
    if (chunks_[i].kind == format::ChunkKind::kEvents) last_events = i;
  std::vector<size_t> order;
  for (size_t i : AllChunks())
    if (i != last_events) order.push_back(i);
  Result<LogContents> log = Read(Reassemble(order, /*keep_trailer=*/false));
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(log.status().message(), HasSubstr("footer"));
}

// The footer's event count sizes the vector Trace::Load reads into, before any event is
// read: a footer that claims 2^60 events must give the usual error, not an allocation of
// 2^60 events.
TEST_F(IntegrityTest, AFooterClaimingAnAbsurdEventCountIsAnErrorNotAnAllocation) {
  const ChunkSpan& footer = chunks_.back();
  format::ChunkHeader h;
  ASSERT_TRUE(format::DecodeChunkHeader(footer.bytes, &h));
  std::string raw(h.raw_length, '\0');
  const std::string_view stored = std::string_view(footer.bytes).substr(format::kChunkHeaderSize);
  ASSERT_EQ(ZSTD_decompress(raw.data(), raw.size(), stored.data(), stored.size()), raw.size());
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(raw.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), raw.data(), raw.size());
  capnp::FlatArrayMessageReader reader(words);
  capnp::MallocMessageBuilder message;
  message.setRoot(reader.getRoot<schema::Footer>());
  message.getRoot<schema::Footer>().setEventCount(uint64_t{1} << 60);
  kj::Array<capnp::word> flat = capnp::messageToFlatArray(message);
  std::string lying =
      testing::FileBuilder()
          .Chunk(format::ChunkKind::kFooter, h.item_count,
                 std::string(reinterpret_cast<const char*>(flat.begin()), flat.asBytes().size()))
          .bytes()
          .substr(format::kFileHeaderSize);
  std::vector<size_t> order = AllChunks();
  order.pop_back();
  // The footer stays where it was, so the trailer still points at it: the reader opens
  // with the lying footer in hand, as a reader of a clean file does.
  env_.SetContents("/f.baton", Reassemble(order, /*keep_trailer=*/false) + lying + trailer_);
  ReaderOptions o;
  o.env = &env_;
  Result<Trace> trace = Trace::Load("/f.baton", o);
  ASSERT_FALSE(trace.ok());
  EXPECT_EQ(trace.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(trace.status().message(), HasSubstr(std::to_string(uint64_t{1} << 60)));
}

TEST_F(IntegrityTest, AFooterBeforeTheEndIsDamage) {
  std::vector<size_t> order = AllChunks();
  size_t footer = order.back();
  order.insert(order.begin() + 3, footer);  // Early copy; the real one stays last.
  for (bool trailer : {true, false}) {
    Result<LogContents> log = Read(Reassemble(order, trailer));
    ASSERT_FALSE(log.ok()) << "trailer " << trailer;
    EXPECT_EQ(log.status().code(), Status::Code::kCorruption);
  }
  // A footer moved early with nothing after the last chunk but garbage.
  order = AllChunks();
  order.pop_back();
  order.insert(order.begin() + 3, footer);
  Result<LogContents> log = Read(Reassemble(order, /*keep_trailer=*/false));
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(log.status().message(), HasSubstr("a footer must end the file"));
}

TEST_F(IntegrityTest, SwappingABlobChunkWithAnEventChunkIsDamage) {
  size_t blob = First(format::ChunkKind::kBlobs);
  size_t events = First(format::ChunkKind::kEvents, blob);
  ASSERT_LT(blob, events);
  std::vector<size_t> order = AllChunks();
  std::swap(order[blob], order[events]);
  for (bool trailer : {true, false}) {
    Result<LogContents> log = Read(Reassemble(order, trailer));
    ASSERT_FALSE(log.ok()) << "trailer " << trailer;
    EXPECT_EQ(log.status().code(), Status::Code::kCorruption);
  }
}

TEST_F(IntegrityTest, EveryRearrangementOfTwoChunksIsCaught) {
  // Each pair swapped, each chunk duplicated in place: never a clean read of other data.
  std::vector<size_t> base = AllChunks();
  int mutants = 0;
  for (size_t a = 1; a + 1 < base.size(); ++a) {
    for (size_t b = a + 1; b + 1 < base.size(); ++b) {
      std::vector<size_t> order = base;
      std::swap(order[a], order[b]);
      if (chunks_[a].bytes == chunks_[b].bytes) continue;
      Result<LogContents> log = Read(Reassemble(order));
      EXPECT_FALSE(log.ok()) << "swapped chunks " << a << " and " << b;
      ++mutants;
    }
    std::vector<size_t> order = base;
    order.insert(order.begin() + a, a);
    EXPECT_FALSE(Read(Reassemble(order)).ok()) << "duplicated chunk " << a;
    ++mutants;
  }
  EXPECT_GT(mutants, 20);
}

TEST_F(IntegrityTest, SkipModeReportsWhatIsMissing) {
  size_t drop = First(format::ChunkKind::kEvents, 2);
  std::vector<size_t> order;
  for (size_t i : AllChunks())
    if (i != drop) order.push_back(i);
  Result<LogContents> log = Read(Reassemble(order, false), CorruptChunkPolicy::kSkip);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_GT(log->report.missing_events, 0u);
  EXPECT_LT(log->events.size(), 24u);
  EXPECT_FALSE(log->report.skipped_chunks.empty());  // The footer disagreed: said.
}

TEST_F(IntegrityTest, HeaderOnlyAndEmptyFilesReadAsEmptySessionsThatEndedAbnormally) {
  for (size_t cut : {size_t{0}, size_t{8}, format::kFileHeaderSize, format::kFileHeaderSize + 10}) {
    Result<LogContents> log = Read(bytes_.substr(0, cut));
    ASSERT_TRUE(log.ok()) << cut << ": " << log.status().ToString();
    EXPECT_TRUE(log->events.empty());
    EXPECT_EQ(log->report.end, LogEnd::kAbnormal);
    EXPECT_THAT(log->report.ending, HasSubstr("before its session header; 0 events recovered"));
  }
}

std::string BlobMessage(uint32_t ordinal, const std::string& data) {
  capnp::MallocMessageBuilder message;
  auto blob = message.initRoot<schema::Blob>();
  blob.setOrdinal(ordinal);
  blob.setData(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(data.data()), data.size()));
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asChars();
  return std::string(bytes.begin(), bytes.size());
}

// Counts the bytes read and the largest single read, to bound work without timing.
class CountingEnv final : public EnvWrapper {
 public:
  explicit CountingEnv(MemEnv& base) : EnvWrapper(base) {}
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    auto f = EnvWrapper::NewRandomAccessFile(p);
    if (!f.ok()) return f.status();
    return std::unique_ptr<RandomAccessFile>(new Counted(std::move(f).value(), bytes_read_));
  }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  class Counted final : public RandomAccessFile {
   public:
    Counted(std::unique_ptr<RandomAccessFile> f, std::atomic<uint64_t>& n)
        : f_(std::move(f)), n_(n) {}
    Result<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const override {
      auto r = f_->Read(offset, n, scratch);
      if (r.ok()) n_ += r->size();
      return r;
    }
    uint64_t Size() const override { return f_->Size(); }

   private:
    std::unique_ptr<RandomAccessFile> f_;
    std::atomic<uint64_t>& n_;
  };
  std::atomic<uint64_t> bytes_read_{0};
};

TEST(ResourceLimitsTest, AHugeBlobOrdinalCostsNothingAndIsCorruption) {
  MemEnv env;
  testing::FileBuilder b;
  b.Header(testing::SampleHeader());
  b.Chunk(format::ChunkKind::kBlobs, 1, BlobMessage(4'000'000'000u, std::string(200, 'x')));
  Result<LogContents> log = ReadBytes(env, b.bytes());
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(log.status().message(), HasSubstr("/f.baton: blob chunk at byte "));
  EXPECT_THAT(log.status().message(), HasSubstr("starts at blob 4000000000"));
  // Under skip the chunk is passed over: still no allocation by ordinal.
  ReaderOptions skip;
  skip.on_corrupt = CorruptChunkPolicy::kSkip;
  Result<LogContents> skipped = ReadBytes(env, b.bytes(), skip);
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->report.skipped_chunks.size(), 1u);
}

TEST(ResourceLimitsTest, AZstdBombIsRefusedBeforeDecompressing) {
  MemEnv env;
  testing::FileBuilder b;
  b.Header(testing::SampleHeader());
  b.Chunk(format::ChunkKind::kEvents, 1, std::string(64u << 20, '\0'));  // ~2 KB stored.
  env.SetContents("/bomb.baton", b.bytes());
  EXPECT_LT(b.bytes().size(), 8000u);
  CountingEnv counting(env);
  ReaderOptions o;
  o.env = &counting;
  Result<LogContents> log = ReadLog("/bomb.baton", o);
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(log.status().message(), HasSubstr("expands more than 4096-fold"));
}

TEST(ResourceLimitsTest, AFrameThatDoesNotDeclareTheHeadersSizeIsRefused) {
  MemEnv env;
  std::string raw = BlobMessage(1, std::string(300, 'y'));
  std::string stored(ZSTD_compressBound(raw.size()), '\0');
  stored.resize(ZSTD_compress(stored.data(), stored.size(), raw.data(), raw.size(), 3));
  format::ChunkHeader h;
  h.kind = static_cast<uint8_t>(format::ChunkKind::kBlobs);
  h.codec = static_cast<uint8_t>(format::Codec::kZstd);
  h.stored_length = static_cast<uint32_t>(stored.size());
  h.raw_length = static_cast<uint32_t>(raw.size() + 64 * 1024);  // A lie.
  h.item_count = 1;
  testing::FileBuilder b;
  b.Header(testing::SampleHeader()).StoredChunk(h, stored);
  Result<LogContents> log = ReadBytes(env, b.bytes());
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(log.status().message(), HasSubstr("does not declare the chunk's"));
}

TEST(ResourceLimitsTest, TheReadersCeilingIsConfigurable) {
  MemEnv env;
  testing::FileBuilder b;
  b.Header(testing::SampleHeader());
  b.Chunk(format::ChunkKind::kBlobs, 1, BlobMessage(1, testing::TextOfSize(100'000, 3)));
  ReaderOptions o;
  o.max_chunk_raw_bytes = 64 * 1024;
  Result<LogContents> log = ReadBytes(env, b.bytes(), o);
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(log.status().message(), HasSubstr("reader's limit of 65536 bytes"));
  o.max_chunk_raw_bytes = 1 << 20;
  EXPECT_TRUE(ReadBytes(env, b.bytes(), o).ok());
}

TEST(ResourceLimitsTest, ResyncOverFalseMarkersReadsEachByteAFewTimes) {
  // A damaged chunk followed by 2 MB of false chunk headers, each claiming to hold the
  // rest of the file: checking each by reading its bytes would read ~2 TB.
  MemEnv env;
  std::vector<Event> events = testing::EveryKindEvents();
  Event first = events[0];
  first.seq = 1;
  testing::FileBuilder b;
  b.Header(testing::SampleHeader()).Events({first});
  std::string damaged = b.bytes().substr(format::kFileHeaderSize);  // A copy, then damaged.
  testing::FileBuilder tail;
  tail.Header(testing::SampleHeader());
  std::string junk;
  const size_t kJunk = 2u << 20;
  while (junk.size() < kJunk) {
    format::ChunkHeader h;
    h.kind = 2;
    h.stored_length = static_cast<uint32_t>(kJunk - junk.size());
    h.raw_length = h.stored_length * 2 & ~7u;
    char head[format::kChunkHeaderSize];
    format::EncodeChunkHeader(h, "", head);  // A checksum of nothing: wrong for any length.
    junk.append(head, sizeof head);
  }
  Event second = events[1];
  second.seq = 2;
  testing::FileBuilder good;
  good.Events({second});
  std::string file = b.bytes();
  file[file.size() - 3] ^= 0x55;  // Damage the event chunk.
  file += junk;
  file += good.bytes().substr(format::kFileHeaderSize);
  env.SetContents("/junk.baton", file);
  CountingEnv counting(env);
  ReaderOptions o;
  o.env = &counting;
  o.on_corrupt = CorruptChunkPolicy::kSkip;
  Result<LogContents> log = ReadLog("/junk.baton", o);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->events.size(), 1u);  // The good chunk after the junk is found.
  EXPECT_EQ(log->events[0].seq, 2u);
  EXPECT_LT(counting.bytes_read(), 8 * file.size())
      << "resync must read the file a bounded number of times, not once per marker";
}

TEST(ResourceLimitsTest, ExtremeTimestampsAreCorruptionNotOverflow) {
  MemEnv env;
  std::vector<Event> events = testing::EveryKindEvents();
  Event e = events[0];
  e.seq = 1;
  e.mono_ns = INT64_MAX - 5;
  e.wall_ns = INT64_MAX;
  SessionHeader header = testing::SampleHeader();
  header.start_wall_ns = INT64_MAX - 2;
  testing::FileBuilder b;
  b.Header(header).Events({e});
  Result<LogContents> log = ReadBytes(env, b.bytes());
  ASSERT_FALSE(log.ok());
  EXPECT_THAT(log.status().message(), HasSubstr("wall time out of range"));
}

TEST(ResourceLimitsTest, SkipModeReportsABadChunkOnceNotOncePerEvent) {
  MemEnv env;
  std::vector<Event> events = testing::EveryKindEvents();
  for (size_t i = 0; i < events.size(); ++i) events[i].seq = i + 1;
  testing::FileBuilder b;
  b.Header(testing::SampleHeader());
  // Every event after the first goes backwards: each would be a problem on its own.
  std::vector<Event> backwards = events;
  for (Event& e : backwards) e.seq = 1;
  b.Events(backwards);
  ReaderOptions o;
  o.on_corrupt = CorruptChunkPolicy::kSkip;
  Result<LogContents> log = ReadBytes(env, b.bytes(), o);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->report.skipped_chunks.size(), 1u);
}

TEST(ResourceLimitsTest, ADegenerateHugeBlobIsStoredSoThatItReadsBack) {
  MemEnv env;
  RecorderOptions ro;
  ro.env = &env;
  auto rec = Recorder::Create("/rep.baton", testing::SampleHeader(), ro);
  ASSERT_TRUE(rec.ok());
  std::string repeated(12u << 20, 'a');  // zstd: > 10,000-fold.
  ToolCall call;
  call.call_id = "c1";
  call.tool = "cat";
  call.result.text = repeated;
  (*rec)->Record("tool", call);
  ASSERT_TRUE((*rec)->Close().ok());
  ReaderOptions o;
  o.env = &env;
  Result<LogContents> log = ReadLog("/rep.baton", o);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->events.size(), 1u);
  EXPECT_EQ(log->events[0].As<ToolCall>()->result.text.size(), repeated.size());
}

}  // namespace
}  // namespace baton
