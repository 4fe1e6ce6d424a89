#include "base/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace baton::crc32c {
namespace {

constexpr uint32_t kPolynomial = 0x82f63b78;  // Reflected Castagnoli polynomial.

struct Table {
  std::array<uint32_t, 256> entries{};
  constexpr Table() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t crc = i;
      for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kPolynomial : 0);
      entries[i] = crc;
    }
  }
};
constexpr Table kTable;

uint32_t ExtendPortable(uint32_t crc, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) crc = kTable.entries[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t ExtendSse42(uint32_t crc, const uint8_t* p, size_t n) {
  uint64_t crc64 = crc;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    crc64 = _mm_crc32_u64(crc64, word);
    p += 8;
    n -= 8;
  }
  uint32_t crc32 = static_cast<uint32_t>(crc64);
  while (n > 0) {
    crc32 = _mm_crc32_u8(crc32, *p++);
    --n;
  }
  return crc32;
}

bool HaveSse42() {
  static const bool have = __builtin_cpu_supports("sse4.2");
  return have;
}
#endif

// Polynomials over GF(2) modulo the Castagnoli polynomial, reflected: bit 31 is x^0.
uint32_t MultiplyModP(uint32_t a, uint32_t b) {
  uint32_t m = 1u << 31;
  uint32_t product = 0;
  while (true) {
    if (a & m) {
      product ^= b;
      if ((a & (m - 1)) == 0) break;
    }
    m >>= 1;
    b = (b & 1) ? (b >> 1) ^ kPolynomial : b >> 1;
  }
  return product;
}

// x^(2^k) mod p for k = 0..63.
struct PowerTable {
  std::array<uint32_t, 64> x2k{};
  PowerTable() {
    uint32_t p = 1u << 30;  // x^1
    for (auto& e : x2k) {
      e = p;
      p = MultiplyModP(p, p);
    }
  }
};

// x^(8 n) mod p: multiplying a crc by it appends n zero bytes' worth of shift.
uint32_t ShiftForBytes(uint64_t n) {
  static const PowerTable table;
  uint32_t p = 1u << 31;  // x^0
  unsigned k = 3;         // 8 n = n * 2^3
  while (n != 0) {
    if (n & 1) p = MultiplyModP(table.x2k[k & 63], p);
    n >>= 1;
    ++k;
  }
  return p;
}

}  // namespace

uint32_t Combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b) {
  return MultiplyModP(ShiftForBytes(length_b), crc_a) ^ crc_b;
}

uint32_t Suffix(uint32_t crc_a, uint32_t crc_ab, uint64_t length_b) {
  return MultiplyModP(ShiftForBytes(length_b), crc_a) ^ crc_ab;
}

uint32_t Extend(uint32_t init, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t crc = ~init;
#if defined(__x86_64__)
  if (HaveSse42()) return ~ExtendSse42(crc, p, n);
#endif
  return ~ExtendPortable(crc, p, n);
}

}  // namespace baton::crc32c
