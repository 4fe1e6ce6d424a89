// Secrets never reach the file: not in the bytes, not in any decompressed chunk; the
// same secret gets the same pseudonym so that replay matching still works.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/mem_env.h"
#include "recorder/recorder.h"
#include "recorder/redactor.h"
#include "replayer/log_reader.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kOpenAiKey[] = "sk-proj-Q3x9T2mVb7LpZ4wK8sJd1FhN6cRe0YuA";
constexpr char kAnthropicKey[] = "sk-ant-api03-aB1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV";

ModelCall CallWithSecrets(const std::string& customer_id) {
  ModelCall call;
  call.call_id = "c1";
  call.request.model = "gpt-4o";
  call.request.headers = {{"Authorization", std::string("Bearer ") + kOpenAiKey},
                          {"x-api-key", kAnthropicKey},
                          {"content-type", "application/json"}};
  // A long prompt (stored as a blob) and a short one (inline), both leaking the key.
  call.request.messages = {
      {"system", testing::TextOfSize(3000, 1) + " config: api_key=" + kOpenAiKey + " end", "", ""},
      {"user", std::string("use ") + kAnthropicKey + " for " + customer_id, "", ""}};
  call.response.content = "ok";
  return call;
}

TEST(RedactionTest, KeysNeverAppearInTheFileBytes) {
  MemEnv env;
  RecorderOptions o;
  o.env = &env;
  o.redaction.patterns = {"CUST-[0-9]{6}"};
  auto rec = Recorder::Create("/r.baton", testing::SampleHeader(), o);
  ASSERT_TRUE(rec.ok());
  (*rec)->Record("planner", CallWithSecrets("CUST-123456"));
  (*rec)->Record("planner", ToolCall{"t", "http", std::string("{\"token\":\"") + kOpenAiKey + "\"}",
                                     "", 0, ""});
  ASSERT_TRUE((*rec)->Close().ok());

  std::string bytes = *env.Contents("/r.baton");
  std::string payloads = testing::AllChunkPayloads(bytes);
  ASSERT_GT(payloads.size(), 3000u);
  for (const std::string& secret :
       {std::string(kOpenAiKey), std::string(kAnthropicKey), std::string("CUST-123456")}) {
    EXPECT_THAT(bytes, Not(HasSubstr(secret)));
    EXPECT_THAT(payloads, Not(HasSubstr(secret)));
  }

  ReaderOptions ro;
  ro.env = &env;
  Result<LogContents> log = ReadLog("/r.baton", ro);
  ASSERT_TRUE(log.ok());
  const auto* call = log->events[0].As<ModelCall>();
  ASSERT_NE(call, nullptr);
  const std::string& auth = call->request.headers[0].value;
  EXPECT_THAT(auth, StartsWith("<redacted:"));
  EXPECT_EQ(call->request.headers[2].value, "application/json");  // Not a secret.
  // The same key in text and in another event maps to the same pseudonym.
  const std::string& system = call->request.messages[0].content.text;
  size_t at = system.find("api_key=<redacted:");
  ASSERT_NE(at, std::string::npos);
  std::string pseudonym = system.substr(at + 8, 27);
  const auto* tool = log->events[1].As<ToolCall>();
  EXPECT_THAT(tool->arguments.text, HasSubstr(pseudonym));
  EXPECT_THAT(call->request.messages[1].content.text, HasSubstr("for <redacted:"));
}

TEST(RedactorTest, KeyedPseudonymsAreStablePerKeyAndDifferAcrossKeys) {
  RedactionOptions a, b;
  a.key = "team-key";
  b.key = "other-key";
  Result<Redactor> ra = Redactor::Create(a), ra2 = Redactor::Create(a), rb = Redactor::Create(b);
  ASSERT_TRUE(ra.ok() && ra2.ok() && rb.ok());
  EXPECT_EQ(ra->Pseudonym(kOpenAiKey), ra2->Pseudonym(kOpenAiKey));
  EXPECT_NE(ra->Pseudonym(kOpenAiKey), rb->Pseudonym(kOpenAiKey));
  EXPECT_NE(ra->Pseudonym(kOpenAiKey), ra->Pseudonym(kAnthropicKey));
}

TEST(RedactorTest, LeavesOrdinaryTextAlone) {
  Result<Redactor> r = Redactor::Create({});
  ASSERT_TRUE(r.ok());
  std::string out = "untouched";
  for (const char* text : {"ask-me-anything about risk-adjusted returns", "Bearer of bad news",
                           "sk-short", "task-sk-1234567890abcdefghij"}) {
    EXPECT_FALSE(r->RedactText(text, out)) << text;
  }
  EXPECT_EQ(out, "untouched");
  EXPECT_TRUE(r->RedactText(std::string("Authorization: Bearer ") + "abcdefghijklmnop1234", out));
  EXPECT_EQ(out.find("abcdefghijklmnop1234"), std::string::npos);
}

}  // namespace
}  // namespace baton
