#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace baton {
namespace {

// Reference values from RFC 3720 (iSCSI), appendix B.4.
TEST(Crc32cTest, MatchesStandardVectors) {
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c::Value(zeros), 0x8a9136aau);
  std::string ones(32, '\xff');
  EXPECT_EQ(crc32c::Value(ones), 0x62a8ab43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c::Value(ascending), 0x46dd794eu);
  EXPECT_EQ(crc32c::Value("123456789"), 0xe3069283u);
}

TEST(Crc32cTest, CombineAndSuffixAgreeWithExtendAtEverySplit) {
  std::string data;
  for (int i = 0; i < 3000; ++i) data.push_back(static_cast<char>((i * 7919) >> 3));
  uint32_t whole = crc32c::Value(data);
  for (size_t split = 0; split <= data.size(); split += 37) {
    uint32_t a = crc32c::Value(data.data(), split);
    uint32_t b = crc32c::Value(data.data() + split, data.size() - split);
    EXPECT_EQ(crc32c::Combine(a, b, data.size() - split), whole) << split;
    EXPECT_EQ(crc32c::Suffix(a, whole, data.size() - split), b) << split;
  }
  EXPECT_EQ(crc32c::Combine(0, crc32c::Value("abc"), 3), crc32c::Value("abc"));
}

TEST(Crc32cTest, ExtendEqualsWholeAtEverySplit) {
  std::string data = "the quick brown fox jumps over the lazy dog, twice over";
  uint32_t whole = crc32c::Value(data);
  for (size_t split = 0; split <= data.size(); ++split) {
    uint32_t first = crc32c::Value(data.data(), split);
    EXPECT_EQ(crc32c::Extend(first, data.data() + split, data.size() - split), whole) << split;
  }
}

}  // namespace
}  // namespace baton
