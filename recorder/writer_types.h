// Durability and RecorderStats: what the Recorder and the LogWriter under it share, kept
// apart so that the LogWriter does not depend on the Recorder.
#ifndef BATON_RECORDER_WRITER_TYPES_H_
#define BATON_RECORDER_WRITER_TYPES_H_

#include <cstdint>

namespace baton {

enum class Durability {
  kNone,           // Leave buffering to the library and the OS.
  kFlushPerChunk,  // Every chunk reaches the OS when written: a process crash loses nothing
                   // written.
  kSyncPerChunk,   // fsync after every chunk: survives power loss, slowest.
};

struct RecorderStats {
  uint64_t events_recorded = 0;  // Accepted by Record().
  uint64_t events_dropped = 0;   // Refused under BackpressurePolicy::kDrop.
  // Record() calls made after Close() began (a caller's mistake): not recorded.
  uint64_t events_refused_after_close = 0;
  // Record() calls made after a write failed (see Recorder::status()): not recorded.
  uint64_t events_lost_to_write_error = 0;
  uint64_t events_written = 0;
  uint64_t chunks_written = 0;
  uint64_t blobs_written = 0;
  uint64_t blob_references = 0;
  uint64_t bytes_written = 0;
};

}  // namespace baton

#endif  // BATON_RECORDER_WRITER_TYPES_H_
