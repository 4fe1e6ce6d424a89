// JSON in one spelling: object keys sorted, no whitespace, integral numbers written as
// integers. Two texts that mean the same (key order, spacing, 1.0 against 1) have the same
// canonical text, so requests, arguments and schemas compare as text.
//
// Internal to the harness (the proxy and the OpenTelemetry import), which parse with simdjson.
#ifndef BATON_HARNESS_CANONICAL_JSON_H_
#define BATON_HARNESS_CANONICAL_JSON_H_

#include <simdjson.h>

#include <string>
#include <string_view>

namespace baton {

void AppendCanonicalJson(std::string& out, simdjson::dom::element e);
std::string CanonicalJsonOf(simdjson::dom::element e);

// `text` in canonical form when it is JSON, else `text` itself (tool arguments are JSON by
// contract, but a model may write anything).
std::string CanonicalJsonOrText(std::string_view text, simdjson::dom::parser& parser);

}  // namespace baton

#endif  // BATON_HARNESS_CANONICAL_JSON_H_
