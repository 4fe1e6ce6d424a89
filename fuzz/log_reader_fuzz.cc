// libFuzzer target: a whole .baton file of untrusted bytes through the reader, and what it
// yields through every analysis `baton check` and `baton why` run. Neither may crash,
// hang, read out of bounds, overflow, or allocate beyond what the bytes justify (libFuzzer's
// -rss_limit_mb and -malloc_limit_mb catch the last).
//
// Seeds: corpora/*.baton and corpora/golden-errors/*.baton (scripts/fuzz copies them).
#include <cstddef>
#include <cstdint>
#include <string>

#include "assertions/analyses.h"
#include "assertions/root_cause.h"
#include "base/mem_env.h"
#include "recorder/log_compaction.h"
#include "replayer/log_reader.h"
#include "replayer/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  baton::MemEnv env;
  env.SetContents("/f.baton", std::string(reinterpret_cast<const char*>(data), size));
  for (auto policy : {baton::CorruptChunkPolicy::kStop, baton::CorruptChunkPolicy::kSkip}) {
    baton::ReaderOptions options;
    options.env = &env;
    options.on_corrupt = policy;
    options.max_chunk_raw_bytes = 16u << 20;  // Within libFuzzer's default memory limit.
    baton::Result<baton::LogContents> log = baton::ReadLog("/f.baton", options);
    if (!log.ok()) continue;
    baton::Trace trace = baton::Trace::FromEvents(log->header, std::move(log->events), log->report);
    baton::Policy defaults;
    baton::Analysis analysis = baton::Analyze(trace, defaults, baton::ScorerSet::Defaults());
    baton::Explanation why = baton::Explain(trace, analysis);
    (void)why.ToJson(analysis);
  }
  // Lazy blobs, as inspect and replay read.
  baton::ReaderOptions lazy;
  lazy.env = &env;
  lazy.blobs = baton::BlobLoading::kLazy;
  lazy.max_chunk_raw_bytes = 16u << 20;
  auto reader = baton::LogReader::Open("/f.baton", lazy);
  if (reader.ok()) {
    baton::Event event;
    while (true) {
      auto more = (*reader)->Next(&event);
      if (!more.ok() || !*more) break;
      baton::ForEachContent(event, [&](const baton::Content& c) {
        if (c.blob != 0) (void)(*reader)->LoadBlob(c.blob);
      });
    }
  }
  // Compaction reads files too (its own, closed cleanly; here anything), then the reader
  // reads what it wrote.
  baton::CompactionOptions compaction;
  compaction.chunk_bytes = 4096;
  compaction.durability = baton::Durability::kNone;
  auto compacted = baton::CompactLog(env, "/f.baton", "/c.baton", compaction);
  if (compacted.ok() && *compacted == baton::CompactionOutcome::kCompacted) {
    lazy.blobs = baton::BlobLoading::kResolve;
    (void)baton::ReadLog("/c.baton", lazy);
  }
  return 0;
}
