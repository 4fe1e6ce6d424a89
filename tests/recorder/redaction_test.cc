// Secrets never reach the file: not in the bytes, not in any decompressed chunk; the
// same secret gets the same pseudonym so that replay matching still works.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>

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

// Each way a secret reached the file before: now it never does.
class SecretPlacesTest : public ::testing::Test {
 protected:
  static constexpr char kAzureKey[] = "3f9a7c1e5b2d4086af1e9c7b3d5a2f48";  // 32 hex digits.

  void SetUp() override { ::setenv("AZURE_OPENAI_API_KEY", kAzureKey, 1); }
  void TearDown() override { ::unsetenv("AZURE_OPENAI_API_KEY"); }

  // Records what `fill` records, and returns every byte of the file's decompressed chunks.
  std::string RecordAndDump(const SessionHeader& header,
                            const std::function<void(Recorder&)>& fill) {
    RecorderOptions o;
    o.env = &env_;
    auto rec = Recorder::Create("/s.baton", header, o);
    EXPECT_TRUE(rec.ok());
    fill(**rec);
    EXPECT_TRUE((*rec)->Close().ok());
    std::string bytes = *env_.Contents("/s.baton");
    return bytes + testing::AllChunkPayloads(bytes);
  }
  Result<LogContents> ReadBack() {
    ReaderOptions ro;
    ro.env = &env_;
    return ReadLog("/s.baton", ro);
  }
  MemEnv env_;
};

// Options resolved once (as a receiver does for all its sessions) redact as the options
// they came from: the default key and the environment's secrets are taken at resolution.
TEST_F(SecretPlacesTest, ResolvedOptionsRedactAsTheOptionsTheyCameFrom) {
  RedactionOptions plain;
  plain.known_secrets = {"short", "a-known-secret-value"};
  RedactionOptions resolved = ResolvedRedactionOptions(plain);
  EXPECT_EQ(resolved.key, DefaultRedactionKey());
  EXPECT_EQ(resolved.environment, SecretsFromEnvironment::kIgnore);
  EXPECT_THAT(resolved.known_secrets, ::testing::Contains(std::string(kAzureKey)));
  auto a = Redactor::Create(plain);
  auto b = Redactor::Create(resolved);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  const std::string text = std::string("key ") + kAzureKey + ", a-known-secret-value, short, " +
                           kOpenAiKey + " and prose";
  std::string from_plain, from_resolved;
  a->RedactText(text, from_plain);
  b->RedactText(text, from_resolved);
  EXPECT_EQ(from_resolved, from_plain);
  EXPECT_THAT(from_resolved, Not(HasSubstr(kAzureKey)));
  EXPECT_THAT(from_resolved, HasSubstr("short"));  // Too short to be a known secret.
  // Resolved while the variable is gone, the secret is not known: it was read then, not now.
  ::unsetenv("AZURE_OPENAI_API_KEY");
  EXPECT_THAT(ResolvedRedactionOptions({}).known_secrets,
              Not(::testing::Contains(std::string(kAzureKey))));
}

TEST_F(SecretPlacesTest, SessionMetadataIsRedacted) {
  SessionHeader h = testing::SampleHeader();
  h.metadata = {{"command", std::string("python agents.py --key ") + kOpenAiKey},
                {"OPENAI_API_KEY", "plain-looking-value-1234"}};
  std::string dump = RecordAndDump(h, [](Recorder&) {});
  EXPECT_THAT(dump, Not(HasSubstr(kOpenAiKey)));
  EXPECT_THAT(dump, Not(HasSubstr("plain-looking-value-1234")));
}

TEST_F(SecretPlacesTest, HeadersNamedLikeKeysAreRedactedWhole) {
  std::string dump = RecordAndDump(testing::SampleHeader(), [](Recorder& r) {
    ModelCall call;
    call.request.headers = {{"X-My-Service-Api-Key", "opaque-value-without-shape"},
                            {"x-auth-token", "another-opaque-value"},
                            {"x-ratelimit-remaining-tokens", "99000"}};
    r.Record("a", call);
  });
  EXPECT_THAT(dump, Not(HasSubstr("opaque-value-without-shape")));
  EXPECT_THAT(dump, Not(HasSubstr("another-opaque-value")));
  EXPECT_THAT(dump, HasSubstr("99000"));  // A count, not a credential: kept for replay.
}

TEST_F(SecretPlacesTest, KeysAfterEscapesAndEncodingsAreFound) {
  std::string dump = RecordAndDump(testing::SampleHeader(), [](Recorder& r) {
    ToolCall t;
    t.arguments.text =
        std::string("{\"prompt\":\"line one\\n") + kOpenAiKey + "\\tand\\t" + kAnthropicKey + "\"}";
    t.result.text =
        std::string("https://x.test/cb?state=1&key%3D") + kOpenAiKey + "&z=\\u0022" + kAnthropicKey;
    r.Record("a", t);
  });
  EXPECT_THAT(dump, Not(HasSubstr(kOpenAiKey)));
  EXPECT_THAT(dump, Not(HasSubstr(kAnthropicKey)));
}

TEST_F(SecretPlacesTest, AKeySplitAcrossStreamedChunksIsRedactedInTheChunks) {
  std::string key = kOpenAiKey;
  std::string dump = RecordAndDump(testing::SampleHeader(), [&](Recorder& r) {
    ModelCall call;
    call.response.content = "your key is " + key + ".";
    call.response.chunks = {{0, "your key is " + key.substr(0, 10)},
                            {5, key.substr(10, 12)},
                            {9, key.substr(22) + "."}};
    r.Record("a", call);
  });
  EXPECT_THAT(dump, Not(HasSubstr(key.substr(10, 12))));  // The middle piece alone.
  Result<LogContents> log = ReadBack();
  ASSERT_TRUE(log.ok());
  const auto* call = log->events[0].As<ModelCall>();
  ASSERT_EQ(call->response.chunks.size(), 3u);
  std::string joined;
  for (const auto& c : call->response.chunks) joined += c.text;
  EXPECT_EQ(joined, call->response.content.text);  // Still adds up to the redacted answer.
  EXPECT_THAT(joined, HasSubstr("<redacted:"));
}

TEST_F(SecretPlacesTest, EnvironmentSecretsAreFoundByValueAnywhere) {
  std::string dump = RecordAndDump(testing::SampleHeader(), [](Recorder& r) {
    r.Record("a", EnvRead{"AZURE_OPENAI_API_KEY", kAzureKey, true});
    ToolCall t;
    t.result.text = std::string("config dump: endpoint=x key ") + kAzureKey + " ok";
    r.Record("a", t);
  });
  EXPECT_THAT(dump, Not(HasSubstr(kAzureKey)));
}

TEST_F(SecretPlacesTest, ParametersPasswordsAndAnyCaseSchemesAreRedacted) {
  std::string dump = RecordAndDump(testing::SampleHeader(), [](Recorder& r) {
    ModelCall call;
    call.request.parameters = {{"api_key", "param-secret-value"}, {"temperature", "0.2"}};
    call.request.messages = {
        {"user",
         "login with user=bob&password=hunter2hunter2 then send "
         "authorization: bearer eyJhbGciOiJIUzI1NiJ9.payload and Basic dXNlcjpwYXNzd29yZA==",
         "", ""}};
    r.Record("a", call);
  });
  for (const char* secret :
       {"param-secret-value", "hunter2hunter2", "eyJhbGciOiJIUzI1NiJ9", "dXNlcjpwYXNzd29yZA=="})
    EXPECT_THAT(dump, Not(HasSubstr(secret))) << secret;
  EXPECT_THAT(dump, HasSubstr("0.2"));
}

TEST(RedactorTest, NamesThatLookSecret) {
  for (const char* name : {"OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "X-My-Service-Api-Key",
                           "apiKey", "access_token", "client_secret", "password", "Set-Cookie",
                           "Proxy-Authorization", "x-auth-token", "AWS_SECRET_ACCESS_KEY",
                           // Only the last two words decide, found from the end: trailing and
                           // doubled separators, case, and camel case at the boundary.
                           "api_key_", "api__key", "API.KEY", "ApiKey", "APIKEY", "db.Password",
                           "gen_ai.auth token", "x-Api-Key-"})
    EXPECT_TRUE(NameLooksSecret(name)) << name;
  for (const char* name : {"max_tokens", "token_count", "key", "x-ratelimit-remaining-tokens",
                           "keyboard", "monkey", "content-type", "session_id", "PATH", "", "_",
                           "--key", "Key", "apikeys", "api_key_id", "tokenizer", "KEYS"})
    EXPECT_FALSE(NameLooksSecret(name)) << name;
}

TEST(RedactorTest, ProseAboutKeysAndTokensIsLeftAlone) {
  RedactionOptions o;
  o.environment = SecretsFromEnvironment::kIgnore;
  Result<Redactor> r = Redactor::Create(o);
  ASSERT_TRUE(r.ok());
  std::string out;
  for (const char* text :
       {"bearer bonds pay the bearer", "a basic understanding of risk",
        "{\"max_tokens\": 500, \"key\": \"market_data\"}", "token_count=5 and the token limit",
        "the password policy requires rotation"})
    EXPECT_FALSE(r->RedactText(text, out)) << text << " -> " << out;
}

// The scan goes word by word; a word that an escape splits ("\n", "%AA", "\u0022" glued to
// what follows) still has its secret found where the escape ends.
TEST(RedactorTest, SecretsGluedToAnEscapeInsideAWordAreFound) {
  RedactionOptions o;
  o.environment = SecretsFromEnvironment::kIgnore;
  Result<Redactor> r = Redactor::Create(o);
  ASSERT_TRUE(r.ok());
  const std::string key = kOpenAiKey;
  for (const std::string& text : std::vector<std::string>{
           "done\\n" + key, "x\\t" + key, "url?a=b%AA" + key, "q=%3D" + key, "say \\u0022" + key,
           "line\\napi_key=hunter2hunter2", "then\\npassword: 'correct-horse-battery'",
           "words before it all skipped " + key + " and after"}) {
    std::string out;
    EXPECT_TRUE(r->RedactText(text, out)) << text;
    EXPECT_THAT(out, Not(HasSubstr("hunter2hunter2"))) << text;
    EXPECT_THAT(out, Not(HasSubstr("correct-horse"))) << text;
    EXPECT_THAT(out, Not(HasSubstr(key.substr(3)))) << text;
  }
  // A key inside a word, with no escape before it, is not at a word boundary.
  std::string out;
  EXPECT_FALSE(r->RedactText("xsk-" + key.substr(3) + " ask-" + key.substr(3), out)) << out;
}

TEST(RedactorTest, PiecesRejoinToTheRedactedWhole) {
  RedactionOptions o;
  o.environment = SecretsFromEnvironment::kIgnore;
  Result<Redactor> r = Redactor::Create(o);
  ASSERT_TRUE(r.ok());
  std::string whole = std::string("a ") + kOpenAiKey + " b " + kAnthropicKey + " c";
  std::string expected;
  ASSERT_TRUE(r->RedactText(whole, expected));
  // Every way of cutting the text in three pieces.
  for (size_t a = 0; a <= whole.size(); a += 3) {
    for (size_t b = a; b <= whole.size(); b += 5) {
      std::vector<std::string> pieces = {whole.substr(0, a), whole.substr(a, b - a),
                                         whole.substr(b)};
      std::vector<std::string> out;
      ASSERT_TRUE(r->RedactPieces(pieces, out));
      ASSERT_EQ(out.size(), 3u);
      EXPECT_EQ(out[0] + out[1] + out[2], expected) << a << "," << b;
    }
  }
}

TEST(RedactorTest, CredentialHeadersMatchWhateverTheirCase) {
  RedactionOptions o;
  o.environment = SecretsFromEnvironment::kIgnore;
  o.header_names = {"X-Tenant-Pass"};
  Result<Redactor> r = Redactor::Create(o);
  ASSERT_TRUE(r.ok());
  // A plain value: only the header's name can make it a credential.
  const std::string value = "plain value";
  std::string out;
  for (const char* name : {"x-tenant-pass", "X-TENANT-PASS", "X-Goog-Api-Key", "OpenAI-Project"}) {
    out.clear();
    EXPECT_TRUE(r->RedactHeader(name, value, out)) << name;
    EXPECT_EQ(out, r->Pseudonym(value)) << name;
  }
  for (const char* name : {"x-tenant-passes", "x-tenant", "Content-Type", ""})
    EXPECT_FALSE(r->RedactHeader(name, value, out)) << name;
}

}  // namespace
}  // namespace baton
