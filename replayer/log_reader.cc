#include "replayer/log_reader.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <list>
#include <unordered_map>

#include "recorder/baton.capnp.h"
#include "recorder/event_codec.h"

namespace baton {
namespace {

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

capnp::ReaderOptions UntrustedLimits() {
  capnp::ReaderOptions o;
  o.traversalLimitInWords = format::kTraversalLimitWords;
  o.nestingLimit = format::kNestingLimit;
  return o;
}

const char* KindLabel(uint8_t kind) {
  switch (static_cast<format::ChunkKind>(kind)) {
    case format::ChunkKind::kSessionHeader:
      return "session header chunk";
    case format::ChunkKind::kEvents:
      return "event chunk";
    case format::ChunkKind::kBlobs:
      return "blob chunk";
    case format::ChunkKind::kFooter:
      return "footer chunk";
  }
  return "chunk";
}

// A chunk read, verified and decompressed: its payload split into messages.
struct DecodedChunk {
  uint64_t offset = 0;
  format::ChunkHeader header;
  uint64_t next_offset = 0;  // Where the following chunk starts.
  kj::Array<capnp::word> words;
  std::vector<kj::ArrayPtr<const capnp::word>> items;
};

enum class ChunkFailure {
  kNone,
  kTruncated,  // The file ends inside this chunk.
  kCorrupt,    // Bad marker, checksum, lengths, compression or message framing.
};

struct ChunkResult {
  ChunkFailure failure = ChunkFailure::kNone;
  std::string message;  // Names the file, the byte offset and what was wrong.
  std::shared_ptr<DecodedChunk> chunk;
};

// A blob chunk holds blobs first .. first + count - 1.
struct BlobChunkEntry {
  uint32_t first = 0;
  uint32_t count = 0;
  uint64_t offset = 0;
};

}  // namespace

class LogReader::Impl {
 public:
  Impl(std::string path, ReaderOptions options) : path_(std::move(path)), options_(options) {}

  Status Open() {
    if (options_.env == nullptr) {
      owned_env_ = NewPosixEnv();
      options_.env = owned_env_.get();
    }
    Result<std::unique_ptr<RandomAccessFile>> file = options_.env->NewRandomAccessFile(path_);
    if (!file.ok()) return file.status();
    file_ = std::move(file).value();
    size_ = file_->Size();

    char prelude[format::kFileHeaderSize];
    Result<std::string_view> got = file_->Read(0, sizeof prelude, prelude);
    if (!got.ok()) return got.status();
    switch (format::DecodeFileHeader(*got, &file_header_)) {
      case format::FileHeaderError::kNone:
        break;
      case format::FileHeaderError::kBadMagic:
        return Status::NotABatonFile(path_ + ": not a .baton file (no baton magic at byte 0)");
      case format::FileHeaderError::kTooShort:
        return Status::Corruption(path_ +
                                  ": truncated file header: " + std::to_string(got->size()) +
                                  " of " + std::to_string(format::kFileHeaderSize) + " bytes");
      case format::FileHeaderError::kBadChecksum:
        return Status::Corruption(path_ + ": file header at byte 0: crc32c mismatch");
    }
    if (file_header_.required_reader_version > format::kReaderVersion) {
      return Status::NotSupported(
          path_ + ": written by format version " + std::to_string(file_header_.format_version) +
          ", which requires reader version " +
          std::to_string(file_header_.required_reader_version) + "; this reader is version " +
          std::to_string(format::kReaderVersion) + ": upgrade baton to read it");
    }

    end_limit_ = size_;
    ReadFooter();

    ChunkResult head = ReadChunkAt(format::kFileHeaderSize);
    if (head.failure == ChunkFailure::kTruncated) {
      return Status::Corruption(head.message + "; the recording ended before its session header");
    }
    if (head.failure == ChunkFailure::kCorrupt) return Status::Corruption(head.message);
    if (head.chunk->header.kind != static_cast<uint8_t>(format::ChunkKind::kSessionHeader) ||
        head.chunk->items.size() != 1) {
      return Status::Corruption(path_ + ": chunk at byte " +
                                std::to_string(format::kFileHeaderSize) +
                                ": expected the session header chunk");
    }
    std::string where =
        path_ + ": session header at byte " + std::to_string(format::kFileHeaderSize);
    Status parsed;
    kj::Maybe<kj::Exception> error = kj::runCatchingExceptions([&]() {
      capnp::FlatArrayMessageReader message(head.chunk->items[0], UntrustedLimits());
      Result<SessionHeader> h =
          codec::DecodeHeader(message.getRoot<schema::SessionHeader>(), where);
      if (h.ok())
        header_ = std::move(h).value();
      else
        parsed = h.status();
    });
    KJ_IF_MAYBE (e, error) {
      return Status::Corruption(where + ": " + e->getDescription().cStr());
    }
    BATON_RETURN_IF_ERROR(parsed);
    Account(*head.chunk);
    pos_ = head.chunk->next_offset;
    return Status::Ok();
  }

  Result<bool> Next(Event* event) {
    while (true) {
      if (report_.end != LogEnd::kNotReached) return false;
      if (current_ && item_ < current_->items.size()) {
        auto words = current_->items[item_++];
        // Built only when a message needs it: most events decode without error.
        const size_t item = item_;
        const uint64_t chunk_offset = current_->offset;
        auto where = [&] {
          return path_ + ": event " + std::to_string(item) + " of chunk at byte " +
                 std::to_string(chunk_offset);
        };
        Result<codec::DecodeOutcome> decoded = DecodeItem(words, where, history_, event);
        if (!decoded.ok()) {
          if (options_.on_corrupt == CorruptChunkPolicy::kStop) return Stop(decoded.status());
          report_.skipped_chunks.push_back({current_->offset, decoded.status().message()});
          continue;
        }
        if (*decoded == codec::DecodeOutcome::kUnknownKind) {
          ++report_.unknown_events_skipped;
          continue;
        }
        if (event->seq <= last_seq_) {
          Status s = Status::Corruption(where() + ": seq " + std::to_string(event->seq) +
                                        " does not follow seq " + std::to_string(last_seq_));
          if (options_.on_corrupt == CorruptChunkPolicy::kStop) return Stop(s);
          report_.skipped_chunks.push_back({current_->offset, s.message()});
          continue;
        }
        last_seq_ = event->seq;
        if (const auto* dropped = event->As<EventsDropped>())
          report_.events_dropped_by_recorder += dropped->count;
        ++report_.events_read;
        return true;
      }
      current_.reset();
      if (pos_ >= end_limit_) {
        if (has_index_)
          Finish(LogEnd::kClean, "");
        else
          Abnormal("");
        continue;
      }
      ChunkResult r = ReadChunkAt(pos_);
      if (r.failure == ChunkFailure::kTruncated) {
        Abnormal(r.message);
        continue;
      }
      if (r.failure == ChunkFailure::kCorrupt) {
        if (options_.on_corrupt == CorruptChunkPolicy::kStop)
          return Stop(Status::Corruption(r.message));
        report_.skipped_chunks.push_back({pos_, r.message});
        uint64_t next = FindNextChunk(pos_ + 1);
        if (next >= end_limit_) {
          Abnormal("");
          continue;
        }
        pos_ = next;
        continue;
      }
      DecodedChunk& c = *r.chunk;
      pos_ = c.next_offset;
      Account(c);
      switch (static_cast<format::ChunkKind>(c.header.kind)) {
        case format::ChunkKind::kEvents:
          current_ = r.chunk;
          item_ = 0;
          history_.Clear();
          break;
        case format::ChunkKind::kBlobs:
          IndexBlobChunk(r.chunk);
          break;
        case format::ChunkKind::kFooter:
          // Reached by scanning when the trailer was cut off: every event is here.
          Finish(LogEnd::kClean, "");
          break;
        case format::ChunkKind::kSessionHeader:
          return Stop(Status::Corruption(path_ + ": chunk at byte " + std::to_string(c.offset) +
                                         ": a second session header"));
        default:
          ++report_.unknown_chunks_skipped;
          break;
      }
    }
  }

  Result<std::vector<Event>> ReadEventChunk(size_t i) {
    BATON_CHECK(i < index_.size());
    if (index_[i].kind != format::ChunkKind::kEvents)
      return Status::InvalidArgument(path_ + ": index entry " + std::to_string(i) +
                                     " is not an event chunk");
    ChunkResult r = ReadChunkAt(index_[i].offset);
    if (r.failure != ChunkFailure::kNone) return Status::Corruption(r.message);
    std::vector<Event> events;
    codec::MessageHistory history;
    for (size_t k = 0; k < r.chunk->items.size(); ++k) {
      Event e;
      auto where = [&] {
        return path_ + ": event " + std::to_string(k + 1) + " of chunk at byte " +
               std::to_string(r.chunk->offset);
      };
      Result<codec::DecodeOutcome> d = DecodeItem(r.chunk->items[k], where, history, &e);
      if (!d.ok()) return d.status();
      if (*d == codec::DecodeOutcome::kDecoded) events.push_back(std::move(e));
    }
    return events;
  }

  Result<std::string> LoadBlob(uint32_t ordinal) {
    std::string out;
    Status s = LoadBlobInto(ordinal, &out);
    if (!s.ok()) return s;
    return out;
  }

  std::optional<uint64_t> BlobSize(uint32_t ordinal) const {
    if (ordinal == 0 || ordinal > blob_sizes_.size() || blob_sizes_[ordinal - 1] == kUnknownSize)
      return std::nullopt;
    return blob_sizes_[ordinal - 1];
  }

  const std::string& path() const { return path_; }
  const SessionHeader& header() const { return header_; }
  const format::FileHeader& file_header() const { return file_header_; }
  uint64_t file_size() const { return size_; }
  const ReadReport& report() const { return report_; }
  bool has_index() const { return has_index_; }
  const std::vector<ChunkIndexEntry>& index() const { return index_; }
  const FooterTotals& footer() const { return footer_; }

 private:
  Result<bool> Stop(Status s) {
    report_.end = LogEnd::kError;
    report_.end_offset = pos_;
    report_.ending = s.message();
    return s;
  }

  void Finish(LogEnd end, std::string ending) {
    report_.end = end;
    report_.end_offset = pos_;
    report_.ending = std::move(ending);
  }

  void Abnormal(const std::string& detail) {
    std::string ending = "recording ended abnormally at byte " + std::to_string(pos_) + "; " +
                         std::to_string(report_.events_read) + " events recovered";
    if (!detail.empty()) ending += " (" + detail + ")";
    Finish(LogEnd::kAbnormal, ending);
  }

  void Account(const DecodedChunk& c) {
    ++report_.chunks;
    report_.stored_bytes += format::kChunkHeaderSize + c.header.stored_length;
    report_.raw_bytes += c.header.raw_length;
  }

  Result<codec::DecodeOutcome> DecodeItem(kj::ArrayPtr<const capnp::word> words,
                                          const std::function<std::string()>& where,
                                          codec::MessageHistory& history, Event* event) {
    codec::BlobLookup lookup = [this](uint32_t ordinal, std::string* out) {
      if (LoadBlobInto(ordinal, out).ok()) return true;
      if (options_.on_corrupt == CorruptChunkPolicy::kSkip) {
        // The blob's chunk was skipped: keep the event, with the reference unresolved.
        ++report_.missing_blobs;
        out->clear();
        return true;
      }
      return false;
    };
    *event = Event();
    Result<codec::DecodeOutcome> result = Status::Corruption(where() + ": unreadable");
    kj::Maybe<kj::Exception> error = kj::runCatchingExceptions([&]() {
      capnp::FlatArrayMessageReader message(words, UntrustedLimits());
      result = codec::DecodeEvent(message.getRoot<schema::Event>(), header_.start_wall_ns,
                                  options_.blobs == BlobLoading::kResolve ? &lookup : nullptr,
                                  history, where, event);
    });
    KJ_IF_MAYBE (e, error) {
      return Status::Corruption(where() + ": malformed event: " + e->getDescription().cStr());
    }
    return result;
  }

  // Reads, verifies and decompresses the chunk at `offset`.
  ChunkResult ReadChunkAt(uint64_t offset) const {
    ChunkResult r;
    std::string at = path_ + ": chunk at byte " + std::to_string(offset);
    if (offset + format::kChunkHeaderSize > end_limit_) {
      r.failure = ChunkFailure::kTruncated;
      r.message = at + ": " + std::to_string(end_limit_ - offset) + " of " +
                  std::to_string(format::kChunkHeaderSize) + " header bytes";
      return r;
    }
    char head[format::kChunkHeaderSize];
    Result<std::string_view> hb = file_->Read(offset, sizeof head, head);
    if (!hb.ok() || hb->size() != sizeof head) {
      r.failure = ChunkFailure::kCorrupt;
      r.message = hb.ok() ? at + ": short read" : hb.status().message();
      return r;
    }
    format::ChunkHeader h;
    if (!format::DecodeChunkHeader(*hb, &h)) {
      r.failure = ChunkFailure::kCorrupt;
      r.message = at + ": no chunk marker (found " + Hex32(format::GetFixed32(head)) + ")";
      return r;
    }
    std::string label = path_ + ": " + KindLabel(h.kind) + " at byte " + std::to_string(offset);
    if (h.stored_length > format::kMaxChunkStoredBytes ||
        h.raw_length > format::kMaxChunkRawBytes || h.raw_length % sizeof(capnp::word) != 0) {
      r.failure = ChunkFailure::kCorrupt;
      r.message = label + ": implausible lengths (stored " + std::to_string(h.stored_length) +
                  ", raw " + std::to_string(h.raw_length) + ")";
      return r;
    }
    uint64_t end = offset + format::kChunkHeaderSize + h.stored_length;
    if (end > end_limit_) {
      // Without a footer this is a recording cut short; with one, the length is damaged.
      r.failure = has_index_ ? ChunkFailure::kCorrupt : ChunkFailure::kTruncated;
      r.message = label + ": needs " + std::to_string(h.stored_length) + " bytes, " +
                  std::to_string(end_limit_ - offset - format::kChunkHeaderSize) + " remain";
      return r;
    }
    std::string stored(h.stored_length, '\0');
    Result<std::string_view> sb =
        file_->Read(offset + format::kChunkHeaderSize, stored.size(), stored.data());
    if (!sb.ok() || sb->size() != stored.size()) {
      r.failure = ChunkFailure::kCorrupt;
      r.message = sb.ok() ? label + ": short read" : sb.status().message();
      return r;
    }
    uint32_t crc = format::ChunkCrc(*hb, stored);
    if (crc != h.crc) {
      r.failure = ChunkFailure::kCorrupt;
      r.message =
          label + ": crc32c mismatch (stored " + Hex32(h.crc) + ", computed " + Hex32(crc) + ")";
      return r;
    }
    auto chunk = std::make_shared<DecodedChunk>();
    chunk->offset = offset;
    chunk->header = h;
    chunk->next_offset = end;
    chunk->words = kj::heapArray<capnp::word>(h.raw_length / sizeof(capnp::word));
    if (h.codec == static_cast<uint8_t>(format::Codec::kZstd)) {
      size_t n = ZSTD_decompress(chunk->words.begin(), h.raw_length, stored.data(), stored.size());
      if (ZSTD_isError(n) || n != h.raw_length) {
        r.failure = ChunkFailure::kCorrupt;
        r.message = label + ": zstd frame does not decompress to " + std::to_string(h.raw_length) +
                    " bytes" +
                    (ZSTD_isError(n) ? std::string(" (") + ZSTD_getErrorName(n) + ")" : "");
        return r;
      }
    } else if (h.codec == static_cast<uint8_t>(format::Codec::kNone)) {
      if (stored.size() != h.raw_length) {
        r.failure = ChunkFailure::kCorrupt;
        r.message = label + ": uncompressed chunk with stored and raw lengths differing";
        return r;
      }
      std::memcpy(chunk->words.begin(), stored.data(), stored.size());
    } else {
      r.failure = ChunkFailure::kCorrupt;
      r.message = label + ": unknown codec " + std::to_string(h.codec);
      return r;
    }
    // A chunk kind from a newer writer need not hold Cap'n Proto messages: not split.
    if (h.kind < static_cast<uint8_t>(format::ChunkKind::kSessionHeader) ||
        h.kind > static_cast<uint8_t>(format::ChunkKind::kFooter)) {
      r.chunk = std::move(chunk);
      return r;
    }
    // Split the payload into its messages (framing only; contents are read on use).
    kj::ArrayPtr<const capnp::word> rest = chunk->words.asPtr();
    std::string framing_error;
    kj::Maybe<kj::Exception> error = kj::runCatchingExceptions([&]() {
      while (rest.size() > 0) {
        capnp::FlatArrayMessageReader message(rest, UntrustedLimits());
        size_t used = message.getEnd() - rest.begin();
        chunk->items.push_back(rest.slice(0, used));
        rest = rest.slice(used, rest.size());
      }
    });
    KJ_IF_MAYBE (e, error) {
      framing_error = e->getDescription().cStr();
    }
    if (!framing_error.empty() || chunk->items.size() != h.item_count) {
      r.failure = ChunkFailure::kCorrupt;
      r.message =
          label + ": " +
          (framing_error.empty() ? "holds " + std::to_string(chunk->items.size()) +
                                       " messages, header says " + std::to_string(h.item_count)
                                 : "bad message framing: " + framing_error);
      return r;
    }
    r.chunk = std::move(chunk);
    return r;
  }

  // The offset of the next chunk at or after `from` whose header and checksum verify.
  uint64_t FindNextChunk(uint64_t from) const {
    char marker[4];
    format::PutFixed32(marker, format::kChunkMarker);
    constexpr size_t kWindow = 1 << 20;
    std::string window(kWindow + 3, '\0');
    for (uint64_t base = from; base < end_limit_; base += kWindow) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(kWindow + 3, end_limit_ - base));
      Result<std::string_view> got = file_->Read(base, want, window.data());
      if (!got.ok()) return end_limit_;
      std::string_view view = *got;
      for (size_t p = view.find(std::string_view(marker, 4)); p != std::string_view::npos;
           p = view.find(std::string_view(marker, 4), p + 1)) {
        if (p >= kWindow) break;  // Seen again in the next window.
        if (ReadChunkAt(base + p).failure == ChunkFailure::kNone) return base + p;
      }
    }
    return end_limit_;
  }

  void ReadFooter() {
    if (size_ < format::kFileHeaderSize + format::kTrailerSize) return;
    char tail[format::kTrailerSize];
    Result<std::string_view> got = file_->Read(size_ - format::kTrailerSize, sizeof tail, tail);
    uint64_t footer_offset = 0;
    if (!got.ok() || !format::DecodeTrailer(*got, &footer_offset)) return;
    if (footer_offset < format::kFileHeaderSize || footer_offset >= size_ - format::kTrailerSize)
      return;
    end_limit_ = size_ - format::kTrailerSize;
    ChunkResult r = ReadChunkAt(footer_offset);
    if (r.failure != ChunkFailure::kNone ||
        r.chunk->header.kind != static_cast<uint8_t>(format::ChunkKind::kFooter) ||
        r.chunk->items.size() != 1) {
      // A damaged footer: fall back to scanning, which recovers everything else.
      end_limit_ = size_;
      return;
    }
    bool ok = false;
    kj::runCatchingExceptions([&]() {
      capnp::FlatArrayMessageReader message(r.chunk->items[0], UntrustedLimits());
      auto f = message.getRoot<schema::Footer>();
      std::vector<ChunkIndexEntry> index;
      for (auto c : f.getChunks()) {
        ChunkIndexEntry e;
        e.offset = c.getOffset();
        e.kind = static_cast<format::ChunkKind>(c.getKind());
        e.items = c.getItemCount();
        e.first_seq = c.getFirstSeq();
        e.last_seq = c.getLastSeq();
        e.first_mono_ns = c.getFirstMonoNs();
        e.last_mono_ns = c.getLastMonoNs();
        if (e.offset >= footer_offset) return;  // Validate before use.
        index.push_back(e);
      }
      uint64_t next_ordinal = 1;
      for (const ChunkIndexEntry& e : index) {
        if (e.kind != format::ChunkKind::kBlobs) continue;
        if (next_ordinal + e.items > UINT32_MAX) return;
        blob_chunks_.push_back({static_cast<uint32_t>(next_ordinal), e.items, e.offset});
        next_ordinal += e.items;
      }
      footer_.event_count = f.getEventCount();
      footer_.blob_count = f.getBlobCount();
      footer_.blob_references = f.getBlobReferences();
      footer_.blob_bytes_referenced = f.getBlobBytesReferenced();
      footer_.blob_bytes_stored = f.getBlobBytesStored();
      footer_.dropped_events = f.getDroppedEvents();
      footer_.raw_bytes = f.getRawBytes();
      index_ = std::move(index);
      ok = true;
    });
    if (!ok) {
      blob_chunks_.clear();
      end_limit_ = size_;
      return;
    }
    has_index_ = true;
    end_limit_ = footer_offset;
  }

  // Learns the ordinals and sizes of a blob chunk passed while streaming. The ordinals
  // come from the blobs themselves, so a skipped corrupt chunk shifts nothing.
  void IndexBlobChunk(const std::shared_ptr<DecodedChunk>& chunk) {
    uint32_t first = 0;
    uint32_t count = 0;
    for (uint32_t i = 0; i < chunk->items.size(); ++i) {
      kj::runCatchingExceptions([&]() {
        capnp::FlatArrayMessageReader message(chunk->items[i], UntrustedLimits());
        auto blob = message.getRoot<schema::Blob>();
        uint32_t ordinal = blob.getOrdinal();
        if (i == 0) first = ordinal;
        if (ordinal == 0 || ordinal != first + i) return;  // Validated again on load.
        uint64_t size = blob.getData().size();
        if (blob_sizes_.size() < ordinal) blob_sizes_.resize(ordinal, kUnknownSize);
        blob_sizes_[ordinal - 1] = size;
        ++count;
        ++report_.blobs;
        report_.blob_bytes_stored += size;
      });
    }
    if (!has_index_ && count > 0 &&
        (blob_chunks_.empty() || blob_chunks_.back().first + blob_chunks_.back().count <= first)) {
      blob_chunks_.push_back({first, count, chunk->offset});
    }
    Cache(chunk);
  }

  void Cache(const std::shared_ptr<DecodedChunk>& chunk) {
    size_t bytes = chunk->words.size() * sizeof(capnp::word);
    cache_.push_front(chunk);
    cache_bytes_ += bytes;
    while (cache_bytes_ > options_.blob_cache_bytes && cache_.size() > 1) {
      cache_bytes_ -= cache_.back()->words.size() * sizeof(capnp::word);
      cache_.pop_back();
    }
  }

  Status LoadBlobInto(uint32_t ordinal, std::string* out) {
    // The last blob chunk starting at or before `ordinal`.
    auto it = std::upper_bound(blob_chunks_.begin(), blob_chunks_.end(), ordinal,
                               [](uint32_t o, const BlobChunkEntry& e) { return o < e.first; });
    if (it == blob_chunks_.begin() || ordinal >= (it - 1)->first + (it - 1)->count)
      return Status::NotFound(path_ + ": blob " + std::to_string(ordinal) +
                              " is not in the part of the file read");
    const BlobChunkEntry& entry = *(it - 1);
    uint32_t item = ordinal - entry.first;
    std::shared_ptr<DecodedChunk> chunk;
    for (auto c = cache_.begin(); c != cache_.end(); ++c) {
      if ((*c)->offset == entry.offset) {
        chunk = *c;
        if (c != cache_.begin()) cache_.splice(cache_.begin(), cache_, c);
        break;
      }
    }
    if (!chunk) {
      ChunkResult r = ReadChunkAt(entry.offset);
      if (r.failure != ChunkFailure::kNone) return Status::Corruption(r.message);
      chunk = r.chunk;
      Cache(chunk);
    }
    std::string where = path_ + ": blob " + std::to_string(ordinal) + " (item " +
                        std::to_string(item + 1) + " of the chunk at byte " +
                        std::to_string(entry.offset) + ")";
    if (item >= chunk->items.size())
      return Status::Corruption(where + ": the chunk has only " +
                                std::to_string(chunk->items.size()) + " items");
    Status result;
    kj::Maybe<kj::Exception> error = kj::runCatchingExceptions([&]() {
      capnp::FlatArrayMessageReader message(chunk->items[item], UntrustedLimits());
      auto blob = message.getRoot<schema::Blob>();
      auto data = blob.getData();
      out->assign(reinterpret_cast<const char*>(data.begin()), data.size());
      if (blob.getOrdinal() != ordinal)
        result = Status::Corruption(where + ": holds blob " + std::to_string(blob.getOrdinal()));
    });
    KJ_IF_MAYBE (e, error) {
      return Status::Corruption(where + ": malformed blob: " + e->getDescription().cStr());
    }
    return result;
  }

  const std::string path_;
  ReaderOptions options_;
  std::unique_ptr<Env> owned_env_;
  std::unique_ptr<RandomAccessFile> file_;
  uint64_t size_ = 0;
  uint64_t end_limit_ = 0;  // Footer offset when indexed, else the file size.
  format::FileHeader file_header_;
  SessionHeader header_;

  bool has_index_ = false;
  std::vector<ChunkIndexEntry> index_;
  FooterTotals footer_;

  uint64_t pos_ = 0;  // Next chunk to read.
  std::shared_ptr<DecodedChunk> current_;
  size_t item_ = 0;
  codec::MessageHistory history_;  // Of the event chunk being read (current_).
  uint64_t last_seq_ = 0;
  ReadReport report_;

  static constexpr uint64_t kUnknownSize = UINT64_MAX;
  std::vector<BlobChunkEntry> blob_chunks_;         // By first ordinal.
  std::vector<uint64_t> blob_sizes_;                // By ordinal - 1, for blobs streamed past.
  std::list<std::shared_ptr<DecodedChunk>> cache_;  // Most recently used first.
  size_t cache_bytes_ = 0;
};

Result<std::unique_ptr<LogReader>> LogReader::Open(const std::string& path, ReaderOptions options) {
  auto impl = std::make_unique<Impl>(path, options);
  BATON_RETURN_IF_ERROR(impl->Open());
  return std::unique_ptr<LogReader>(new LogReader(std::move(impl)));
}

LogReader::LogReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LogReader::~LogReader() = default;
const std::string& LogReader::path() const { return impl_->path(); }
const SessionHeader& LogReader::header() const { return impl_->header(); }
const format::FileHeader& LogReader::file_header() const { return impl_->file_header(); }
uint64_t LogReader::file_size() const { return impl_->file_size(); }
Result<bool> LogReader::Next(Event* event) { return impl_->Next(event); }
const ReadReport& LogReader::report() const { return impl_->report(); }
bool LogReader::has_index() const { return impl_->has_index(); }
const std::vector<ChunkIndexEntry>& LogReader::index() const { return impl_->index(); }
const FooterTotals& LogReader::footer() const { return impl_->footer(); }
Result<std::vector<Event>> LogReader::ReadEventChunk(size_t i) { return impl_->ReadEventChunk(i); }
Result<std::string> LogReader::LoadBlob(uint32_t ordinal) { return impl_->LoadBlob(ordinal); }
std::optional<uint64_t> LogReader::BlobSize(uint32_t ordinal) const {
  return impl_->BlobSize(ordinal);
}

Result<LogContents> ReadLog(const std::string& path, ReaderOptions options) {
  Result<std::unique_ptr<LogReader>> reader = LogReader::Open(path, options);
  if (!reader.ok()) return reader.status();
  LogContents contents;
  contents.header = (*reader)->header();
  Event event;
  while (true) {
    Result<bool> more = (*reader)->Next(&event);
    if (!more.ok()) return more.status();
    if (!*more) break;
    contents.events.push_back(std::move(event));
  }
  contents.report = (*reader)->report();
  return contents;
}

}  // namespace baton
