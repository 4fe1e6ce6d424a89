// One place per event kind and per request field: the lists the compiler cannot see (the
// schema's union, the codec, the JSON field list, ForEachContent, replay matching) agree with
// EventBody and ModelRequest. A kind or field added in one place and not another fails here.
#include <capnp/schema.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <xxhash.h>

#include <fstream>
#include <set>

#include "base/mem_env.h"
#include "recorder/baton.capnp.h"
#include "recorder/recorder.h"
#include "replayer/event_json.h"
#include "replayer/log_reader.h"
#include "replayer/request_normalizer.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

using ::testing::HasSubstr;

TEST(EventKindsTest, TheSchemaUnionHasExactlyOneMemberPerEventKind) {
  capnp::StructSchema event = capnp::Schema::from<schema::Event>();
  auto members = event.getUnionFields();
  ASSERT_EQ(members.size(), kEventKindCount);
  for (size_t i = 0; i < members.size(); ++i) {
    // camelCase member name -> snake_case kind name.
    std::string snake;
    for (char c : std::string(members[i].getProto().getName().cStr())) {
      if (c >= 'A' && c <= 'Z') {
        snake += '_';
        snake += static_cast<char>(c - 'A' + 'a');
      } else {
        snake += c;
      }
    }
    EXPECT_EQ(snake,
              KindName(static_cast<EventKind>(members[i].getProto().getDiscriminantValue())));
  }
}

TEST(EventKindsTest, EveryKindHasAUniqueNameThatParsesBack) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < kEventKindCount; ++i) {
    auto kind = static_cast<EventKind>(i);
    std::string_view name = KindName(kind);
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(KindFromName(name), kind);
  }
  EXPECT_EQ(KindName(static_cast<EventKind>(kEventKindCount)), "unknown");
  EXPECT_EQ(KindFromName("no_such_kind"), std::nullopt);
}

TEST(EventKindsTest, ForEachContentVisitsEveryContentFieldTheJsonShows) {
  // Mark each content through ForEachContent; every marked text must then appear in the
  // event's JSON, and every JSON string long enough to be content must be marked.
  for (Event e : testing::EveryKindEvents()) {
    int visited = 0;
    ForEachContent(e, [&](Content& c) {
      c.text = "@content" + std::to_string(visited++) + "@";
      c.blob = 0;
    });
    std::string json = EventToJson(e);
    for (int i = 0; i < visited; ++i)
      EXPECT_THAT(json, HasSubstr("\"@content" + std::to_string(i) + "@\"")) << json;
    // No field the sample filled with a long text escaped the visitor.
    EXPECT_EQ(json.find("word"), std::string::npos) << KindName(e.kind()) << ": " << json;
  }
}

TEST(EventKindsTest, EveryKindAndErrorCodeSurviveAFile) {
  MemEnv env;
  RecorderOptions o;
  o.env = &env;
  auto rec = Recorder::Create("kinds.baton", testing::SampleHeader(), o);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  std::vector<Event> events = testing::EveryKindEvents();
  for (const Event& e : events) (*rec)->RecordWithTimes(e);
  ASSERT_TRUE((*rec)->Close().ok());
  ASSERT_TRUE(env.Contents("kinds.baton").has_value());
  std::string path = ::testing::TempDir() + "/kinds-" + std::to_string(::getpid()) + ".baton";
  {
    std::ofstream out(path, std::ios::binary);
    out << *env.Contents("kinds.baton");
  }
  auto read = ReadLog(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->events.size(), events.size());
  std::set<EventKind> kinds;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(read->events[i].body, events[i].body) << KindName(events[i].kind());
    kinds.insert(read->events[i].kind());
  }
  EXPECT_EQ(kinds.size(), kEventKindCount);
  EXPECT_EQ(read->events[6].As<ModelCall>()->error_code, CallErrorCode::kUnavailable);
  EXPECT_EQ(read->events[7].As<ToolCall>()->error_code, CallErrorCode::kDeadlineExceeded);
}

TEST(EventKindsTest, AFileFromBeforeErrorCodesReadsThemAsUnknown) {
  auto read = ReadLog(std::string(BATON_SOURCE_DIR) + "/corpora/golden/every-kind.baton");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const ModelCall* call = read->events[6].As<ModelCall>();
  ASSERT_NE(call, nullptr);
  EXPECT_FALSE(call->error.empty());
  EXPECT_EQ(call->error_code, CallErrorCode::kUnknown);
}

Event CallWith(const ModelRequest& request) {
  ModelCall call;
  call.request = request;
  Event e;
  e.body = std::move(call);
  return e;
}

Normalizers IgnoringOnly(std::vector<std::string> fields) {
  Normalizers n;
  n.ignored_fields = std::move(fields);
  return n;
}

// Each request field, changed alone, changes the match: a field that dropped out of the
// visitor would be ignored by replay and pass here unnoticed... so this test changes each.
TEST(RequestFieldsTest, EveryFieldTakesPartInReplayMatching) {
  const ModelCall base = *testing::EveryKindEvents()[6].As<ModelCall>();
  auto normalizer = RequestNormalizer::Create(IgnoringOnly({}));
  ASSERT_TRUE(normalizer.ok());
  auto same = [](const Content& a, const Content& b) { return a.text == b.text; };
  auto hash = [](const Content& c) { return XXH3_64bits(c.text.data(), c.text.size()); };
  auto hash_of = [&](const ModelRequest& r) { return normalizer->HashRequest(CallWith(r), hash); };
  ASSERT_EQ(normalizer->SameModelRequest(base.request, base.request, same), true);
  size_t changed = 0;
  VisitModelRequestFields([&](std::string_view name, auto member) {
    ModelRequest other = base.request;
    auto& field = other.*member;
    using F = std::decay_t<decltype(field)>;
    if constexpr (std::is_same_v<F, std::string>) {
      field += "-changed";
    } else if constexpr (std::is_same_v<F, bool>) {
      field = !field;
    } else if constexpr (std::is_same_v<F, MessageList>) {
      field.Truncate(field.size() - 1);
    } else {
      field.pop_back();
    }
    EXPECT_EQ(normalizer->SameModelRequest(base.request, other, same), false) << name;
    EXPECT_NE(hash_of(base.request), hash_of(other)) << name;
    // And the flattened fields (diffs, JSON) show the field by its name.
    bool named = false;
    for (const EventField& f : RequestFields(CallWith(base.request)))
      named |= f.path.rfind("request." + std::string(name), 0) == 0;
    EXPECT_TRUE(named) << name;
    ++changed;
  });
  EXPECT_EQ(changed, kModelRequestFieldCount);
}

TEST(RequestFieldsTest, IgnoringAFieldByNameTakesItOutOfMatching) {
  const ModelCall base = *testing::EveryKindEvents()[6].As<ModelCall>();
  auto same = [](const Content& a, const Content& b) { return a.text == b.text; };
  ModelRequest other = base.request;
  other.model = "another-model";
  auto strict = RequestNormalizer::Create(IgnoringOnly({}));
  auto lenient = RequestNormalizer::Create(IgnoringOnly({"request.model"}));
  ASSERT_TRUE(strict.ok() && lenient.ok());
  EXPECT_EQ(strict->SameModelRequest(base.request, other, same), false);
  EXPECT_EQ(lenient->SameModelRequest(base.request, other, same), true);
}

}  // namespace
}  // namespace baton
