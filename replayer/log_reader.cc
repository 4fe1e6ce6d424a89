#include "replayer/log_reader.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <list>
#include <queue>
#include <tuple>

#include "base/crc32c.h"
#include "recorder/baton.capnp.h"
#include "recorder/event_codec.h"

namespace baton {
namespace {

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Limits for reading one message of `words` words from a file. The traversal budget
// follows the message's size: Cap'n Proto counts each element of a list of zero-sized
// structs as one word, so a tiny message claiming millions of elements (each a C++
// object once decoded) is refused instead of allocating gigabytes.
capnp::ReaderOptions UntrustedLimits(size_t words) {
  capnp::ReaderOptions o;
  o.traversalLimitInWords = std::min<uint64_t>(
      format::kTraversalLimitWords,
      format::kTraversalWordsPerMessageWord * words + format::kTraversalSlackWords);
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

// A chunk as Next() read it, to compare with the footer's index.
struct SeenChunk {
  uint64_t offset = 0;
  format::ChunkKind kind = format::ChunkKind::kEvents;
  uint32_t items = 0;
};

// A blob chunk holds blobs first .. first + count - 1.
struct BlobChunkEntry {
  uint32_t first = 0;
  uint32_t count = 0;
  uint64_t offset = 0;
  std::vector<uint64_t> sizes;  // Of each blob, once the chunk was streamed past.
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
        if (got->empty()) {
          // The recorder died before its first write: an empty session, said so.
          EmptySession(path_ + ": the file is empty");
          return Status::Ok();
        }
        return Status::NotABatonFile(path_ + ": not a .baton file (no baton magic at byte 0)");
      case format::FileHeaderError::kTooShort:
        EmptySession(path_ + ": the file header has " + std::to_string(got->size()) + " of " +
                     std::to_string(format::kFileHeaderSize) + " bytes");
        return Status::Ok();
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
      EmptySession(head.message);
      return Status::Ok();
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
      capnp::FlatArrayMessageReader message(head.chunk->items[0],
                                            UntrustedLimits(head.chunk->items[0].size()));
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

  // A file cut before its session header holds no event: it reads as an empty session
  // that ended abnormally, so a crashed recorder's file still opens.
  void EmptySession(const std::string& detail) {
    pos_ = std::min<uint64_t>(size_, format::kFileHeaderSize);
    end_limit_ = size_;
    has_index_ = false;
    Finish(LogEnd::kAbnormal, "recording ended abnormally at byte " + std::to_string(size_) +
                                  " before its session header; 0 events recovered (" + detail +
                                  ")");
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
        Result<codec::DecodeOutcome> decoded =
            DecodeItem(words, where, history_, BlobScope::kReadSoFar, event);
        if (!decoded.ok()) {
          if (options_.on_corrupt == CorruptChunkPolicy::kStop) return Stop(decoded.status());
          // One bad message makes the rest of its chunk suspect: skip it whole, once.
          report_.skipped_chunks.push_back({current_->offset, decoded.status().message()});
          current_.reset();
          continue;
        }
        if (event->seq <= last_seq_) {
          Status s = Status::Corruption(where() + ": seq " + std::to_string(event->seq) +
                                        " does not follow seq " + std::to_string(last_seq_));
          if (options_.on_corrupt == CorruptChunkPolicy::kStop) return Stop(s);
          report_.skipped_chunks.push_back({current_->offset, s.message()});
          current_.reset();
          continue;
        }
        if (event->seq != last_seq_ + 1) {
          // The recorder numbers every event it writes 1, 2, 3, ...: a gap is lost events.
          uint64_t missing = event->seq - last_seq_ - 1;
          if (options_.on_corrupt == CorruptChunkPolicy::kStop) {
            return Stop(Status::Corruption(where() + ": seq " + std::to_string(event->seq) +
                                           " follows seq " + std::to_string(last_seq_) + ": " +
                                           std::to_string(missing) +
                                           " events are missing (a chunk was removed or lost)"));
          }
          report_.missing_events += missing;
        }
        last_seq_ = event->seq;
        if (*decoded == codec::DecodeOutcome::kUnknownKind) {
          ++report_.unknown_events_skipped;
          continue;
        }
        if (options_.blobs == BlobLoading::kLazy) {
          if (Status s = CheckBlobReferences(*event, where); !s.ok()) {
            if (options_.on_corrupt == CorruptChunkPolicy::kStop) return Stop(s);
            ++report_.missing_blobs;
          }
        }
        if (const auto* dropped = event->As<EventsDropped>())
          report_.events_dropped_by_recorder += dropped->count;
        ++report_.events_read;
        return true;
      }
      current_.reset();
      if (pos_ >= end_limit_) {
        if (!has_index_) {
          Abnormal("");
          continue;
        }
        if (Status s = VerifyFooter(footer_offset_, footer_, index_); !s.ok()) {
          if (options_.on_corrupt == CorruptChunkPolicy::kStop) return Stop(s);
          report_.skipped_chunks.push_back({footer_offset_, s.message()});
        }
        Finish(LogEnd::kClean, "");
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
          pos_ = end_limit_;
          Abnormal("");
          continue;
        }
        pos_ = next;
        continue;
      }
      DecodedChunk& c = *r.chunk;
      const SeenChunk seen{c.offset, static_cast<format::ChunkKind>(c.header.kind),
                           c.header.item_count};
      if (has_index_ && options_.on_corrupt == CorruptChunkPolicy::kStop) {
        if (Status s = CheckAgainstIndex(seen); !s.ok()) return Stop(s);
      }
      pos_ = c.next_offset;
      Account(c);
      seen_chunks_.push_back(seen);
      switch (static_cast<format::ChunkKind>(c.header.kind)) {
        case format::ChunkKind::kEvents:
          current_ = r.chunk;
          item_ = 0;
          break;
        case format::ChunkKind::kBlobs:
          if (Status s = IndexBlobChunk(r.chunk); !s.ok()) {
            if (options_.on_corrupt == CorruptChunkPolicy::kStop) return Stop(s);
            report_.skipped_chunks.push_back({c.offset, s.message()});
          }
          break;
        case format::ChunkKind::kFooter: {
          seen_chunks_.pop_back();  // The footer does not list itself.
          // Reached by scanning: the trailer is missing or damaged, or this footer is
          // not where the trailer points.
          Status s = FooterReachedByScanning(r.chunk);
          if (!s.ok()) {
            if (options_.on_corrupt == CorruptChunkPolicy::kStop) return Stop(s);
            report_.skipped_chunks.push_back({c.offset, s.message()});
            break;
          }
          Finish(LogEnd::kClean, "");
          break;
        }
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
    std::vector<Event> events;
    codec::MessageHistory history;
    for (size_t j = 0; j <= i; ++j) {
      if (index_[j].kind != format::ChunkKind::kEvents) continue;
      ChunkResult r = ReadChunkAt(index_[j].offset);
      if (r.failure != ChunkFailure::kNone) return Status::Corruption(r.message);
      for (size_t k = 0; k < r.chunk->items.size(); ++k) {
        Event e;
        auto where = [&] {
          return path_ + ": event " + std::to_string(k + 1) + " of chunk at byte " +
                 std::to_string(r.chunk->offset);
        };
        Result<codec::DecodeOutcome> d =
            DecodeItem(r.chunk->items[k], where, history, BlobScope::kWholeFile, &e);
        if (!d.ok()) return d.status();
        if (j == i && *d == codec::DecodeOutcome::kDecoded) events.push_back(std::move(e));
      }
    }
    return events;
  }

  Result<std::string> LoadBlob(uint32_t ordinal) {
    std::string out;
    Status s = LoadBlobInto(ordinal, &out);
    if (!s.ok()) return s;
    return out;
  }

  Status VisitBlob(uint32_t ordinal, const std::function<void(std::string_view)>& visit) {
    const BlobChunkEntry* entry = nullptr;
    std::shared_ptr<DecodedChunk> chunk;
    BATON_RETURN_IF_ERROR(DecodedBlobChunk(ordinal, entry, chunk));
    return VisitBlobItem(*entry, *chunk, ordinal, visit);
  }

  Status VisitBlobsBeside(uint32_t ordinal,
                          const std::function<void(uint32_t, std::string_view)>& visit) {
    const BlobChunkEntry* entry = nullptr;
    std::shared_ptr<DecodedChunk> chunk;
    BATON_RETURN_IF_ERROR(DecodedBlobChunk(ordinal, entry, chunk));
    Status asked;
    for (uint32_t o = entry->first; o - entry->first < entry->count; ++o) {
      Status s = VisitBlobItem(*entry, *chunk, o, [&](std::string_view bytes) { visit(o, bytes); });
      if (o == ordinal) asked = std::move(s);
    }
    return asked;
  }

  // The blob chunk holding `ordinal` and its decoded items (from the cache, or read now).
  Status DecodedBlobChunk(uint32_t ordinal, const BlobChunkEntry*& entry,
                          std::shared_ptr<DecodedChunk>& chunk) {
    entry = BlobChunkOf(ordinal);
    if (entry == nullptr)
      return Status::NotFound(path_ + ": blob " + std::to_string(ordinal) +
                              " is not in the part of the file read");
    for (auto c = cache_.begin(); c != cache_.end(); ++c) {
      if ((*c)->offset == entry->offset) {
        chunk = *c;
        if (c != cache_.begin()) cache_.splice(cache_.begin(), cache_, c);
        return Status::Ok();
      }
    }
    ChunkResult r = ReadChunkAt(entry->offset);
    if (r.failure != ChunkFailure::kNone) return Status::Corruption(r.message);
    chunk = r.chunk;
    Cache(chunk);
    return Status::Ok();
  }

  // Lends blob `ordinal`, an item of `chunk`, to `visit`, after checking that the item is a
  // well-formed blob with that ordinal.
  Status VisitBlobItem(const BlobChunkEntry& entry, const DecodedChunk& chunk, uint32_t ordinal,
                       const std::function<void(std::string_view)>& visit) {
    const uint32_t item = ordinal - entry.first;
    // Named only when something is wrong: a blob read on every replayed call builds no
    // strings.
    auto where = [&] {
      return path_ + ": blob " + std::to_string(ordinal) + " (item " + std::to_string(item + 1) +
             " of the chunk at byte " + std::to_string(entry.offset) + ")";
    };
    if (item >= chunk.items.size())
      return Status::Corruption(where() + ": the chunk has only " +
                                std::to_string(chunk.items.size()) + " items");
    Status result;
    kj::Maybe<kj::Exception> error = kj::runCatchingExceptions([&]() {
      capnp::FlatArrayMessageReader message(chunk.items[item],
                                            UntrustedLimits(chunk.items[item].size()));
      auto blob = message.getRoot<schema::Blob>();
      auto data = blob.getData();
      if (blob.getOrdinal() != ordinal)
        result = Status::Corruption(where() + ": holds blob " + std::to_string(blob.getOrdinal()));
      else
        visit(std::string_view(reinterpret_cast<const char*>(data.begin()), data.size()));
    });
    KJ_IF_MAYBE (e, error) {
      return Status::Corruption(where() + ": malformed blob: " + e->getDescription().cStr());
    }
    return result;
  }

  std::optional<uint64_t> BlobSize(uint32_t ordinal) const {
    const BlobChunkEntry* entry = BlobChunkOf(ordinal);
    if (entry == nullptr || entry->sizes.empty()) return std::nullopt;
    return entry->sizes[ordinal - entry->first];
  }

  // The blob chunk holding `ordinal`, or nullptr.
  const BlobChunkEntry* BlobChunkOf(uint32_t ordinal) const {
    auto it = std::upper_bound(blob_chunks_.begin(), blob_chunks_.end(), ordinal,
                               [](uint32_t o, const BlobChunkEntry& e) { return o < e.first; });
    if (it == blob_chunks_.begin() || ordinal - (it - 1)->first >= (it - 1)->count) return nullptr;
    return &*(it - 1);
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

  // Which blobs an event may refer to: while streaming, only those already read (the
  // writer puts every blob before the first event using it); by random access, any the
  // footer lists.
  enum class BlobScope { kReadSoFar, kWholeFile };

  Result<codec::DecodeOutcome> DecodeItem(kj::ArrayPtr<const capnp::word> words,
                                          const std::function<std::string()>& where,
                                          codec::MessageHistory& history, BlobScope scope,
                                          Event* event) {
    codec::BlobLookup lookup = [this, scope](uint32_t ordinal, std::string* out) {
      bool readable = scope == BlobScope::kWholeFile || ordinal < next_blob_ordinal_;
      if (readable && LoadBlobInto(ordinal, out).ok()) return true;
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
      capnp::FlatArrayMessageReader message(words, UntrustedLimits(words.size()));
      result = codec::DecodeEvent(message.getRoot<schema::Event>(), header_.start_wall_ns,
                                  options_.blobs == BlobLoading::kResolve ? &lookup : nullptr,
                                  history, where, event);
    });
    KJ_IF_MAYBE (e, error) {
      return Status::Corruption(where() + ": malformed event: " + e->getDescription().cStr());
    }
    return result;
  }

  // With lazy blobs the codec leaves references unresolved; they must still name blobs
  // this reader has passed, or later lookups (and anything sized by an ordinal) would
  // trust a number the file does not back.
  Status CheckBlobReferences(const Event& event, const std::function<std::string()>& where) {
    uint32_t bad = 0;
    ForEachContent(event, [&](const Content& c) {
      if (c.blob != 0 && c.blob >= next_blob_ordinal_ && bad == 0) bad = c.blob;
    });
    if (bad == 0) return Status::Ok();
    return Status::Corruption(where() + ": refers to blob " + std::to_string(bad) + ", but only " +
                              std::to_string(next_blob_ordinal_ - 1) +
                              " blobs precede it in the file");
  }

  // The k-th chunk read must be the k-th the footer lists: same offset, kind and count.
  // Whether an index entry describes a chunk as read.
  static bool Lists(const ChunkIndexEntry& e, const SeenChunk& c) {
    return e.offset == c.offset && e.kind == c.kind && e.items == c.items;
  }

  Status CheckAgainstIndex(const SeenChunk& c) const {
    size_t k = seen_chunks_.size() + 1;  // + the session header chunk, read at Open.
    std::string at = path_ + ": " + KindLabel(static_cast<uint8_t>(c.kind)) + " at byte " +
                     std::to_string(c.offset);
    if (k >= index_.size())
      return Status::Corruption(at + ": not in the footer's index of " +
                                std::to_string(index_.size()) + " chunks (footer at byte " +
                                std::to_string(footer_offset_) + ")");
    const ChunkIndexEntry& e = index_[k];
    if (!Lists(e, c)) {
      return Status::Corruption(
          at + " (" + std::to_string(c.items) + " items): the footer at byte " +
          std::to_string(footer_offset_) + " lists a " + KindLabel(static_cast<uint8_t>(e.kind)) +
          " at byte " + std::to_string(e.offset) + " (" + std::to_string(e.items) +
          " items) as chunk " + std::to_string(k + 1));
    }
    return Status::Ok();
  }

  // What the footer says against what was read: every listed chunk, events and blobs.
  Status VerifyFooter(uint64_t footer_offset, const FooterTotals& totals,
                      const std::vector<ChunkIndexEntry>& index) const {
    // Chunks already skipped (kSkip) make any footer disagree: that damage is reported.
    if (options_.on_corrupt == CorruptChunkPolicy::kSkip && !report_.skipped_chunks.empty())
      return Status::Ok();
    std::string at = path_ + ": footer at byte " + std::to_string(footer_offset);
    // index[0] is the session header chunk, read at Open and not in seen_chunks_.
    if (index.empty() || index[0].offset != format::kFileHeaderSize ||
        index[0].kind != format::ChunkKind::kSessionHeader) {
      return Status::Corruption(at + ": its index does not start with the session header chunk");
    }
    for (size_t k = 0; k < seen_chunks_.size() && k + 1 < index.size(); ++k) {
      const SeenChunk& seen = seen_chunks_[k];
      const ChunkIndexEntry& e = index[k + 1];
      if (!Lists(e, seen)) {
        return Status::Corruption(at + ": lists a " + KindLabel(static_cast<uint8_t>(e.kind)) +
                                  " at byte " + std::to_string(e.offset) + " as chunk " +
                                  std::to_string(k + 2) + ", but the file holds a " +
                                  KindLabel(static_cast<uint8_t>(seen.kind)) + " at byte " +
                                  std::to_string(seen.offset) + " there");
      }
    }
    if (index.size() != seen_chunks_.size() + 1) {
      return Status::Corruption(at + ": lists " + std::to_string(index.size()) +
                                " chunks, the file holds " +
                                std::to_string(seen_chunks_.size() + 1));
    }
    uint64_t events = report_.events_read + report_.unknown_events_skipped;
    if (totals.event_count != events || (events > 0 && last_seq_ != events)) {
      return Status::Corruption(at + ": says " + std::to_string(totals.event_count) +
                                " events, the file holds " + std::to_string(events) + " (seq 1.." +
                                std::to_string(last_seq_) + ")");
    }
    if (totals.blob_count != next_blob_ordinal_ - 1) {
      return Status::Corruption(at + ": says " + std::to_string(totals.blob_count) +
                                " blobs, the file holds " + std::to_string(next_blob_ordinal_ - 1));
    }
    return Status::Ok();
  }

  // A footer found while reading chunk by chunk must be the last thing in the file
  // (at most a damaged trailer may follow) and must agree with what was read.
  Status FooterReachedByScanning(const std::shared_ptr<DecodedChunk>& chunk) {
    std::string at = path_ + ": footer chunk at byte " + std::to_string(chunk->offset);
    if (has_index_) {
      return Status::Corruption(at +
                                " comes before the end of the log (the trailer points at "
                                "the footer at byte " +
                                std::to_string(footer_offset_) + ")");
    }
    uint64_t after = end_limit_ - chunk->next_offset;
    if (after > format::kTrailerSize) {
      return Status::Corruption(at + " is followed by " + std::to_string(after) +
                                " more bytes: a footer must end the file");
    }
    FooterTotals totals;
    std::vector<ChunkIndexEntry> index;
    if (Status s = ParseFooter(*chunk, &totals, &index); !s.ok()) return s;
    return VerifyFooter(chunk->offset, totals, index);
  }

  Status ParseFooter(const DecodedChunk& chunk, FooterTotals* totals,
                     std::vector<ChunkIndexEntry>* index) const {
    std::string at = path_ + ": footer at byte " + std::to_string(chunk.offset);
    if (chunk.items.size() != 1) return Status::Corruption(at + ": holds no footer message");
    Status result;
    kj::Maybe<kj::Exception> error = kj::runCatchingExceptions([&]() {
      capnp::FlatArrayMessageReader message(chunk.items[0], UntrustedLimits(chunk.items[0].size()));
      auto f = message.getRoot<schema::Footer>();
      uint64_t previous = 0;
      for (auto c : f.getChunks()) {
        ChunkIndexEntry e;
        e.offset = c.getOffset();
        e.kind = static_cast<format::ChunkKind>(c.getKind());
        e.items = c.getItemCount();
        e.first_seq = c.getFirstSeq();
        e.last_seq = c.getLastSeq();
        e.first_mono_ns = c.getFirstMonoNs();
        e.last_mono_ns = c.getLastMonoNs();
        // Validated before use: entries ascend and lie before the footer.
        if (e.offset < format::kFileHeaderSize || e.offset >= chunk.offset ||
            (!index->empty() && e.offset <= previous)) {
          result = Status::Corruption(at + ": index entry " + std::to_string(index->size() + 1) +
                                      " points at byte " + std::to_string(e.offset) +
                                      ", outside the chunks before the footer");
          return;
        }
        previous = e.offset;
        index->push_back(e);
      }
      totals->event_count = f.getEventCount();
      totals->blob_count = f.getBlobCount();
      totals->blob_references = f.getBlobReferences();
      totals->blob_bytes_referenced = f.getBlobBytesReferenced();
      totals->blob_bytes_stored = f.getBlobBytesStored();
      totals->dropped_events = f.getDroppedEvents();
      totals->raw_bytes = f.getRawBytes();
    });
    KJ_IF_MAYBE (e, error) {
      return Status::Corruption(at + ": malformed footer: " + e->getDescription().cStr());
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
    if (std::string why = ImplausibleLengths(h); !why.empty()) {
      r.failure = ChunkFailure::kCorrupt;
      r.message = label + ": " + why;
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
    if (h.codec == static_cast<uint8_t>(format::Codec::kZstd)) {
      // The frame must declare the size the header claims before anything is allocated
      // or decompressed: a crafted frame cannot make the reader work beyond the header.
      unsigned long long declared = ZSTD_getFrameContentSize(stored.data(), stored.size());
      size_t frame = ZSTD_findFrameCompressedSize(stored.data(), stored.size());
      if (declared != h.raw_length || ZSTD_isError(frame) || frame != stored.size()) {
        r.failure = ChunkFailure::kCorrupt;
        r.message = label + ": the zstd frame does not declare the chunk's " +
                    std::to_string(h.raw_length) + " bytes in one frame of " +
                    std::to_string(stored.size());
        return r;
      }
    }
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
        capnp::FlatArrayMessageReader message(rest, UntrustedLimits(rest.size()));
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

  // Why a chunk header's lengths cannot be trusted, or "" when they can. Checked before
  // any allocation: a chunk may not expand beyond the reader's ceiling, nor by more than
  // kMaxCompressionRatio (a zstd bomb), nor hold a partial Cap'n Proto word.
  std::string ImplausibleLengths(const format::ChunkHeader& h) const {
    auto lengths = [&] {
      return " (stored " + std::to_string(h.stored_length) + ", raw " +
             std::to_string(h.raw_length) + ")";
    };
    if (h.stored_length > format::kMaxChunkStoredBytes ||
        h.raw_length > format::kMaxChunkRawBytes || h.raw_length % sizeof(capnp::word) != 0)
      return "implausible lengths" + lengths();
    if (h.raw_length > options_.max_chunk_raw_bytes)
      return "expands to more than the reader's limit of " +
             std::to_string(options_.max_chunk_raw_bytes) + " bytes" + lengths();
    if (h.raw_length > format::kRatioFreeRawBytes &&
        h.raw_length / std::max<uint64_t>(h.stored_length, 1) > format::kMaxCompressionRatio)
      return "expands more than " + std::to_string(format::kMaxCompressionRatio) +
             "-fold, which no recording does" + lengths();
    return "";
  }

  // The offset of the next chunk at or after `from` that verifies, or end_limit_.
  //
  // Damage can leave many false "BCHK" markers, each claiming a long chunk; verifying
  // each by reading its bytes is quadratic. Instead one pass over the bytes keeps a
  // running crc32c from `from`; each candidate's checksum is derived from the running
  // values at its data's start and end (crc32c::Suffix, Combine) when the pass gets
  // there. The first candidate by offset whose checksum matches, and which then reads
  // whole, wins; every candidate before it must have been decided first.
  uint64_t FindNextChunk(uint64_t from) const {
    struct Candidate {
      uint64_t offset = 0;
      uint64_t data_end = 0;
      uint32_t header_crc = 0;   // crc32c of header bytes [0, kChunkCrcOffset).
      uint32_t expected = 0;     // The header's crc field.
      uint32_t crc_at_data = 0;  // Running crc at offset + kChunkHeaderSize.
      enum class State { kPending, kFailed, kChecksumOk } state = State::kPending;
    };
    enum class Point { kDataStart = 0, kDataEnd = 1 };
    struct Checkpoint {
      uint64_t at;
      Point point;
      size_t candidate;
      bool operator>(const Checkpoint& o) const {
        return std::tie(at, point, candidate) > std::tie(o.at, o.point, o.candidate);
      }
    };
    std::vector<Candidate> candidates;
    std::priority_queue<Checkpoint, std::vector<Checkpoint>, std::greater<>> checkpoints;
    size_t first_undecided = 0;

    constexpr size_t kWindow = 1 << 20;
    std::string window(kWindow, '\0');
    uint64_t window_base = from;
    size_t window_size = 0;
    auto bytes_at = [&](uint64_t pos, uint64_t n) -> std::string_view {  // Within a window.
      if (pos < window_base || pos + n > window_base + window_size) {
        window_base = pos;
        size_t want = static_cast<size_t>(std::min<uint64_t>(kWindow, end_limit_ - pos));
        Result<std::string_view> got = file_->Read(pos, want, window.data());
        window_size = got.ok() ? got->size() : 0;
      }
      return std::string_view(window.data() + (pos - window_base),
                              std::min<uint64_t>(n, window_base + window_size - pos));
    };

    uint64_t crc_pos = from;  // running = crc32c of bytes [from, crc_pos).
    uint32_t running = 0;
    auto advance_crc = [&](uint64_t to) {
      while (crc_pos < to) {
        std::string_view b = bytes_at(crc_pos, std::min<uint64_t>(to - crc_pos, kWindow));
        if (b.empty()) return false;
        running = crc32c::Extend(running, b.data(), b.size());
        crc_pos += b.size();
      }
      return true;
    };

    std::string marker(4, '\0');
    format::PutFixed32(marker.data(), format::kChunkMarker);
    std::string scan_buffer(kWindow + 3, '\0');
    uint64_t scan_base = from;  // Next byte the marker scan looks at.
    std::string_view scan_view;
    uint64_t scan_view_base = from;
    size_t scan_at = 0;
    // The next marker at or after the scan position, or end_limit_.
    auto next_marker = [&]() -> uint64_t {
      while (true) {
        size_t p = scan_view.find(marker, scan_at);
        if (p != std::string_view::npos && p + 4 <= scan_view.size()) {
          scan_at = p + 1;
          return scan_view_base + p;
        }
        if (scan_base >= end_limit_) return end_limit_;
        // Overlap three bytes so a marker across the window edge is found once.
        uint64_t base = scan_view.empty() ? scan_base : scan_view_base + scan_view.size() - 3;
        if (base < scan_base) base = scan_base;
        size_t want = static_cast<size_t>(std::min<uint64_t>(kWindow + 3, end_limit_ - base));
        Result<std::string_view> got = file_->Read(base, want, scan_buffer.data());
        if (!got.ok() || got->size() < 4) return end_limit_;
        scan_view = *got;
        scan_view_base = base;
        scan_at = 0;
        scan_base = base + got->size() - 3;
        if (base + got->size() >= end_limit_) scan_base = end_limit_;
      }
    };

    uint64_t marker_at = next_marker();
    while (true) {
      // Decide candidates in offset order; return the first that checks out.
      while (first_undecided < candidates.size() &&
             candidates[first_undecided].state != Candidate::State::kPending) {
        const Candidate& c = candidates[first_undecided];
        if (c.state == Candidate::State::kChecksumOk &&
            ReadChunkAt(c.offset).failure == ChunkFailure::kNone)
          return c.offset;
        ++first_undecided;
      }
      uint64_t next_checkpoint = checkpoints.empty() ? end_limit_ : checkpoints.top().at;
      if (marker_at >= end_limit_ && checkpoints.empty()) break;
      if (marker_at < end_limit_ && marker_at < next_checkpoint) {
        char head[format::kChunkHeaderSize];
        format::ChunkHeader h;
        Result<std::string_view> hb = marker_at + sizeof head <= end_limit_
                                          ? file_->Read(marker_at, sizeof head, head)
                                          : Result<std::string_view>(std::string_view());
        if (hb.ok() && hb->size() == sizeof head && format::DecodeChunkHeader(*hb, &h) &&
            ImplausibleLengths(h).empty() &&
            marker_at + format::kChunkHeaderSize + h.stored_length <= end_limit_) {
          Candidate c;
          c.offset = marker_at;
          c.data_end = marker_at + format::kChunkHeaderSize + h.stored_length;
          c.header_crc = crc32c::Value(hb->data(), format::kChunkCrcOffset);
          c.expected = h.crc;
          candidates.push_back(c);
          checkpoints.push(
              {marker_at + format::kChunkHeaderSize, Point::kDataStart, candidates.size() - 1});
          checkpoints.push({c.data_end, Point::kDataEnd, candidates.size() - 1});
        }
        marker_at = next_marker();
        continue;
      }
      Checkpoint cp = checkpoints.top();
      checkpoints.pop();
      Candidate& c = candidates[cp.candidate];
      if (!advance_crc(cp.at)) {
        c.state = Candidate::State::kFailed;
        continue;
      }
      if (cp.point == Point::kDataStart) {
        c.crc_at_data = running;
      } else {
        uint64_t length = c.data_end - c.offset - format::kChunkHeaderSize;
        uint32_t data_crc = crc32c::Suffix(c.crc_at_data, running, length);
        c.state = crc32c::Combine(c.header_crc, data_crc, length) == c.expected
                      ? Candidate::State::kChecksumOk
                      : Candidate::State::kFailed;
      }
    }
    return end_limit_;
  }

  // Uses the trailer and footer when both verify; otherwise the log is read by scanning,
  // which recovers everything else (and meets the footer, if any, on the way).
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
    FooterTotals totals;
    std::vector<ChunkIndexEntry> index;
    if (r.failure != ChunkFailure::kNone ||
        r.chunk->header.kind != static_cast<uint8_t>(format::ChunkKind::kFooter) ||
        r.chunk->next_offset != end_limit_ || !ParseFooter(*r.chunk, &totals, &index).ok()) {
      end_limit_ = size_;
      return;
    }
    uint64_t next_ordinal = 1;
    std::vector<BlobChunkEntry> blob_chunks;
    for (const ChunkIndexEntry& e : index) {
      if (e.kind != format::ChunkKind::kBlobs) continue;
      if (next_ordinal + e.items > UINT32_MAX) {
        end_limit_ = size_;
        return;
      }
      blob_chunks.push_back({static_cast<uint32_t>(next_ordinal), e.items, e.offset, {}});
      next_ordinal += e.items;
    }
    blob_chunks_ = std::move(blob_chunks);
    footer_ = totals;
    index_ = std::move(index);
    has_index_ = true;
    footer_offset_ = footer_offset;
    end_limit_ = footer_offset;
  }

  // Learns the ordinals and sizes of a blob chunk passed while streaming. Blobs are
  // numbered 1, 2, 3, ... in file order; memory follows the blobs present, never an
  // ordinal the file claims.
  Status IndexBlobChunk(const std::shared_ptr<DecodedChunk>& chunk) {
    std::string at = path_ + ": blob chunk at byte " + std::to_string(chunk->offset);
    std::vector<uint64_t> sizes;
    sizes.reserve(chunk->items.size());
    uint32_t first = 0;
    Status result;
    kj::Maybe<kj::Exception> error = kj::runCatchingExceptions([&]() {
      for (uint32_t i = 0; i < chunk->items.size(); ++i) {
        capnp::FlatArrayMessageReader message(chunk->items[i],
                                              UntrustedLimits(chunk->items[i].size()));
        auto blob = message.getRoot<schema::Blob>();
        uint32_t ordinal = blob.getOrdinal();
        if (i == 0) first = ordinal;
        if (ordinal == 0 || ordinal != first + i) {
          result = Status::Corruption(at + ": item " + std::to_string(i + 1) + " holds blob " +
                                      std::to_string(ordinal) + ", expected " +
                                      std::to_string(first + i));
          return;
        }
        sizes.push_back(blob.getData().size());
      }
    });
    KJ_IF_MAYBE (e, error) {
      return Status::Corruption(at + ": malformed blob: " + e->getDescription().cStr());
    }
    BATON_RETURN_IF_ERROR(result);
    if (sizes.empty()) return Status::Ok();
    if (first != next_blob_ordinal_) {
      // A gap follows a skipped chunk (kSkip); anything else is damage.
      if (options_.on_corrupt == CorruptChunkPolicy::kStop || first < next_blob_ordinal_ ||
          report_.skipped_chunks.empty()) {
        return Status::Corruption(at + ": starts at blob " + std::to_string(first) +
                                  ", but the blobs before it end at " +
                                  std::to_string(next_blob_ordinal_ - 1));
      }
    }
    const uint32_t count = static_cast<uint32_t>(sizes.size());
    if (first > UINT32_MAX - count) return Status::Corruption(at + ": blob ordinals overflow");
    for (uint64_t size : sizes) report_.blob_bytes_stored += size;
    report_.blobs += count;
    next_blob_ordinal_ = first + count;
    if (has_index_) {
      auto it = std::find_if(blob_chunks_.begin(), blob_chunks_.end(),
                             [&](const BlobChunkEntry& e) { return e.offset == chunk->offset; });
      if (it == blob_chunks_.end() || it->first != first || it->count != count) {
        return Status::Corruption(at + ": holds blobs " + std::to_string(first) + ".." +
                                  std::to_string(first + count - 1) +
                                  ", which the footer does not list there");
      }
      it->sizes = std::move(sizes);
    } else {
      blob_chunks_.push_back({first, count, chunk->offset, std::move(sizes)});
    }
    Cache(chunk);
    return Status::Ok();
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
    return VisitBlob(ordinal, [out](std::string_view bytes) { out->assign(bytes); });
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
  codec::MessageHistory history_;  // What the next model calls' prefixes may continue.
  uint64_t last_seq_ = 0;
  ReadReport report_;

  uint64_t footer_offset_ = 0;                      // When has_index_.
  std::vector<SeenChunk> seen_chunks_;              // Read by Next() after the session header.
  uint32_t next_blob_ordinal_ = 1;                  // One past the last blob streamed past.
  std::vector<BlobChunkEntry> blob_chunks_;         // By first ordinal.
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
Status LogReader::VisitBlob(uint32_t ordinal, const std::function<void(std::string_view)>& visit) {
  return impl_->VisitBlob(ordinal, visit);
}
Status LogReader::VisitBlobsBeside(uint32_t ordinal,
                                   const std::function<void(uint32_t, std::string_view)>& visit) {
  return impl_->VisitBlobsBeside(ordinal, visit);
}
std::optional<uint64_t> LogReader::BlobSize(uint32_t ordinal) const {
  return impl_->BlobSize(ordinal);
}

Result<std::vector<Event>> LogReader::ReadRemaining() {
  std::vector<Event> events;
  // Sized once: grown by doubling, the vector moved every event several times and faulted
  // in twice its final memory, two fifths of reading a long session. The footer's count is
  // the file's word, so the reservation is capped at 16 bytes of memory per byte of file (a
  // synthetic session's events take 173 bytes on disk for 616 in memory); a session whose
  // events are smaller on disk grows past it as before.
  const uint64_t cap = file_size() * 16 / sizeof(Event);
  events.reserve(static_cast<size_t>(std::min(footer().event_count, cap)));
  Event event;
  while (true) {
    Result<bool> more = Next(&event);
    if (!more.ok()) return more.status();
    if (!*more) break;
    events.push_back(std::move(event));
  }
  return events;
}

Result<LogContents> ReadLog(const std::string& path, ReaderOptions options) {
  Result<std::unique_ptr<LogReader>> reader = LogReader::Open(path, options);
  if (!reader.ok()) return reader.status();
  LogContents contents;
  contents.header = (*reader)->header();
  Result<std::vector<Event>> events = (*reader)->ReadRemaining();
  if (!events.ok()) return events.status();
  contents.events = std::move(events).value();
  contents.report = (*reader)->report();
  return contents;
}

}  // namespace baton
