#include "recorder/chunk_format.h"

#include <zstd.h>

#include <algorithm>

#include "base/crc32c.h"
#include "base/status.h"

namespace baton::format {

std::string EncodeFileHeader(const FileHeader& header) {
  std::string out(kFileHeaderSize, '\0');
  std::memcpy(out.data(), kMagic.data(), kMagic.size());
  PutFixed32(&out[8], header.format_version);
  PutFixed32(&out[12], header.required_reader_version);
  PutFixed32(&out[16], 0);  // Reserved.
  PutFixed32(&out[20], crc32c::Value(out.data(), 20));
  return out;
}

FileHeaderError DecodeFileHeader(std::string_view bytes, FileHeader* out) {
  size_t magic_len = std::min(bytes.size(), kMagic.size());
  if (bytes.substr(0, magic_len) != kMagic.substr(0, magic_len) || bytes.empty())
    return FileHeaderError::kBadMagic;
  if (bytes.size() < kFileHeaderSize) return FileHeaderError::kTooShort;
  if (GetFixed32(&bytes[20]) != crc32c::Value(bytes.data(), 20))
    return FileHeaderError::kBadChecksum;
  out->format_version = GetFixed32(&bytes[8]);
  out->required_reader_version = GetFixed32(&bytes[12]);
  return FileHeaderError::kNone;
}

void EncodeChunk(ZSTD_CCtx_s* zstd, ChunkKind kind, uint32_t items, std::string_view raw,
                 std::string& out) {
  BATON_CHECK(raw.size() <= kMaxChunkRawBytes);
  out.resize(kChunkHeaderSize + ZSTD_compressBound(raw.size()));
  size_t n = ZSTD_compress2(zstd, out.data() + kChunkHeaderSize, out.size() - kChunkHeaderSize,
                            raw.data(), raw.size());
  BATON_CHECK(!ZSTD_isError(n));
  Codec codec = Codec::kZstd;
  if (raw.size() > kRatioFreeRawBytes &&
      raw.size() / std::max<size_t>(n, 1) > kMaxCompressionRatio) {
    // Readers refuse such expansion as a zstd bomb; a degenerate payload (megabytes of
    // one repeated byte) is stored as it is instead, so the file stays readable.
    codec = Codec::kNone;
    n = raw.size();
    std::memcpy(out.data() + kChunkHeaderSize, raw.data(), n);
  }
  out.resize(kChunkHeaderSize + n);
  ChunkHeader header;
  header.kind = static_cast<uint8_t>(kind);
  header.codec = static_cast<uint8_t>(codec);
  header.stored_length = static_cast<uint32_t>(n);
  header.raw_length = static_cast<uint32_t>(raw.size());
  header.item_count = items;
  EncodeChunkHeader(header, std::string_view(out).substr(kChunkHeaderSize), out.data());
}

uint32_t ChunkCrc(std::string_view header_bytes, std::string_view stored) {
  uint32_t crc = crc32c::Value(header_bytes.data(), kChunkCrcOffset);
  return crc32c::Extend(crc, stored.data(), stored.size());
}

void EncodeChunkHeader(const ChunkHeader& header, std::string_view stored, char* dst) {
  PutFixed32(dst, kChunkMarker);
  dst[4] = static_cast<char>(header.kind);
  dst[5] = static_cast<char>(header.codec);
  dst[6] = 0;
  dst[7] = 0;
  PutFixed32(dst + 8, header.stored_length);
  PutFixed32(dst + 12, header.raw_length);
  PutFixed32(dst + 16, header.item_count);
  PutFixed32(dst + kChunkCrcOffset, ChunkCrc(std::string_view(dst, kChunkHeaderSize), stored));
}

bool DecodeChunkHeader(std::string_view bytes, ChunkHeader* out) {
  if (bytes.size() < kChunkHeaderSize || GetFixed32(bytes.data()) != kChunkMarker) return false;
  out->kind = static_cast<uint8_t>(bytes[4]);
  out->codec = static_cast<uint8_t>(bytes[5]);
  out->stored_length = GetFixed32(&bytes[8]);
  out->raw_length = GetFixed32(&bytes[12]);
  out->item_count = GetFixed32(&bytes[16]);
  out->crc = GetFixed32(&bytes[kChunkCrcOffset]);
  return true;
}

std::string EncodeTrailer(uint64_t footer_offset) {
  std::string out(kTrailerSize, '\0');
  PutFixed64(&out[0], footer_offset);
  PutFixed32(&out[8], kTrailerMarker);
  PutFixed32(&out[12], crc32c::Value(out.data(), 12));
  return out;
}

bool DecodeTrailer(std::string_view bytes, uint64_t* footer_offset) {
  if (bytes.size() != kTrailerSize) return false;
  if (GetFixed32(&bytes[8]) != kTrailerMarker) return false;
  if (GetFixed32(&bytes[12]) != crc32c::Value(bytes.data(), 12)) return false;
  *footer_offset = GetFixed64(&bytes[0]);
  return true;
}

}  // namespace baton::format
