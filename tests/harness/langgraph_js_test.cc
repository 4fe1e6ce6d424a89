// The real LangGraph and LangChain JS libraries (pinned in tests/js/package-lock.json,
// installed by scripts/install-deps) run a small team whose search tool fails
// (tests/js/langgraph_team.mjs); its messages, dumped the two ways LangChain JS dumps them,
// import as the same session, and `baton why` names the failed call as where the failure
// began.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/testing/run_command.h"

namespace baton {
namespace {

using baton::testing::FreshTempDir;
using baton::testing::RunCommand;
using baton::testing::RunResult;
using ::testing::HasSubstr;

const std::string kBaton = BATON_BIN;
const std::string kJs = std::string(BATON_SOURCE_DIR) + "/tests/js";

TEST(LangGraphJsTest, ATeamsMessagesImportAsOneSessionWhateverTheDump) {
  ASSERT_EQ(RunCommand("test -d " + kJs + "/node_modules/@langchain/langgraph").exit_code, 0)
      << "scripts/install-deps installs the pinned LangGraph JS packages (npm ci in tests/js)";
  const std::string dir = FreshTempDir("langgraph_js");
  RunResult ran = RunCommand("node " + kJs + "/langgraph_team.mjs " + dir);
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;

  std::string events[2];
  const char* dumps[2] = {"serialized", "stored"};
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(dumps[i]);
    const std::string in = dir + "/" + dumps[i] + ".json";
    const std::string out = dir + "/" + dumps[i] + ".baton";
    RunResult imported = RunCommand(kBaton + " import transcript " + in + " -o " + out);
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    EXPECT_THAT(imported.out, HasSubstr("imported 7 entries"));
    RunResult cat = RunCommand(kBaton + " cat " + out);
    ASSERT_EQ(cat.exit_code, 0) << cat.err;
    events[i] = cat.out;
    // The system prompt is the supervisor's instructions; the question is the task.
    EXPECT_THAT(cat.out, HasSubstr(R"("agent":"system")"));
    EXPECT_THAT(cat.out, HasSubstr(R"("to":"supervisor","intent":"instructions")"));
    EXPECT_THAT(cat.out,
                HasSubstr(R"("intent":"task","payload":"What is the capital of Australia?")"));
    // The transfer tool is the handoff; the researcher's text block is its message.
    EXPECT_THAT(cat.out, HasSubstr(R"("to":"researcher","intent":"handoff")"));
    EXPECT_THAT(cat.out, HasSubstr(R"("payload":"Searching for the capital.")"));
    EXPECT_THAT(cat.out, HasSubstr(R"("tool":"search")"));

    RunResult why = RunCommand(kBaton + " why " + out);
    EXPECT_EQ(why.exit_code, 1) << why.err;  // The answer is Sydney; the truth, Canberra.
    EXPECT_THAT(why.out, HasSubstr("The failure began at step 5: researcher (the first failed "
                                   "tool call (Error: search backend timed out) at step 5"));
    // What a LangGraph run shows is all there is: every message was acted on.
    RunResult check = RunCommand(kBaton + " check " + out);
    EXPECT_EQ(check.exit_code, 1);
    EXPECT_THAT(check.out, ::testing::Not(HasSubstr("never processed")));
    EXPECT_THAT(check.out, ::testing::Not(HasSubstr("never delivered")));
  }
  EXPECT_EQ(events[0], events[1]);
}

}  // namespace
}  // namespace baton
