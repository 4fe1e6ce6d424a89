// Normalizers: volatile values, JSON paths and ignored fields drop out of matching.
#include "replayer/request_normalizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace baton {
namespace {

using ::testing::HasSubstr;

Event ModelCallWith(const std::string& user_text, const std::string& auth = "") {
  Event e;
  e.agent = "a";
  ModelCall call;
  call.request.model = "m";
  call.request.messages = {{"user", Content(user_text), "", ""}};
  if (!auth.empty()) call.request.headers = {{"authorization", auth}};
  call.response.content = "ignored for matching";
  e.body = call;
  return e;
}

uint64_t HashOf(const RequestNormalizer& n, const Event& e) {
  return RequestNormalizer::Hash(n.Normalize(RequestFields(e)));
}

TEST(RequestNormalizerTest, SameRequestSameHashDifferentRequestDifferentHash) {
  auto n = RequestNormalizer::Create({});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(HashOf(*n, ModelCallWith("hello")), HashOf(*n, ModelCallWith("hello")));
  EXPECT_NE(HashOf(*n, ModelCallWith("hello")), HashOf(*n, ModelCallWith("hello!")));
}

TEST(RequestNormalizerTest, ResponsesAndHeadersDoNotTakePartInMatching) {
  auto n = RequestNormalizer::Create({});
  ASSERT_TRUE(n.ok());
  Event a = ModelCallWith("q", "<redacted:1111>"), b = ModelCallWith("q", "<redacted:2222>");
  std::get<ModelCall>(b.body).response.content = "another answer";
  EXPECT_EQ(HashOf(*n, a), HashOf(*n, b));
}

TEST(RequestNormalizerTest, VolatilePatternsAreBlanked) {
  Normalizers cfg;
  cfg.volatile_patterns = {"req-[0-9a-f]+", "\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z"};
  auto n = RequestNormalizer::Create(cfg);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(HashOf(*n, ModelCallWith("id req-12ab at 2026-01-01T10:00:00Z")),
            HashOf(*n, ModelCallWith("id req-99ff at 2026-11-25T07:00:00.5Z")));
  EXPECT_NE(HashOf(*n, ModelCallWith("id req-12ab")), HashOf(*n, ModelCallWith("id other")));
}

TEST(RequestNormalizerTest, JsonPathsAreBlankedInsideJsonValues) {
  Normalizers cfg;
  cfg.json_paths = {"meta.request_id", "items.*.ts"};
  auto n = RequestNormalizer::Create(cfg);
  ASSERT_TRUE(n.ok());
  Event a = ModelCallWith(R"({"meta":{"request_id":"x1"},"items":[{"ts":1,"v":2}],"q":"same"})");
  Event b = ModelCallWith(R"({"meta":{"request_id":"y2"},"items":[{"ts":9,"v":2}],"q":"same"})");
  Event c = ModelCallWith(R"({"meta":{"request_id":"y2"},"items":[{"ts":9,"v":3}],"q":"same"})");
  EXPECT_EQ(HashOf(*n, a), HashOf(*n, b));
  EXPECT_NE(HashOf(*n, a), HashOf(*n, c));
}

TEST(RequestNormalizerTest, MalformedJsonIsComparedAsText) {
  Normalizers cfg;
  cfg.json_paths = {"id"};
  auto n = RequestNormalizer::Create(cfg);
  ASSERT_TRUE(n.ok());
  EXPECT_NE(HashOf(*n, ModelCallWith("{\"id\": 1, broken")),
            HashOf(*n, ModelCallWith("{\"id\": 2, broken")));
}

TEST(RequestNormalizerTest, IgnoredFieldsArePrefixes) {
  Normalizers cfg;
  cfg.ignored_fields = {"request.messages"};
  auto n = RequestNormalizer::Create(cfg);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(HashOf(*n, ModelCallWith("one")), HashOf(*n, ModelCallWith("two")));
}

TEST(RequestNormalizerTest, BadRegexAndEmptyJsonPathAreErrorsNamingThem) {
  Normalizers bad_regex;
  bad_regex.volatile_patterns = {"([unclosed"};
  auto a = RequestNormalizer::Create(bad_regex);
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.status().message(), HasSubstr("([unclosed"));
  Normalizers bad_path;
  bad_path.json_paths = {"a..b"};
  auto b = RequestNormalizer::Create(bad_path);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(b.status().message(), HasSubstr("a..b"));
}

// The proxy ignores transport-only parameters ("stream", "stream_options") by key: those
// requests still take the field-by-field fast path, and only the named keys are skipped.
TEST(RequestNormalizerTest, IgnoringOneParameterKeepsTheFastPathAndTheOtherParameters) {
  Normalizers cfg;
  cfg.ignored_fields = {"request.parameters.stream"};
  auto n = RequestNormalizer::Create(cfg);
  ASSERT_TRUE(n.ok());
  Event a = ModelCallWith("same"), b = ModelCallWith("same"), c = ModelCallWith("same");
  std::get<ModelCall>(a.body).request.parameters = {{"stream", "true"}, {"temperature", "0.2"}};
  std::get<ModelCall>(b.body).request.parameters = {{"temperature", "0.2"}};
  std::get<ModelCall>(c.body).request.parameters = {{"stream", "true"}, {"temperature", "0.9"}};
  auto same = [](const Content& x, const Content& y) { return x.text == y.text; };
  const ModelRequest& ra = std::get<ModelCall>(a.body).request;
  std::optional<bool> ab = n->SameModelRequest(ra, std::get<ModelCall>(b.body).request, same);
  std::optional<bool> ac = n->SameModelRequest(ra, std::get<ModelCall>(c.body).request, same);
  ASSERT_TRUE(ab.has_value()) << "the fast path must stay usable";
  EXPECT_TRUE(*ab);
  EXPECT_FALSE(*ac);
  EXPECT_EQ(HashOf(*n, a), HashOf(*n, b));
  EXPECT_NE(HashOf(*n, a), HashOf(*n, c));
}

}  // namespace
}  // namespace baton
