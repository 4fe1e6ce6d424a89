// Compaction of a cleanly closed .baton file: the recorder writes the open chunk at least
// once per flush interval so that a crash loses little, and when every model call takes
// longer than that interval (real models do) each call lands in a chunk of its own. Each
// chunk is compressed alone, so such a file compresses far worse than the same events in
// full chunks. On a clean close the recorder rewrites it once with runs of small chunks
// merged. Internal to the recorder.
#ifndef BATON_RECORDER_LOG_COMPACTION_H_
#define BATON_RECORDER_LOG_COMPACTION_H_

#include <string>

#include "base/env.h"
#include "base/status.h"
#include "recorder/format.h"
#include "recorder/writer_types.h"

namespace baton {

struct CompactionOptions {
  size_t chunk_bytes = format::kDefaultChunkBytes;  // Merged chunks stay below this raw size.
  int zstd_level = format::kDefaultZstdLevel;
  // A file with at most this much raw content is rewritten whole at `small_file_zstd_level`
  // (when that is higher than `zstd_level`), however its chunks were cut: 0 never.
  size_t small_file_raw_bytes = format::kSmallFileRawBytes;
  int small_file_zstd_level = format::kSmallFileZstdLevel;
  Durability durability = Durability::kFlushPerChunk;  // kNone: no fsync before returning.
};

enum class CompactionOutcome {
  kCompacted,       // `to` holds the merged file.
  kAlreadyCompact,  // Nothing worth merging; `to` was not written.
};

// Rewrites the cleanly closed file `from` into `to`: consecutive event chunks (and the blob
// chunks between them) are merged up to `chunk_bytes` raw, chunks already at least half that
// size are copied as they are (a small file's are recompressed too), and the footer's index
// is rebuilt. Every event and blob keeps
// its bytes and its order, so a reader sees the same session. Fails (and leaves `to`
// partial, for the caller to remove) when `from` is damaged or not cleanly closed, naming
// the file and offset; `from` is never modified.
Result<CompactionOutcome> CompactLog(Env& env, const std::string& from, const std::string& to,
                                     const CompactionOptions& options);

}  // namespace baton

#endif  // BATON_RECORDER_LOG_COMPACTION_H_
