// LogWriter: the single-threaded core that turns events into a .baton file: encoding,
// redaction, blob deduplication, chunking, compression, footer. The Recorder runs one
// on its background thread; tools that already hold all events use one directly.
#ifndef BATON_RECORDER_LOG_WRITER_H_
#define BATON_RECORDER_LOG_WRITER_H_

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "recorder/baton.capnp.h"
#include "recorder/event.h"
#include "recorder/event_codec.h"
#include "recorder/format.h"
#include "recorder/redactor.h"
#include "recorder/writer_types.h"

struct ZSTD_CCtx_s;

namespace baton {

struct BlobIdHash {
  size_t operator()(const BlobId& id) const { return static_cast<size_t>(id.low ^ (id.high * 31)); }
};

struct LogWriterOptions {
  size_t chunk_bytes = format::kDefaultChunkBytes;
  size_t blob_threshold_bytes = format::kDefaultBlobThresholdBytes;
  int zstd_level = format::kDefaultZstdLevel;
  Durability durability = Durability::kFlushPerChunk;
  // Borrowed; nullptr: no redaction.
  const Redactor* redactor = nullptr;
  // Format version numbers to write; tests override them to make "newer" files.
  uint32_t format_version = format::kFormatVersion;
  uint32_t required_reader_version = format::kRequiredReaderVersion;
};

class LogWriter {
 public:
  LogWriter(std::unique_ptr<WritableFile> file, std::string path, LogWriterOptions options);
  ~LogWriter();

  Status Begin(const SessionHeader& header);
  // Encodes the event into the open chunk; writes chunks as they fill.
  Status Add(const Event& event);
  // Writes the open chunks and flushes the file (syncs under kSyncPerChunk).
  Status Flush();
  // Flush, then the footer and trailer, then closes the file.
  Status Finish(uint64_t dropped_events);

  uint64_t last_written_seq() const { return last_written_seq_; }
  const RecorderStats& stats() const { return stats_; }

 private:
  class ContentEncoder;
  struct ChunkRecord {
    uint64_t offset = 0;
    format::ChunkKind kind = format::ChunkKind::kEvents;
    uint32_t items = 0;
    uint64_t first_seq = 0, last_seq = 0;
    int64_t first_mono = 0, last_mono = 0;
  };

  Status WriteChunk(format::ChunkKind kind, uint32_t items, const std::string& raw);
  Status WriteBlobChunk();
  Status WriteEventChunk();
  // Queues a new blob for the next blob chunk and returns its ordinal.
  uint32_t AddBlob(const std::string& bytes);
  Status Fail(Status s);

  std::unique_ptr<WritableFile> file_;
  std::string path_;
  LogWriterOptions options_;
  std::unique_ptr<ContentEncoder> encoder_;
  struct ZstdCCtxDeleter {
    void operator()(ZSTD_CCtx_s* ctx) const;
  };
  std::unique_ptr<ZSTD_CCtx_s, ZstdCCtxDeleter> zstd_;
  Status error_;  // Sticky: after a failed write, every call returns it.

  int64_t start_wall_ns_ = 0;  // Of the session: event wall times are stored relative to it.
  uint64_t offset_ = 0;
  std::string compressed_;
  std::string event_raw_;
  codec::MessageHistory history_;  // What the next model calls' prefixes may continue.
  // Since the last prefix checkpoint (see format::kPrefixCheckpointChunks).
  size_t chunks_since_checkpoint_ = 0;
  size_t raw_since_checkpoint_ = 0;
  // First segment for event messages, zero between uses (see Add).
  static constexpr size_t kScratchSegmentWords = 1024;
  kj::Array<capnp::word> scratch_segment_ = kj::heapArray<capnp::word>(kScratchSegmentWords);
  uint32_t event_items_ = 0;
  uint64_t chunk_first_seq_ = 0, chunk_last_seq_ = 0;
  int64_t chunk_first_mono_ = 0, chunk_last_mono_ = 0;
  std::string blob_raw_;
  uint32_t pending_blobs_ = 0;  // Blobs in blob_raw_.
  uint64_t last_written_seq_ = 0;

  // Ordinal of each stored blob, by the hash of its (redacted) bytes.
  std::unordered_map<BlobId, uint32_t, BlobIdHash> ordinal_of_stored_;
  // Ordinal by the hash of the text before redaction: redaction runs once per text.
  std::unordered_map<BlobId, uint32_t, BlobIdHash> ordinal_of_raw_;
  uint32_t blob_count_ = 0;
  std::vector<ChunkRecord> chunks_;
  uint64_t blob_bytes_referenced_ = 0;
  uint64_t blob_bytes_stored_ = 0;
  uint64_t raw_bytes_ = 0;
  RecorderStats stats_;
  bool finished_ = false;
};

}  // namespace baton

#endif  // BATON_RECORDER_LOG_WRITER_H_
