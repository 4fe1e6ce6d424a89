// Every on-disk constant of the .baton format, in one place. The format itself is
// specified in FORMAT.md beside this file; change both together.
#ifndef BATON_RECORDER_FORMAT_H_
#define BATON_RECORDER_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace baton::format {

// File prelude: magic, format version, required reader version, reserved, crc32c.
// The magic starts with a non-ASCII byte and holds \r\n so text-mode mangling shows.
inline constexpr std::string_view kMagic{
    "\x89"
    "BATON\r\n",
    8};
inline constexpr size_t kFileHeaderSize = 24;

// The version this library writes, and the oldest reader version able to read what it
// writes. A reader refuses a file whose required version is above kReaderVersion.
// Version 2: a model call's message prefix may continue a call in an earlier event chunk
// (FORMAT.md, "Blobs and content"); version 1 readers would take that for corruption.
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kRequiredReaderVersion = 2;
inline constexpr uint32_t kReaderVersion = 2;

// Chunk header: marker u32, kind u8, codec u8, reserved u16, stored length u32,
// raw length u32, item count u32, crc32c u32 (over header bytes [0,20) and the
// stored bytes).
inline constexpr uint32_t kChunkMarker = 0x4b484342;  // "BCHK" little-endian.
inline constexpr size_t kChunkHeaderSize = 24;
inline constexpr size_t kChunkCrcOffset = 20;

enum class ChunkKind : uint8_t {
  kSessionHeader = 1,  // One SessionHeader message; always the first chunk.
  kEvents = 2,         // Event messages in seq order.
  kBlobs = 3,          // Blob messages; precede every event chunk that refers to them.
  kFooter = 4,         // One Footer message; written on a clean close only.
};

enum class Codec : uint8_t {
  kNone = 0,
  kZstd = 1,
};

// Trailer, the last bytes of a cleanly closed file: footer chunk offset u64,
// marker u32, crc32c u32 of the first 12 bytes.
inline constexpr size_t kTrailerSize = 16;
inline constexpr uint32_t kTrailerMarker = 0x444e4542;  // "BEND" little-endian.

// Sanity bounds a reader enforces before allocating: a chunk larger than this is
// treated as corrupt rather than trusted.
inline constexpr uint32_t kMaxChunkStoredBytes = 512u << 20;
inline constexpr uint32_t kMaxChunkRawBytes = 1024u << 20;
// A chunk above kRatioFreeRawBytes may expand at most kMaxCompressionRatio-fold: zstd
// gets about 4-10x on recorded sessions, and only a crafted frame (a "zstd bomb")
// expands thousands of times. This bounds decompression work by the file's size.
inline constexpr uint32_t kRatioFreeRawBytes = 1u << 20;
inline constexpr uint32_t kMaxCompressionRatio = 4096;

// Cap'n Proto limits applied to every message read from a file (untrusted input).
inline constexpr uint64_t kTraversalLimitWords = (256ull << 20) / 8;
inline constexpr int kNestingLimit = 64;
// ... and at most this many words of traversal per word of the message (plus a slack), so
// that what a message decodes to is bounded by its size (see UntrustedLimits in the reader).
inline constexpr uint64_t kTraversalWordsPerMessageWord = 8;
inline constexpr uint64_t kTraversalSlackWords = 8192;

// While recording, the file is NAME + kIncompleteSuffix; a clean close renames it.
inline constexpr std::string_view kIncompleteSuffix{".incomplete"};
// A clean close's compaction writes PATH.compacting, then renames it to PATH.
inline constexpr std::string_view kCompactingSuffix{".compacting"};

// Writer defaults (not part of the format: readers accept any values).
inline constexpr size_t kDefaultChunkBytes = 1u << 20;
inline constexpr size_t kDefaultBlobThresholdBytes = 128;
inline constexpr int kDefaultZstdLevel = 3;
// A cleanly closed file of at most this much raw content is recompressed once at
// kSmallFileZstdLevel (log_compaction.h): a short session's file then comes within a few
// percent of the best general-purpose compressor (zstd -19) for at most about 60 ms at close
// (35 ms at 20 turns). Larger files keep their chunks: at 1 MiB a 50-turn session paid 145 ms.
inline constexpr size_t kSmallFileRawBytes = 256u << 10;
inline constexpr int kSmallFileZstdLevel = 15;
// A checkpoint makes the writer forget the message lists a prefix may continue: the next
// call of each agent writes its messages out in full. Damage to one chunk then costs the
// model requests of later chunks only up to the next checkpoint. The writer makes one
// after at least kPrefixCheckpointChunks event chunks, once it has written at least
// kPrefixCheckpointRatio times the bytes that writing every history out again would take
// (estimated at kPrefixCheckpointBytesPerMessage per message): the rewrites stay a bounded
// fraction of the file, however long the conversations grow.
inline constexpr size_t kPrefixCheckpointChunks = 16;
inline constexpr size_t kPrefixCheckpointRatio = 8;
inline constexpr size_t kPrefixCheckpointBytesPerMessage = 32;

}  // namespace baton::format

#endif  // BATON_RECORDER_FORMAT_H_
