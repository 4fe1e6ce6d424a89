// baton's Recorder: writes a session's events to a .baton log.
//
//   baton::SessionHeader header;
//   header.session_id = "run-42";
//   header.agents = {"planner", "researcher"};
//   auto rec = baton::Recorder::Create("run-42.baton", header);
//   if (!rec.ok()) { ... rec.status().message() ... }
//   uint64_t sent = (*rec)->Record("planner", baton::MessageSend{"m1", "researcher", "research",
//   "..."});
//   (*rec)->Record("researcher", baton::MessageDelivery{"m1", "planner"}, /*cause=*/sent);
//   baton::Status s = (*rec)->Close();
//
// Threading: every method may be called from any thread. Record() only stamps and
// queues the event; a background thread redacts, deduplicates blobs, compresses and
// writes. While recording, the file is PATH.incomplete; Close() renames it to PATH.
#ifndef BATON_RECORDER_RECORDER_H_
#define BATON_RECORDER_RECORDER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/env.h"
#include "base/status.h"
#include "recorder/event.h"
#include "recorder/format.h"
#include "recorder/redactor.h"
#include "recorder/writer_types.h"

namespace baton {

enum class BackpressurePolicy {
  kBlock,  // Record() waits for the writer when the buffer is full: nothing is lost.
  kDrop,   // Record() drops the event and returns 0; the log counts what was dropped.
};

// What Close() does with a file the flush interval cut into many small chunks.
enum class CloseCompaction {
  kMergeSmallChunks,  // Rewrite it once with those chunks merged (log_compaction.h).
  kNone,              // Keep the chunks as written.
};

struct RecorderOptions {
  Env* env = nullptr;      // Borrowed; nullptr: the real file system.
  Clock* clock = nullptr;  // Borrowed; nullptr: the system clock.
  Durability durability = Durability::kFlushPerChunk;
  BackpressurePolicy when_full = BackpressurePolicy::kBlock;
  size_t chunk_bytes = format::kDefaultChunkBytes;  // Uncompressed bytes per chunk.
  size_t max_buffered_bytes = 64u << 20;            // Events queued but not yet written.
  size_t blob_threshold_bytes = format::kDefaultBlobThresholdBytes;
  int zstd_level = format::kDefaultZstdLevel;
  // An open chunk is written at least this often, bounding what a crash can lose.
  std::chrono::milliseconds flush_interval{500};
  // A slow session (a model call per flush interval) is otherwise stored a chunk per call,
  // each compressed alone: several times the size of the same events in full chunks.
  CloseCompaction compaction = CloseCompaction::kMergeSmallChunks;
  RedactionOptions redaction;
};

class Recorder {
 public:
  // Creates PATH.incomplete and writes the file and session headers. Fails on a bad
  // option or when the file cannot be created. A leftover PATH.incomplete is kept (see
  // preserved_leftover()).
  static Result<std::unique_ptr<Recorder>> Create(const std::string& path, SessionHeader header,
                                                  RecorderOptions options = {});
  // Closes if Close() was not called; an error is then reported on stderr.
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Records an event stamped now. Returns its seq (use it as a later event's cause), or 0
  // when the drop policy dropped it or Close() had begun (counted in stats(); a Record()
  // blocked on a full buffer when Close() begins returns 0 too).
  uint64_t Record(std::string_view agent, EventBody body, uint64_t cause = 0);
  // Records an event with the times it carries (imports, generators); seq is assigned here.
  uint64_t RecordWithTimes(Event event);

  // Returns once every event recorded before the call is written (and synced under
  // kSyncPerChunk), or the writer's error.
  Status Flush();
  // Writes what is left, the footer, and renames PATH.incomplete to PATH (after merging
  // small chunks, see CloseCompaction). Idempotent.
  Status Close();

  RecorderStats stats() const;
  // The writer's first error (a full disk, an I/O error), as soon as it happens: poll it
  // to stop early. From then on Record() returns 0 and counts the event as lost.
  Status status() const;
  // A PATH.incomplete left by an earlier recording that crashed is never overwritten:
  // Create moves it aside to STEM.crashed-N.baton.incomplete and this names where ("" if
  // there was none). Say so to the user.
  const std::string& preserved_leftover() const;
  const std::string& path() const;

  class Impl;

 private:
  explicit Recorder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace baton

#endif  // BATON_RECORDER_RECORDER_H_
