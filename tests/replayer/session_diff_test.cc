// DiffSessions on long conversations: the history two calls share is compared once, and a
// difference is still found, at its real index, wherever it is.
#include "replayer/session_diff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testing/sample_events.h"

namespace baton {
namespace {

constexpr int kCalls = 6;

// One agent's conversation of kCalls calls continuing one list (call i holds 2i + 2
// messages). `edit(i, history)` may change the history before call i; the question of turn
// `other_question_at` is asked differently (appended as such: the list stays shared).
template <typename Edit>
Trace Conversation(Edit edit, int other_question_at = -1) {
  std::vector<Event> events;
  MessageList history = {{"system", Content("be brief"), "", ""}};
  for (int i = 0; i < kCalls; ++i) {
    history.push_back(
        {"user", Content(i == other_question_at ? "other" : "turn " + std::to_string(i)), "", ""});
    edit(i, history);
    events.push_back(testing::ConversationCall(events.size() + 1, "a", history, "ok"));
    history.push_back({"assistant", Content("ok"), "", ""});
  }
  return Trace::FromEvents(SessionHeader{}, std::move(events));
}

const auto kNoEdit = [](int, MessageList&) {};

TEST(SessionDiffTest, TheSameConversationIsEquivalent) {
  auto d = DiffSessions(Conversation(kNoEdit), Conversation(kNoEdit));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->equivalent) << d->Render();
}

TEST(SessionDiffTest, AnEditedOldMessageIsFoundAtItsIndex) {
  Trace b = Conversation([](int i, MessageList& h) {
    if (i == 4) h.Mutable(2).content = Content("edited");
  });
  auto d = DiffSessions(Conversation(kNoEdit), b);
  ASSERT_TRUE(d.ok());
  ASSERT_FALSE(d->equivalent);
  EXPECT_THAT(d->summary, ::testing::HasSubstr("a's event 5 differs"));
  ASSERT_EQ(d->fields.size(), 1u);
  EXPECT_EQ(d->fields[0].path, "request.messages[2].content");
}

TEST(SessionDiffTest, ANewMessageThatDiffersIsFoundAtItsIndex) {
  Trace b = Conversation(kNoEdit, /*other_question_at=*/3);
  auto d = DiffSessions(Conversation(kNoEdit), b);
  ASSERT_TRUE(d.ok());
  ASSERT_FALSE(d->equivalent);
  ASSERT_EQ(d->fields.size(), 1u);
  EXPECT_EQ(d->fields[0].path, "request.messages[7].content");
}

TEST(SessionDiffTest, IgnoredFieldsKeepTheirIndexesInTheComparedTail) {
  // Message 7 (call 3's new question) differs, and is ignored by path. Call 3 continues
  // call 2's six messages on both sides, so only messages 6 and 7 are compared: their paths
  // must still say 6 and 7 for the rule to apply.
  Trace b = Conversation(kNoEdit, /*other_question_at=*/3);
  SessionDiffOptions o;
  o.normalizers.ignored_fields.push_back("request.messages[7]");
  auto d = DiffSessions(Conversation(kNoEdit), b, o);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->equivalent) << d->Render();
}

}  // namespace
}  // namespace baton
