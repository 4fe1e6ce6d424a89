// OTLP/protobuf bodies (harness/otel/otlp_protobuf.h): the same spans as the same request in
// OTLP/JSON, the same spans rejected for the same reasons, and clear errors for bytes that are
// not a request. The requests are built with the protobuf classes of baton's OTLP messages, as
// an exporter's protobuf library encodes them; the real JavaScript exporter's bodies are tested
// end to end in otel_js_test.cc.
#include "harness/otel/otlp_protobuf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "harness/otel/otlp_logs.pb.h"
#include "harness/otel/otlp_spans.h"
#include "harness/otel/otlp_trace.pb.h"

namespace baton::otel {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

const std::string kTrace = Bytes({0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92,
                                  0x9d, 0x0e, 0x0e, 0x47, 0x36});
const std::string kSpan = Bytes({0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7});
const std::string kParent = Bytes({0x53, 0x99, 0x5c, 0x3f, 0x42, 0xcd, 0x8a, 0xd8});

void SetString(otlp::KeyValue* kv, const std::string& key, const std::string& value) {
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

// One request that uses every kind of value the reader maps.
otlp::ExportTraceServiceRequest EveryKindOfValue() {
  otlp::ExportTraceServiceRequest r;
  otlp::ResourceSpans* rs = r.add_resource_spans();
  SetString(rs->mutable_resource()->add_attributes(), "service.name", "travel-agents");
  otlp::ScopeSpans* ss = rs->add_scope_spans();
  ss->mutable_scope()->set_name("openinference.instrumentation");
  otlp::Span* s = ss->add_spans();
  s->set_trace_id(kTrace);
  s->set_span_id(kSpan);
  s->set_parent_span_id(kParent);
  s->set_name("chat gpt-4o");
  s->set_kind(3);
  s->set_start_time_unix_nano(1767225600000000000ull);
  s->set_end_time_unix_nano(1767225601500000000ull);
  SetString(s->add_attributes(), "gen_ai.operation.name", "chat");
  otlp::KeyValue* n = s->add_attributes();
  n->set_key("gen_ai.usage.input_tokens");
  n->mutable_value()->set_int_value(-42);
  otlp::KeyValue* d = s->add_attributes();
  d->set_key("gen_ai.request.temperature");
  d->mutable_value()->set_double_value(0.25);
  otlp::KeyValue* b = s->add_attributes();
  b->set_key("gen_ai.request.stream");
  b->mutable_value()->set_bool_value(true);
  otlp::KeyValue* a = s->add_attributes();
  a->set_key("gen_ai.response.finish_reasons");
  otlp::ArrayValue* array = a->mutable_value()->mutable_array_value();
  array->add_values()->set_string_value("stop \"quoted\"");
  array->add_values()->set_int_value(7);
  array->add_values()->set_double_value(1.5);
  array->add_values()->set_bool_value(false);
  array->add_values()->set_bytes_value("hi");
  array->add_values();  // No value set: null.
  otlp::KeyValue* kv = s->add_attributes();
  kv->set_key("llm.invocation_parameters");
  otlp::KeyValueList* list = kv->mutable_value()->mutable_kvlist_value();
  SetString(list->add_values(), "model", "gpt-4o");
  otlp::KeyValue* nested = list->add_values();
  nested->set_key("stop");
  nested->mutable_value()->mutable_array_value()->add_values()->set_string_value("\n");
  otlp::KeyValue* raw = s->add_attributes();
  raw->set_key("blob");
  raw->mutable_value()->set_bytes_value(Bytes({0, 1, 2}));
  s->add_attributes()->set_key("empty");
  otlp::Span::Event* e = s->add_events();
  e->set_name("exception");
  e->set_time_unix_nano(1767225601000000000ull);
  SetString(e->add_attributes(), "exception.message", "rate limited");
  otlp::Span::Event* late = s->add_events();
  late->set_name("baton.score");  // No time: the span's start, as in OTLP/JSON.
  s->mutable_status()->set_code(2);
  s->mutable_status()->set_message("upstream 429");
  return r;
}

// The same request as OTLP/JSON, written as the spec says (hex ids, numbers as strings).
constexpr char kEveryKindOfValueJson[] = R"j({"resourceSpans":[{
  "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"travel-agents"}}]},
  "scopeSpans":[{"scope":{"name":"openinference.instrumentation"},"spans":[{
    "traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7",
    "parentSpanId":"53995c3f42cd8ad8","name":"chat gpt-4o","kind":3,
    "startTimeUnixNano":"1767225600000000000","endTimeUnixNano":"1767225601500000000",
    "attributes":[
      {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
      {"key":"gen_ai.usage.input_tokens","value":{"intValue":"-42"}},
      {"key":"gen_ai.request.temperature","value":{"doubleValue":0.25}},
      {"key":"gen_ai.request.stream","value":{"boolValue":true}},
      {"key":"gen_ai.response.finish_reasons","value":{"arrayValue":{"values":[
        {"stringValue":"stop \"quoted\""},{"intValue":"7"},{"doubleValue":1.5},
        {"boolValue":false},{"bytesValue":"aGk="},{}]}}},
      {"key":"llm.invocation_parameters","value":{"kvlistValue":{"values":[
        {"key":"model","value":{"stringValue":"gpt-4o"}},
        {"key":"stop","value":{"arrayValue":{"values":[{"stringValue":"\n"}]}}}]}}},
      {"key":"blob","value":{"bytesValue":"AAEC"}},
      {"key":"empty","value":{}}],
    "events":[{"name":"exception","timeUnixNano":"1767225601000000000",
               "attributes":[{"key":"exception.message","value":{"stringValue":"rate limited"}}]},
              {"name":"baton.score"}],
    "status":{"code":2,"message":"upstream 429"}}]}]}]})j";

::testing::AssertionResult SameAttributes(const Attributes& got, const Attributes& want) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << got.size() << " attributes, want " << want.size();
  for (size_t i = 0; i < got.size(); ++i) {
    const Attribute& g = got[i];
    const Attribute& w = want[i];
    if (g.key.view() != w.key.view() || g.value.type != w.value.type ||
        g.value.text != w.value.text || g.value.int_value != w.value.int_value ||
        g.value.double_value != w.value.double_value || g.value.bool_value != w.value.bool_value)
      return ::testing::AssertionFailure()
             << "attribute " << i << ": " << g.key.view() << " = " << g.value.ToString()
             << ", want " << w.key.view() << " = " << w.value.ToString();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult SameSpan(const Span& got, const Span& want) {
  auto differs = [](const char* field, const auto& g, const auto& w) {
    return ::testing::AssertionFailure() << field << ": " << g << ", want " << w;
  };
  if (got.record != want.record) return differs("record", int(got.record), int(want.record));
  if (got.trace_id != want.trace_id) return differs("trace_id", got.trace_id, want.trace_id);
  if (got.span_id != want.span_id) return differs("span_id", got.span_id, want.span_id);
  if (got.parent_span_id != want.parent_span_id)
    return differs("parent_span_id", got.parent_span_id, want.parent_span_id);
  if (got.continues_trace_id != want.continues_trace_id)
    return differs("continues_trace_id", got.continues_trace_id, want.continues_trace_id);
  if (got.name != want.name) return differs("name", got.name, want.name);
  if (got.kind != want.kind) return differs("kind", got.kind, want.kind);
  if (got.start_ns != want.start_ns) return differs("start_ns", got.start_ns, want.start_ns);
  if (got.end_ns != want.end_ns) return differs("end_ns", got.end_ns, want.end_ns);
  if (got.status != want.status) return differs("status", int(got.status), int(want.status));
  if (got.status_message != want.status_message)
    return differs("status_message", got.status_message, want.status_message);
  if (got.service_name != want.service_name)
    return differs("service_name", got.service_name, want.service_name);
  if (got.scope_name != want.scope_name)
    return differs("scope_name", got.scope_name, want.scope_name);
  if (auto same = SameAttributes(got.attributes, want.attributes); !same) return same;
  if (got.events.size() != want.events.size())
    return differs("events", got.events.size(), want.events.size());
  for (size_t i = 0; i < got.events.size(); ++i) {
    if (got.events[i].name != want.events[i].name)
      return differs("event name", got.events[i].name, want.events[i].name);
    if (got.events[i].time_ns != want.events[i].time_ns)
      return differs("event time", got.events[i].time_ns, want.events[i].time_ns);
    if (auto same = SameAttributes(got.events[i].attributes, want.events[i].attributes); !same)
      return same << " (event " << i << ")";
  }
  return ::testing::AssertionSuccess();
}

TEST(OtlpProtobufTest, ARequestGivesTheSpansOfTheSameRequestInJson) {
  auto from_protobuf =
      ParseOtlpProtobuf(EveryKindOfValue().SerializeAsString(), "the request body");
  ASSERT_TRUE(from_protobuf.ok()) << from_protobuf.status().ToString();
  auto from_json = ParseOtlpJson(kEveryKindOfValueJson, "the JSON");
  ASSERT_TRUE(from_json.ok()) << from_json.status().ToString();
  ASSERT_THAT(from_json->spans, SizeIs(1));
  ASSERT_THAT(from_protobuf->spans, SizeIs(1));
  EXPECT_TRUE(from_protobuf->rejected.empty());
  EXPECT_TRUE(SameSpan(from_protobuf->spans[0], from_json->spans[0]));
  // And what the analyses read from it.
  const Span& s = from_protobuf->spans[0];
  EXPECT_EQ(s.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(s.Str("gen_ai.response.finish_reasons"),
            R"(["stop \"quoted\"",7,1.5,false,"aGk=",null])");
  EXPECT_EQ(s.Str("llm.invocation_parameters"), R"({"model":"gpt-4o","stop":["\n"]})");
  EXPECT_EQ(s.status, StatusCode::kError);
}

// A root span linked to spans of other traces continues the first of them that is another
// trace (a message runtime's trace per message, linked to the trace that sent it); a link to
// its own trace, or one without a usable trace id, says nothing and loses nothing. A span with
// a parent continues its parent's trace whatever it links to.
TEST(OtlpProtobufTest, ARootSpanLinkedToAnotherTraceContinuesItInBothEncodings) {
  const std::string other = Bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
  otlp::ExportTraceServiceRequest r;
  otlp::ScopeSpans* ss = r.add_resource_spans()->add_scope_spans();
  for (bool root : {true, false}) {
    otlp::Span* s = ss->add_spans();
    s->set_trace_id(kTrace);
    s->set_span_id(root ? kSpan : kParent);
    if (!root) s->set_parent_span_id(kSpan);
    s->set_name("autogen publish group_topic");
    s->set_start_time_unix_nano(1767225600000000000ull);
    s->add_links()->set_trace_id("short");
    s->add_links()->set_trace_id(kTrace);
    s->add_links()->set_trace_id(other);
  }
  const std::string json = R"j({"resourceSpans":[{"scopeSpans":[{"spans":[
    {"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7",
     "name":"autogen publish group_topic","startTimeUnixNano":"1767225600000000000",
     "links":[{"traceId":"short"},{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"},
              {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0000000000000001"}]},
    {"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"53995c3f42cd8ad8",
     "parentSpanId":"00f067aa0ba902b7","name":"autogen publish group_topic",
     "startTimeUnixNano":"1767225600000000000",
     "links":[{"traceId":"0102030405060708090a0b0c0d0e0f10"}]}]}]}]})j";
  auto from_protobuf = ParseOtlpProtobuf(r.SerializeAsString(), "the request body");
  ASSERT_TRUE(from_protobuf.ok()) << from_protobuf.status().ToString();
  auto from_json = ParseOtlpJson(json, "the JSON");
  ASSERT_TRUE(from_json.ok()) << from_json.status().ToString();
  ASSERT_THAT(from_protobuf->spans, SizeIs(2));
  ASSERT_THAT(from_json->spans, SizeIs(2));
  EXPECT_TRUE(from_protobuf->rejected.empty());
  EXPECT_TRUE(from_json->rejected.empty());
  EXPECT_EQ(from_protobuf->spans[0].continues_trace_id, "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(from_protobuf->spans[1].continues_trace_id, "");
  for (size_t i = 0; i < 2; ++i)
    EXPECT_TRUE(SameSpan(from_protobuf->spans[i], from_json->spans[i])) << "span " << i;
}

// Log records of GenAI events (POST /v1/logs): each record that names a span is an event of it,
// as the same records in OTLP/JSON give.
TEST(OtlpProtobufTest, LogRecordsGiveTheEventsOfTheSameRecordsInJson) {
  otlp::ExportLogsServiceRequest r;
  otlp::ResourceLogs* rl = r.add_resource_logs();
  SetString(rl->mutable_resource()->add_attributes(), "service.name", "travel-agents");
  otlp::ScopeLogs* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("@opentelemetry/instrumentation-openai");
  otlp::LogRecord* choice = sl->add_log_records();
  choice->set_trace_id(kTrace);
  choice->set_span_id(kSpan);
  choice->set_time_unix_nano(1767225601000000000ull);
  choice->set_event_name("gen_ai.choice");
  otlp::KeyValueList* body = choice->mutable_body()->mutable_kvlist_value();
  otlp::KeyValue* index = body->add_values();
  index->set_key("index");
  index->mutable_value()->set_int_value(0);
  otlp::KeyValue* message = body->add_values();
  message->set_key("message");
  otlp::KeyValue* call = message->mutable_value()->mutable_kvlist_value()->add_values();
  call->set_key("tool_calls");
  otlp::KeyValueList* first_call =
      call->mutable_value()->mutable_array_value()->add_values()->mutable_kvlist_value();
  SetString(first_call->add_values(), "id", "call_1");
  otlp::LogRecord* user = sl->add_log_records();
  user->set_trace_id(kTrace);
  user->set_span_id(kSpan);
  user->set_observed_time_unix_nano(1767225600500000000ull);
  SetString(user->add_attributes(), "event.name", "gen_ai.user.message");
  user->mutable_body()->set_string_value("plain text");
  sl->add_log_records()->mutable_body()->set_string_value("a log of no span");
  otlp::LogRecord* bad = sl->add_log_records();
  bad->set_trace_id(kTrace);
  bad->set_span_id("short");
  constexpr std::string_view kJson = R"({"resourceLogs":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"travel-agents"}}]},
    "scopeLogs":[{"scope":{"name":"@opentelemetry/instrumentation-openai"},"logRecords":[
      {"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7",
       "timeUnixNano":"1767225601000000000","eventName":"gen_ai.choice",
       "body":{"kvlistValue":{"values":[{"key":"index","value":{"intValue":"0"}},
         {"key":"message","value":{"kvlistValue":{"values":[{"key":"tool_calls","value":
           {"arrayValue":{"values":[{"kvlistValue":{"values":[
             {"key":"id","value":{"stringValue":"call_1"}}]}}]}}}]}}}]}}},
      {"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7",
       "observedTimeUnixNano":"1767225600500000000",
       "attributes":[{"key":"event.name","value":{"stringValue":"gen_ai.user.message"}}],
       "body":{"stringValue":"plain text"}},
      {"body":{"stringValue":"a log of no span"}},
      {"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"c2hvcnQ="}]}]}]})";
  auto from_protobuf = ParseOtlpLogsProtobuf(r.SerializeAsString(), "the request body");
  ASSERT_TRUE(from_protobuf.ok()) << from_protobuf.status().ToString();
  auto from_json = ParseOtlpJson(kJson, "the JSON");
  ASSERT_TRUE(from_json.ok()) << from_json.status().ToString();
  ASSERT_THAT(from_protobuf->spans, SizeIs(2));
  ASSERT_THAT(from_json->spans, SizeIs(2));
  for (size_t i = 0; i < 2; ++i)
    EXPECT_TRUE(SameSpan(from_protobuf->spans[i], from_json->spans[i])) << i;
  EXPECT_EQ(from_protobuf->log_records, 2u);
  EXPECT_EQ(from_protobuf->log_records_outside_span, 1u);
  EXPECT_EQ(from_json->log_records_outside_span, 1u);
  ASSERT_THAT(from_protobuf->rejected, SizeIs(1));
  EXPECT_EQ(from_protobuf->rejected[0].where,
            "the request body: resourceLogs[0].scopeLogs[0].logRecords[3]");
  EXPECT_THAT(from_protobuf->rejected[0].reason, HasSubstr("spanId: expected 8 bytes"));
  ASSERT_THAT(from_json->rejected, SizeIs(1));
  const Span& c = from_protobuf->spans[0];
  EXPECT_EQ(c.record, SpanRecord::kEventsOfSpan);
  EXPECT_EQ(c.span_id, "00f067aa0ba902b7");
  ASSERT_THAT(c.events, SizeIs(1));
  EXPECT_EQ(c.events[0].name, "gen_ai.choice");
  EXPECT_EQ(AttributeString(c.events[0].attributes, "message"),
            R"({"tool_calls":[{"id":"call_1"}]})");
  EXPECT_EQ(from_protobuf->spans[1].events[0].name, "gen_ai.user.message");
  EXPECT_EQ(from_protobuf->spans[1].events[0].time_ns, 1767225600500000000);
  EXPECT_EQ(AttributeString(from_protobuf->spans[1].events[0].attributes, "body"), "plain text");

  auto not_logs = ParseOtlpLogsProtobuf("\x0a\x05", "truncated");
  ASSERT_FALSE(not_logs.ok());
  EXPECT_THAT(not_logs.status().message(),
              HasSubstr("truncated: not an OTLP/protobuf ExportLogsServiceRequest"));
}

TEST(OtlpProtobufTest, ExportersBeforeScopeSpansAreRead) {
  otlp::ExportTraceServiceRequest r = EveryKindOfValue();
  otlp::ResourceSpans* rs = r.mutable_resource_spans(0);
  *rs->add_instrumentation_library_spans() = rs->scope_spans(0);
  rs->clear_scope_spans();
  auto batch = ParseOtlpProtobuf(r.SerializeAsString(), "old");
  ASSERT_TRUE(batch.ok());
  ASSERT_THAT(batch->spans, SizeIs(1));
  EXPECT_EQ(batch->spans[0].scope_name, "openinference.instrumentation");
}

TEST(OtlpProtobufTest, ASpanThatCannotBeUsedIsRejectedAloneAndNamed) {
  otlp::ExportTraceServiceRequest r = EveryKindOfValue();
  otlp::ScopeSpans* ss = r.mutable_resource_spans(0)->mutable_scope_spans(0);
  auto add = [&](auto change) {
    otlp::Span* s = ss->add_spans();
    *s = ss->spans(0);
    change(*s);
  };
  add([](otlp::Span& s) { s.set_trace_id("short"); });
  add([](otlp::Span& s) { s.set_span_id(std::string(8, '\0')); });
  add([](otlp::Span& s) { s.set_parent_span_id("123"); });
  add([](otlp::Span& s) { s.clear_start_time_unix_nano(); });
  add([](otlp::Span& s) { s.set_start_time_unix_nano(~0ull); });
  add([](otlp::Span& s) {
    s.set_end_time_unix_nano(1);  // Before its start: lasts no time.
    s.set_kind(99);
  });
  auto batch = ParseOtlpProtobuf(r.SerializeAsString(), "the request body");
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_THAT(batch->spans, SizeIs(2));
  EXPECT_EQ(batch->spans[1].end_ns, batch->spans[1].start_ns);
  EXPECT_EQ(batch->spans[1].kind, 5);
  ASSERT_THAT(batch->rejected, SizeIs(5));
  EXPECT_EQ(batch->rejected[0].where, "the request body: resourceSpans[0].scopeSpans[0].spans[1]");
  EXPECT_EQ(batch->rejected[0].reason, "traceId: expected 16 bytes, got 5");
  EXPECT_EQ(batch->rejected[1].reason, "spanId: missing or all zeros");
  EXPECT_EQ(batch->rejected[2].reason, "parentSpanId: expected 8 bytes, got 3");
  EXPECT_EQ(batch->rejected[3].reason, "startTimeUnixNano: missing");
  EXPECT_THAT(batch->rejected[4].reason, HasSubstr("is not a time after 1970 and before 2096"));
}

TEST(OtlpProtobufTest, BytesThatAreNotARequestAreAnErrorNamingThem) {
  const std::string good = EveryKindOfValue().SerializeAsString();
  // Cut anywhere: an error or fewer spans, never a crash.
  for (size_t n = 0; n < good.size(); ++n) {
    auto cut = ParseOtlpProtobuf(std::string_view(good).substr(0, n), "cut");
    if (!cut.ok()) {
      EXPECT_THAT(cut.status().message(), HasSubstr("cut: not an OTLP/protobuf"));
    }
  }
  auto json = ParseOtlpProtobuf(kEveryKindOfValueJson, "the request body");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().code(), Status::Code::kCorruption);
  EXPECT_THAT(json.status().message(), HasSubstr("the request body: not an OTLP/protobuf"));
  // A string that is not UTF-8 (protobuf's strings must be).
  otlp::ExportTraceServiceRequest bad = EveryKindOfValue();
  bad.mutable_resource_spans(0)->mutable_scope_spans(0)->mutable_spans(0)->set_name("\xff\xfe");
  EXPECT_FALSE(ParseOtlpProtobuf(bad.SerializeAsString(), "utf8").ok());
  // An empty request is a request of no spans, as in OTLP/JSON.
  auto empty = ParseOtlpProtobuf("", "empty");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->spans.empty());
}

TEST(OtlpProtobufTest, AnswersAreTheSpecsMessages) {
  otlp::ExportTraceServiceResponse ok;
  ASSERT_TRUE(ok.ParseFromString(OtlpProtobufResponse(0, "")));
  EXPECT_FALSE(ok.has_partial_success());
  otlp::ExportTraceServiceResponse partial;
  ASSERT_TRUE(partial.ParseFromString(OtlpProtobufResponse(3, "3 spans rejected")));
  EXPECT_EQ(partial.partial_success().rejected_spans(), 3);
  EXPECT_EQ(partial.partial_success().error_message(), "3 spans rejected");
  otlp::RpcStatus status;
  ASSERT_TRUE(status.ParseFromString(OtlpProtobufStatus(8, "too large")));
  EXPECT_EQ(status.code(), 8);
  EXPECT_EQ(status.message(), "too large");
}

}  // namespace
}  // namespace baton::otel
