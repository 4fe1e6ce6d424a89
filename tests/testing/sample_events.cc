#include "tests/testing/sample_events.h"

#include <capnp/message.h>
#include <capnp/schema.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>
#include <kj/io.h>
#include <zstd.h>

#include "recorder/baton.capnp.h"
#include "recorder/chunk_format.h"
#include "recorder/event_codec.h"
#include "recorder/recorder.h"

namespace baton::testing {

std::string TextOfSize(size_t n, int seed) {
  std::string out;
  uint64_t x = 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(seed + 1);
  while (out.size() < n) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out += "word" + std::to_string(x % 997) + " ";
  }
  out.resize(n);
  return out;
}

Event ConversationCall(uint64_t seq, const std::string& agent, const MessageList& messages,
                       const std::string& answer) {
  Event e;
  e.seq = seq;
  e.mono_ns = static_cast<int64_t>(seq) * 1000;
  e.agent = agent;
  ModelCall call;
  call.call_id = "c" + std::to_string(seq);
  call.request.model = "m";
  call.request.messages = messages;
  call.response.content = Content(answer);
  e.body = std::move(call);
  return e;
}

SessionHeader SampleHeader() {
  SessionHeader h;
  h.session_id = "sample-session";
  h.start_wall_ns = 1'767'225'600'000'000'000;
  h.agents = {"planner", "researcher", "writer"};
  h.metadata = {{"git_sha", "abc123"}, {"service_version", "1.2.3"}};
  h.writer = "baton test";
  return h;
}

std::vector<Event> EveryKindEvents() {
  std::string big = TextOfSize(4096, 1);
  std::vector<EventBody> bodies;
  bodies.push_back(
      MessageSend{"m1", "researcher", "research", big, {{"market_data", 7}, {"plan", 2}}});
  bodies.push_back(MessageDelivery{"m1", "planner"});
  bodies.push_back(MessageInterpretation{"m1", "research", TextOfSize(300, 2)});
  bodies.push_back(MessageProcessed{"m1"});
  bodies.push_back(ContextWrite{"market_data", 8, TextOfSize(500, 3)});
  bodies.push_back(ContextRead{"market_data", 7});
  ModelCall call;
  call.call_id = "c1";
  call.request.model = "gpt-4o";
  call.request.parameters = {{"temperature", "0.2"}, {"max_tokens", "512"}};
  call.request.messages = {{"system", TextOfSize(2000, 4), "", ""},
                           {"user", big, "planner", ""},
                           {"tool", "short tool text", "search", "call-9"}};
  call.request.tools = {{"search", "Search the web", "{\"type\":\"object\"}"}};
  call.request.headers = {{"content-type", "application/json"}};
  call.request.stream = true;
  call.response.content = TextOfSize(1000, 5);
  call.response.tool_calls = {{"call-10", "search", "{\"q\":\"rates\"}"}};
  call.response.finish_reason = "tool_calls";
  call.response.usage = {1200, 250, 1450};
  call.response.chunks = {{1'000'000, "Hel"}, {2'500'000, "lo"}};
  call.latency_ns = 2'100'000'000;
  call.attempt = 3;
  call.error = "HTTP 429 then ok";
  call.error_code = CallErrorCode::kUnavailable;
  bodies.push_back(call);
  bodies.push_back(ToolCall{"t1", "search", "{\"q\":\"rates\"}", TextOfSize(3000, 6), 450'000'000,
                            "partial", CallErrorCode::kDeadlineExceeded});
  bodies.push_back(RoutingDecision{"researcher", {"researcher", "writer"}, TextOfSize(200, 7)});
  bodies.push_back(Score{5, "m1", 0.23, "coverage", TextOfSize(150, 8)});
  bodies.push_back(Check{5, "m1", "json-schema", true, "all keys present"});
  bodies.push_back(ClockRead{"wall", 1'767'225'612'000'000'000});
  bodies.push_back(RandomDraw{"sampling", 0xdeadbeefcafef00dull});
  bodies.push_back(EnvRead{"REGION", "eu-west-1", true});
  bodies.push_back(SpanStart{"s1", "s0", "researcher.run", {{"gen_ai.system", "openai"}}});
  bodies.push_back(SpanEnd{"s1", "OK", 2'100'000'000});
  bodies.push_back(Retry{"c1", 2, "HTTP 429", 4'000'000'000});
  bodies.push_back(Outcome{TextOfSize(700, 9), Verdict::kFailure, "wrong answer"});
  bodies.push_back(EventsDropped{12});

  std::vector<Event> events;
  const char* agents[] = {"planner", "researcher", "writer"};
  for (size_t i = 0; i < bodies.size(); ++i) {
    Event e;
    e.seq = i + 1;
    e.mono_ns = static_cast<int64_t>(i) * 1'000'000 + 17;
    e.wall_ns = 1'767'225'600'000'000'000 + e.mono_ns;
    e.agent = agents[i % 3];
    e.cause = i;  // The previous event.
    e.body = std::move(bodies[i]);
    events.push_back(std::move(e));
  }
  return events;
}

namespace {

std::string Serialize(capnp::MessageBuilder& message) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  return std::string(reinterpret_cast<const char*>(words.begin()),
                     words.size() * sizeof(capnp::word));
}

}  // namespace

FileBuilder::FileBuilder(uint32_t format_version, uint32_t required_reader_version) {
  bytes_ = format::EncodeFileHeader({format_version, required_reader_version});
}

FileBuilder& FileBuilder::Chunk(format::ChunkKind kind, uint32_t items, const std::string& raw) {
  std::string stored(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress(stored.data(), stored.size(), raw.data(), raw.size(), 3);
  stored.resize(n);
  format::ChunkHeader h;
  h.kind = static_cast<uint8_t>(kind);
  h.codec = static_cast<uint8_t>(format::Codec::kZstd);
  h.stored_length = static_cast<uint32_t>(stored.size());
  h.raw_length = static_cast<uint32_t>(raw.size());
  h.item_count = items;
  char head[format::kChunkHeaderSize];
  format::EncodeChunkHeader(h, stored, head);
  bytes_.append(head, sizeof head);
  bytes_ += stored;
  return *this;
}

FileBuilder& FileBuilder::StoredChunk(const format::ChunkHeader& header,
                                      const std::string& stored) {
  char head[format::kChunkHeaderSize];
  format::EncodeChunkHeader(header, stored, head);
  bytes_.append(head, sizeof head);
  bytes_ += stored;
  return *this;
}

FileBuilder& FileBuilder::Append(const std::string& bytes) {
  bytes_ += bytes;
  return *this;
}

FileBuilder& FileBuilder::Header(const SessionHeader& header) {
  capnp::MallocMessageBuilder message;
  codec::EncodeHeader(header, message.initRoot<schema::SessionHeader>());
  return Chunk(format::ChunkKind::kSessionHeader, 1, Serialize(message));
}

FileBuilder& FileBuilder::Events(const std::vector<Event>& events) {
  std::string raw;
  codec::PlainTextEncoder plain;
  for (const Event& e : events) {
    capnp::MallocMessageBuilder message;
    codec::EncodeEvent(e, SampleHeader().start_wall_ns, plain, nullptr,
                       message.initRoot<schema::Event>());
    raw += Serialize(message);
  }
  return Chunk(format::ChunkKind::kEvents, static_cast<uint32_t>(events.size()), raw);
}

std::string FileBuilder::EventWithUnknownKind(uint64_t seq, uint16_t discriminant) {
  capnp::MallocMessageBuilder message;
  auto e = message.initRoot<schema::Event>();
  e.setSeq(seq);
  e.setAgent("future-agent");
  e.initMessageProcessed().setMessageId("from the future");
  std::string bytes = Serialize(message);
  // Single segment: 8 bytes of segment table, then the root pointer, then the root
  // struct's data section (the first object allocated). The discriminant lives there.
  uint32_t offset =
      capnp::Schema::from<schema::Event>().getProto().getStruct().getDiscriminantOffset();
  size_t at = 8 + 8 + offset * 2;
  bytes[at] = static_cast<char>(discriminant & 0xff);
  bytes[at + 1] = static_cast<char>(discriminant >> 8);
  return bytes;
}

std::string AllChunkPayloads(const std::string& file_bytes) {
  std::string out;
  size_t off = format::kFileHeaderSize;
  format::ChunkHeader h;
  while (off + format::kChunkHeaderSize <= file_bytes.size() &&
         format::DecodeChunkHeader(std::string_view(file_bytes).substr(off), &h)) {
    std::string raw(h.raw_length, '\0');
    size_t n = ZSTD_decompress(raw.data(), raw.size(),
                               file_bytes.data() + off + format::kChunkHeaderSize, h.stored_length);
    if (!ZSTD_isError(n)) out += raw;
    off += format::kChunkHeaderSize + h.stored_length;
  }
  return out;
}

std::vector<Event> RecordSmallChunkedLog(Env& env, const std::string& path) {
  RecorderOptions o;
  o.env = &env;
  o.chunk_bytes = 700;
  o.blob_threshold_bytes = 64;
  auto rec = Recorder::Create(path, SampleHeader(), o);
  if (!rec.ok()) {
    ADD_FAILURE() << rec.status().ToString();
    return {};
  }
  std::vector<Event> events;
  for (int i = 0; i < 24; ++i) {
    Event e;
    e.seq = static_cast<uint64_t>(i) + 1;
    e.mono_ns = i * 100;
    e.agent = i % 2 ? "planner" : "writer";
    e.body = MessageSend{"m" + std::to_string(i),
                         "researcher",
                         "research",
                         TextOfSize(90 + (i % 5) * 20, i % 7),
                         {{"k", 1}}};
    events.push_back(e);
    (*rec)->RecordWithTimes(e);
  }
  if (Status s = (*rec)->Close(); !s.ok()) ADD_FAILURE() << s.ToString();
  return events;
}

}  // namespace baton::testing
