#include "recorder/log_writer.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/io.h>
#include <zstd.h>

#include <cstring>

#include "recorder/chunk_format.h"
#include "recorder/event_codec.h"

namespace baton {
namespace {

// Appends serialized Cap'n Proto messages to a std::string.
class StringOutputStream final : public kj::OutputStream {
 public:
  explicit StringOutputStream(std::string& out) : out_(out) {}
  void write(const void* buffer, size_t size) override {
    out_.append(static_cast<const char*>(buffer), size);
  }

 private:
  std::string& out_;
};

void AppendMessage(capnp::MessageBuilder& message, std::string& out) {
  StringOutputStream stream(out);
  capnp::writeMessage(stream, message);
}

}  // namespace

// Stores Content fields inline or as deduplicated blobs, and applies redaction.
class LogWriter::ContentEncoder final : public codec::TextEncoder {
 public:
  explicit ContentEncoder(LogWriter& writer) : w_(writer) {}

  const std::string& Text(const std::string& text, std::string& scratch) override {
    if (w_.options_.redactor != nullptr && w_.options_.redactor->RedactText(text, scratch))
      return scratch;
    return text;
  }
  const std::string& HeaderValue(const std::string& name, const std::string& value,
                                 std::string& scratch) override {
    if (w_.options_.redactor != nullptr && w_.options_.redactor->RedactHeader(name, value, scratch))
      return scratch;
    return value;
  }
  bool Pieces(const std::vector<std::string>& pieces, std::vector<std::string>& out) override {
    return w_.options_.redactor != nullptr && w_.options_.redactor->RedactPieces(pieces, out);
  }
  void Content(const baton::Content& content, schema::Content::Builder out) override {
    if (content.text.size() < w_.options_.blob_threshold_bytes) {
      out.setInline(capnp::Text::Reader(Text(content.text, scratch_)));
      return;
    }
    // Redaction runs once per distinct text: the raw hash remembers its blob.
    BlobId raw = BlobId::Of(content.text);
    uint32_t ordinal = 0;
    auto it = w_.ordinal_of_raw_.find(raw);
    if (it != w_.ordinal_of_raw_.end()) {
      ordinal = it->second;
    } else {
      const std::string& text = Text(content.text, scratch_);
      BlobId stored = (&text == &content.text) ? raw : BlobId::Of(text);
      auto [pos, added] = w_.ordinal_of_stored_.emplace(stored, 0);
      if (added) pos->second = w_.AddBlob(text);
      ordinal = pos->second;
      w_.ordinal_of_raw_.emplace(raw, ordinal);
    }
    out.setBlob(ordinal);
    ++w_.stats_.blob_references;
    w_.blob_bytes_referenced_ += content.text.size();
  }

 private:
  LogWriter& w_;
  std::string scratch_;
};

LogWriter::LogWriter(std::unique_ptr<WritableFile> file, std::string path, LogWriterOptions options)
    : file_(std::move(file)),
      path_(std::move(path)),
      options_(options),
      encoder_(std::make_unique<ContentEncoder>(*this)),
      zstd_(ZSTD_createCCtx()) {
  BATON_CHECK_MSG(zstd_ != nullptr, "zstd could not allocate a compression context");
  std::memset(scratch_segment_.begin(), 0, scratch_segment_.size() * sizeof(capnp::word));
  ZSTD_CCtx_setParameter(zstd_.get(), ZSTD_c_compressionLevel, options_.zstd_level);
  ZSTD_CCtx_setParameter(zstd_.get(), ZSTD_c_checksumFlag, 0);  // The chunk crc covers it.
}

void LogWriter::ZstdCCtxDeleter::operator()(ZSTD_CCtx_s* ctx) const { ZSTD_freeCCtx(ctx); }

LogWriter::~LogWriter() = default;

Status LogWriter::Fail(Status s) {
  if (error_.ok()) error_ = std::move(s);
  return error_;
}

Status LogWriter::Begin(const SessionHeader& header) {
  format::FileHeader fh;
  fh.format_version = options_.format_version;
  fh.required_reader_version = options_.required_reader_version;
  start_wall_ns_ = header.start_wall_ns;
  std::string prelude = format::EncodeFileHeader(fh);
  if (Status s = file_->Append(prelude); !s.ok()) return Fail(s);
  offset_ = prelude.size();
  capnp::MallocMessageBuilder message;
  if (options_.redactor != nullptr) {
    // Metadata holds what a caller chose to keep (a command line, a config): redacted as
    // named values, like headers.
    SessionHeader redacted = header;
    std::string scratch;
    for (KeyValue& kv : redacted.metadata)
      if (options_.redactor->RedactHeader(kv.key, kv.value, scratch)) kv.value = scratch;
    codec::EncodeHeader(redacted, message.initRoot<schema::SessionHeader>());
  } else {
    codec::EncodeHeader(header, message.initRoot<schema::SessionHeader>());
  }
  std::string raw;
  AppendMessage(message, raw);
  return WriteChunk(format::ChunkKind::kSessionHeader, 1, raw);
}

uint32_t LogWriter::AddBlob(const std::string& bytes) {
  capnp::MallocMessageBuilder message(bytes.size() / sizeof(capnp::word) + 16);
  auto blob = message.initRoot<schema::Blob>();
  blob.setData(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
  BATON_CHECK(blob_count_ < UINT32_MAX);
  blob.setOrdinal(++blob_count_);
  AppendMessage(message, blob_raw_);
  ++pending_blobs_;
  blob_bytes_stored_ += bytes.size();
  return blob_count_;
}

Status LogWriter::Add(const Event& event) {
  if (!error_.ok()) return error_;
  BATON_CHECK(!finished_);
  {
    // Events are built in a reused first segment: a fresh MallocMessageBuilder would allocate
    // and zero 8 KiB per event. Cap'n Proto requires the segment zeroed, so the used part is
    // cleared again afterwards.
    capnp::MallocMessageBuilder message(scratch_segment_.asPtr());
    codec::EncodeEvent(event, start_wall_ns_, *encoder_, &history_,
                       message.initRoot<schema::Event>());
    AppendMessage(message, event_raw_);
    auto segments = message.getSegmentsForOutput();
    if (segments[0].begin() == scratch_segment_.begin())
      std::memset(scratch_segment_.begin(), 0, segments[0].size() * sizeof(capnp::word));
  }
  if (event_items_ == 0) {
    chunk_first_seq_ = event.seq;
    chunk_first_mono_ = event.mono_ns;
  }
  chunk_last_seq_ = event.seq;
  chunk_last_mono_ = event.mono_ns;
  ++event_items_;
  // Blobs must precede the events that refer to them: a full blob chunk goes out first.
  if (blob_raw_.size() >= options_.chunk_bytes) BATON_RETURN_IF_ERROR(WriteBlobChunk());
  if (event_raw_.size() >= options_.chunk_bytes) BATON_RETURN_IF_ERROR(WriteEventChunk());
  return Status::Ok();
}

Status LogWriter::WriteBlobChunk() {
  if (pending_blobs_ == 0) return Status::Ok();
  BATON_RETURN_IF_ERROR(WriteChunk(format::ChunkKind::kBlobs, pending_blobs_, blob_raw_));
  stats_.blobs_written += pending_blobs_;
  pending_blobs_ = 0;
  blob_raw_.clear();
  return Status::Ok();
}

Status LogWriter::WriteEventChunk() {
  BATON_RETURN_IF_ERROR(WriteBlobChunk());
  if (event_items_ == 0) return Status::Ok();
  BATON_RETURN_IF_ERROR(WriteChunk(format::ChunkKind::kEvents, event_items_, event_raw_));
  const size_t rec_raw_bytes = event_raw_.size();
  ChunkRecord& rec = chunks_.back();
  rec.first_seq = chunk_first_seq_;
  rec.last_seq = chunk_last_seq_;
  rec.first_mono = chunk_first_mono_;
  rec.last_mono = chunk_last_mono_;
  stats_.events_written += event_items_;
  last_written_seq_ = chunk_last_seq_;
  event_raw_.clear();
  event_items_ = 0;
  // Bound what damage to one chunk can cost the model requests of later ones, without
  // letting the rewrites a checkpoint causes grow with the conversations (format.h).
  ++chunks_since_checkpoint_;
  raw_since_checkpoint_ += rec_raw_bytes;
  if (chunks_since_checkpoint_ >= format::kPrefixCheckpointChunks &&
      raw_since_checkpoint_ >= format::kPrefixCheckpointRatio *
                                   format::kPrefixCheckpointBytesPerMessage *
                                   history_.MessageCount()) {
    history_.Clear();
    chunks_since_checkpoint_ = 0;
    raw_since_checkpoint_ = 0;
  }
  return Status::Ok();
}

Status LogWriter::WriteChunk(format::ChunkKind kind, uint32_t items, const std::string& raw) {
  if (!error_.ok()) return error_;
  BATON_CHECK(raw.size() % sizeof(capnp::word) == 0);
  if (raw.size() > format::kMaxChunkRawBytes) {
    return Fail(Status::InvalidArgument(path_ + ": a single chunk would hold " +
                                        std::to_string(raw.size()) +
                                        " bytes, above the format's limit"));
  }
  format::EncodeChunk(zstd_.get(), kind, items, raw, compressed_);
  if (Status s = file_->Append(compressed_); !s.ok()) return Fail(s);
  switch (options_.durability) {
    case Durability::kNone:
      break;
    case Durability::kFlushPerChunk:
      if (Status s = file_->Flush(); !s.ok()) return Fail(s);
      break;
    case Durability::kSyncPerChunk:
      if (Status s = file_->Sync(); !s.ok()) return Fail(s);
      break;
  }
  ChunkRecord rec;
  rec.offset = offset_;
  rec.kind = kind;
  rec.items = items;
  chunks_.push_back(rec);
  offset_ += compressed_.size();
  raw_bytes_ += raw.size();
  ++stats_.chunks_written;
  stats_.bytes_written = offset_;
  return Status::Ok();
}

Status LogWriter::Flush() {
  if (!error_.ok()) return error_;
  BATON_RETURN_IF_ERROR(WriteEventChunk());
  Status s = options_.durability == Durability::kSyncPerChunk ? file_->Sync() : file_->Flush();
  if (!s.ok()) return Fail(s);
  return Status::Ok();
}

Status LogWriter::Finish(uint64_t dropped_events) {
  if (finished_) return error_;
  BATON_RETURN_IF_ERROR(WriteEventChunk());
  finished_ = true;
  capnp::MallocMessageBuilder message;
  auto footer = message.initRoot<schema::Footer>();
  auto list = footer.initChunks(chunks_.size());
  for (size_t i = 0; i < chunks_.size(); ++i) {
    const ChunkRecord& c = chunks_[i];
    list[i].setOffset(c.offset);
    list[i].setKind(static_cast<uint8_t>(c.kind));
    list[i].setItemCount(c.items);
    list[i].setFirstSeq(c.first_seq);
    list[i].setLastSeq(c.last_seq);
    list[i].setFirstMonoNs(c.first_mono);
    list[i].setLastMonoNs(c.last_mono);
  }
  footer.setEventCount(stats_.events_written);
  footer.setBlobCount(blob_count_);
  footer.setBlobReferences(stats_.blob_references);
  footer.setBlobBytesReferenced(blob_bytes_referenced_);
  footer.setBlobBytesStored(blob_bytes_stored_);
  footer.setDroppedEvents(dropped_events);
  footer.setRawBytes(raw_bytes_);
  std::string raw;
  AppendMessage(message, raw);
  uint64_t footer_offset = offset_;
  BATON_RETURN_IF_ERROR(WriteChunk(format::ChunkKind::kFooter, 1, raw));
  if (Status s = file_->Append(format::EncodeTrailer(footer_offset)); !s.ok()) return Fail(s);
  offset_ += format::kTrailerSize;
  stats_.bytes_written = offset_;
  Status s = options_.durability == Durability::kNone ? Status::Ok() : file_->Sync();
  if (!s.ok()) return Fail(s);
  if (Status c = file_->Close(); !c.ok()) return Fail(c);
  return Status::Ok();
}

}  // namespace baton
