// CRC-32C (Castagnoli), the checksum of every chunk and of the file header.
// Debian 12 ships no C/C++ crc32c library, so this is a small own implementation:
// SSE4.2's crc32 instruction when the CPU has it, a table otherwise.
#ifndef BATON_BASE_CRC32C_H_
#define BATON_BASE_CRC32C_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace baton::crc32c {

// Returns the crc32c of data, continuing from the crc of earlier bytes `init`.
uint32_t Extend(uint32_t init, const void* data, size_t n);

inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view s) { return Extend(0, s.data(), s.size()); }

// Returns the crc32c of A followed by B from crc(A), crc(B) and B's length, in O(log n)
// without the bytes (zlib's crc32_combine, for Castagnoli). The reader uses it to verify
// many candidate chunks of a damaged file in one pass over its bytes.
uint32_t Combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);
// The inverse, given crc(A) and crc(AB): crc(B).
uint32_t Suffix(uint32_t crc_a, uint32_t crc_ab, uint64_t length_b);

}  // namespace baton::crc32c

#endif  // BATON_BASE_CRC32C_H_
