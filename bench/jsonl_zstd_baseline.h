// The baseline baton is measured against: what a hand-made tracer does, writing each
// event as a JSON line through a zstd stream, on the calling thread, under a mutex.
#ifndef BATON_BENCH_JSONL_ZSTD_BASELINE_H_
#define BATON_BENCH_JSONL_ZSTD_BASELINE_H_

#include <cstdio>
#include <mutex>
#include <string>

#include "recorder/event.h"

struct ZSTD_CCtx_s;

namespace baton::bench {

class JsonlZstdTracer {
 public:
  // Writes to `path` at zstd `level`.
  JsonlZstdTracer(const std::string& path, int level);
  ~JsonlZstdTracer();
  void Record(const Event& event);
  void Close();

 private:
  void Drain(int mode);
  std::mutex mu_;
  FILE* file_ = nullptr;
  ZSTD_CCtx_s* cctx_ = nullptr;
  std::string line_;
  std::string out_;
};

// Compresses `data` as one zstd frame at `level` (what `zstd -LEVEL` writes).
std::string ZstdCompress(const std::string& data, int level);
std::string ZstdDecompress(const std::string& frame);

}  // namespace baton::bench

#endif  // BATON_BENCH_JSONL_ZSTD_BASELINE_H_
