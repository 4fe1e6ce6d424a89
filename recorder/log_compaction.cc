#include "recorder/log_compaction.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "recorder/baton.capnp.h"
#include "recorder/chunk_format.h"

namespace baton {
namespace {

struct IndexEntry {
  uint64_t offset = 0;
  uint8_t kind = 0;
  uint32_t items = 0;
  uint64_t first_seq = 0, last_seq = 0;
  int64_t first_mono = 0, last_mono = 0;
};

struct Chunk {
  format::ChunkHeader header;
  std::string bytes;  // Header and stored bytes, as in the file.
  std::string_view stored() const {
    return std::string_view(bytes).substr(format::kChunkHeaderSize);
  }
};

class Compactor {
 public:
  Compactor(Env& env, std::string from, const CompactionOptions& options)
      : env_(env), from_(std::move(from)), options_(options), zstd_(ZSTD_createCCtx()) {
    ZSTD_CCtx_setParameter(zstd_.get(), ZSTD_c_compressionLevel, options_.zstd_level);
    ZSTD_CCtx_setParameter(zstd_.get(), ZSTD_c_checksumFlag, 0);  // The chunk crc covers it.
  }

  Result<CompactionOutcome> Run(const std::string& to) {
    BATON_ASSIGN_OR_RETURN(in_, env_.NewRandomAccessFile(from_));
    BATON_RETURN_IF_ERROR(ReadFooter());
    size_t event_chunks = 0;
    for (const IndexEntry& e : index_)
      event_chunks += e.kind == static_cast<uint8_t>(format::ChunkKind::kEvents);
    // Full chunks would need about raw / chunk_bytes of them: merging pays off only when the
    // flush interval cut the events into clearly more.
    const uint64_t full = raw_bytes_ / options_.chunk_bytes + 1;
    const bool merge = event_chunks >= 2 && event_chunks > 2 * full;
    // A small file costs little to compress hard, and short sessions are most of them.
    recompress_ = raw_bytes_ <= options_.small_file_raw_bytes &&
                  options_.small_file_zstd_level > options_.zstd_level;
    if (!merge && !recompress_) return CompactionOutcome::kAlreadyCompact;
    if (recompress_)
      ZSTD_CCtx_setParameter(zstd_.get(), ZSTD_c_compressionLevel, options_.small_file_zstd_level);

    BATON_ASSIGN_OR_RETURN(out_, env_.NewWritableFile(to));
    std::string file_header;
    BATON_ASSIGN_OR_RETURN(file_header, ReadBytes(0, format::kFileHeaderSize, "file header"));
    BATON_RETURN_IF_ERROR(Append(file_header));
    for (const IndexEntry& e : index_) BATON_RETURN_IF_ERROR(Take(e));
    BATON_RETURN_IF_ERROR(WritePendingBlobs());
    BATON_RETURN_IF_ERROR(WritePendingEvents());
    BATON_RETURN_IF_ERROR(WriteFooter());
    if (options_.durability != Durability::kNone) BATON_RETURN_IF_ERROR(out_->Sync());
    BATON_RETURN_IF_ERROR(out_->Close());
    return CompactionOutcome::kCompacted;
  }

 private:
  struct ZstdCCtxDeleter {
    void operator()(ZSTD_CCtx* ctx) const { ZSTD_freeCCtx(ctx); }
  };

  Status Corrupt(uint64_t offset, const std::string& what) const {
    return Status::Corruption(from_ + ": byte " + std::to_string(offset) + ": " + what +
                              " (not compacted)");
  }

  Result<std::string> ReadBytes(uint64_t offset, size_t n, const char* what) {
    std::string scratch(n, '\0');
    BATON_ASSIGN_OR_RETURN(std::string_view got, in_->Read(offset, n, scratch.data()));
    if (got.size() != n) return Corrupt(offset, std::string(what) + " cut short");
    return std::string(got);
  }

  Result<Chunk> ReadChunk(uint64_t offset) {
    Chunk c;
    BATON_ASSIGN_OR_RETURN(c.bytes, ReadBytes(offset, format::kChunkHeaderSize, "chunk header"));
    if (!format::DecodeChunkHeader(c.bytes, &c.header)) return Corrupt(offset, "no chunk marker");
    if (c.header.stored_length > format::kMaxChunkStoredBytes ||
        c.header.raw_length > format::kMaxChunkRawBytes)
      return Corrupt(offset, "chunk larger than the format allows");
    // Nothing is allocated beyond what the file's bytes justify (as the reader bounds it).
    if (offset + format::kChunkHeaderSize + c.header.stored_length > in_->Size())
      return Corrupt(offset, "chunk runs past the end of the file");
    if (c.header.raw_length > format::kRatioFreeRawBytes &&
        c.header.raw_length / std::max<uint32_t>(c.header.stored_length, 1) >
            format::kMaxCompressionRatio)
      return Corrupt(offset, "chunk expands beyond the format's ratio");
    std::string stored;
    BATON_ASSIGN_OR_RETURN(
        stored, ReadBytes(offset + format::kChunkHeaderSize, c.header.stored_length, "chunk"));
    c.bytes += stored;
    if (format::ChunkCrc(c.bytes, c.stored()) != c.header.crc)
      return Corrupt(offset, "chunk checksum mismatch");
    return c;
  }

  Result<std::string> Raw(const Chunk& c, uint64_t offset) {
    if (c.header.codec == static_cast<uint8_t>(format::Codec::kNone)) {
      if (c.header.raw_length != c.header.stored_length)
        return Corrupt(offset, "stored and raw lengths differ in an uncompressed chunk");
      return std::string(c.stored());
    }
    if (c.header.codec != static_cast<uint8_t>(format::Codec::kZstd))
      return Corrupt(offset, "unknown codec " + std::to_string(c.header.codec));
    std::string raw(c.header.raw_length, '\0');
    size_t n = ZSTD_decompress(raw.data(), raw.size(), c.stored().data(), c.stored().size());
    if (ZSTD_isError(n) || n != raw.size())
      return Corrupt(offset, "chunk does not decompress to its raw length");
    return raw;
  }

  Status ReadFooter() {
    const uint64_t size = in_->Size();
    if (size < format::kFileHeaderSize + format::kTrailerSize)
      return Corrupt(size, "no trailer: the file was not closed cleanly");
    BATON_ASSIGN_OR_RETURN(std::string trailer,
                           ReadBytes(size - format::kTrailerSize, format::kTrailerSize, "trailer"));
    uint64_t footer_offset = 0;
    if (!format::DecodeTrailer(trailer, &footer_offset) || footer_offset >= size)
      return Corrupt(size - format::kTrailerSize, "no valid trailer");
    BATON_ASSIGN_OR_RETURN(Chunk c, ReadChunk(footer_offset));
    if (c.header.kind != static_cast<uint8_t>(format::ChunkKind::kFooter))
      return Corrupt(footer_offset, "the trailer does not point at a footer");
    BATON_ASSIGN_OR_RETURN(std::string raw, Raw(c, footer_offset));
    if (raw.size() % sizeof(capnp::word) != 0) return Corrupt(footer_offset, "footer misaligned");
    auto words = kj::heapArray<capnp::word>(raw.size() / sizeof(capnp::word));
    std::memcpy(words.begin(), raw.data(), raw.size());
    capnp::ReaderOptions limits;
    limits.traversalLimitInWords = format::kTraversalLimitWords;
    limits.nestingLimit = format::kNestingLimit;
    capnp::FlatArrayMessageReader reader(words, limits);
    footer_ = std::make_unique<capnp::MallocMessageBuilder>();
    footer_->setRoot(reader.getRoot<schema::Footer>());
    for (auto e : footer_->getRoot<schema::Footer>().getChunks()) {
      index_.push_back({e.getOffset(), e.getKind(), e.getItemCount(), e.getFirstSeq(),
                        e.getLastSeq(), e.getFirstMonoNs(), e.getLastMonoNs()});
      if (e.getOffset() >= footer_offset) return Corrupt(e.getOffset(), "index entry past footer");
    }
    raw_bytes_ = footer_->getRoot<schema::Footer>().getRawBytes();
    return Status::Ok();
  }

  Status Append(std::string_view bytes) {
    BATON_RETURN_IF_ERROR(out_->Append(bytes));
    offset_ += bytes.size();
    return Status::Ok();
  }

  // Writes a chunk as it was (kind, items and ranges from its index entry).
  Status Copy(const Chunk& c, IndexEntry e) {
    e.offset = offset_;
    written_.push_back(e);
    written_raw_ += c.header.raw_length;
    return Append(c.bytes);
  }

  Status Write(format::ChunkKind kind, uint32_t items, const std::string& raw, IndexEntry e) {
    format::EncodeChunk(zstd_.get(), kind, items, raw, encoded_);
    e.offset = offset_;
    e.kind = static_cast<uint8_t>(kind);
    e.items = items;
    written_.push_back(e);
    written_raw_ += raw.size();
    return Append(encoded_);
  }

  Status WritePendingBlobs() {
    if (blob_items_ == 0) return Status::Ok();
    BATON_RETURN_IF_ERROR(Write(format::ChunkKind::kBlobs, blob_items_, blob_raw_, {}));
    blob_raw_.clear();
    blob_items_ = 0;
    return Status::Ok();
  }

  // Blobs first: every blob stays before the first event that refers to it.
  Status WritePendingEvents() {
    BATON_RETURN_IF_ERROR(WritePendingBlobs());
    if (event_items_ == 0) return Status::Ok();
    BATON_RETURN_IF_ERROR(Write(format::ChunkKind::kEvents, event_items_, event_raw_, events_));
    event_raw_.clear();
    event_items_ = 0;
    return Status::Ok();
  }

  Status Take(const IndexEntry& e) {
    BATON_ASSIGN_OR_RETURN(Chunk c, ReadChunk(e.offset));
    if (c.header.kind != e.kind || c.header.item_count != e.items)
      return Corrupt(e.offset, "chunk differs from the footer's index entry");
    const size_t half = options_.chunk_bytes / 2;
    const bool full = !recompress_ && c.header.raw_length >= half;
    switch (static_cast<format::ChunkKind>(e.kind)) {
      case format::ChunkKind::kBlobs: {
        if (full || blob_raw_.size() + c.header.raw_length > options_.chunk_bytes)
          BATON_RETURN_IF_ERROR(WritePendingBlobs());
        if (full) return Copy(c, e);
        BATON_ASSIGN_OR_RETURN(std::string raw, Raw(c, e.offset));
        blob_raw_ += raw;
        blob_items_ += e.items;
        return Status::Ok();
      }
      case format::ChunkKind::kEvents: {
        // Writes pending blobs too, so everything before this chunk precedes it.
        if (full || event_raw_.size() + c.header.raw_length > options_.chunk_bytes)
          BATON_RETURN_IF_ERROR(WritePendingEvents());
        if (full) return Copy(c, e);
        BATON_ASSIGN_OR_RETURN(std::string raw, Raw(c, e.offset));
        if (event_items_ == 0) {
          events_ = e;
        } else {
          events_.last_seq = e.last_seq;
          events_.last_mono = e.last_mono;
        }
        event_raw_ += raw;
        event_items_ += e.items;
        return Status::Ok();
      }
      default:
        // The session header, and kinds this version does not know: in place, in order.
        BATON_RETURN_IF_ERROR(WritePendingEvents());
        return Copy(c, e);
    }
  }

  Status WriteFooter() {
    auto footer = footer_->getRoot<schema::Footer>();
    auto list = footer.initChunks(static_cast<unsigned>(written_.size()));
    for (size_t i = 0; i < written_.size(); ++i) {
      const IndexEntry& c = written_[i];
      list[i].setOffset(c.offset);
      list[i].setKind(c.kind);
      list[i].setItemCount(c.items);
      list[i].setFirstSeq(c.first_seq);
      list[i].setLastSeq(c.last_seq);
      list[i].setFirstMonoNs(c.first_mono);
      list[i].setLastMonoNs(c.last_mono);
    }
    footer.setRawBytes(written_raw_);
    auto flat = capnp::messageToFlatArray(*footer_);
    auto bytes = flat.asChars();
    const uint64_t footer_offset = offset_;
    format::EncodeChunk(zstd_.get(), format::ChunkKind::kFooter, 1,
                        std::string_view(bytes.begin(), bytes.size()), encoded_);
    BATON_RETURN_IF_ERROR(Append(encoded_));
    return Append(format::EncodeTrailer(footer_offset));
  }

  Env& env_;
  const std::string from_;
  const CompactionOptions options_;
  std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter> zstd_;
  std::unique_ptr<RandomAccessFile> in_;
  std::unique_ptr<WritableFile> out_;
  std::unique_ptr<capnp::MallocMessageBuilder> footer_;  // The old footer, then the new one.
  std::vector<IndexEntry> index_;
  uint64_t raw_bytes_ = 0;
  bool recompress_ = false;  // Every chunk is compressed again, at the small-file level.
  uint64_t offset_ = 0;
  std::vector<IndexEntry> written_;
  uint64_t written_raw_ = 0;
  std::string encoded_;
  std::string blob_raw_;
  uint32_t blob_items_ = 0;
  std::string event_raw_;
  uint32_t event_items_ = 0;
  IndexEntry events_;  // Seq and time range of the pending events.
};

}  // namespace

Result<CompactionOutcome> CompactLog(Env& env, const std::string& from, const std::string& to,
                                     const CompactionOptions& options) {
  BATON_CHECK(options.chunk_bytes > 0);
  Compactor compactor(env, from, options);
  return compactor.Run(to);
}

}  // namespace baton
