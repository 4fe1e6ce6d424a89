// Test data: one event of every kind with every field set to a non-default value, and
// helpers to build .baton files byte by byte (for versions, kinds and damage a real
// writer never produces).
#ifndef BATON_TESTS_TESTING_SAMPLE_EVENTS_H_
#define BATON_TESTS_TESTING_SAMPLE_EVENTS_H_

#include <string>
#include <vector>

#include "base/env.h"
#include "recorder/chunk_format.h"
#include "recorder/event.h"
#include "recorder/format.h"

namespace baton::testing {

// One event per EventKind, in EventKind order, seq 1..N, with large contents where the
// kind has Content fields (so both inline and blob storage are exercised).
std::vector<Event> EveryKindEvents();
SessionHeader SampleHeader();
// Model call number `seq` (times follow from it) of `agent`, sending `messages` and
// answered with `answer`: one turn of a conversation.
Event ConversationCall(uint64_t seq, const std::string& agent, const MessageList& messages,
                       const std::string& answer);

// Records 24 message sends into `path` with small chunks (700 bytes) and a low blob
// threshold, so the file has several event and blob chunks for damage tests; returns the
// events as recorded. Fails the calling test (ADD_FAILURE) when recording fails.
std::vector<Event> RecordSmallChunkedLog(Env& env, const std::string& path);

// Text of `n` bytes that differs with `seed`.
std::string TextOfSize(size_t n, int seed);

// Builds a .baton file from raw chunk payloads, bypassing the writer.
class FileBuilder {
 public:
  explicit FileBuilder(uint32_t format_version = format::kFormatVersion,
                       uint32_t required_reader_version = format::kRequiredReaderVersion);
  // A chunk whose payload is `raw` (concatenated serialized messages), zstd-compressed.
  FileBuilder& Chunk(format::ChunkKind kind, uint32_t items, const std::string& raw);
  // A chunk with a given header and stored bytes, checksummed: for lengths and frames a
  // writer never produces.
  FileBuilder& StoredChunk(const format::ChunkHeader& header, const std::string& stored);
  // Appends bytes as they are.
  FileBuilder& Append(const std::string& bytes);
  FileBuilder& Header(const SessionHeader& header);
  // Events encoded inline (no blobs).
  FileBuilder& Events(const std::vector<Event>& events);
  // An event message whose union discriminant is `discriminant` (unknown to this reader).
  static std::string EventWithUnknownKind(uint64_t seq, uint16_t discriminant);
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// Decompresses every chunk of a file written by baton and returns the payloads joined:
// for tests that search the logical content (e.g. that a secret is absent).
std::string AllChunkPayloads(const std::string& file_bytes);

}  // namespace baton::testing

#endif  // BATON_TESTS_TESTING_SAMPLE_EVENTS_H_
