// Which JSON parser the hot paths use: capnp-json (already linked, builds a JsonValue tree)
// against simdjson (Debian's libsimdjson-dev, DOM API), on the two documents the capture
// paths parse most: an OpenAI chat request with a 20-turn history, and an OTLP/JSON batch of
// 200 GenAI spans. Both parse to a tree and touch every value, so the work compared is the same.
//
//   figure json.model_request_us capnp=X simdjson=Y speedup=X/Y
//   figure json.otlp_batch_us capnp=X simdjson=Y speedup=X/Y
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <string>

#include "base/json_parse.h"
#include "bench/real_time_reporter.h"

namespace {

std::string Escaped(int i, size_t words) {
  std::string s;
  for (size_t w = 0; w < words; ++w) s += "word" + std::to_string((i * 31 + w * 7) % 997) + " ";
  return s + "\\n\\\"quoted\\\" \\u00e9";
}

std::string ModelRequest() {
  std::string s = R"({"model":"gpt-4o-mini","temperature":0.2,"stream":true,)"
                  R"("stream_options":{"include_usage":true},"messages":[)";
  s += R"({"role":"system","content":")" + Escaped(0, 80) + R"("})";
  for (int turn = 1; turn <= 20; ++turn) {
    s += R"(,{"role":"user","content":")" + Escaped(turn, 40) + R"("})";
    s += R"(,{"role":"assistant","content":")" + Escaped(turn + 100, 60) +
         R"(","tool_calls":[{"id":"call_)" + std::to_string(turn) +
         R"(","type":"function","function":{"name":"search","arguments":"{\"q\":\"rates\"}"}}]})";
    s += R"(,{"role":"tool","tool_call_id":"call_)" + std::to_string(turn) + R"(","content":")" +
         Escaped(turn + 200, 30) + R"("})";
  }
  s += R"(],"tools":[{"type":"function","function":{"name":"search","description":"Search",)"
       R"("parameters":{"type":"object","properties":{"q":{"type":"string"}}}}}]})";
  return s;
}

std::string OtlpBatch() {
  std::string s =
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",)"
      R"("value":{"stringValue":"agents"}}]},"scopeSpans":[{"scope":{"name":"x"},"spans":[)";
  for (int i = 0; i < 200; ++i) {
    if (i > 0) s += ",";
    s += R"({"traceId":"5b8efff798038103d269b633813fc60c","spanId":")" +
         std::to_string(1000000 + i) +
         R"(abcdef","parentSpanId":"eee19b7ec3c1b174","name":"chat gpt-4o","kind":3,)"
         R"("startTimeUnixNano":"1767225600000000000","endTimeUnixNano":"1767225601000000000",)"
         R"("attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},)"
         R"({"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},)"
         R"({"key":"gen_ai.usage.input_tokens","value":{"intValue":"1200"}},)"
         R"({"key":"gen_ai.agent.name","value":{"stringValue":"researcher"}},)"
         R"({"key":"gen_ai.input.messages","value":{"stringValue":")" +
         Escaped(i, 30) + R"("}}],"status":{"code":1}})";
  }
  return s + "]}]}]}";
}

// Touches every value of a simdjson DOM element, as a mapper reading every field would.
size_t Walk(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: {
      size_t n = 1;
      for (auto child : e.get_array()) n += Walk(child);
      return n;
    }
    case simdjson::dom::element_type::OBJECT: {
      size_t n = 1;
      for (auto field : e.get_object()) n += field.key.size() + Walk(field.value);
      return n;
    }
    case simdjson::dom::element_type::STRING:
      return std::string_view(e.get_string()).size();
    default:
      return 1;
  }
}

size_t Walk(capnp::JsonValue::Reader v) {
  switch (v.which()) {
    case capnp::JsonValue::ARRAY: {
      size_t n = 1;
      for (auto child : v.getArray()) n += Walk(child);
      return n;
    }
    case capnp::JsonValue::OBJECT: {
      size_t n = 1;
      for (auto field : v.getObject()) n += field.getName().size() + Walk(field.getValue());
      return n;
    }
    case capnp::JsonValue::STRING:
      return v.getString().size();
    default:
      return 1;
  }
}

void CapnpJson(benchmark::State& state, const std::string& doc) {
  for (auto _ : state) {
    auto parsed = baton::JsonDocument::Parse(doc, "bench");
    if (!parsed.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(Walk(parsed->root()));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * doc.size()));
}

void Simdjson(benchmark::State& state, const std::string& doc) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(doc);
  for (auto _ : state) {
    simdjson::dom::element root;
    if (parser.parse(padded).get(root) != simdjson::SUCCESS) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(Walk(root));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * doc.size()));
}

const std::string kRequest = ModelRequest();
const std::string kOtlp = OtlpBatch();

void BM_ModelRequest_CapnpJson(benchmark::State& s) { CapnpJson(s, kRequest); }
void BM_ModelRequest_Simdjson(benchmark::State& s) { Simdjson(s, kRequest); }
void BM_OtlpBatch_CapnpJson(benchmark::State& s) { CapnpJson(s, kOtlp); }
void BM_OtlpBatch_Simdjson(benchmark::State& s) { Simdjson(s, kOtlp); }
BENCHMARK(BM_ModelRequest_CapnpJson);
BENCHMARK(BM_ModelRequest_Simdjson);
BENCHMARK(BM_OtlpBatch_CapnpJson);
BENCHMARK(BM_OtlpBatch_Simdjson);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  baton::bench::RealTimeReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  for (const char* doc : {"ModelRequest", "OtlpBatch"}) {
    double capnp = reporter.Seconds(std::string("BM_") + doc + "_CapnpJson") * 1e6;
    double simd = reporter.Seconds(std::string("BM_") + doc + "_Simdjson") * 1e6;
    std::printf("figure json.%s_us bytes=%zu capnp=%.1f simdjson=%.1f speedup=%.1f\n", doc,
                std::string(doc) == "ModelRequest" ? kRequest.size() : kOtlp.size(), capnp, simd,
                simd > 0 ? capnp / simd : 0.0);
  }
  benchmark::Shutdown();
  return 0;
}
