// DiffTexts and DiffFields: only the changed part, with context.
#include "replayer/text_diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace baton {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(TextDiffTest, EqualTextsHaveNoDiff) { EXPECT_EQ(DiffTexts("same\ntext", "same\ntext"), ""); }

TEST(TextDiffTest, LongSingleLineShowsOnlyTheChangeWithContext) {
  std::string prefix(500, 'a'), suffix(500, 'z');
  std::string d = DiffTexts(prefix + " concise " + suffix, prefix + " detailed " + suffix, 2, 10);
  EXPECT_THAT(d, HasSubstr("[-concise-]{+detailed+}"));
  EXPECT_THAT(d, HasSubstr("..."));
  EXPECT_LT(d.size(), 80u) << d;  // Not the 1000 unchanged characters.
}

TEST(TextDiffTest, MultiLineShowsHunksWithContextLinesOnly) {
  std::string a, b;
  for (int i = 0; i < 40; ++i) {
    a += "line " + std::to_string(i) + "\n";
    b += (i == 20 ? std::string("changed line") : "line " + std::to_string(i)) + "\n";
  }
  std::string d = DiffTexts(a, b, 2);
  EXPECT_THAT(d, HasSubstr("  line 18\n"));
  EXPECT_THAT(d, HasSubstr("  line 22\n"));
  EXPECT_THAT(d, Not(HasSubstr("line 17\n")));
  EXPECT_THAT(d, Not(HasSubstr("line 23\n")));
  EXPECT_THAT(d, HasSubstr("~ [-line 20-]{+changed line+}"));
}

TEST(TextDiffTest, InsertedAndDeletedLinesAreMarked) {
  std::string d = DiffTexts("a\nb\nc\n", "a\nc\nd\n", 1);
  EXPECT_THAT(d, HasSubstr("- b\n"));
  EXPECT_THAT(d, HasSubstr("+ d\n"));
}

TEST(TextDiffTest, DiffFieldsReportsChangedMissingAndAdded) {
  std::vector<EventField> recorded = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  std::vector<EventField> live = {{"a", "1"}, {"b", "20"}, {"d", "4"}};
  auto diffs = DiffFields(recorded, live);
  ASSERT_EQ(diffs.size(), 3u);
  EXPECT_EQ(diffs[0], (FieldDifference{FieldDifference::Change::kChanged, "b", "2", "20"}));
  EXPECT_EQ(diffs[1], (FieldDifference{FieldDifference::Change::kOnlyRecorded, "c", "3", ""}));
  EXPECT_EQ(diffs[2], (FieldDifference{FieldDifference::Change::kOnlyLive, "d", "", "4"}));
}

TEST(TextDiffTest, FlattenEventNamesNestedFieldsLikeTheJsonLines) {
  Event e;
  ModelCall call;
  call.request.model = "m";
  call.request.messages = {{"system", Content("s"), "", ""}, {"user", Content("u"), "", ""}};
  e.body = call;
  auto fields = FlattenEvent(e, EventHeaderFields::kBodyOnly);
  EXPECT_THAT(fields, ::testing::Contains(EventField{"request.messages[1].content", "u"}));
  EXPECT_THAT(fields, ::testing::Contains(EventField{"request.model", "m"}));
}

}  // namespace
}  // namespace baton
