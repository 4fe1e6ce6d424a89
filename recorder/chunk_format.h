// Encoding and decoding of the fixed-size parts of a .baton file: the file header,
// chunk headers and the trailer (layouts in FORMAT.md, constants in format.h).
// Internal to the recorder and the reader.
#ifndef BATON_RECORDER_CHUNK_FORMAT_H_
#define BATON_RECORDER_CHUNK_FORMAT_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "recorder/format.h"

struct ZSTD_CCtx_s;

namespace baton::format {

inline void PutFixed32(char* dst, uint32_t v) {
  for (int i = 0; i < 4; ++i) dst[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
inline void PutFixed64(char* dst, uint64_t v) {
  for (int i = 0; i < 8; ++i) dst[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
inline uint32_t GetFixed32(const char* src) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(src[i])) << (8 * i);
  return v;
}
inline uint64_t GetFixed64(const char* src) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(src[i])) << (8 * i);
  return v;
}

struct FileHeader {
  uint32_t format_version = 0;
  uint32_t required_reader_version = 0;
};

// Returns kFileHeaderSize bytes.
std::string EncodeFileHeader(const FileHeader& header);

enum class FileHeaderError { kNone, kBadMagic, kTooShort, kBadChecksum };
FileHeaderError DecodeFileHeader(std::string_view bytes, FileHeader* out);

struct ChunkHeader {
  uint8_t kind = 0;
  uint8_t codec = 0;
  uint32_t stored_length = 0;
  uint32_t raw_length = 0;
  uint32_t item_count = 0;
  uint32_t crc = 0;  // crc32c over header bytes [0, kChunkCrcOffset) and the stored bytes.
};

// Writes kChunkHeaderSize bytes into dst, computing the crc over the header and `stored`.
void EncodeChunkHeader(const ChunkHeader& header, std::string_view stored, char* dst);

// Parses the fixed fields. Returns false when the marker is wrong. The crc is not
// verified here (it needs the stored bytes): see ChunkCrc.
bool DecodeChunkHeader(std::string_view bytes, ChunkHeader* out);
uint32_t ChunkCrc(std::string_view header_bytes, std::string_view stored);

// Compresses `raw` (whole Cap'n Proto messages) with `zstd` (a context set to the writer's
// level) into a chunk of `kind` holding `items` messages, header first, replacing `out`. A
// payload that would expand past what readers accept (kMaxCompressionRatio) is stored
// uncompressed. `raw` must fit kMaxChunkRawBytes.
void EncodeChunk(ZSTD_CCtx_s* zstd, ChunkKind kind, uint32_t items, std::string_view raw,
                 std::string& out);

std::string EncodeTrailer(uint64_t footer_offset);
// Returns false when the bytes are not a valid trailer.
bool DecodeTrailer(std::string_view bytes, uint64_t* footer_offset);

}  // namespace baton::format

#endif  // BATON_RECORDER_CHUNK_FORMAT_H_
