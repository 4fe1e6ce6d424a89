// Parsing JSON text into Cap'n Proto's JsonValue (capnp-json), with failures as values.
//
// One place instead of a try/catch around capnp::JsonCodec in every caller. This is the
// parser for configuration and small documents (policies, replay reports, tool arguments).
// The paths that parse every request or span (the proxy, the OTLP importer) use simdjson:
// bench/json_parse_bench measured it 15x faster on a 27 KB chat request and 26x on a
// 165 KB OTLP batch of 200 spans (one run on the 2-core machine, each walking every value).
#ifndef BATON_BASE_JSON_PARSE_H_
#define BATON_BASE_JSON_PARSE_H_

#include <capnp/compat/json.h>
#include <capnp/message.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace baton {

// Parses `text` into `root`. On failure, a Corruption status that starts with `what` (a
// file name, "the request body") and says what the parser objected to.
Status ParseJsonInto(std::string_view text, capnp::JsonValue::Builder root, std::string_view what);

// A parsed document that owns its memory.
class JsonDocument {
 public:
  static Result<JsonDocument> Parse(std::string_view text, std::string_view what);
  capnp::JsonValue::Reader root() const;
  capnp::JsonValue::Builder mutable_root();

 private:
  JsonDocument() : message_(std::make_unique<capnp::MallocMessageBuilder>()) {}
  std::unique_ptr<capnp::MallocMessageBuilder> message_;
};

// The text of a JsonValue (compact).
std::string JsonText(capnp::JsonValue::Reader value);

}  // namespace baton

#endif  // BATON_BASE_JSON_PARSE_H_
