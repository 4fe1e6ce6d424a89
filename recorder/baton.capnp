# The .baton schema: the session header, every event kind, blobs and the footer index.
#
# Evolution rules (see FORMAT.md): only add fields with the next ordinal, never renumber or
# retype; a new field's default must describe what older writers meant. A new event kind is a
# new member of Event's union: older readers see an unknown discriminant, skip the event and
# count it.

@0x9172fdd8429d4d37;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("baton::schema");

struct Content {
  # A piece of text that may be large. Small text is stored inline; text at or above the
  # writer's blob threshold is stored once per file in a blob chunk and referenced here by
  # its ordinal: blobs are numbered 1, 2, 3... in the order the file holds them. (An
  # ordinal rather than the 128-bit hash: small increasing numbers compress, hashes do not.)
  union {
    inline @0 :Text;
    blob @1 :UInt32;
  }
}

struct KeyValue {
  key @0 :Text;
  value @1 :Text;
}

struct SessionHeader {
  sessionId @0 :Text;
  startWallNs @1 :Int64;     # Unix time of session start, nanoseconds.
  agents @2 :List(Text);     # Declared participants (events may name others).
  metadata @3 :List(KeyValue);  # git sha, service version, user labels.
  writer @4 :Text;           # Name and version of the writing library.
}

struct ContextRef {
  key @0 :Text;
  version @1 :UInt64;
}

struct ChatMessage {
  role @0 :Text;
  content @1 :Content;
  name @2 :Text;
  toolCallId @3 :Text;
  # The message's other members (tool_calls, refusal, audio...) as canonical JSON; "" when
  # none. A writer before this field appended them to the content after a newline.
  extra @4 :Text;
}

struct ToolSpec {
  name @0 :Text;
  description @1 :Text;
  parametersJson @2 :Content;
}

struct ToolCallRequest {
  id @0 :Text;
  name @1 :Text;
  argumentsJson @2 :Content;
}

struct TokenUsage {
  promptTokens @0 :UInt64;
  completionTokens @1 :UInt64;
  totalTokens @2 :UInt64;
}

struct StreamChunk {
  offsetNs @0 :Int64;        # Arrival time relative to the request being sent.
  text @1 :Text;
}

struct ModelRequest {
  model @0 :Text;
  parameters @1 :List(KeyValue);   # temperature, max_tokens, ... as given (JSON scalars as text).
  messages @2 :List(ChatMessage);  # Each message's content is usually a blob: resent history is stored once.
  tools @3 :List(ToolSpec);
  headers @4 :List(KeyValue);      # Redacted before write.
  stream @5 :Bool;
  # Conversations resend their history every turn. When prefixFrom is not 0, the request's
  # messages are the first prefixLength messages of the model call event with seq
  # prefixFrom (same agent, same chunk, its own prefix applied), followed by `messages`.
  prefixFrom @6 :UInt64;
  prefixLength @7 :UInt32;
}

struct ModelResponse {
  content @0 :Content;
  toolCalls @1 :List(ToolCallRequest);
  finishReason @2 :Text;
  usage @3 :TokenUsage;
  chunks @4 :List(StreamChunk);
}

struct MessageSend {
  messageId @0 :Text;
  to @1 :Text;
  intent @2 :Text;
  payload @3 :Content;
  contextVersions @4 :List(ContextRef);  # The context the message was built on.
}

struct MessageDelivery {
  messageId @0 :Text;
  from @1 :Text;
}

struct MessageInterpretation {
  messageId @0 :Text;
  understoodIntent @1 :Text;
  summary @2 :Content;
}

struct MessageProcessed {
  messageId @0 :Text;
}

struct ContextWrite {
  key @0 :Text;
  version @1 :UInt64;
  value @2 :Content;
}

struct ContextRead {
  key @0 :Text;
  version @1 :UInt64;
}

# Why a call failed, as a value (the client's status code); files written before it read as
# unknown, and their `error` text is all there is.
enum CallErrorCode {
  unknown @0;
  unavailable @1;          # The peer failed; retryable.
  deadlineExceeded @2;     # The peer did not answer in time; retryable.
  invalidArgument @3;      # The request was refused.
  failedPrecondition @4;   # Anything else the client reported.
}

# The HTTP exchange behind a model call captured by the proxy: what is needed to answer a
# replayed request with the same bytes. Absent (empty api) for calls made through the runtime.
struct HttpExchange {
  api @0 :Text;               # "openai.chat", "openai.responses", "openai.embeddings",
                              # "openai.models", "anthropic.messages", or "http" (opaque).
  method @1 :Text;
  path @2 :Text;              # With the query string.
  status @3 :UInt16;
  responseHeaders @4 :List(KeyValue);  # The few a client reads (content type, retry-after, ids).
  responseBody @5 :Content;   # A response sent whole; for a stream, see the response's chunks.
  streamCut @6 :Bool;         # The upstream stopped mid-stream: replay stops there too.
}
# An opaque exchange (api "http") keeps its request in ModelRequest too, so that replay
# matches it like any call: parameters "method" and "path", one message of role "http"
# holding the body.

struct ModelCall {
  callId @0 :Text;
  request @1 :ModelRequest;
  response @2 :ModelResponse;
  latencyNs @3 :Int64;
  attempt @4 :UInt32;        # 1 for the first try.
  error @5 :Text;            # Empty when the call succeeded.
  errorCode @6 :CallErrorCode;  # Meaningful when error is not empty.
  http @7 :HttpExchange;     # Calls captured by the proxy.
}

struct ToolCall {
  callId @0 :Text;
  tool @1 :Text;
  arguments @2 :Content;
  result @3 :Content;
  latencyNs @4 :Int64;
  error @5 :Text;
  errorCode @6 :CallErrorCode;  # Meaningful when error is not empty.
}

struct RoutingDecision {
  chosen @0 :Text;
  candidates @1 :List(Text);
  reasoning @2 :Content;
}

struct Score {
  targetSeq @0 :UInt64;      # The event judged (0 when it is a message named below).
  targetMessageId @1 :Text;
  value @2 :Float64;         # In [0, 1].
  scorer @3 :Text;
  rationale @4 :Content;
}

struct Check {
  targetSeq @0 :UInt64;
  targetMessageId @1 :Text;
  checker @2 :Text;
  passed @3 :Bool;
  detail @4 :Text;
}

struct ClockRead {
  clock @0 :Text;            # "wall", "monotonic", or a user name.
  valueNs @1 :Int64;
}

struct RandomDraw {
  stream @0 :Text;
  value @1 :UInt64;
}

struct EnvRead {
  name @0 :Text;
  value @1 :Text;
  present @2 :Bool;
}

struct SpanStart {
  spanId @0 :Text;
  parentSpanId @1 :Text;
  name @2 :Text;
  attributes @3 :List(KeyValue);
}

struct SpanEnd {
  spanId @0 :Text;
  status @1 :Text;
  reportedDurationNs @2 :Int64;   # What the span itself claims, which may hide retries.
}

struct Retry {
  callId @0 :Text;
  attempt @1 :UInt32;        # The attempt about to be made.
  reason @2 :Text;
  backoffNs @3 :Int64;
}

struct Outcome {
  result @0 :Content;
  verdict @1 :Verdict;
  detail @2 :Text;
  enum Verdict {
    unknown @0;
    success @1;
    failure @2;
  }
}

struct EventsDropped {
  count @0 :UInt64;          # Events the recorder dropped (drop policy) since the last such event.
}

struct Event {
  seq @0 :UInt64;            # 1, 2, 3, ... in recording order; unique within a session.
  monoNs @1 :Int64;          # Monotonic time since session start.
  wallSkewNs @2 :Int64;      # Unix time minus (SessionHeader.startWallNs + monoNs): near
                             # zero and slowly changing, so it costs almost nothing.
  agent @3 :Text;
  cause @4 :UInt64;          # seq of the event that led to this one; 0 when none.
  union {
    messageSend @5 :MessageSend;
    messageDelivery @6 :MessageDelivery;
    messageInterpretation @7 :MessageInterpretation;
    messageProcessed @8 :MessageProcessed;
    contextWrite @9 :ContextWrite;
    contextRead @10 :ContextRead;
    modelCall @11 :ModelCall;
    toolCall @12 :ToolCall;
    routingDecision @13 :RoutingDecision;
    score @14 :Score;
    check @15 :Check;
    clockRead @16 :ClockRead;
    randomDraw @17 :RandomDraw;
    envRead @18 :EnvRead;
    spanStart @19 :SpanStart;
    spanEnd @20 :SpanEnd;
    retry @21 :Retry;
    outcome @22 :Outcome;
    eventsDropped @23 :EventsDropped;
  }
}

struct Blob {
  # Deduplicated by content hash (XXH3-128) when written; the hash itself is not stored:
  # the chunk crc protects the bytes, and a reader can recompute it.
  data @0 :Data;
  ordinal @1 :UInt32;        # 1, 2, 3... in file order: what Content.blob refers to.
}

struct ChunkIndexEntry {
  offset @0 :UInt64;         # Byte offset of the chunk header in the file.
  kind @1 :UInt8;
  itemCount @2 :UInt32;
  firstSeq @3 :UInt64;       # Event chunks only.
  lastSeq @4 :UInt64;
  firstMonoNs @5 :Int64;
  lastMonoNs @6 :Int64;
}

struct Footer {
  chunks @0 :List(ChunkIndexEntry);
  eventCount @1 :UInt64;
  blobCount @2 :UInt64;
  blobReferences @3 :UInt64;     # Content fields that referred to a blob (dedup numerator).
  blobBytesReferenced @4 :UInt64; # Bytes those references would have cost inline.
  blobBytesStored @5 :UInt64;     # Bytes of distinct blobs.
  droppedEvents @6 :UInt64;
  rawBytes @7 :UInt64;            # Sum of uncompressed chunk payloads.
}
