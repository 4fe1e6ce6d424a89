#include "base/json_writer.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <gtest/gtest.h>

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
