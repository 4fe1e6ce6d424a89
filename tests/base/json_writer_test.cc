#include "base/json_writer.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <gtest/gtest.h>

#include "base/json_parse.h"
#include "replayer/event_json.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

TEST(JsonWriterTest, EscapesControlCharactersAndQuotes) {
  std::string out;
  AppendJsonString(out, std::string("a\"b\\c\n\t\x01", 8));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001\"");
}

TEST(JsonWriterTest, ReplacesInvalidUtf8) {
  std::string out;
  AppendJsonString(out, "ok \xc3\xa9 bad \xff\xfe end \xe2\x82");
  EXPECT_EQ(out, "\"ok \xc3\xa9 bad \xef\xbf\xbd\xef\xbf\xbd end \xef\xbf\xbd\xef\xbf\xbd\"");
}

TEST(JsonWriterTest, PlacesCommasInNestedContainers) {
  JsonWriter w;
  w.BeginObject().Key("a").BeginArray().Int(1).Int(-2).BeginObject().EndObject().EndArray();
  w.Key("b").Double(0.5).Key("c").Null().Key("d").Bool(false).EndObject();
  EXPECT_EQ(w.str(), "{\"a\":[1,-2,{}],\"b\":0.5,\"c\":null,\"d\":false}");
}

// Every event kind renders as JSON that a real parser accepts, with the kind's name.
TEST(EventJsonTest, EveryKindIsValidJson) {
  capnp::JsonCodec codec;
  for (const Event& e : testing::EveryKindEvents()) {
    std::string json = EventToJson(e);
    capnp::MallocMessageBuilder message;
    auto value = message.initRoot<capnp::JsonValue>();
    EXPECT_NO_THROW(codec.decodeRaw(kj::StringPtr(json.c_str()), value)) << json;
    EXPECT_NE(json.find("\"kind\":\"" + std::string(KindName(e.kind())) + "\""), std::string::npos);
  }
}

}  // namespace
}  // namespace baton

// Cap'n Proto 0.9's decoder misreads hex letters in \u escapes; JsonDocument decodes those
// itself (base/json_parse.cc). Each case: the escape, and the UTF-8 it stands for.
namespace baton {
namespace {

TEST(JsonParseTest, UnicodeEscapesWithHexLettersReadRight) {
  const std::pair<std::string, std::string> cases[] = {
      {R"("\u00e9")", "\xC3\xA9"},
      {R"("\u00E9")", "\xC3\xA9"},
      {R"("\u20ac and \u20AC")", "\xE2\x82\xAC and \xE2\x82\xAC"},
      {R"("\ud83d\ude00")", "\xF0\x9F\x98\x80"},    // A surrogate pair: one character.
      {R"("\ud83d alone")", "\xEF\xBF\xBD alone"},  // A lone surrogate: U+FFFD.
      {R"("\u000f\u001F")", "\x0F\x1F"},
      {R"("a\u005cb")", "a\\b"},
      {R"("\\u00e9")", "\\u00e9"},  // An escaped backslash, then text: not an escape.
      {R"("\u0041\u0022\n")", "A\"\n"},
  };
  for (const auto& [json, expected] : cases) {
    auto doc = JsonDocument::Parse(json, "t");
    ASSERT_TRUE(doc.ok()) << json << ": " << doc.status().message();
    ASSERT_TRUE(doc->root().isString()) << json;
    EXPECT_EQ(std::string(doc->root().getString().cStr()), expected) << json;
  }
  // Keys and nested strings too; text outside strings is left as it is (and still invalid).
  auto obj = JsonDocument::Parse(R"({"caf\u00e9": ["\u00e9"]})", "t");
  ASSERT_TRUE(obj.ok());
  EXPECT_EQ(JsonText(obj->root()), "{\"caf\xC3\xA9\":[\"\xC3\xA9\"]}");
  EXPECT_FALSE(JsonDocument::Parse(R"({\u00e9: 1})", "t").ok());
}

}  // namespace
}  // namespace baton
