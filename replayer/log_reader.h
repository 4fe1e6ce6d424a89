// LogReader: reads a .baton log, streaming with bounded memory or by chunk through the
// footer index, and recovers what it can from damaged files.
//
//   auto reader = baton::LogReader::Open("run-42.baton");
//   if (!reader.ok()) { ... reader.status().message() ... }   // names file and byte offset
//   baton::Event event;
//   while (true) {
//     baton::Result<bool> more = (*reader)->Next(&event);
//     if (!more.ok()) { ... }  // corruption, under CorruptChunkPolicy::kStop
//     if (!*more) break;
//     ...
//   }
//   std::cout << (*reader)->report().ending;  // "recording ended abnormally at byte ..."
//
// What the reader does with bad input: a truncated tail ends the log with every complete
// chunk read (LogEnd::kAbnormal); a chunk failing its checksum or parse is an error, or
// is skipped and listed with kSkip; event kinds and chunk kinds from a newer writer are
// skipped and counted; a file requiring a newer reader is refused at Open.
#ifndef BATON_REPLAYER_LOG_READER_H_
#define BATON_REPLAYER_LOG_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "recorder/chunk_format.h"
#include "recorder/event.h"
#include "recorder/format.h"

namespace baton {

enum class CorruptChunkPolicy {
  kStop,  // The first corrupt chunk is an error.
  kSkip,  // Corrupt chunks are skipped, listed in the report, and reading goes on.
};

enum class BlobLoading {
  kResolve,  // Content fields come back with their text.
  kLazy,     // Blob contents are left as ids; LoadBlob() fetches one when needed.
};

struct ReaderOptions {
  Env* env = nullptr;  // Borrowed; nullptr: the real file system.
  CorruptChunkPolicy on_corrupt = CorruptChunkPolicy::kStop;
  BlobLoading blobs = BlobLoading::kResolve;
  size_t blob_cache_bytes = 64u << 20;  // Decompressed blob chunks kept for reuse.
  // The most one chunk may expand to; a larger one is treated as corrupt. The writer
  // cuts chunks at 1 MiB, but one large blob (a long tool result) fills a chunk alone.
  uint64_t max_chunk_raw_bytes = 256u << 20;
};

enum class LogEnd {
  kNotReached,  // Still reading.
  kClean,       // The footer was reached: the recorder closed the log.
  kAbnormal,    // The log stops without a footer: the recording process died.
  kError,       // Reading stopped at a corrupt chunk (CorruptChunkPolicy::kStop).
};

struct ChunkProblem {
  uint64_t offset = 0;
  std::string message;
};

struct ReadReport {
  LogEnd end = LogEnd::kNotReached;
  uint64_t end_offset = 0;  // Byte where reading stopped.
  // One sentence about how the log ended; empty for a clean end.
  std::string ending;
  uint64_t events_read = 0;
  uint64_t unknown_events_skipped = 0;  // Kinds from a newer writer.
  uint64_t unknown_chunks_skipped = 0;
  uint64_t events_dropped_by_recorder = 0;   // Sum of events_dropped events.
  uint64_t missing_blobs = 0;                // References to blobs lost in skipped chunks (kSkip).
  uint64_t missing_events = 0;               // Gaps in seq passed over (kSkip).
  std::vector<ChunkProblem> skipped_chunks;  // Corrupt chunks passed over (kSkip).
  // What the chunks read so far hold.
  uint64_t chunks = 0;
  uint64_t blobs = 0;
  uint64_t blob_bytes_stored = 0;
  uint64_t stored_bytes = 0;  // Compressed, with chunk headers.
  uint64_t raw_bytes = 0;     // Uncompressed payloads.
};

struct ChunkIndexEntry {
  uint64_t offset = 0;
  format::ChunkKind kind = format::ChunkKind::kEvents;
  uint32_t items = 0;
  uint64_t first_seq = 0, last_seq = 0;
  int64_t first_mono_ns = 0, last_mono_ns = 0;
};

// The totals a clean close writes into the footer.
struct FooterTotals {
  uint64_t event_count = 0;
  uint64_t blob_count = 0;
  uint64_t blob_references = 0;
  uint64_t blob_bytes_referenced = 0;
  uint64_t blob_bytes_stored = 0;
  uint64_t dropped_events = 0;
  uint64_t raw_bytes = 0;
};

class LogReader {
 public:
  // Reads the file header, the session header and (when present) the footer index.
  static Result<std::unique_ptr<LogReader>> Open(const std::string& path,
                                                 ReaderOptions options = {});
  ~LogReader();

  const std::string& path() const;
  const SessionHeader& header() const;
  const format::FileHeader& file_header() const;
  uint64_t file_size() const;

  // The next event, in seq order. Returns false at the end of the log (see report()).
  Result<bool> Next(Event* event);
  // Every event Next() has not returned yet, in a vector sized once from the footer's count
  // (capped by the file's size, since the count is the file's word).
  Result<std::vector<Event>> ReadRemaining();
  const ReadReport& report() const;

  // Random access, available when the log was closed cleanly.
  bool has_index() const;
  const std::vector<ChunkIndexEntry>& index() const;
  const FooterTotals& footer() const;
  // Decodes every event of index()[i] (an event chunk), independently of Next(). Model
  // requests may continue the messages of calls in earlier chunks (FORMAT.md), so the
  // event chunks before it are decoded too: the cost is that of reading up to it.
  Result<std::vector<Event>> ReadEventChunk(size_t i);

  // The bytes of blob `ordinal` (Content::blob): one seen by Next() so far, or any in an
  // indexed log.
  Result<std::string> LoadBlob(uint32_t ordinal);
  // The same bytes lent to `visit` for the length of the call, from the decoded chunk: for
  // hashing or comparing a blob without copying it.
  Status VisitBlob(uint32_t ordinal, const std::function<void(std::string_view)>& visit);
  // Every readable blob of the chunk that holds `ordinal` lent to `visit(ordinal, bytes)`,
  // in ordinal order, while the chunk is decoded: for work on many blobs (hashing them all
  // for replay) that should read each chunk once and while it is in cache. The status is
  // that of `ordinal` itself; a damaged neighbour is skipped (VisitBlob reports it).
  Status VisitBlobsBeside(uint32_t ordinal,
                          const std::function<void(uint32_t, std::string_view)>& visit);
  // The size of a blob Next() has passed, or nullopt.
  std::optional<uint64_t> BlobSize(uint32_t ordinal) const;

  class Impl;

 private:
  explicit LogReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A whole log in memory: for tools and tests on small files.
struct LogContents {
  SessionHeader header;
  std::vector<Event> events;
  ReadReport report;
};
Result<LogContents> ReadLog(const std::string& path, ReaderOptions options = {});

}  // namespace baton

#endif  // BATON_REPLAYER_LOG_READER_H_
