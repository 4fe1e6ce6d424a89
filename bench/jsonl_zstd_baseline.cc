#include "bench/jsonl_zstd_baseline.h"

#include <zstd.h>

#include "replayer/event_json.h"

namespace baton::bench {

JsonlZstdTracer::JsonlZstdTracer(const std::string& path, int level)
    : file_(std::fopen(path.c_str(), "wb")), cctx_(ZSTD_createCCtx()) {
  ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level);
  out_.resize(ZSTD_CStreamOutSize());
}

JsonlZstdTracer::~JsonlZstdTracer() {
  Close();
  ZSTD_freeCCtx(cctx_);
}

void JsonlZstdTracer::Drain(int mode) {
  ZSTD_inBuffer in{line_.data(), line_.size(), 0};
  bool done = false;
  while (!done) {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    size_t remaining = ZSTD_compressStream2(cctx_, &out, &in, static_cast<ZSTD_EndDirective>(mode));
    std::fwrite(out_.data(), 1, out.pos, file_);
    done = (mode == ZSTD_e_end) ? remaining == 0 : in.pos == in.size;
  }
}

void JsonlZstdTracer::Record(const Event& event) {
  std::lock_guard<std::mutex> lock(mu_);
  line_ = EventToJson(event);
  line_.push_back('\n');
  Drain(ZSTD_e_continue);
}

void JsonlZstdTracer::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ == nullptr) return;
  line_.clear();
  Drain(ZSTD_e_end);
  std::fclose(file_);
  file_ = nullptr;
}

std::string ZstdCompress(const std::string& data, int level) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level));
  return out;
}

std::string ZstdDecompress(const std::string& frame) {
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  std::string out(size, '\0');
  out.resize(ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size()));
  return out;
}

}  // namespace baton::bench
